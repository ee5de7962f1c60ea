"""What the coach's HTML report shows, as plain dataclasses (no HTML, no charts here).

``session_report`` folds one session and its annotations into a view; ``progress_report``
does the same for a candidate's sessions over time. ``adapters/html_report.py`` draws
them (Jinja2 template + pygal SVG charts).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..analysis.competency import absent
from ..saved import Feedback, Point, SavedSession
from ..store.annotations import Annotation, overrides_by_turn
from ..types import SENTENCE_LABELS, Analysis, CompetencyScore, DeliveryMetrics, FollowUp, PlanResult, Signals, Turn
from .catalog import ProgressPoint
from .stories import (
    VERDICT,
    Attempt,
    AttemptFigures,
    Attempts,
    Story,
    addressed,
    coach_labels,
    figures,
    overall_level,
    stories,
)

STAR_PARTS = SENTENCE_LABELS  # the four parts and "other", in the order the legend shows them


@dataclass(frozen=True)
class Segment:
    """A stretch of one STAR part on an answer's timeline (seconds for audio, words for text)."""

    star: str
    start: float
    end: float


@dataclass(frozen=True)
class SentenceView:
    """One sentence of an answer in the coach's report: its STAR label (the coach's if relabelled) and evidence."""

    number: int  # from 1, as 'review show' and 'review annotate' count
    text: str
    star: str  # the coach's label when overridden, else the machine's
    machine_star: str
    confidence: float
    coach: Annotation | None  # who relabelled it
    evidence_for: tuple[str, ...]  # competency ids this sentence is the best evidence of


@dataclass(frozen=True)
class TurnView:
    """One turn of a session in the coach's report: question, answer, scores, timeline, notes."""

    number: int
    is_follow_up: bool
    question: str
    source: str | None
    end_reason: str | None
    audio_file: str | None  # relative to the session folder
    audio_missing: bool
    text: str
    star_score: int | None
    coach_score: Annotation | None
    previous_scores: tuple[int, ...]  # STAR scores before each rescore, oldest first
    missing: tuple[str, ...]
    sentences: tuple[SentenceView, ...]
    timeline: tuple[Segment, ...]
    timeline_unit: str  # "s" or "words"
    competencies: tuple[CompetencyScore, ...]  # the top three
    signals: Signals | None
    delivery: DeliveryMetrics | None
    follow_up: FollowUp | None
    notes: tuple[Annotation, ...]
    error: str | None
    # The story this turn belongs to: scored on the main question's turn, as one story.
    story_of: int | None = None  # for a follow-up: the number of its story's main turn
    story_score: int | None = None
    story_level: str = ""
    story_reasons: tuple[str, ...] = ()
    attempts: tuple[AttemptView, ...] = ()  # every attempt of this question (this one included)
    plan: PlanResult | None = None  # a situational answer's plan rubric (its checklist)


@dataclass(frozen=True)
class AttemptView:
    """One attempt of a question, as the report lists them (``this``: the attempt in this report)."""

    number: int
    session_id: str
    turn: int  # from 1
    this: bool
    figures: AttemptFigures | None
    addressed: tuple[tuple[str, str], ...]  # feedback of the attempt before -> "addressed" | "not yet" | ...


@dataclass(frozen=True)
class Summary:
    """The top of the session report: what to work on, in one place."""

    level: str  # the level at least half of the stories reached ("" when none was scored)
    levels: tuple[tuple[str, int], ...]  # rubric level -> stories at it
    strengths: tuple[Point, ...]
    improvements: tuple[Point, ...]
    # competency the round's questions aimed at -> "shown" (covered in an answer), "not shown"
    # (every answer surely lacks it: ``competency.absent``, as the feedback says it) or "touched on"
    aimed: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SessionReport:
    """One session as the coach's HTML report shows it: its turns, competency coverage and feedback."""

    session_id: str
    candidate: str
    round: str
    started_at: str
    ended_at: str | None
    complete: bool
    turns: tuple[TurnView, ...]
    coverage: tuple[tuple[str, float, bool], ...]  # competency id, best probability, covered in any answer
    feedback: Feedback | None
    summary: Summary | None = None


@dataclass(frozen=True)
class ProgressReport:
    """A candidate's sessions over time, as the progress HTML report shows them."""

    candidate: str
    points: tuple[ProgressPoint, ...]
    competency_ids: tuple[str, ...]
    attempts: tuple[tuple[str, tuple[AttemptView, ...]], ...] = ()  # retried question -> its attempts


def retried_questions(sessions: list[SavedSession]) -> tuple[tuple[str, tuple[AttemptView, ...]], ...]:
    """Every question a candidate answered more than once (linked by ``practice --retry``), with its attempts."""
    attempts = Attempts(sessions)
    seen: set[tuple[str, int]] = set()
    out = []
    for session in sorted(sessions, key=lambda s: s.started_at):
        for story in stories(session):
            key = (session.session_id, story.main.index)
            if story.main.is_follow_up or key in seen:
                continue
            chain = attempts.chain(*key)
            seen.update((a.session.session_id, a.story.main.index) for a in chain)
            if len(chain) > 1:
                out.append((story.main.question, _attempt_views(chain, "")))
    return tuple(out)


def _timeline(analysis: Analysis, labels: list[str]) -> tuple[tuple[Segment, ...], str]:
    sentences = analysis.sentences
    if sentences and all(s.start_s is not None and s.end_s is not None for s in sentences):
        segments = [Segment(lab, s.start_s or 0.0, s.end_s or 0.0) for s, lab in zip(sentences, labels, strict=True)]
        return tuple(segments), "s"
    segments, pos = [], 0.0
    for s, lab in zip(sentences, labels, strict=True):
        n = len(s.text.split())
        segments.append(Segment(lab, pos, pos + n))
        pos += n
    return tuple(segments), "words"


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        return False


