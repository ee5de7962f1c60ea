"""Saved sessions for review: find, summarise, compare attempts, track progress, export.

Pure standard library over the session records (``store.codec.read_session``). A session
that cannot be read is reported, never fatal: the others are still listed.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from statistics import mean
from typing import Any

from ..errors import InputError, SessionError
from ..saved import SavedSession
from ..store.annotations import Annotation, overrides_by_turn
from ..store.codec import read_session, session_from_json
from ..store.session import validate_name
from ..types import Analysis, Turn
from .mentor import mentor_markdown
from .stories import Attempt, Attempts, Story, parse_turn_ref, stories, story_at


@dataclass(frozen=True)
class SessionSummary:
    """A saved session in one line, as ``review list`` shows it; ``path`` is the session folder."""

    session_id: str
    candidate: str
    round: str
    started_at: str
    complete: bool
    answers: int
    star_score: float | None  # mean over the stories (main answers with their follow-ups)
    path: Path


@dataclass(frozen=True)
class Unreadable:
    """A ``session.json`` that was skipped (unreadable, or linking outside the transcripts folder), and why."""

    path: Path
    reason: str


def summarise(session: SavedSession, folder: Path) -> SessionSummary:
    """``session`` (read from ``folder``) in one line."""
    scores = story_scores(session)
    return SessionSummary(
        session_id=session.session_id,
        candidate=session.candidate,
        round=session.round,
        started_at=session.started_at,
        complete=session.complete,
        answers=sum(1 for t in session.turns if t.answer is not None),
        star_score=round(mean(scores), 1) if scores else None,
        path=folder,
    )


def story_scores(session: SavedSession) -> list[int]:
    """The STAR score of each story of the session (a main answer with its follow-ups)."""
    return [s.star.score for s in stories(session) if s.star is not None and not s.main.is_follow_up]


def session_files(transcripts_dir: Path, candidate: str = "*") -> tuple[list[Path], list[Unreadable]]:
    """The ``session.json`` files under transcripts/<candidate>/<session>/, sorted; a folder that
    links outside the transcripts folder is set aside (as ``find_session`` refuses it)."""
    root = transcripts_dir.resolve()
    inside: list[Path] = []
    outside: list[Unreadable] = []
    for path in sorted(transcripts_dir.glob(f"{candidate}/*/session.json")):
        if root in path.resolve().parents:
            inside.append(path)
        else:
            outside.append(Unreadable(path, "links outside the transcripts folder"))
    return inside, outside


def load_candidate(transcripts_dir: Path, candidate: str) -> tuple[list[SavedSession], list[Unreadable]]:
    """Every readable session of one candidate (without word timings), and the ones that could not be read."""
    validate_name(candidate, "candidate name")
    paths, bad = session_files(transcripts_dir, candidate)
    sessions = []
    for path in paths:
        try:
            sessions.append(read_session(path, words=False))
        except SessionError as exc:
            bad.append(Unreadable(path, exc.message))
    return sessions, bad


def scan(transcripts_dir: Path) -> tuple[list[SessionSummary], list[Unreadable]]:
    """Every session under transcripts/<candidate>/<session>/session.json."""
    found: list[SessionSummary] = []
    paths, bad = session_files(transcripts_dir)
    for path in paths:
        try:
            found.append(summarise(read_session(path, words=False), path.parent))
        except SessionError as exc:  # load_session checks the shape the records rely on
            bad.append(Unreadable(path, exc.message))
    return found, bad


def filter_sessions(
    sessions: Iterable[SessionSummary],
    candidate: str | None = None,
    round_id: str | None = None,
    since: str | None = None,
    sort: str = "date",
) -> list[SessionSummary]:
    out = [
        s
        for s in sessions
        if (candidate is None or s.candidate == candidate)
        and (round_id is None or s.round == round_id)
        and (since is None or s.started_at[:10] >= since)
    ]
    if sort == "score":
        return sorted(out, key=lambda s: (s.star_score is None, -(s.star_score or 0)))
    if sort == "candidate":
        return sorted(out, key=lambda s: (s.candidate, s.started_at))
    return sorted(out, key=lambda s: s.started_at, reverse=True)


def find_session(transcripts_dir: Path, ref: str) -> Path:
    """A session folder from its id (``20261122-101500-aa``), ``candidate/id``, or a path inside transcripts/."""
    root = transcripts_dir.resolve()
    candidate_path = Path(ref)
    try:
        is_session_dir = candidate_path.is_dir() and (candidate_path / "session.json").is_file()
    except OSError:  # e.g. a name longer than the file system allows: not a path, maybe an id
        is_session_dir = False
    if is_session_dir:
        resolved = candidate_path.resolve()
        if root not in resolved.parents:
            raise InputError(f"{ref!r} is not inside {transcripts_dir}", "give a session under the transcripts folder")
        return resolved
    parts = ref.strip("/").split("/")
    if len(parts) > 2:
        raise InputError(f"invalid session reference {ref!r}", "use SESSION_ID or CANDIDATE/SESSION_ID")
    for part in parts:
        validate_name(part, "session id")
    pattern = f"{parts[0]}/{parts[1]}" if len(parts) == 2 else f"*/{parts[0]}"
    # A symlinked candidate or session folder may lead outside transcripts/: not a session of ours.
    matches = [p.parent for p in transcripts_dir.glob(f"{pattern}/session.json") if root in p.resolve().parents]
    if not matches:
        raise InputError(
            f"no session {ref!r} under {transcripts_dir}", "list sessions with: voice-interviewer review list"
        )
    if len(matches) > 1:
        raise InputError(f"{ref!r} matches sessions of several candidates", "use CANDIDATE/SESSION_ID")
    return matches[0]


@dataclass(frozen=True)
class AnswerMetrics:
    """The figures of one scored answer that ``review compare`` and the CSV export show."""

    question_id: str
    question: str
    star_score: int
    missing: tuple[str, ...]
    words: int
    i_ratio: float | None
    numbers: int
    reflection: bool
    fillers_per_min: float | None
    wpm: float | None
    covered: tuple[str, ...]


def answer_metrics(turn: Turn) -> AnswerMetrics | None:
    """The figures of a scored turn (None when it was not analysed)."""
    a = turn.analysis
    if a is None:
        return None
    sig, delivery = a.signals, a.delivery
    return AnswerMetrics(
        question_id=turn.question_id,
        question=turn.question,
        star_score=a.star.score,
        missing=a.star.missing,
        words=sig.word_count,
        i_ratio=sig.i_ratio,
        numbers=len(sig.quantified_results),
        reflection=sig.has_reflection,
        fillers_per_min=delivery.fillers_per_min if delivery else None,
        wpm=delivery.wpm if delivery else None,
        covered=tuple(c.id for c in a.competencies if c.covered),
    )


@dataclass(frozen=True)
class ProgressPoint:
    """One session's averages over its main answers, a point of a candidate's progress."""

    session_id: str
    started_at: str
    star_score: float | None
    competency: dict[str, float]  # mean probability per competency
    fillers_per_min: float | None
    wpm: float | None
    numbers_share: float | None  # share of answers with a number in the result


def progress(sessions: Iterable[SavedSession]) -> list[ProgressPoint]:
    """One point per session, oldest first."""
    points = []
    for session in sorted(sessions, key=lambda s: s.started_at):
        scores = session.main_analyses()
        comps: dict[str, list[float]] = {}
        for a in scores:
            for c in a.competencies:
                comps.setdefault(c.id, []).append(float(c.strength))
        delivered = [a.delivery for a in scores if a.delivery is not None]
        points.append(
            ProgressPoint(
                session_id=session.session_id,
                started_at=session.started_at,
                star_score=round(mean(told), 1) if (told := story_scores(session)) else None,
                competency={k: round(mean(v), 3) for k, v in comps.items()},
                fillers_per_min=round(mean(d.fillers_per_min for d in delivered), 2) if delivered else None,
                wpm=round(mean(d.wpm for d in delivered), 1) if delivered else None,
                numbers_share=_share(scores),
            )
        )
    return points


def _share(scores: list[Analysis]) -> float | None:
    """The share of answers with a number in the result."""
    return round(mean(bool(a.signals.quantified_results) for a in scores), 2) if scores else None


CSV_FIELDS = (
    "session_id", "candidate", "round", "turn", "question_id", "is_follow_up", "question", "source",
    "end_reason", "star_score", "missing", "words", "i_ratio", "numbers", "reflection", "wpm",
    "fillers_per_min", "top_competency", "follow_up_target", "coach_star_score", "coach_notes",
)  # fmt: skip


def _note_line(a: Annotation) -> str:
    return f"{a.note} ({a.by}, {a.at})"


def export(data: dict[str, Any], fmt: str, annotations: list[Annotation] | None = None) -> str:
    """The session as JSON (the documented schema, plus ``annotations`` when a coach added some),
    CSV (one row per turn, with the coach's score and notes) or Markdown for a mentor (``mentor``: the
    summary, story scores and levels, STAR labels, evidence, feedback and coach notes).

    ``data``: the session document as ``store.schema.load_session`` read it (JSON and Markdown
    keep every field of the file; CSV reads its records).
    """
    annotations = annotations or []
    coach = overrides_by_turn(annotations)
    if fmt == "json":
        extra = {"annotations": [dataclasses.asdict(a) for a in annotations]} if annotations else {}
        return json.dumps({**data, **extra}, indent=2, ensure_ascii=False) + "\n"
    if fmt == "md":
        return mentor_markdown(session_from_json(data), annotations)
    if fmt != "csv":
        raise InputError(f"unknown export format '{fmt}'", "use json, csv or md")
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_FIELDS)
    writer.writeheader()
    session = session_from_json(data)
    for turn in session.turns:
        m = answer_metrics(turn)
        ov = coach.get(turn.index)
        answer, a = turn.answer, turn.analysis
        writer.writerow(
            {
                "session_id": session.session_id,
                "candidate": session.candidate,
                "round": session.round,
                "turn": turn.index,
                "question_id": turn.question_id,
                "is_follow_up": turn.is_follow_up,
                "question": turn.question,
                "source": answer.source if answer else None,
                "end_reason": answer.end_reason if answer else None,
                "star_score": m.star_score if m else "",
                "missing": " ".join(m.missing) if m else "",
                "words": m.words if m else "",
                "i_ratio": "" if not m or m.i_ratio is None else m.i_ratio,
                "numbers": m.numbers if m else "",
                "reflection": m.reflection if m else "",
                "wpm": "" if not m or m.wpm is None else m.wpm,
                "fillers_per_min": "" if not m or m.fillers_per_min is None else m.fillers_per_min,
                "top_competency": a.competencies[0].id if a and a.competencies else "",
                "follow_up_target": turn.follow_up.key if turn.follow_up else "",
                "coach_star_score": ov.star_score.star_score if ov and ov.star_score else "",
                "coach_notes": " | ".join(_note_line(a) for a in ov.notes) if ov else "",
            }
        )
    return buf.getvalue()


def stories_at(session: SavedSession, turn: int | None, ref: str) -> list[Story]:
    """The story that holds turn ``turn`` (an index from 0; an InputError when there is none),
    or, with no turn, every story of the session that starts with a main question."""
    if turn is None:
        return [s for s in stories(session) if not s.main.is_follow_up]
    story = story_at(session, turn)
    if story is None:
        raise InputError(
            f"session {session.session_id} has no turn {turn + 1} (it has {len(session.turns)})",
            f"see 'voice-interviewer review show {ref}' for its turns",
        )
    return [story]


def attempt_chains(transcripts_dir: Path, session: SavedSession, told: Iterable[Story]) -> dict[int, list[Attempt]]:
    """Main turn index -> every attempt of its question among the candidate's sessions, for the stories ``told``."""
    mine, _ = load_candidate(transcripts_dir, session.candidate)
    attempts = Attempts([session, *(s for s in mine if s.session_id != session.session_id)])
    return {s.main.index: attempts.chain(session.session_id, s.main.index) for s in told}


def attempts_of(transcripts_dir: Path, spec: str, second: str | None = None) -> list[list[Attempt]]:
    """The attempts ``review compare`` sets side by side.

    One reference (``SESSION[:TURN]``): for each story of the session (or the one holding TURN),
    every linked attempt of its question, across the candidate's sessions. Two sessions: the
    stories of the second paired with those of the first on the same question."""
    ref, turn = parse_turn_ref(spec)
    session = read_session(find_session(transcripts_dir, ref) / "session.json")
    if second is not None:
        later = read_session(find_session(transcripts_dir, second) / "session.json")
        first = {s.question_id: s for s in stories(session) if not s.main.is_follow_up and s.star is not None}
        return [
            [Attempt(1, session, first[s.question_id]), Attempt(2, later, s)]
            for s in stories(later)
            if s.question_id in first and s.star is not None and not s.main.is_follow_up
        ]
    return list(attempt_chains(transcripts_dir, session, stories_at(session, turn, ref)).values())
