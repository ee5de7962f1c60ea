"""The 0-100 STAR score a coach reads, and the STAR summary of one answer's labelled sentences."""

from __future__ import annotations

from collections.abc import Set as AbstractSet

from ..types import STAR_PARTS, StarLabel, StarResult
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
