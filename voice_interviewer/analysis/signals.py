"""Coaching signals from labelled sentences: ownership, numbers, reflection, specificity, length.

Pure standard library.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..content.content import Cues
from ..types import Signals
from .text import count_phrase, find_phrases, phrase_tokens, tokens

# Numbers that measure an outcome: digits (with %, $, k, x, units) or number words with a unit.
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
    "fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|billion|half|a third|a quarter"
)
_UNITS = (
    r"percent|per cent|%|x|times|hours?|days?|weeks?|months?|years?|minutes?|seconds?|ms|"
    r"milliseconds?|dollars?|users?|customers?|tickets?|points?|k|m|million|billion|thousand"
)
# A count said in words, of things a result is measured in ("four pages", "six production
# deploys"), and a span in words that shrank or grew ("from about a month to under a week";
# with digits, "3 days" and "4 hours" are found one by one).
_COUNT_WORDS = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred"
_COUNTED = (
    r"pages?|deploys?|deployments?|releases?|incidents?|bugs?|outages?|errors?|complaints?|escalations?|"
    r"teams?|people|engineers?|services?|features?|screens?|steps?|clicks?|calls?|requests?|sign-ups?|"
    r"signups?|accounts?|orders?|hires?|restores?|stores?|sites?|regions?|clients?|partners?|sprints?"
)
_SPANS = r"days?|weeks?|months?|hours?|minutes?|seconds?|years?|quarters?|sprints?"
QUANTITY = re.compile(
    rf"(?:[$€£]\s?\d[\d,.]*\s?(?:k|m|million|billion|thousand)?"
    rf"|\b\d[\d,.]*\s?(?:{_UNITS})?\b%?"
    rf"|\b(?:{_NUMBER_WORDS})(?:[\s-](?:{_NUMBER_WORDS}))*\s(?:{_UNITS})\b"
    rf"|\b(?:{_COUNT_WORDS})\s(?!of\b|or\b|and\b|to\b)(?:[a-z-]+\s)?(?:{_COUNTED})\b"
    rf"|\bfrom\s(?:about\s|around\s|over\s)?(?:a|an|{_COUNT_WORDS})\s(?:{_SPANS})\sto\s"
    rf"(?:about\s|around\s|under\s|less than\s)?(?:a|an|{_COUNT_WORDS})\s(?:{_SPANS})\b"
    rf"|\b(?:doubled|tripled|halved|quadrupled)\b"
    rf"|\b(?:by|in)\s(?:half|a third|a quarter)\b)",
    re.I,
)
_NOT_METRIC = re.compile(r"^(?:19|20)\d\d$")  # a year is context, not a result

# Length target: 1.5-2.5 minutes, about 250-350 words.
LENGTH_BANDS = ((80, "too_short"), (200, "short"), (400, "ok"), (550, "long"))


def length_verdict(words: int) -> str:
    for limit, verdict in LENGTH_BANDS:
        if words < limit:
            return verdict
    return "too_long"


def quantities(text: str) -> list[str]:
    found = []
    for m in QUANTITY.finditer(text):
        value = m.group(0).strip().rstrip(".,")
        if value and not _NOT_METRIC.match(value):
            found.append(value)
    return found


_SUBJECTS = frozenset({"i", "we", "team", "they", "he", "she", "it"})
# Common irregular past forms ("-ed" catches the rest): "I spent two weekends", "it got down to".
_IRREGULAR_PAST = frozenset(
    """was were had did got went made took spent built wrote led ran found brought began came
    chose cut drove fell felt fought gave grew heard held kept knew left lost met paid put
    read rose said sat saw sent set sold spoke stood taught told thought threw understood won
    broke caught dealt drew forgot hid hit let meant rang shut sought split spread stuck swore""".split()
)


class SignalScorer:
    """Computes an answer's coaching signals from its labelled sentences, with the cue phrases of prompts/cues.toml."""

    def __init__(self, cues: Cues) -> None:
        self.i_words = phrase_tokens(cues.i_words)
        self.we_words = phrase_tokens(cues.we_words)
        self.generic = phrase_tokens(cues.generic_phrases)
        self.verbs = cues.action_verbs

    def _count(self, toks: list[str], phrases: tuple[tuple[str, ...], ...]) -> int:
        return sum(count_phrase(toks, p) for p in phrases)

    def score(self, sentences: list[str], labels: Sequence[str], reflection: list[bool]) -> Signals:
        i_count = we_count = 0
        for sentence, label in zip(sentences, labels, strict=True):
            if label == "action":
                toks = tokens(sentence)
                i_count += self._count(toks, self.i_words)
                we_count += self._count(toks, self.we_words)
        i_ratio = round(i_count / (i_count + we_count), 3) if i_count + we_count else None

        quantified = tuple(
            q
            for sentence, label in zip(sentences, labels, strict=True)
            if label == "result"
            for q in quantities(sentence)
        )
        generic_found: list[str] = []
        concrete = 0
        for sentence in sentences:
            toks = tokens(sentence)
            hits = find_phrases(toks, self.generic)
            generic_found.extend(hits)
            if not hits and self._past_event(toks):
                concrete += 1
        generic_sentences = sum(1 for s in sentences if find_phrases(tokens(s), self.generic))
        # Specific: tells at least one concrete past event, and generic talk does not dominate.
        specific = concrete >= 1 and generic_sentences <= concrete // 2
        words = sum(len(tokens(s)) for s in sentences)
        return Signals(
            i_ratio=i_ratio,
            i_count=i_count,
            we_count=we_count,
            quantified_results=quantified,
            has_reflection=any(reflection),
            specific=specific,
            generic_phrases=tuple(dict.fromkeys(generic_found)),
            word_count=words,
            length_verdict=length_verdict(words),
        )

    def _past_event(self, toks: list[str]) -> bool:
        """A first-person (or team) past-tense clause: 'I rewrote', 'we had', 'our team was'."""
        for i, tok in enumerate(toks):
            if tok in _SUBJECTS:
                for w in toks[i + 1 : i + 4]:
                    if w in self.verbs or w in _IRREGULAR_PAST:
                        return True
                    if w.endswith("ed") and len(w) > 3:
                        return True
        return False
