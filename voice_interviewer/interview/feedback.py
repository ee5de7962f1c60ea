"""End-of-round feedback: two strengths, the two most important improvements (each with the
sentence that shows it), and the competencies the round's questions aimed at that no answer
showed.

Pure logic over the analyses of the round's answers. Every statement is tied to
something measured, so a coach can check it, and the gaps are those the follow-ups
probe (``analysis.gaps``), so feedback and follow-ups agree about each answer.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ..analysis.competency import absent
from ..analysis.gaps import Gap, gaps_of
from ..analysis.plan import surely_missing
from ..saved import Feedback, Point
from ..types import Analysis, Question

__all__ = ["FILLERS_PER_MIN_HIGH", "TANGENT_SHARE", "Feedback", "Point", "aimed_at", "session_feedback"]

FILLERS_PER_MIN_HIGH = 6.0
# An answer with at least this share of its sentences off the story (labelled other, not a
# lesson) wanders; below it, an opener ("Yeah, this one comes to mind") or one aside.
TANGENT_SHARE = 0.3
TANGENT_MIN_SENTENCES = 4


def aimed_at(analyses: Sequence[Analysis], questions: Sequence[Question]) -> tuple[str, ...]:
    """The competencies the round's answered questions aimed at, in order, each once: the ones
    the feedback may call "not shown yet" (a one-question round aimed at two, not at eight)."""
    asked = {a.question for a in analyses}
    return tuple(dict.fromkeys(c for q in questions if q.text in asked for c in q.competencies))


def _count(k: int, n: int) -> str:
    """'one of your 3 answers', '2 of your 3 answers' (k < n)."""
    return f"{'one' if k == 1 else k} of your {n} answers" if n > 1 else "your answer"


def _how_many(k: int, n: int, all_: str) -> str:
    """'Your answers had' when all have it, else '2 of your 3 answers had'."""
    if k == n:
        return f"{all_} had" if n > 1 else "Your answer had"
    return f"{'One' if k == 1 else k} of your {n} answers had"


# "I" as the one acting, near the start ("So I pulled...", "First I asked..."), not a need or
# a state ("I needed us to...", "I was...") or someone else's act ("the team told me... I had").
_I_DID = re.compile(
    r"(?:^\W*(?:\S+\s+){0,3}?|,?\s(?:so|and|then)\s+)I\s+"
    r"(?!(?:was|were|needed|wanted|had to|felt|thought|knew|realized|hoped|think|guess)\b)[a-z]"
)


def _own_action(a: Analysis) -> str:
    """An action the candidate told as their own deed (a "we" sentence would show the opposite)."""
    return next((s.text for s in a.sentences if s.star == "action" and _I_DID.search(s.text)), "")


def _numbered_result(a: Analysis) -> str:
    """The last result sentence with one of the answer's quantities and no action after it
    (the last: "I ramped it to 50 percent" may read as a result, the outcome comes after)."""
    found = [
        s.text
        for s in a.sentences
        if s.star == "result"
        and any(q in s.text for q in a.signals.quantified_results)
        and _after_the_actions(a, s.index)
    ]
    return found[-1] if found else ""


def _where_it_ends(a: Analysis) -> str:
    """The answer's last sentence that is not a lesson: where a missing outcome shows."""
    return next((s.text for s in reversed(a.sentences) if not s.reflection), "")


def _lesson(a: Analysis) -> str:
    return next((s.text for s in a.sentences if s.reflection), "")


def _after_the_actions(a: Analysis, index: int) -> bool:
    """No action sentence comes after sentence ``index``: it tells how the story ended."""
    return not any(s.star == "action" and s.index > index for s in a.sentences)


def _lacks(a: Analysis, competency: str) -> bool:
    """The answer surely does not show ``competency`` (not scored on it at all counts too)."""
    return competency in absent(a.competencies) or all(c.id != competency for c in a.competencies)


def _tangents(a: Analysis) -> list[str]:
    side = [s.text for s in a.sentences if s.star == "other" and not s.reflection]
    if len(a.sentences) < TANGENT_MIN_SENTENCES or len(side) < TANGENT_SHARE * len(a.sentences):
        return []
    return side


def _first(analyses: Sequence[Analysis], labels: tuple[str, ...], last: bool = False) -> str:
    for a in analyses:
        matches = [s.text for s in a.sentences if s.star in labels and not s.reflection]  # a lesson is no outcome
        if matches:
            return matches[-1] if last else matches[0]
    return ""


