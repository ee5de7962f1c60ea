"""Coach annotations: notes per turn, and overrides of a STAR score or a sentence's STAR label.

They live in ``annotations.json`` next to ``session.json`` and never touch the machine
scores: every view shows both, with who wrote the annotation and when. The file is an
append-only list; the latest override of the same thing wins.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, SessionError
from ..types import SENTENCE_LABELS
from .session import atomic_write_text, now_iso

FILE_NAME = "annotations.json"
SCHEMA_VERSION = 1
STAR_PARTS = SENTENCE_LABELS  # the four parts and "other"
MAX_NOTE_CHARS = 4000


@dataclass(frozen=True)
class Annotation:
    """One coach entry on one turn: a note, a score override, label overrides, or several at once."""

    turn: int
    by: str
    at: str  # ISO 8601, UTC
    note: str | None = None
    star_score: int | None = None
    labels: dict[int, str] = field(default_factory=dict)  # sentence index -> STAR part


@dataclass(frozen=True)
class TurnOverrides:
    """What a coach changed on one turn, latest entry first-class (for views)."""

    notes: list[Annotation]
    star_score: Annotation | None  # the latest entry that set a score
    labels: dict[int, tuple[str, Annotation]]  # sentence index -> (part, entry)


def make_annotation(
    session: dict[str, Any],
    turn: int,
    by: str,
    note: str | None = None,
    star_score: int | None = None,
    labels: dict[int, str] | None = None,
    at: str | None = None,
) -> Annotation:
    """Validate an annotation against the session it belongs to."""
    turns = {t["index"]: t for t in session.get("turns", [])}
    if turn not in turns:
        have = ", ".join(str(i + 1) for i in sorted(turns)) or "none"
        raise InputError(f"this session has no turn {turn + 1} (turns: {have})", "pick a turn shown by 'review show'")
    by = " ".join(by.split())
    if not by or len(by) > 64:
        raise InputError("the coach name is empty or longer than 64 characters", "pass --by NAME")
    if note is not None:
        note = note.strip()
        if not note:
            raise InputError("the note is empty", "write something after --note")
        if len(note) > MAX_NOTE_CHARS:
            raise InputError(f"the note is longer than {MAX_NOTE_CHARS} characters", "shorten it")
    if star_score is not None and not 0 <= star_score <= 100:
        raise InputError(f"score {star_score} is outside 0-100", "give a STAR score from 0 to 100")
    labels = dict(labels or {})
    sentences = (turns[turn].get("score") or {}).get("sentences", [])
    for index, part in labels.items():
        if part not in STAR_PARTS:
            raise InputError(f"unknown STAR part '{part}'", f"use one of {', '.join(STAR_PARTS)}")
        if not 0 <= index < len(sentences):
            raise InputError(
                f"turn {turn + 1} has no sentence {index + 1} (it has {len(sentences)})",
                "count sentences as numbered by 'review show'",
            )
    if note is None and star_score is None and not labels:
        raise InputError("nothing to annotate", "give --note, --score and/or --label SENTENCE=PART")
    return Annotation(turn=turn, by=by, at=at or now_iso(), note=note, star_score=star_score, labels=labels)


def parse_label(value: str) -> tuple[int, str]:
    """``3=result`` (sentences numbered from 1, as shown) -> (2, "result")."""
    number, sep, part = value.partition("=")
    if not sep or not number.strip().isdigit() or int(number) < 1:
        raise InputError(f"cannot read label '{value}'", "write it as SENTENCE=PART, e.g. --label 3=result")
    return int(number) - 1, part.strip().lower()


def load_annotations(folder: Path) -> list[Annotation]:
    """The annotations of a session folder (none if the file does not exist)."""
    path = folder / FILE_NAME
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
        raise SessionError(f"{path} is unreadable or not valid JSON", "restore it or move it aside") from exc
    try:
        if raw["schema_version"] > SCHEMA_VERSION:
            raise SessionError(f"{path} was written by a newer voice-interviewer", "upgrade voice-interviewer")
        return [_from_dict(item) for item in raw["annotations"]]
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:  # Overflow: int(1e400)
        raise SessionError(f"{path} is not a valid annotations file", "restore it or move it aside") from exc


def _int(value: Any, low: int, high: int) -> int:
    """A JSON integer in range (not a bool, a float or a numeric string): what this file writes."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"expected an integer from {low} to {high}, got {value!r}")
    return value


def _from_dict(item: dict[str, Any]) -> Annotation:
    labels = {_int(int(k), 0, 10_000): str(v) for k, v in (item.get("labels") or {}).items()}
    if any(v not in STAR_PARTS for v in labels.values()):
        raise ValueError("unknown STAR part")
    score = item.get("star_score")
    return Annotation(
        turn=_int(item["turn"], 0, 10_000),
        by=str(item["by"]),
        at=str(item["at"]),
        note=None if item.get("note") is None else str(item["note"]),
        star_score=None if score is None else _int(score, 0, 100),
        labels=labels,
    )


def add_annotation(folder: Path, session_id: str, annotation: Annotation) -> None:
    """Append one annotation (atomic rewrite of ``annotations.json``)."""
    items = [*load_annotations(folder), annotation]
    payload = {
        "schema_version": SCHEMA_VERSION,
        "session_id": session_id,
        "annotations": [{**asdict(a), "labels": {str(k): v for k, v in a.labels.items()}} for a in items],
    }
    try:
        atomic_write_text(folder / FILE_NAME, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise SessionError(f"cannot save annotations in {folder}: {exc.strerror or exc}", "free disk space") from exc


def overrides_by_turn(annotations: list[Annotation]) -> dict[int, TurnOverrides]:
    """Fold the append-only list into what each turn shows: all notes, the latest score and labels."""
    out: dict[int, TurnOverrides] = {}
    for a in sorted(annotations, key=lambda a: a.at):
        cur = out.get(a.turn) or TurnOverrides(notes=[], star_score=None, labels={})
        notes = [*cur.notes, a] if a.note else cur.notes
        labels = {**cur.labels, **{i: (part, a) for i, part in a.labels.items()}}
        out[a.turn] = TurnOverrides(
            notes=notes, star_score=a if a.star_score is not None else cur.star_score, labels=labels
        )
    return out
