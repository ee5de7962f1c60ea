"""The coach's side, composed: annotate, rescore, and write HTML reports.

Sits above ``app`` (it reuses the analyzer it builds) and below the CLI.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..content.prompts import COMPETENCY_IDS, load_questions, prompts_checksum
from ..errors import InputError, SessionError, VoiceInterviewerError
from ..review.catalog import attempt_chains, find_session, load_candidate, progress, session_files, stories_at
from ..review.report import ProgressReport, retried_questions, session_report
from ..saved import SavedSession
from ..store.annotations import Annotation, add_annotation, load_annotations, make_annotation
from ..store.codec import read_session, score_to_json, session_from_json
from ..store.schema import load_session
from ..store.session import atomic_write_text, now_iso, save_session, validate_name
from .loading import build_analyzer, session_models

SESSION_FILE = "session.json"


def annotate(
    cfg: Config,
    ref: str,
    turn: int,
    by: str,
    note: str | None,
    star_score: int | None,
    labels: dict[int, str],
) -> tuple[Path, Annotation]:
    folder = find_session(cfg.transcripts_dir, ref)
    data = load_session(folder / SESSION_FILE)
    ann = make_annotation(data, turn, by, note=note, star_score=star_score, labels=labels)
    add_annotation(folder, str(data["session_id"]), ann)
    return folder, ann


def write_session_report(cfg: Config, ref: str, output: Path | None = None) -> Path:
    """The self-contained HTML report of one session, written into its folder by default."""
    from ..adapters.html_report import render_session_html

    folder = find_session(cfg.transcripts_dir, ref)
    session = read_session(folder / SESSION_FILE)
    report = session_report(
        session,
        folder,
        load_annotations(folder),
        aimed_competencies(cfg, session),
        attempt_chains(cfg.transcripts_dir, session, stories_at(session, None, ref)),
    )
    return _write(output or folder / "report.html", render_session_html(report))


def aimed_competencies(cfg: Config, session: SavedSession) -> tuple[str, ...]:
    """The competencies the session's answered main questions aimed at (from the question bank), each once."""
    try:
        bank = {q.id: q for q in load_questions(cfg.prompts_dir)}
    except VoiceInterviewerError:  # a broken bank must not stop a report: it shows no aims
        return ()
    asked = [bank[t.question_id] for t in session.turns if not t.is_follow_up and t.question_id in bank and t.analysis]
    return tuple(dict.fromkeys(c for q in asked for c in q.competencies))


def write_progress_report(cfg: Config, candidate: str, output: Path | None = None) -> tuple[Path, list[str]]:
    """A candidate's trend report (``transcripts/<candidate>/progress.html``); also returns skipped sessions."""
    from ..adapters.html_report import render_progress_html

    sessions, bad = load_candidate(cfg.transcripts_dir, candidate)
    skipped = [f"{b.path}: {b.reason}" for b in bad]
    if not sessions:
        raise InputError(f"no readable sessions for '{candidate}'", "see: voice-interviewer review list")
    report = ProgressReport(candidate, tuple(progress(sessions)), COMPETENCY_IDS, retried_questions(sessions))
    path = output or cfg.transcripts_dir / candidate / "progress.html"
    return _write(path, render_progress_html(report)), skipped


def _write(path: Path, text: str) -> Path:
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise SessionError(f"cannot write {path}: {exc.strerror or exc}", "free disk space or choose --output") from exc
    return path


def rescore_targets(cfg: Config, ref: str | None, all_sessions: bool) -> list[Path]:
    if (ref is None) == (not all_sessions):
        raise InputError("give one SESSION or --all", "e.g. voice-interviewer rescore --all")
    if ref is not None:
        return [find_session(cfg.transcripts_dir, ref)]
    return [p.parent for p in session_files(cfg.transcripts_dir)[0]]


def rescore(
    cfg: Config,
    folders: list[Path],
    on_turn: Callable[[Path, int, int], None] = lambda folder, done, total: None,
) -> Iterator[tuple[Path, str | None]]:
    """Re-run the analysis of every answered turn with the current models and prompts.

    The previous score of each turn moves to ``turns[].previous_scores`` (with when it was
    replaced); the follow-up that was actually asked is kept. Yields (folder, problem or None);
    an unreadable session is reported and skipped, never fatal.
    """
    analyzer = build_analyzer(cfg)
    stamp = {
        "at": now_iso(),
        "prompts_sha256": prompts_checksum(cfg.prompts_dir),
        "models": session_models(cfg, with_whisper=False),
    }
    for folder in folders:
        try:
            # The document is edited in place (so fields this build does not know are kept);
            # the records say what each turn holds.
            data = load_session(folder / SESSION_FILE)
            saved = session_from_json(data, folder)
        except VoiceInterviewerError as exc:
            yield folder, exc.message
            continue
        turns = [
            (d, t) for d, t in zip(data["turns"], saved.turns, strict=True) if t.answer and t.answer.transcript.text
        ]
        for done, (doc, turn) in enumerate(turns, 1):
            assert turn.answer is not None
            analysis = analyzer.analyze(turn.question, turn.answer.transcript, turn.answer.source)
            if doc["score"] is not None:
                doc.setdefault("previous_scores", []).append({"replaced_at": stamp["at"], "score": doc["score"]})
            doc["score"] = score_to_json(analysis, turn.follow_up)
            on_turn(folder, done, len(turns))
        data.setdefault("rescores", []).append(stamp)
        save_session(folder, data)
        yield folder, None


@dataclass(frozen=True)
class Removal:
    """What ``delete`` removes (or removed): folders, and files counted by kind."""

    folders: tuple[Path, ...]
    audio: int
    sessions: int
    annotations: int
    reports: int
    other: int
    bytes: int


def plan_delete(cfg: Config, ref: str | None, candidate: str | None) -> Removal:
    """The folders to delete: one session, or everything of one candidate. Never outside transcripts/."""
    if (ref is None) == (candidate is None):
        raise InputError("give one SESSION or --candidate NAME", "e.g. voice-interviewer delete --candidate ana")
    root = cfg.transcripts_dir.resolve()
    if candidate is not None:
        validate_name(candidate, "candidate name")
        folder = cfg.transcripts_dir / candidate
        if not folder.is_dir():
            raise InputError(f"no saved sessions for '{candidate}'", "see: voice-interviewer review list")
    else:
        assert ref is not None
        folder = find_session(cfg.transcripts_dir, ref)
    if folder.is_symlink() or root not in folder.resolve().parents:
        raise InputError(f"{folder} is not a folder inside {root}", "delete only sessions under the transcripts folder")
    counts = {"audio": 0, "sessions": 0, "annotations": 0, "reports": 0, "other": 0}
    size = 0
    for path in folder.rglob("*"):
        if not path.is_file() or path.is_symlink():
            continue
        size += path.stat().st_size
        name = path.name
        if path.suffix.lower() == ".wav":
            counts["audio"] += 1
        elif name in (SESSION_FILE, "transcript.md"):
            counts["sessions"] += name == SESSION_FILE
        elif name == "annotations.json":
            counts["annotations"] += 1
        elif name.endswith(".html"):
            counts["reports"] += 1
        else:
            counts["other"] += 1
    return Removal(folders=(folder,), bytes=size, **counts)


def delete(plan: Removal) -> None:
    """Remove the planned folders (audio, transcripts, annotations and reports together)."""
    for folder in plan.folders:
        try:
            shutil.rmtree(folder)  # never follows symlinks inside the folder
        except OSError as exc:
            raise SessionError(f"could not delete all of {folder}: {exc.strerror or exc}", "check permissions") from exc
