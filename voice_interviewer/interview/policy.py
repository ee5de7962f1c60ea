"""Deterministic, explainable follow-up policy: pick the single most valuable probe.

Each possible gap in an answer has a base value (how much a good interviewer
would want it fixed); the round's ``prefer_targets`` add a bonus so the
hiring manager leans to action/ownership/metrics and the AA leader to
reflection/judgment. The highest-valued gap not yet probed in this question's
thread wins; with no gap left (or no budget) the interviewer moves on.

The question text is phrased in the round's voice and, where it fits, quotes the
candidate's own words: a whole noun phrase of the kind the phrasing takes (``phrases``).
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..analysis.gaps import WHY, Found, Gap, answer_gaps
from ..analysis.text import PhraseSet, find_phrases, phrase_tokens, tokens
from ..content.prompts import AlreadySaid, Round
from ..types import Analysis, FollowUp, target_key
from .phrases import Parser, PhraseKind, answer_phrases, kinds_in

# Base value of probing each gap (0-1): what a good interviewer fixes first.
# A missing part of the story comes before depth (numbers, lessons): without it the
# interviewer cannot judge the rest.
BASE_VALUE = {
    "specificity": 0.95,
    "result": 0.9,
    "action": 0.85,
    "task": 0.72,
    "ownership": 0.7,
    "situation": 0.68,
    "metrics": 0.6,
    "reflection": 0.45,
    "competency": 0.4,
}
# When the question itself asks for something the answer lacks, that gap matters more.
QUESTION_ASKS = {
    "reflection": re.compile(r"\b(learn\w*|lesson\w*|fail\w*|mistake\w*|feedback|differently|regret\w*)\b", re.I),
    "metrics": re.compile(r"\b(measur\w*|impact|metric\w*|numbers?|results?)\b", re.I),
}
# A probe of what the story is about: below every missing part, ownership and numbers, so
# those are asked for first; above reflection and a competency, which the AA round prefers
# (its bonus puts reflection first there) and the hiring manager leaves for later.
DEPTH_VALUE = 0.5
# A situational answer's missing plan element: what an interviewer asks for first. The
# decision matters most (a plan that never decides is no plan), then the options it chose
# between, how success would be known, the first step of finding out, the follow-through.
PLAN_VALUE = {"decision": 0.9, "options": 0.85, "measure": 0.8, "clarify": 0.75, "communication": 0.7}
# With the plan complete, one challenge of it ("What if they refuse?").
CHALLENGE_VALUE = 0.5
QUESTION_BONUS = 0.3
PREFERENCE_BONUS = (0.2, 0.15, 0.1, 0.05, 0.03)
WEAK_FACTOR = 0.9  # a weakly present part is worth a little less than a missing one
# With what the candidate did and how it turned out both told, the goal and the setting can
# be read from the story: asking for them then sounds like not listening (judged blind: "the
# aim is plain from the answer", "a stock backtrack to the setting"). They come after the
# probe of what the story is about, the lesson and the competency.
TOLD_STORY_FACTOR = 0.5
# Words that end a candidate phrase ("the canary rollout | last spring").
_STOP = frozenset(
    str.split(
        """a an the this that these those my our their his her its your i we you he she they it and or but so
        to of in on for with at by from was were is are be been had have has did do does not just very really
        then when what which who also about into over after before up down out some any all more most much
        like um uh yeah okay well actually basically last next first ago during while because since until
        through across between without within yesterday today again too there here where how why if than as
        each every only even still back off us them him me it's that's wrote rewrote built led ran saw
        found told gave kept left began brought thought set put cut took got went made shipped
        would could should will can may might must shall said says came comes come turns opens felt feels
        feel see sees own nobody everyone everybody someone somebody anyone ones one yet pretty quite
        rather somewhat fairly lot bit little right away straight together against already now else
        instead herself himself myself themselves ourselves itself"""
    )
)
_NUMBER_WORDS = frozenset(
    ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "twenty", "thirty", "hundred", "thousand"]
)
_DETERMINERS = ("the", "our", "my", "a", "an", "this", "that", "their")


class FollowUpBrain(Protocol):
    """Chooses the next probe in a question thread (``policy.decide`` or an LLM wrapper)."""

    def __call__(
        self,
        analysis: Analysis,
        rnd: Round,
        asked: Sequence[str],
        budget_left: int | None,
        target_competency: str | None,
    ) -> FollowUp: ...


@dataclass(frozen=True)
class RankedGap:
    """A gap (``analysis.gaps``) a follow-up could probe: which, how valuable probing it is, and why."""

    gap: Gap
    value: float
    rationale: str
    competency: str = ""  # for Gap.COMPETENCY

    @property
    def target(self) -> str:
        """As saved and as listed in ``asked``: "result", "competency:customer_focus"."""
        return target_key(self.gap, self.competency)


def find_gaps(
    analysis: Analysis, rnd: Round, target_competency: str | None = None, names: dict[str, str] | None = None
) -> list[RankedGap]:
    """All gaps in the answer (``analysis.gaps``, plus the question's competency), most valuable first."""
    present = answer_gaps(analysis)
    if analysis.plan is not None:
        return sorted(
            (RankedGap(Gap.PLAN, PLAN_VALUE.get(f.element, 0.6), f.why, f.element) for f in present),
            key=lambda g: g.value,
            reverse=True,
        )
    if target_competency:
        score = next((c for c in analysis.competencies if c.id == target_competency), None)
        if score is not None and not score.covered:
            name = (names or {}).get(target_competency, target_competency.replace("_", " "))
            present.append(Found(Gap.COMPETENCY, WHY[Gap.COMPETENCY].format(name=name)))
    thin = {f.gap for f in present}
    story_told = Gap.ACTION not in thin and Gap.RESULT not in thin
    gaps = []
    for found in present:
        kind, why = found.gap, found.why
        value = BASE_VALUE[kind] * (WEAK_FACTOR if found.weak else 1.0)
        if story_told and kind in (Gap.TASK, Gap.SITUATION):
            value *= TOLD_STORY_FACTOR
            why += "; the actions and the result are told, so it matters less"
        asks = QUESTION_ASKS.get(kind)
        if asks is not None and asks.search(analysis.question):
            value += QUESTION_BONUS
            why += " (and the question asked for it)"
        if kind in rnd.prefer_targets:
            rank = rnd.prefer_targets.index(kind)
            value += PREFERENCE_BONUS[rank] if rank < len(PREFERENCE_BONUS) else 0.0
        competency = (target_competency or "") if kind is Gap.COMPETENCY else ""
        gaps.append(RankedGap(kind, round(value, 3), why, competency))
    return sorted(gaps, key=lambda g: g.value, reverse=True)


def depth_probe(analysis: Analysis, rnd: Round) -> RankedGap | None:
    """The probe of what the story is about (``analysis.themes``), or None when the round has
    no depth probes. The most similar theme the round has lines for wins; else "general".
    A situational answer's plan is challenged instead (the round's [plan] "challenge" lines)."""
    if analysis.plan is not None:
        if "challenge" not in rnd.plan:
            return None
        return RankedGap(Gap.CHALLENGE, CHALLENGE_VALUE, "challenging the plan once its missing parts are asked for")
    theme = next((t.id for t in analysis.themes if t.id in rnd.depth), "general")
    if theme not in rnd.depth:
        return None
    value = DEPTH_VALUE
    if "depth" in rnd.prefer_targets:
        rank = rnd.prefer_targets.index("depth")
        value += PREFERENCE_BONUS[rank] if rank < len(PREFERENCE_BONUS) else 0.0
    why = f"theme: {theme}" if theme != "general" else "no theme of prompts/themes.toml stands out"
    return RankedGap(Gap.DEPTH, round(value, 3), f"the STAR parts are there; going deeper ({why})", theme)


def key_phrase(sentences: Sequence[str]) -> str | None:
    """A short noun phrase from the candidate's words ("the canary rollout"), or None, without a parser.

    Takes determiner + 1-3 content words, preferring longer phrases from later sentences.
    Used where no parse is at hand (the AA round's recall of an earlier story); follow-ups
    quote by role from a parse (``phrases``).
    """
    best: tuple[int, str] | None = None
    for pos, sentence in enumerate(sentences):
        words = re.findall(r"[A-Za-z0-9][A-Za-z0-9'-]*", sentence)
        for i, w in enumerate(words):
            if w.lower() not in _DETERMINERS:
                continue
            phrase: list[str] = []
            for nxt in words[i + 1 : i + 4]:
                word = nxt.lower()
                contraction = "'" in word and not word.endswith("'s")  # "I've", "we'd" (not "team's")
                count = bool(phrase) and (word.isdigit() or word in _NUMBER_WORDS)  # "the quarter | five teams"
                if (
                    word in _STOP
                    or contraction
                    or count
                    or word.endswith("ly")
                    or (word.endswith("ed") and len(word) > 4)
                ):
                    break  # verbs, modals, adverbs, contractions and counts end the noun phrase
                phrase.append(nxt)
            if not phrase or (len(phrase) == 1 and len(phrase[0]) < 5):
                continue
            det = "the" if w.lower() in ("a", "an", "this", "that", "my", "our", "their") else w.lower()
            candidate = f"{det} {' '.join(phrase)}"
            rank = len(phrase) * 10 + pos
            if best is None or rank > best[0]:
                best = (rank, candidate)
    return best[1] if best else None


def fill(template: str, phrases: Mapping[PhraseKind, str], competency: str = "") -> str | None:
    """``template`` with its placeholders filled, or None when a phrase it needs is missing."""
    if not kinds_in(template) <= phrases.keys():
        return None
    text = template.replace("{competency}", competency)
    for kind, phrase in phrases.items():
        text = text.replace("{" + kind + "}", phrase)
    return text


def choose_wording(
    options: Sequence[str], phrases: Mapping[PhraseKind, str], seed_text: str, competency: str = ""
) -> str:
    """One of ``options`` (a round's phrasings of a probe), filled with the candidate's words.

    A phrasing that quotes the answer is preferred when its phrase was found (it shows the
    interviewer listened); one whose phrase is missing is never used; the choice among the
    rest is seeded by the question and probe, so a replay asks the same.
    """
    filled = [(t, fill(t, phrases, competency)) for t in options]
    quoted = [text for t, text in filled if text is not None and kinds_in(t)]
    plain = [text for t, text in filled if text is not None and not kinds_in(t)]
    usable = quoted or plain or ["Can you tell me more about that?"]
    seed = int(hashlib.sha256(seed_text.encode()).hexdigest(), 16)
    return usable[seed % len(usable)]


def wordings(rnd: Round, target: Gap, key: str = "") -> tuple[str, ...]:
    """The round's phrasings of a probe (the action ones, or a plain question, when it has none);
    ``key``: the theme of a depth probe, the element of a plan probe."""
    if target is Gap.DEPTH:
        return rnd.depth[key]
    if target in (Gap.PLAN, Gap.CHALLENGE):
        return rnd.plan.get(key or "challenge") or ("What would you do first, and why?",)
    return rnd.follow_ups.get(target) or rnd.follow_ups.get("action") or ("Can you tell me more about that?",)


@functools.lru_cache(maxsize=256)
def _phrase_set(phrases: tuple[str, ...]) -> PhraseSet:
    """A rule's phrases tokenised once (the cue matcher of ``analysis.text``)."""
    return phrase_tokens(phrases)


def said_already(line: str, analysis: Analysis, rules: Sequence[AlreadySaid]) -> str | None:
    """The id of the rule saying ``line`` asks for what ``analysis``'s answer already gives, or None."""
    asked = tokens(line)
    answer: list[str] | None = None
    for rule in rules:
        if not find_phrases(asked, _phrase_set(rule.asks)):
            continue
        if rule.min_words and analysis.signals.word_count < rule.min_words:
            return rule.id
        if rule.needs_story and not analysis.signals.specific:
            return rule.id
        if rule.lesson and analysis.signals.has_reflection:
            return rule.id
        if rule.numbers and analysis.signals.quantified_results:
            return rule.id
        if rule.said:
            answer = answer if answer is not None else tokens(" ".join(s.text for s in analysis.sentences))
            if find_phrases(answer, _phrase_set(rule.said)):
                return rule.id
    return None


def drop_said(options: Sequence[str], analysis: Analysis, rules: Sequence[AlreadySaid]) -> tuple[list[str], list[str]]:
    """``options`` without the lines asking for what the answer says, and the rules that left lines out."""
    usable, said = [], []
    for line in options:
        rule = said_already(line, analysis, rules)
        if rule is None:
            usable.append(line)
        else:
            said.append(rule)
    return usable, said


def decide(
    analysis: Analysis,
    rnd: Round,
    asked: Sequence[str] = (),
    budget_left: int | None = None,
    target_competency: str | None = None,
    names: dict[str, str] | None = None,
    parse: Parser | None = None,
) -> FollowUp:
    """The single most valuable follow-up not yet asked in this thread (``asked``: their
    ``FollowUp.key``), or a FollowUp with target None: move on. ``parse``: the parser the
    wording quotes the answer with (None: no quotes)."""
    if budget_left is not None and budget_left <= 0:
        return FollowUp(None, "", "the follow-up budget for this question is spent; moving on")
    gaps = [g for g in find_gaps(analysis, rnd, target_competency, names) if g.target not in asked]
    if f"{Gap.DEPTH}:failure" in asked:
        # A probe of a failure already asks what went wrong and what changed; "what did you
        # learn" next would ask the same again.
        gaps = [g for g in gaps if g.gap is not Gap.REFLECTION]
    depth = depth_probe(analysis, rnd)
    if depth is not None and not any(a.startswith(f"{Gap.DEPTH}:") or a == Gap.CHALLENGE for a in asked):
        gaps = sorted([*gaps, depth], key=lambda g: g.value, reverse=True)  # one depth probe per thread
    skipped: list[str] = []  # probes passed over, and why
    labelled = [(s.text, s.star) for s in analysis.sentences]
    for gap in gaps:
        options = wordings(rnd, gap.gap, gap.competency)
        usable, said = drop_said(options, analysis, rnd.already_said)
        if not usable and gap.gap is Gap.DEPTH and gap.competency != "general" and "general" in rnd.depth:
            usable, more = drop_said(rnd.depth["general"], analysis, rnd.already_said)
            said += more
        if said:
            skipped.append(f"{gap.target}: the answer says it ({', '.join(dict.fromkeys(said))})")
        kinds = {k for line in usable for k in kinds_in(line)}  # parse only what these lines can quote
        phrases = answer_phrases(labelled, parse, kinds) if kinds else {}
        usable = [line for line in usable if fill(line, phrases, "-") is not None]
        if usable:
            break
        if not said:
            skipped.append(f"{gap.target}: each phrasing quotes words the answer lacks")
    else:
        why = (
            "the plan's parts are said or asked for, and it was challenged"
            if analysis.plan is not None
            else "the answer covers STAR, ownership, numbers and reflection"
        )
        if skipped:
            why += f"; passed over: {'; '.join(skipped)}"
        return FollowUp(None, "", f"{why}; moving on")
    # A depth probe's "competency" is its theme, not a name to say.
    comp_name = (
        "" if gap.gap is not Gap.COMPETENCY else (names or {}).get(gap.competency, gap.competency.replace("_", " "))
    )
    text = choose_wording(usable, phrases, f"{analysis.question}|{gap.target}", comp_name.lower())
    if skipped:
        gap = dataclasses.replace(gap, rationale=f"{gap.rationale}; passed over: {'; '.join(skipped)}")
    return FollowUp(gap.gap, text, f"probing {gap.target}: {gap.rationale}", competency=gap.competency)