def _turn_view(turn: Turn, folder: Path, overrides: dict[int, Any]) -> TurnView:
    answer, a = turn.answer, turn.analysis
    ov = overrides.get(turn.index)
    audio = answer.audio_file if answer else None
    sentences: list[SentenceView] = []
    if a is not None:
        evidence: dict[str, list[str]] = {}
        for c in a.competencies:
            if c.covered and c.evidence:
                evidence.setdefault(c.evidence, []).append(c.id)
        for i, s in enumerate(a.sentences):
            coach = ov.labels.get(i) if ov else None
            sentences.append(
                SentenceView(
                    number=i + 1,
                    text=s.text,
                    star=coach[0] if coach else s.star,
                    machine_star=s.star,
                    confidence=float(s.confidence),
                    coach=coach[1] if coach else None,
                    evidence_for=tuple(evidence.get(s.text, ())),
                )
            )
    timeline, unit = _timeline(a, [s.star for s in sentences]) if a else ((), "words")
    return TurnView(
        number=turn.index + 1,
        is_follow_up=turn.is_follow_up,
        question=turn.question,
        source=answer.source if answer else None,
        end_reason=answer.end_reason if answer else None,
        audio_file=audio,
        audio_missing=audio is not None and not _is_file(folder / audio),
        text=answer.transcript.text if answer else "",
        star_score=a.star.score if a else None,
        coach_score=ov.star_score if ov else None,
        previous_scores=tuple(p.star_score for p in turn.previous_scores if p.star_score is not None),
        missing=a.star.missing if a else (),
        sentences=tuple(sentences),
        timeline=timeline,
        timeline_unit=unit,
        competencies=a.competencies[:3] if a else (),
        signals=a.signals if a else None,
        delivery=a.delivery if a else None,
        follow_up=turn.follow_up,
        notes=tuple(ov.notes) if ov else (),
        error=turn.error,
        plan=a.plan if a else None,
    )


def _attempt_views(chain: list[Attempt], session_id: str) -> tuple[AttemptView, ...]:
    views = []
    for n, a in enumerate(chain):
        done = addressed(chain[n - 1], a) if n > 0 else []
        views.append(
            AttemptView(
                number=a.number,
                session_id=a.session.session_id,
                turn=a.story.main.index + 1,
                this=a.session.session_id == session_id,
                figures=figures(a.story),
                addressed=tuple((p.text, VERDICT[fixed]) for p, fixed in done),
            )
        )
    return tuple(views)


def _with_story(view: TurnView, story: Story, chains: dict[int, list[Attempt]], session_id: str) -> TurnView:
    if story.main.index != view.number - 1:
        return dataclasses.replace(view, story_of=story.main.index + 1)
    chain = chains.get(story.main.index, [])
    return dataclasses.replace(
        view,
        story_score=story.star.score if story.star else None,
        story_level=story.level,
        story_reasons=story.reasons,
        attempts=_attempt_views(chain, session_id) if len(chain) > 1 else (),
    )


def _summary(session: SavedSession, told: list[Story], aimed: tuple[str, ...], covered: set[str]) -> Summary:
    overall, counts = overall_level(told)
    fb = session.feedback
    lacking = [absent(t.analysis.competencies) for t in session.turns if t.analysis is not None]
    nowhere = set.intersection(*lacking) if lacking else set()  # every answer surely lacks them
    return Summary(
        level=overall,
        levels=counts,
        strengths=fb.strengths[:2] if fb else (),
        improvements=fb.improvements[:2] if fb else (),
        aimed=tuple((c, "shown" if c in covered else "not shown" if c in nowhere else "touched on") for c in aimed),
    )


def session_report(
    session: SavedSession,
    folder: Path,
    annotations: list[Annotation],
    aimed: tuple[str, ...] = (),
    chains: dict[int, list[Attempt]] | None = None,
) -> SessionReport:
    """``session`` (read from ``folder``, where its audio is) with the coach's annotations, as the report shows it.

    ``aimed``: the competencies the round's questions aimed at; ``chains``: main turn index ->
    every attempt of its question (``catalog.attempt_chains``)."""
    overrides = overrides_by_turn(annotations)
    told = stories(session, coach_labels(overrides))
    story_of = {t.index: story for story in told for t in story.turns}
    turns = tuple(
        _with_story(_turn_view(t, folder, overrides), story_of[t.index], chains or {}, session.session_id)
        if t.index in story_of
        else _turn_view(t, folder, overrides)
        for t in session.turns
    )
    best: dict[str, tuple[float, bool]] = {}
    for t in session.turns:
        for c in t.analysis.competencies if t.analysis else ():
            p, covered = best.get(c.id, (0.0, False))
            best[c.id] = (max(p, float(c.strength)), covered or c.covered)
    coverage = tuple(sorted(((cid, p, cov) for cid, (p, cov) in best.items()), key=lambda x: -x[1]))
    return SessionReport(
        session_id=session.session_id,
        candidate=session.candidate,
        round=session.round,
        started_at=session.started_at,
        ended_at=session.ended_at,
        complete=session.complete,
        turns=turns,
        coverage=coverage,
        feedback=session.feedback,
        summary=_summary(session, told, aimed, {cid for cid, _, cov in coverage if cov}),
    )
