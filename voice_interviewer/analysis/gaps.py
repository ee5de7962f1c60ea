"""The gaps in an answer, defined once: what the follow-ups probe, the feedback names and the evaluation checks.

Pure logic over an ``Analysis``. The follow-up policy (``interview.policy``) ranks these
gaps to choose its probe, the end-of-round feedback (``interview.feedback``) turns the
commonest into advice, and ``eval`` compares them with the labelled gaps of the dev set,
so the three can never disagree about the same answer: every threshold is here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..types import Analysis, Gap, Signals

__all__ = [
    "MIN_WE_COUNT",
    "OWN_I_RATIO",
    "STORY_PARTS",
    "WE_I_RATIO",
    "WHY",
    "Found",
    "Gap",
    "Ownership",
    "answer_gaps",
    "gaps_of",
    "ownership",
]


STORY_PARTS = (Gap.RESULT, Gap.ACTION, Gap.TASK, Gap.SITUATION)

# Ownership from the share of "I" among I/we in the action sentences.
OWN_I_RATIO = 0.6  # at least this: told as "I" (a strength)
WE_I_RATIO = 0.4  # at most this: told as "we", the candidate's own part unclear
MIN_WE_COUNT = 2  # ... and said "we" at least this often (one "we" is not a habit)

Ownership = Literal["i", "we", "mixed"]

WHY = {
    Gap.SPECIFICITY: "the answer describes what you usually do, not one concrete past event",
    Gap.RESULT: "the answer never says how it turned out",
    Gap.ACTION: "the answer does not say what you actually did",
    Gap.OWNERSHIP: "the actions are told as 'we', so your own part is unclear",
    Gap.METRICS: "the result has no number, so its size is unclear",
    Gap.TASK: "your goal or responsibility was never stated",
    Gap.SITUATION: "the answer starts without the context",
    Gap.REFLECTION: "there is no lesson learned or what you would do differently",
    Gap.COMPETENCY: "the answer does not yet show {name}",
}
WEAK_NOTE = " (only weakly present)"


@dataclass(frozen=True)
class Found:
    """One gap found in an answer, with why (for the follow-up's rationale); ``weak``: the part is there, faintly."""

    gap: Gap
    why: str
    weak: bool = False


def ownership(signals: Signals) -> Ownership:
    """Is the story told as "I", as "we", or mixed? ("mixed" when there are no I/we actions.)"""
    if signals.i_ratio is None:
        return "mixed"
    if signals.i_ratio >= OWN_I_RATIO:
        return "i"
    return "we" if signals.i_ratio <= WE_I_RATIO else "mixed"


def answer_gaps(analysis: Analysis) -> list[Found]:
    """The gaps of one answer, in a fixed order (the policy ranks them; competencies aside)."""
    sig = analysis.signals
    missing, weak = set(analysis.star.missing), set(analysis.star.weak)
    found: list[Found] = []
    if not sig.specific:
        found.append(Found(Gap.SPECIFICITY, WHY[Gap.SPECIFICITY]))
    for part in STORY_PARTS:
        if part in missing:
            found.append(Found(part, WHY[part]))
        elif part in weak:
            found.append(Found(part, WHY[part] + " clearly" + WEAK_NOTE, weak=True))
    if ownership(sig) == "we" and sig.we_count >= MIN_WE_COUNT:
        found.append(Found(Gap.OWNERSHIP, WHY[Gap.OWNERSHIP] + f" (I/we in actions: {sig.i_count}/{sig.we_count})"))
    if Gap.RESULT not in missing and Gap.RESULT not in weak and not sig.quantified_results:
        found.append(Found(Gap.METRICS, WHY[Gap.METRICS]))  # a missing or faint result is its own gap
    if not sig.has_reflection:
        found.append(Found(Gap.REFLECTION, WHY[Gap.REFLECTION]))
    return found


def gaps_of(analysis: Analysis) -> set[Gap]:
    """Just which gaps the answer has."""
    return {f.gap for f in answer_gaps(analysis)}
