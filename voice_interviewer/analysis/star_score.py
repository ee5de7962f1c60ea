"""The 0-100 STAR score a coach reads, and the STAR summary of one answer's labelled sentences."""

from __future__ import annotations

import dataclasses
from collections.abc import Set as AbstractSet

from ..types import STAR_PARTS, Signals, StarLabel, StarResult
from .star import LABELS

# Ideal share of the STAR words per part (coaching rule of thumb: brief context,
# most time on what you did, a clear result).
IDEAL_SHARE = {"situation": 0.15, "task": 0.10, "action": 0.50, "result": 0.25}
PART_POINTS = {"situation": 15, "task": 15, "action": 20, "result": 20}


def star_score(share_words: dict[str, float], present: AbstractSet[str]) -> int:
    """0-100 STAR score.

    - Coverage, 70 points: situation 15, task 15, action 20, result 20, each earned
      when at least one sentence carries that label.
    - Balance, 20 points: 20 * (1 - L1/2), where L1 is the distance between the
      shares of the four parts (renormalised without "other") and IDEAL_SHARE.
    - Focus, 10 points: 10 * (1 - share of words labelled other).
    """
    coverage = sum(points for part, points in PART_POINTS.items() if part in present)
    star_total = sum(share_words[p] for p in STAR_PARTS)
    if star_total <= 0:
        return 0
    l1 = sum(abs(share_words[p] / star_total - IDEAL_SHARE[p]) for p in STAR_PARTS)
    balance = 20 * (1 - l1 / 2)
    focus = 10 * (1 - share_words["other"])
    return round(max(0.0, min(100.0, coverage + balance + focus)))


# The result is "weak" when its best sentence is labelled with less confidence than this:
# the interviewer still asks for it (on the dev set, results wrongly found in answers that
# have none scored 0.69-0.87; real ones 0.96 and above). Other parts are less often
# mistaken, and their confidences are lower even when right, so only the result is checked.
WEAK_CONFIDENCE = 0.9
WEAK_CHECKED = ("result",)


def summarise(
    labels: list[StarLabel],
    word_counts: list[int],
    durations: list[float] | None,
    confidence: list[float] | None = None,
) -> StarResult:
    total_words = sum(word_counts) or 1
    share_words: dict[str, float] = {label: 0.0 for label in LABELS}
    for label, n in zip(labels, word_counts, strict=True):
        share_words[label] += n / total_words
    share_words = {k: round(v, 3) for k, v in share_words.items()}
    share_seconds: dict[str, float] | None = None
    if durations is not None:
        total_s = sum(durations)
        if total_s > 0:
            share_seconds = {label: 0.0 for label in LABELS}
            for label, d in zip(labels, durations, strict=True):
                share_seconds[label] += d / total_s
            share_seconds = {k: round(v, 3) for k, v in share_seconds.items()}
    present = set(labels)
    missing = tuple(p for p in STAR_PARTS if p not in present)
    weak: tuple[str, ...] = ()
    if confidence is not None:
        best = {
            p: max((c for lab, c in zip(labels, confidence, strict=True) if lab == p), default=0.0) for p in present
        }
        weak = tuple(p for p in WEAK_CHECKED if p in present and best[p] < WEAK_CONFIDENCE)
    return StarResult(star_score(share_words, present), missing, share_words, share_seconds, weak)


# ---------------------------------------------------------------- the rubric level a coach reads

LEVELS = ("missing parts", "partial", "complete", "strong")
VAGUE_CAP = 55  # the most a story with no concrete event can score, however well its parts balance
COMPLETE_AT = 70  # the score a complete story needs (four parts, reasonably balanced, focused)
STRONG_AT = 80
# The rubric in a coach's words, for the report and the mentor's export (the README says the same).
RUBRIC = (
    ("missing parts", "situation, task, action or result not told"),
    ("partial", f"all four, but vague, a weak result, or out of balance; no concrete event: at most {VAGUE_CAP}"),
    ("complete", f"all four parts about one concrete event, {COMPLETE_AT} or more"),
    ("strong", f"complete, with a number in the result, a lesson, and your own actions, {STRONG_AT} or more"),
)


def rubric(star: StarResult, signals: Signals) -> StarResult:
    """``star`` with its rubric level, and the score capped when the story has no concrete event.

    The levels (README, "How answers are scored"):
    - missing parts: situation, task, action or result not told;
    - partial: all four told, but vague (no concrete past event: capped at VAGUE_CAP),
      the result only weakly present, or the parts out of balance (score below COMPLETE_AT);
    - complete: all four parts about one concrete event, score COMPLETE_AT or more;
    - strong: complete, with a number in the result, a stated lesson, and the candidate's
      own actions ("I" at least as often as "we"), score STRONG_AT or more.
    """
    score = star.score if signals.specific else min(star.score, VAGUE_CAP)
    if star.missing:
        level = "missing parts"
    elif not signals.specific or "result" in star.weak or score < COMPLETE_AT:
        level = "partial"
    elif (
        signals.quantified_results
        and signals.has_reflection
        and (signals.i_ratio is None or signals.i_ratio >= 0.5)
        and score >= STRONG_AT
    ):
        level = "strong"
    else:
        level = "complete"
    return dataclasses.replace(star, score=score, level=level)


def level_reasons(star: StarResult, signals: Signals) -> tuple[str, ...]:
    """Why a story sits at its level, in a coach's words (what is missing for the next one)."""
    why: list[str] = []
    if star.missing:
        why.append("missing: " + ", ".join(star.missing))
    if not signals.specific:
        why.append(f"no concrete event (score capped at {VAGUE_CAP})")
    if "result" in star.weak and "result" not in star.missing:
        why.append("the result is only weakly stated")
    if not star.missing and signals.specific:
        if not signals.quantified_results:
            why.append("no number in the result")
        if not signals.has_reflection:
            why.append("no lesson stated")
        if signals.i_ratio is not None and signals.i_ratio < 0.5:
            why.append('more "we" than "I" in the actions')
    return tuple(why)
