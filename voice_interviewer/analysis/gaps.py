"""The gaps in an answer, defined once: what the follow-ups probe, the feedback names and the evaluation checks.

Pure logic over an ``Analysis``. The follow-up policy (``interview.policy``) ranks these
gaps to choose its probe, the end-of-round feedback (``interview.feedback``) turns the
commonest into advice, and ``eval`` compares them with the labelled gaps of the dev set,
so the three can never disagree about the same answer: every threshold is here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ..types import Analysis, Gap, Signals
from .plan import surely_missing
from .signals import quantities

__all__ = [
    "MIN_WE_COUNT",
    "OWN_I_RATIO",
    "OWN_ROLE",
    "PLAN_WHY",
    "STORY_PARTS",
    "WE_I_RATIO",
    "WHY",
    "Found",
    "Gap",
    "Ownership",
    "answer_gaps",
    "gaps_of",
    "ownership",
    "states_own_role",
]


STORY_PARTS = (Gap.RESULT, Gap.ACTION, Gap.TASK, Gap.SITUATION)

# Ownership from the share of "I" among I/we in the action sentences.
OWN_I_RATIO = 0.6  # at least this: told as "I" (a strength)
WE_I_RATIO = 0.4  # at most this: told as "we", the candidate's own part unclear
MIN_WE_COUNT = 2  # ... and said "we" at least this often (one "we" is not a habit)

Ownership = Literal["i", "we", "mixed"]

# A lesson said outright near the end: no "what did this teach you?" after it (dev set:
# the reflection signal missed "The big lesson for me was", "I also learned", "What I took
# from it", "What I still use from that night").
LESSON = re.compile(
    r"\b(i also learned|(big|main|real) lesson|lesson for me|what i took (from|away)|i took away"
    r"|what (i still use|stuck with me|stayed with me)|taught me|i learned)\b",
    re.I,
)

# The candidate's own part said outright ("As the lead, ...", "I owned the rollout", "it was
# on me to ..."): a story told as "we" after that does not need "what did you personally do?".
OWN_ROLE = re.compile(
    r"\b(as (the|a|its) ([\w-]+ ){0,2}(lead|owner|manager|captain|point person|on-call)"
    r"|i (was|became) (the )?(one )?(responsible|accountable|in charge|owner|lead|driver)"
    r"|i (owned|led|drove|ran)"
    r"|my (role|job|responsibility|task) (was|there was)"
    r"|it was (on me|my (job|call|responsibility|decision)))\b",
    re.I,
)

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
# A situational answer's plan, element by element (prompts/plan_rubric.toml): what is missing.
PLAN_WHY = {
    "clarify": "the plan starts without finding out what is going on",
    "options": "no options or trade-offs are weighed",
    "decision": "the plan never says what you would decide, or by what criteria",
    "communication": "the plan does not say who you would bring in or how you would follow through",
    "measure": "the plan does not say how you would know it worked, or which risks you would watch",
}


@dataclass(frozen=True)
class Found:
    """One gap found in an answer, with why (for the follow-up's rationale); ``weak``: the part is there, faintly."""

    gap: Gap
    why: str
    weak: bool = False
    element: str = ""  # Gap.PLAN: the plan element missing


def ownership(signals: Signals) -> Ownership:
    """Is the story told as "I", as "we", or mixed? ("mixed" when there are no I/we actions.)"""
    if signals.i_ratio is None:
        return "mixed"
    if signals.i_ratio >= OWN_I_RATIO:
        return "i"
    return "we" if signals.i_ratio <= WE_I_RATIO else "mixed"


def answer_gaps(analysis: Analysis) -> list[Found]:
    """The gaps of one answer, in a fixed order (the policy ranks them; competencies aside).

    A situational answer (one with a plan rubric) is a plan, not a story: its gaps are the
    plan's missing elements, never a STAR part, "one specific time" or a lesson."""
    if analysis.plan is not None:  # an element perhaps said in other words is not a gap
        return [
            Found(Gap.PLAN, PLAN_WHY.get(e, f"the plan lacks {e}"), element=e) for e in surely_missing(analysis.plan)
        ]
    sig = analysis.signals
    missing, weak = set(analysis.star.missing), set(analysis.star.weak)
    found: list[Found] = []
    if not sig.specific:
        found.append(Found(Gap.SPECIFICITY, WHY[Gap.SPECIFICITY]))
    if sig.quantified_results:
        weak.discard(Gap.RESULT)  # a number in a result sentence is a result, however faint its label
    for part in STORY_PARTS:
        if part in missing:
            found.append(Found(part, WHY[part]))
        elif part in weak:
            found.append(Found(part, WHY[part] + " clearly" + WEAK_NOTE, weak=True))
    role_said = states_own_role(analysis) and sig.i_count >= 1  # a role and one own action: part clear
    if ownership(sig) == "we" and sig.we_count >= MIN_WE_COUNT and not role_said:
        found.append(Found(Gap.OWNERSHIP, WHY[Gap.OWNERSHIP] + f" (I/we in actions: {sig.i_count}/{sig.we_count})"))
    if Gap.RESULT not in missing and Gap.RESULT not in weak and not _numbers_told(analysis):
        found.append(Found(Gap.METRICS, WHY[Gap.METRICS]))  # a missing or faint result is its own gap
    if not sig.has_reflection and not _lesson_said(analysis):
        found.append(Found(Gap.REFLECTION, WHY[Gap.REFLECTION]))
    return found


def _lesson_said(analysis: Analysis) -> bool:
    """A closing lesson in words the reflection cues (a feature of the fitted models, so kept
    as they are) do not hold: "The big lesson for me was...", "I also learned..."."""
    return any(LESSON.search(s.text) for s in analysis.sentences[-3:] if s.star in ("result", "other"))


def _numbers_told(analysis: Analysis) -> bool:
    """A number in the result, or in what the candidate did ("I cut it from 20 minutes to 5")."""
    if analysis.signals.quantified_results:
        return True
    return any(quantities(s.text) for s in analysis.sentences if s.star == "action")


def states_own_role(analysis: Analysis) -> bool:
    """The answer says outright what the candidate's part was (``OWN_ROLE``)."""
    return any(OWN_ROLE.search(s.text) for s in analysis.sentences if s.star in ("situation", "task", "action"))


def gaps_of(analysis: Analysis) -> set[Gap]:
    """Just which gaps the answer has."""
    return {f.gap for f in answer_gaps(analysis)}