def session_feedback(analyses: Sequence[Analysis], competencies: Sequence[str], names: dict[str, str]) -> Feedback:
    """Feedback on the stories of a round (each main answer with the follow-up answers that went
    on with it). ``competencies``: what the round's questions aimed at (``aimed_at``); those
    every answer surely lacks are "not shown yet"."""
    if not analyses:
        return Feedback((), (), tuple(names.get(c, c) for c in competencies))
    plans = [a for a in analyses if a.plan is not None]
    if plans:  # situational answers: a plan is judged by the plan rubric, never as a story
        stories = [a for a in analyses if a.plan is None]
        on_stories = session_feedback(stories, competencies, names) if stories else Feedback((), (), ())
        return _with_plans(on_stories, plans, analyses, competencies, names)
    n = len(analyses)
    complete = [a for a in analyses if not a.star.missing and not a.star.weak]  # no part only faint
    gaps = [gaps_of(a) for a in analyses]  # the same gaps the follow-ups probe

    def having(gap: Gap) -> list[Analysis]:
        """The answers with this gap; an answer with no specific story (told as a habit) is
        advised only to tell one: its missing result or lesson follow from that."""
        return [
            a
            for a, found in zip(analyses, gaps, strict=True)
            if gap in found and (gap is Gap.SPECIFICITY or Gap.SPECIFICITY not in found)
        ]

    no_result = having(Gap.RESULT)  # missing or only faint
    we_heavy = having(Gap.OWNERSHIP)
    no_numbers = having(Gap.METRICS)
    no_reflection = having(Gap.REFLECTION)
    generic = having(Gap.SPECIFICITY)
    long_ = [a for a in analyses if a.signals.length_verdict in ("long", "too_long")]
    fillers = [a for a in analyses if a.delivery and a.delivery.fillers_per_min > FILLERS_PER_MIN_HIGH]

    # Each strength names the gap that is its opposite: the two are never both said. A strength
    # is said of all the answers only when all of them have it, else of how many do.
    strengths: list[tuple[float, Point, Gap | None]] = []
    if len(complete) >= max(1, n // 2 + n % 2):  # at least half
        strengths.append(
            (
                len(complete) / n,
                Point(
                    f"{_how_many(len(complete), n, 'Your answers')} all four STAR parts.",
                    _first(complete, ("result",), last=True),  # how the first complete story ended
                ),
                Gap.RESULT,
            )
        )
    # Own part: an answer told as "I", with an action told with "I" as the evidence.
    # Numbers: a quantity in a result no action follows (not an aside, not a step such as "first to 5%").
    # Only answers that tell a specific story count ("what I usually do" shows no part of one).
    told = [(a, found) for a, found in zip(analyses, gaps, strict=True) if Gap.SPECIFICITY not in found]
    for found, every, some, gap, weight in (
        (
            [ev for a, g in told if Gap.OWNERSHIP not in g and (ev := _own_action(a))],
            "You made your own part clear.",
            "You made your own part clear in {}.",
            Gap.OWNERSHIP,
            1.0,
        ),
        (
            [ev for a, g in told if Gap.RESULT not in g and (ev := _numbered_result(a))],
            "You put numbers on your results.",
            "You put a number on the result in {}.",
            Gap.METRICS,
            1.0,
        ),
        (
            [ev for a in analyses if a.signals.has_reflection and (ev := _lesson(a))],
            "You said what you learned.",
            "You said what you learned in {}.",
            Gap.REFLECTION,
            0.9,
        ),
    ):
        if found:
            said = every if len(found) == n else some.format(_count(len(found), n))
            strengths.append((weight * len(found) / n, Point(said, found[0]), gap))
    on_story = [  # shown in what the candidate did or achieved in a specific story, not in the
        # context, an aside, a lesson or a habit ("Whenever ... I usually")
        c
        for a in analyses
        if a.signals.specific
        for c in a.competencies
        if c.covered
        and any(
            s.index == c.evidence_index
            and s.star in ("action", "result")
            and not s.reflection
            and not any(g in s.text.lower() for g in a.signals.generic_phrases)
            for s in a.sentences
        )
    ]
    best = max(on_story, key=lambda c: c.strength, default=None)
    if best is not None:
        name = names.get(best.id, best.id)
        strengths.append((best.strength, Point(f"You showed {name} clearly.", best.evidence), None))

    improvements: list[tuple[float, Point, Gap | None]] = []
    if no_result:
        improvements.append(
            (
                0.9 * len(no_result) / n,
                Point("Finish each story with how it turned out.", _where_it_ends(no_result[0])),
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
                    "Put a number on the result: time saved, percent, money, users.",
                    _first(no_numbers, ("result",), last=True),  # where the story ends without one
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
                    f"Keep answers near 250-350 words (the longest had {words}).",
                    _first(long_, ("other", "situation")),
                    "length",
                ),
                None,
            )
        )
    # A generic answer is told to give one story instead (its "asides" are the habit it describes).
    wandering = [(a, side) for a in analyses if a.signals.specific and (side := _tangents(a))]
    if wandering:
        a, side = max(wandering, key=lambda x: len(x[1]) / len(x[0].sentences))
        improvements.append(
            (
                0.7 * len(wandering) / n,
                Point(
                    f"Stay on the one story: {len(side)} of the {len(a.sentences)} sentences of one answer "
                    "were about something else.",
                    side[0],
                    "tangent",
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
                Point(f"Cut filler words (up to {rate:.0f} per minute); pause silently instead.", "", "fillers"),
                None,
            )
        )

    # "Not shown yet" only for a competency every answer surely lacks (``absent``): the
    # classifier's probabilities compete, so the second theme of a story can fall under "covered".
    not_shown = tuple(names.get(c, c) for c in competencies if all(_lacks(a, c) for a in analyses))
    improvements.sort(key=lambda x: x[0], reverse=True)
    chosen = improvements[:2]
    advised = {gap for _, _, gap in chosen}
    kept = sorted((x for x in strengths if x[2] is None or x[2] not in advised), key=lambda x: x[0], reverse=True)
    return Feedback(tuple(_kinded(x) for x in kept[:2]), tuple(_kinded(x) for x in chosen), not_shown)


def _kinded(item: tuple[float, Point, Gap | None]) -> Point:
    """The point with its kind: set where it was made, else the gap it is about, else a competency."""
    _, point, gap = item
    return point if point.kind else dataclasses.replace(point, kind=str(gap) if gap is not None else "competency")


# What to add to a plan that lacks an element (situational answers; prompts/plan_rubric.toml).
PLAN_ADVICE = {
    "decision": "In the scenario question, say what you would decide and by what criteria.",
    "options": "In the scenario question, weigh two or three options and what each would cost.",
    "measure": "In the scenario question, say how you would know the plan worked and which risks you would watch.",
    "clarify": "In the scenario question, start with what you would find out before acting.",
    "communication": "In the scenario question, say who you would bring in and how you would follow through.",
}
# Which missing element to advise first when several are missing equally often.
_PLAN_ORDER = ("decision", "options", "measure", "clarify", "communication")
STORY_FOR_PLAN = (
    "When a question asks what you would do, give the plan first; a past story can back it up, not replace it."
)


def _with_plans(
    told: Feedback, plans: Sequence[Analysis], analyses: Sequence[Analysis], aimed: Sequence[str], names: dict[str, str]
) -> Feedback:
    """``told`` (the feedback on the round's stories) with what its situational answers show:
    the plan element most often missing (or a story told instead of a plan) as the first
    improvement, and a decision said with its reasons as a strength, never both of one thing."""
    scored = [(a, a.plan) for a in plans if a.plan is not None]
    as_story = [a for a, plan in scored if plan.told_as_story]
    as_plan = [(a, plan) for a, plan in scored if not plan.told_as_story]
    missing = [e for _, plan in as_plan for e in surely_missing(plan)]
    improvement = strength = None
    if as_story:
        improvement = Point(STORY_FOR_PLAN, as_story[0].sentences[0].text if as_story[0].sentences else "", "plan")
    elif missing:
        element = max(_PLAN_ORDER, key=lambda e: (missing.count(e), -_PLAN_ORDER.index(e)))
        lacking = next(a for a, plan in as_plan if element in surely_missing(plan))
        improvement = Point(PLAN_ADVICE[element], _last_sentence(lacking), f"plan:{element}")
    decisions = [e.evidence for _, plan in as_plan for e in plan.elements if e.id == "decision" and e.present]
    if as_plan and not any(plan.missing for _, plan in as_plan) and not as_story:
        strength = Point(PLAN_COMPLETE, decisions[0], "plan")
    elif decisions and (improvement is None or improvement.kind not in ("plan", "plan:decision")):
        strength = Point(
            "You said what you would decide in the scenario, with a reason.", decisions[0], "plan:decision"
        )
    strengths = ((strength,) if strength else ()) + told.strengths
    improvements = ((improvement,) if improvement else ()) + told.improvements
    not_shown = tuple(names.get(c, c) for c in aimed if all(_lacks(a, c) for a in analyses))
    return Feedback(strengths[:2], improvements[:2], not_shown)


PLAN_COMPLETE = "Your plan covered every part: what to find out, the options, a decision, follow-through and measures."


def _last_sentence(a: Analysis) -> str:
    return a.sentences[-1].text if a.sentences else ""
