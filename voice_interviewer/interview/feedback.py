"""End-of-round feedback: two strengths, the two most important improvements (each with the
sentence that shows it), and the round's competencies not yet shown.

Pure logic over the analyses of the round's answers. Every statement is tied to
something measured, so a coach can check it, and the gaps are those the follow-ups
probe (``analysis.gaps``), so feedback and follow-ups agree about each answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.gaps import Gap, gaps_of, ownership
from ..saved import Feedback, Point
from ..types import Analysis

__all__ = ["FILLERS_PER_MIN_HIGH", "Feedback", "Point", "session_feedback"]

FILLERS_PER_MIN_HIGH = 6.0


def _first(analyses: Sequence[Analysis], labels: tuple[str, ...], last: bool = False) -> str:
    for a in analyses:
        matches = [s.text for s in a.sentences if s.star in labels]
        if matches:
            return matches[-1] if last else matches[0]
    return ""


def session_feedback(
    analyses: Sequence[Analysis], round_competencies: Sequence[str], names: dict[str, str]
) -> Feedback:
    """Feedback on the main answers of a round (follow-up answers count towards coverage)."""
    if not analyses:
        return Feedback((), (), tuple(names.get(c, c) for c in round_competencies))
    n = len(analyses)
    complete = [a for a in analyses if not a.star.missing]
    gaps = [gaps_of(a) for a in analyses]  # the same gaps the follow-ups probe

    def having(gap: Gap) -> list[Analysis]:
        return [a for a, found in zip(analyses, gaps, strict=True) if gap in found]

    no_result = having(Gap.RESULT)  # missing or only faint
    we_heavy = having(Gap.OWNERSHIP)
    no_numbers = having(Gap.METRICS)
    no_reflection = having(Gap.REFLECTION)
    generic = having(Gap.SPECIFICITY)
    long_ = [a for a in analyses if a.signals.length_verdict in ("long", "too_long")]
    fillers = [a for a in analyses if a.delivery and a.delivery.fillers_per_min > FILLERS_PER_MIN_HIGH]

    # Each strength names the gap that is its opposite: the two are never both said.
    strengths: list[tuple[float, Point, Gap | None]] = []
    if len(complete) >= max(1, n // 2 + n % 2):  # at least half
        said = "Your answers had" if len(complete) == n else f"{len(complete)} of your {n} answers had"
        strengths.append(
            (len(complete) / n, Point(f"{said} all four STAR parts.", _first(complete, ("result",))), Gap.RESULT)
        )
    owned = [a for a in analyses if ownership(a.signals) == "i"]
    if owned:
        strengths.append(
            (len(owned) / n, Point("You made your own part clear.", _first(owned, ("action",))), Gap.OWNERSHIP)
        )
    numbers = [a for a in analyses if a.signals.quantified_results]
    ev = next(
        (
            s.text
            for a in numbers
            for s in a.sentences
            if s.star == "result" and any(q in s.text for q in a.signals.quantified_results)
        ),
        "",
    )
    if ev:  # a number in an aside is no quantified result
        strengths.append((len(numbers) / n, Point("You put numbers on your results.", ev), Gap.METRICS))
    reflective = [a for a in analyses if a.signals.has_reflection]
    if reflective:
        ev = next((s.text for a in reflective for s in a.sentences if s.reflection), "")
        strengths.append((len(reflective) / n * 0.9, Point("You said what you learned.", ev), Gap.REFLECTION))
    best = max((c for a in analyses for c in a.competencies), key=lambda c: c.strength, default=None)
    if best is not None and best.covered:
        name = names.get(best.id, best.id)
        strengths.append((best.strength, Point(f"You showed {name} clearly.", best.evidence), None))

    improvements: list[tuple[float, Point, Gap | None]] = []
    if no_result:
        improvements.append(
            (
                0.9 * len(no_result) / n,
                Point("Finish each story with how it turned out.", _first(no_result, ("action",), last=True)),
                Gap.RESULT,
            )
        )
    if we_heavy:
        improvements.append(
            (
                0.8 * len(we_heavy) / n,
                Point("Say what you did yourself, not only what the team did.", _first(we_heavy, ("action",))),
                Gap.OWNERSHIP,
            )
        )
    if generic:
        improvements.append(
            (
                0.95 * len(generic) / n,
                Point(
                    "Tell one specific time it happened, not what you usually do.", _first(generic, ("action", "other"))
                ),
                Gap.SPECIFICITY,
            )
        )
    if no_numbers:
        improvements.append(
            (
                0.6 * len(no_numbers) / n,
                Point(
                    "Put a number on the result: time saved, percent, money, users.", _first(no_numbers, ("result",))
                ),
                Gap.METRICS,
            )
        )
    if no_reflection:
        improvements.append(
            (
                0.45 * len(no_reflection) / n,
                Point(
                    "End with what you learned or would do differently.", _first(no_reflection, ("result",), last=True)
                ),
                Gap.REFLECTION,
            )
        )
    if long_:
        words = max(a.signals.word_count for a in long_)
        improvements.append(
            (
                0.5 * len(long_) / n,
                Point(
                    f"Keep answers near 250-350 words (the longest had {words}).", _first(long_, ("other", "situation"))
                ),
                None,
            )
        )
    if fillers:
        worst = max(fillers, key=lambda a: a.delivery.fillers_per_min if a.delivery else 0)
        rate = worst.delivery.fillers_per_min if worst.delivery else 0.0
        improvements.append(
            (
                0.55 * len(fillers) / n,
                Point(f"Cut filler words (up to {rate:.0f} per minute); pause silently instead.", ""),
                None,
            )
        )

    covered = {c.id for a in analyses for c in a.competencies if c.covered}
    not_shown = tuple(names.get(c, c) for c in round_competencies if c not in covered)
    improvements.sort(key=lambda x: x[0], reverse=True)
    chosen = improvements[:2]
    advised = {gap for _, _, gap in chosen}
    kept = sorted((x for x in strengths if x[2] is None or x[2] not in advised), key=lambda x: x[0], reverse=True)
    return Feedback(tuple(p for _, p, _ in kept[:2]), tuple(p for _, p, _ in chosen), not_shown)
