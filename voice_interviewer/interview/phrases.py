"""The candidate's own words a follow-up may quote, chosen by role from a parse.

A follow-up that quotes the answer sounds like someone listening, but only when the
quote is a whole phrase of the right kind: "what did you personally do on the release
captain?" (a person where a piece of work belongs) or "when it came to the code reviews
mostly" (a phrase cut mid-thought) is worse than no quote at all. So each template in
``prompts/rounds/*.toml`` names the kind of phrase it takes, and only a complete noun
phrase of that kind, found by the dependency parse, fills it:

- ``{work}``: what the candidate built or changed: the object of their own verb of making
  or changing ("I rewrote *the reconciliation job*"), named by a noun before it, never a
  person, a number or a filler noun;
- ``{people}``: a person or team they dealt with ("*the platform team*", "*your manager*");
- ``{problem}``: the incident or trouble the story is about ("*the memory leak*");
- ``{decision}``: the candidate's own short clause after decide/choose/propose
  ("I decided *to roll back the release*"), turned to the second person;
- ``{moment}``: the candidate's own clause of dealing with someone, in the past tense
  ("I *pushed back on the PM*", "we *sat down with the support leads*"), turned to the
  second person: the moment a person would go back to ("When you pushed back on the PM,
  how did they take it?"). Persuading beats asking or telling.

A template whose kind found nothing is not used; with none left the probe is asked
without a quote. Pure logic over ``Parsed`` sentences; the parser is a port (spaCy in
``adapters.parser``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

PhraseKind = Literal["work", "people", "problem", "decision", "moment"]
KINDS: tuple[PhraseKind, ...] = ("work", "people", "problem", "decision", "moment")


@dataclass(frozen=True)
class Token:
    """One word of a parsed sentence (spaCy's fields, by value)."""

    text: str
    lemma: str
    pos: str  # universal POS: NOUN, PROPN, VERB, PRON, NUM, ADJ, ...
    tag: str  # fine-grained tag: JJS (superlative), NNS, ...
    dep: str  # dependency label: nsubj, dobj, pobj, compound, amod, xcomp, ...
    head: int  # index of the head token in the sentence (itself for the root)
    space: bool = True  # followed by a space in the sentence ("trade" "-" "off": no)


@dataclass(frozen=True)
class Parsed:
    """A parsed sentence: its tokens and noun chunks ([start, end) token spans)."""

    tokens: tuple[Token, ...]
    chunks: tuple[tuple[int, int], ...]


class Parser(Protocol):
    """Parses sentences (``adapters.parser.SpacyParser``)."""

    def __call__(self, sentences: Sequence[str]) -> list[Parsed]: ...


# Head nouns of a person or a group of people.
PEOPLE = frozenset(
    str.split(
        """team teams manager managers lead leads engineer engineers customer customers client clients user
    users stakeholder stakeholders partner partners vp vps director directors pm pms designer
    designers colleague colleagues teammate teammates peer peers boss executive executives
    leadership org organization vendor vendors person people developer developers analyst
    analysts researcher researchers owner owners architect architects mentor mentee intern interns
    hire hires cto ceo cfo founder founders scientist scientists contractor contractors squad folks
    staff auditor auditors regulator regulators captain sponsor sponsors council board committee
    department rider riders passenger passengers patient patients nurse nurses doctor doctors
    student students teacher teachers member members candidate candidates volunteer volunteers agent
    agents rep reps officer officers"""
    )
)
# Head nouns of an incident or a trouble.
PROBLEMS = frozenset(
    str.split(
        """outage outages bug bugs leak leaks incident incidents failure failures delay delays backlog
    complaint complaints regression regressions churn crash crashes error errors escalation
    escalations conflict disagreement risk slip spike spikes bottleneck bottlenecks breach
    vulnerability defect defects timeout timeouts latency debt overrun blocker blockers"""
    )
)
# Nouns too vague to quote unless a noun before them names the thing ("the job", but
# "the reconciliation job").
VAGUE = frozenset(
    str.split(
        """thing things lot lots time times way ways bit part parts kind sort stuff one ones something
    everything anything nothing problem problems issue issues situation point question matter case
    fact idea end start beginning moment day week month year quarter while deal work job piece
    aspect area reason lesson result results outcome impact approach process side level number
    numbers percent"""
    )
)
# Adjectives that make a quote a judgement rather than the thing ("the real problem").
EMPTY_ADJ = frozenset(
    str.split(
        """real whole main big bigger biggest best worst good great bad other same different actual certain
    own many few several much more most key major huge entire overall particular specific general
    usual typical hard hardest first last next previous"""
    )
)
# Nouns a piece of work is never named by alone: a get-together ("the meeting"), a figure
# ("the monthly cost" is a metric, not the thing built). With a noun before them they may
# be ("the weekly design sync").
LIGHT = frozenset(
    str.split(
        """meeting meetings call calls coffee lunch chat conversation conversations session sessions sync
    cost costs price prices revenue rate rates score scores time budget spend"""
    )
)
# Verbs of making or changing something: their object is the candidate's piece of work
# ("I rewrote the reconciliation job"), unlike "I pulled the logs" or "I waived the fee".
BUILD = frozenset(
    str.split(
        """build rebuild write rewrite design redesign create set launch ship migrate implement automate
        introduce draft develop refactor replace roll run pilot start organize organise change fix
        improve simplify restructure prototype deploy add extend lead own deliver plan document
        standardize standardise consolidate overhaul revamp streamline
        built rebuilt wrote rewrote written rewritten ran led"""
    )
)  # with the irregular past forms: the small pipeline's lemmatizer leaves "rewrote" as it is
# Trouble nouns too vague to quote without a word before them ("the failure", "the risk").
VAGUE_PROBLEMS = frozenset(str.split("failure failures error errors risk conflict disagreement spike spikes debt"))
DECIDE = frozenset(str.split("decide choose opt propose suggest recommend push insist pick commit"))
# Verbs of dealing with someone, for a {moment}: persuading first, then talking to them.
PERSUADE = frozenset(str.split("convince persuade negotiate pitch escalate push argue lobby challenge"))
TALK = frozenset(
    str.split(
        """ask tell talk speak meet call email message approach raise bring sit go walk pull loop propose
        explain warn invite"""
    )
)
# Of those, the ones whose object is a person even when it is only a name ("talked to Priya";
# but "went through every screen with VoiceOver" names a tool).
TALK_TO = (PERSUADE | TALK) - frozenset(str.split("raise bring go walk pull loop propose explain"))
# Parts of a clause a {moment} leaves out: its subject and auxiliaries, and whatever hangs
# off it as a second clause ("..., and wrote the plan", "because ...", "that we would slip").
_NOT_IN_MOMENT = frozenset(
    ("nsubj", "nsubjpass", "aux", "auxpass", "punct", "cc", "conj", "advcl", "mark", "ccomp", "parataxis", "dep")
)
MOMENT_WORDS = (2, 10)
_YOUR = {"my": "your", "our": "your", "me": "you", "us": "you", "i": "you", "we": "you", "myself": "yourself"}
_THE = frozenset(["a", "an", "this", "that", "these", "those"])
_OWN = frozenset(("i", "we"))
# Where to look for each kind, most telling first: the work is in what they did; the trouble
# is set up in the situation; a person may turn up anywhere in the telling.
_WHERE: dict[PhraseKind, tuple[str, ...]] = {
    "work": ("action", "task"),
    "people": ("action", "situation", "task"),
    "problem": ("situation", "task", "action"),
    "decision": ("action", "task"),
    "moment": ("action",),
}
MAX_WORDS = 5


def _base(verb: Token) -> str:
    """The verb's base form: its lemma, else the word without a regular past ending."""
    for form in (verb.lemma.lower(), verb.text.lower()):
        if form in BUILD:
            return form
    word = verb.text.lower()
    for ending, base in (("ied", "y"), ("ed", "e"), ("ed", ""), ("d", "")):
        if word.endswith(ending) and word[: -len(ending)] + base in BUILD:
            return word[: -len(ending)] + base
    return verb.lemma.lower()


def _subject(tokens: Sequence[Token], verb: int) -> str | None:
    """The lower-cased subject of ``verb``, following conjoined verbs to the first ("I wrote X and ran Y")."""
    seen = set()
    while verb not in seen:
        seen.add(verb)
        for t in tokens:
            if t.head == verb and t.dep in ("nsubj", "nsubjpass") and tokens.index(t) != verb:
                return t.text.lower()
        head = tokens[verb]
        if head.dep not in ("conj", "xcomp") or head.head == verb:
            return None
        verb = head.head
    return None


def _noun_phrase(tokens: Sequence[Token], start: int, end: int, people: bool) -> str | None:
    """The chunk as a quotable phrase, or None: a determiner, modifiers that name the thing, the noun."""
    root = max(range(start, end), key=lambda i: tokens[i].head not in range(start, end))
    root_tok = tokens[root]
    noun_before = any(tokens[i].dep == "compound" and tokens[i].pos in ("NOUN", "PROPN") for i in range(start, root))
    if root_tok.pos not in ("NOUN", "PROPN") or (root_tok.text.lower() in VAGUE and not noun_before):
        return None  # "the job", "the problem"; but "the reconciliation job" names the thing
    if any(t.head == root and t.dep == "conj" for t in tokens):
        return None  # one item of a list ("X and Y") is half of what was said
    words: list[str] = []
    for i in range(start, end):
        t = tokens[i]
        low = t.text.lower()
        if t.pos == "NUM" or t.tag in ("JJS", "RBS", "CD") or low in EMPTY_ADJ:
            return None  # "three days", "the biggest", "the real problem": not a thing to name
        if t.dep == "poss" and t.pos != "PRON":
            return None  # "the identity team's library": a possessive inside reads badly when cut
        if t.dep in ("det", "poss"):
            continue
        if (t.pos in ("NOUN", "PROPN", "ADJ") and t.dep in ("compound", "amod", "nmod")) or i == root:
            words.append(t.text + (" " if t.space else ""))
        elif t.pos == "PUNCT" and t.text == "-" and words:
            words.append("-")
        elif t.pos not in ("PUNCT",):
            return None  # anything else inside (an adverb, a clause) would quote a fragment
    if not words or len(words) > MAX_WORDS - 1:
        return None
    named = "".join(words).strip()
    det = next((tokens[i].text.lower() for i in range(start, root) if tokens[i].dep in ("det", "poss")), "")
    if root_tok.pos == "PROPN" and not det:
        return named
    if people and det in ("my", "our"):
        return "your " + named
    if det in ("his", "her", "their", "its", "your"):
        return None  # "their migration": whose? the reader cannot tell from the question alone
    return "the " + named


def _decision(tokens: Sequence[Token], verb: int) -> str | None:
    """The clause after "I decided": "to roll back the release" -> "to roll back the release"."""
    comp = next((i for i, t in enumerate(tokens) if t.head == verb and t.dep == "xcomp" and i != verb), None)
    if comp is None:
        return None
    span = sorted(_subtree(tokens, comp))
    if span != list(range(span[0], span[-1] + 1)) or not (3 <= len(span) <= 8):
        return None
    if tokens[span[0]].text.lower() != "to":
        return None
    out = []
    for i in span:
        t = tokens[i]
        if t.dep in ("mark", "advcl", "relcl", "ccomp", "csubj", "punct", "cc", "conj") or t.pos == "NUM":
            return None  # one plain clause only
        low = t.text.lower()
        if t.pos == "PRON" and low not in _YOUR and low not in ("it", "them"):
            return None
        out.append(_YOUR.get(low, t.text))
    return " ".join(out)


_CALENDAR = frozenset(
    str.split(
        """monday tuesday wednesday thursday friday saturday sunday january february march april may june
        july august september october november december christmas"""
    )
)


def _is_person(tokens: Sequence[Token], i: int, verb: int) -> bool:
    """A person or team as the object: a people noun, or a name the verb is said to ("talked
    to Priya"), not a date ("on Monday") or a tool ("went through it with VoiceOver")."""
    t = tokens[i]
    if t.text.lower() in PEOPLE:
        return True
    if t.pos != "PROPN" or t.text.lower() in _CALENDAR or tokens[verb].lemma.lower() not in TALK_TO:
        return False
    if t.dep in ("dobj", "dative"):
        return t.head == verb
    return t.dep == "pobj" and tokens[t.head].head == verb and tokens[t.head].text.lower() in ("with", "to", "on")


def _moment(tokens: Sequence[Token], verb: int) -> str | None:
    """The clause of ``verb`` without its subject ("I pushed back on my manager" -> "pushed back
    on your manager"), when it is short, in one piece and deals with a person; else None."""
    v = tokens[verb]
    if v.tag != "VBD" or any(t.head == verb and t.dep == "neg" for t in tokens):
        return None  # a past event ("we ask" is a habit; "I didn't tell" is no moment)
    keep = {verb}
    for k, t in enumerate(tokens):
        # An adverb is left out ("told your manager | right away", "then | pushed back"), but
        # not the particle right after the verb ("pushed back": spaCy's small model calls it advmod).
        if t.head == verb and k != verb and t.dep not in _NOT_IN_MOMENT and not _loose_adverb(t, k, verb):
            keep |= _subtree(tokens, k)
    keep = _trim_tail(tokens, keep, verb)
    span = sorted(keep)
    if span != list(range(span[0], span[-1] + 1)) or span[0] != verb:
        return None  # a clause in pieces, or words before the verb ("then", "finally" are dropped)
    if not MOMENT_WORDS[0] <= len(span) <= MOMENT_WORDS[1]:
        return None
    person = False
    the: set[int] = set()  # where a person first met as "a" or "two" is referred back to as "the"
    for i in span:
        t = tokens[i]
        low = t.text.lower()
        if t.dep in ("relcl", "acl") or (t.pos == "PRON" and low not in _YOUR and low != "it"):
            return None  # "the PM who ...", "told him": a clause inside, or whom? ("it" is the story's thing)
        if t.dep in ("dobj", "pobj", "dative") and _is_person(tokens, i, verb):
            person = True
            first = min(_subtree(tokens, i))
            if tokens[first].text.lower() in ("a", "an") or tokens[first].pos == "NUM":
                the.add(first)  # "met with two charge nurses" -> "met with the two charge nurses"
    out = []
    for i in span:
        t = tokens[i]
        low = t.text.lower()
        word = _YOUR.get(low, t.text)
        if i in the:
            word = "the" if low in ("a", "an") else f"the {word}"
        out.append(word + (" " if t.space else ""))
    if tokens[span[-1]].tag in ("WRB", "WP", "WDT") or tokens[span[-1]].dep == "prep":
        return None  # "walked the engineers through why": the clause stops short
    after = tokens[span[-1] + 1] if span[-1] + 1 < len(tokens) else None
    if after is not None and (after.pos in ("NOUN", "PROPN") or after.text.lower() in PEOPLE):
        return None  # "met each team | lead one on one" ("lead" parsed as a verb): a noun phrase cut short
    return "".join(out).strip() if person else None


# Prepositions of time and duration: their phrase says when, not whom ("for two mornings").
_WHEN_PREPS = frozenset(("for", "during", "over", "after", "before", "since", "until", "within", "throughout"))


def _trim_tail(tokens: Sequence[Token], keep: set[int], verb: int) -> set[int]:
    """``keep`` without a trailing adverb or phrase of time, wherever it hangs: "told your
    manager and the retention lead | straight away", "sat with the compliance lead | for two
    mornings". A phrase that names a person stays."""
    while True:
        end = max(keep)
        tail = next(
            (
                sub
                for k in sorted(keep)
                if k > verb + 1
                and (
                    tokens[k].dep in ("advmod", "npadvmod")
                    or (tokens[k].dep == "prep" and tokens[k].text.lower() in _WHEN_PREPS)
                )
                and max(sub := _subtree(tokens, k)) == end
                and not any(tokens[j].text.lower() in PEOPLE for j in sub)
            ),
            None,
        )
        if tail is None:
            return keep
        keep = keep - tail


def _loose_adverb(t: Token, k: int, verb: int) -> bool:
    return t.dep in ("advmod", "npadvmod") and k != verb + 1


def _subtree(tokens: Sequence[Token], i: int) -> set[int]:
    found = {i}
    grew = True
    while grew:
        grew = False
        for k, t in enumerate(tokens):
            if k not in found and t.head in found and t.head != k:
                found.add(k)
                grew = True
    return found


@dataclass(frozen=True)
class _Found:
    kind: PhraseKind
    text: str
    noun: str  # the head noun, lower case ("" for a decision clause)
    modified: bool  # the noun has a noun or adjective before it ("the reconciliation job"); a moment: persuading


def _candidates(parsed: Parsed) -> list[_Found]:
    tokens = parsed.tokens
    found: list[_Found] = []
    for start, end in parsed.chunks:
        root = max(range(start, end), key=lambda i: tokens[i].head not in range(start, end))
        noun = tokens[root].text.lower()
        modified = any(tokens[i].dep == "compound" and tokens[i].pos in ("NOUN", "PROPN") for i in range(start, root))
        people = noun in PEOPLE
        phrase = _noun_phrase(tokens, start, end, people)
        if phrase is None:
            continue
        if people:
            found.append(_Found("people", phrase, noun, modified))
        elif noun in PROBLEMS:
            if modified or noun not in VAGUE_PROBLEMS:
                found.append(_Found("problem", phrase, noun, modified))
        elif (
            tokens[root].pos == "NOUN"
            and tokens[root].dep == "dobj"
            and _base(tokens[tokens[root].head]) in BUILD
            and _subject(tokens, tokens[root].head) in _OWN
        ):
            found.append(_Found("work", phrase, noun, modified))
    for i, t in enumerate(tokens):
        if t.pos != "VERB" or _subject(tokens, i) not in _OWN:
            continue
        lemma = t.lemma.lower()
        if lemma in DECIDE:
            clause = _decision(tokens, i)
            if clause:
                found.append(_Found("decision", clause, "", True))
        if lemma in PERSUADE or lemma in TALK:
            clause = _moment(tokens, i)
            if clause:
                found.append(_Found("moment", clause, "", lemma in PERSUADE))
    return found


def role_phrases(parsed: Sequence[Parsed], labels: Sequence[str]) -> dict[PhraseKind, str]:
    """The phrase of each kind to quote (kinds with none are absent).

    ``labels``: each sentence's STAR label. Each kind is looked for in the parts of the
    story where it belongs (the closing lesson and side remarks, labelled other, never).
    The main thread wins over a side remark: the phrase whose noun the answer comes back
    to most often, then one that names the thing, then the first. A piece of work is
    quoted only when a noun names it ("the reconciliation job", never "the tool" or "the
    meeting": a bare noun reads wrong as often as right).
    """
    mentions = Counter(t.text.lower() for p in parsed for t in p.tokens if t.pos == "NOUN")
    per_sentence = [_candidates(p) for p in parsed]
    chosen: dict[PhraseKind, str] = {}
    for kind in KINDS:
        for part in _WHERE[kind]:
            options = [
                f
                for found, label in zip(per_sentence, labels, strict=True)
                if label == part
                for f in found
                if f.kind == kind and (kind != "work" or f.modified)
            ]
            if options:
                best = max(options, key=lambda f: (mentions[f.noun], f.modified, -options.index(f)))
                chosen[kind] = best.text
                break
    return chosen


def kinds_in(template: str) -> set[PhraseKind]:
    """The phrase kinds a template takes ("{work}" -> "work")."""
    return {k for k in KINDS if "{" + k + "}" in template}


def answer_phrases(
    labels: Sequence[tuple[str, str]], parse: Parser | None, kinds: Iterable[PhraseKind] = KINDS
) -> dict[PhraseKind, str]:
    """``role_phrases`` of an answer given as (sentence, STAR label) pairs, for ``kinds`` only:
    just the parts where those kinds are looked for are parsed (~3 ms a sentence). No
    parser: no phrases (probes without quotes)."""
    wanted_kinds = set(kinds)
    parts = {part for kind in wanted_kinds for part in _WHERE[kind]}
    if parse is None or not parts:
        return {}
    wanted = [(text, label) for text, label in labels if label in parts]
    if not wanted:
        return {}
    found = role_phrases(parse([t for t, _ in wanted]), [label for _, label in wanted])
    return {k: v for k, v in found.items() if k in wanted_kinds}
