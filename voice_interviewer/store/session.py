"""The session folder: ``transcripts/<candidate>/<session-id>/``.

``session.json`` is rewritten atomically (temp file, fsync, rename) after every
turn, so a crash loses at most the answer in progress; its audio is written
next to it while it is captured. ``transcript.md`` is a readable copy.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, SessionError
from ..types import SENTENCE_LABELS, Turn

SCHEMA_VERSION = 1
_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


def validate_name(value: str, what: str) -> str:
    """Candidate names and session ids become folder names: no separators, no '..'."""
    if not _NAME_RE.fullmatch(value) or ".." in value:  # fullmatch: '$' would let a trailing newline through
        raise InputError(
            f"invalid {what} {value!r}",
            "use 1-64 letters, digits, '-', '_' or '.', starting with a letter or digit",
        )
    return value


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temp file in the same folder, fsync, then rename over the target."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def now_iso() -> str:
    """Now, in UTC, as ISO 8601 to the second (how every timestamp is stored)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def turn_to_dict(turn: Turn) -> dict[str, Any]:
    answer = None
    if turn.answer is not None:
        tr = turn.answer.transcript
        answer = {
            "source": turn.answer.source,
            "audio_file": turn.answer.audio_file,
            "end_reason": turn.answer.end_reason,
            "text": tr.text,
            "duration_s": tr.duration_s,
            "words": [dataclasses.asdict(w) for w in tr.words],
            "overflows": turn.answer.overflows,
            "resumed": turn.answer.resumed,
            "final_pass": turn.answer.final_pass,
            "end_signals": turn.answer.end_signals,
        }
    return {
        "index": turn.index,
        "question_id": turn.question_id,
        "question": turn.question,
        "is_follow_up": turn.is_follow_up,
        "answer": answer,
        "score": turn.score,
        "follow_up": dataclasses.asdict(turn.follow_up) if turn.follow_up else None,
        "timings": dataclasses.asdict(turn.timings),
        "error": turn.error,
    }


class SessionStore:
    """Creates a session folder and persists it turn by turn (implements SessionSink)."""

    def __init__(
        self,
        transcripts_dir: Path,
        candidate: str,
        round_id: str,
        config: dict[str, Any],
        models: dict[str, Any],
        prompts_sha256: str,
        now: datetime | None = None,
    ) -> None:
        validate_name(candidate, "candidate name")
        started = now or datetime.now(UTC)
        base = f"{started.astimezone().strftime('%Y%m%d-%H%M%S')}-{round_id}"
        parent = transcripts_dir / candidate
        try:
            parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder = parent / base
            n = 1
            while True:
                try:
                    folder.mkdir(mode=0o700)
                    break
                except FileExistsError:
                    n += 1
                    folder = parent / f"{base}-{n}"
        except OSError as exc:
            raise SessionError(
                f"cannot create a session folder under {transcripts_dir}: {exc.strerror or exc}",
                "make it writable, free disk space, or set transcripts_dir / VOICE_INTERVIEWER_HOME",
            ) from exc
        self.folder = folder
        self.data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "session_id": folder.name,
            "candidate": candidate,
            "round": round_id,
            "started_at": started.isoformat(timespec="seconds"),
            "ended_at": None,
            "complete": False,
            "config": config,
            "models": models,
            "prompts_sha256": prompts_sha256,
            "turns": [],
        }
        self._save()

    @property
    def session_id(self) -> str:
        return str(self.data["session_id"])

    def audio_path(self, turn_index: int) -> Path:
        return self.folder / f"answer-{turn_index:02d}.wav"

    def record_turn(self, turn: Turn) -> None:
        """Persist a completed turn, or replace the one with its index (recorded again with more
        timings, a resumed answer, or its final transcript)."""
        entry = turn_to_dict(turn)
        if entry["answer"] and entry["answer"]["audio_file"]:
            audio = Path(entry["answer"]["audio_file"])
            if audio.is_absolute() and audio.parent == self.folder:
                entry["answer"]["audio_file"] = audio.name
        turns = self.data["turns"]
        same = next((i for i in range(len(turns) - 1, -1, -1) if turns[i].get("index") == turn.index), None)
        if same is not None:
            turns[same] = entry
        else:
            turns.append(entry)
        self._save()

    def record_feedback(self, feedback: dict[str, Any]) -> None:
        """The end-of-round feedback (strengths, improvements with evidence, competencies not shown)."""
        self.data["feedback"] = feedback
        self._save()

    def finish(self, complete: bool) -> None:
        self.data["ended_at"] = now_iso()
        self.data["complete"] = complete
        self._save()

    def _save(self) -> None:
        save_session(self.folder, self.data)


def save_session(folder: Path, data: dict[str, Any]) -> None:
    """Rewrite ``session.json`` and ``transcript.md`` atomically (each: temp file, fsync, rename)."""
    try:
        # Compact on purpose: the pretty-printer is pure Python and made each per-turn save
        # (on the path before the next question) 5x slower: 66 ms vs 14 ms at 30 long answers.
        # transcript.md is the human-readable copy.
        atomic_write_text(folder / "session.json", json.dumps(data, separators=(",", ":")))
        atomic_write_text(folder / "transcript.md", render_markdown(data))
    except OSError as exc:
        raise SessionError(
            f"cannot save the session in {folder}: {exc.strerror or exc}",
            "free disk space or make the transcripts folder writable",
        ) from exc


def render_markdown(data: dict[str, Any]) -> str:
    lines = [
        f"# Practice session {data['session_id']}",
        "",
        f"- Candidate: {data['candidate']}",
        f"- Round: {data['round']}",
        f"- Started: {data['started_at']}",
        f"- Ended: {data['ended_at'] or '(in progress or interrupted)'}",
        f"- Complete: {'yes' if data['complete'] else 'no'}",
        "",
    ]
    for turn in data["turns"]:
        kind = "Follow-up" if turn["is_follow_up"] else "Question"
        lines += [f"## {turn['index'] + 1}. {kind}: {turn['question']}", ""]
        answer = turn.get("answer")
        if answer:
            src = answer["source"] + (f", audio: {answer['audio_file']}" if answer["audio_file"] else "")
            lines += [
                f"*Answer ({src}; ended by {answer['end_reason']}):*",
                "",
                answer["text"] or "_(nothing heard)_",
                "",
            ]
        if turn.get("error"):
            lines += [f"> Error in this turn: {turn['error']}", ""]
    feedback = data.get("feedback")
    if feedback:
        lines += ["## Feedback", ""]
        for title, key in (("Strength", "strengths"), ("To improve", "improvements")):
            for p in feedback.get(key, []):
                lines.append(f"- {title}: {p['text']}" + (f' Evidence: "{p["evidence"]}"' if p.get("evidence") else ""))
        if feedback.get("not_shown"):
            lines.append(f"- Competencies not shown yet: {', '.join(feedback['not_shown'])}")
        lines.append("")
    return "\n".join(lines) + "\n"


def load_session(path: Path) -> dict[str, Any]:
    """Read a session.json; refuses unknown newer schema versions with a clear message."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        json.dumps(data, ensure_ascii=False).encode("utf-8")  # a lone "\\ud800" escape loads but cannot be written
    except FileNotFoundError as exc:
        raise SessionError(f"no session at {path}", "check the session path") from exc
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
        raise SessionError(f"{path} is unreadable or not valid JSON", "restore it from a backup") from exc
    version = data.get("schema_version") if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        raise SessionError(f"{path} is not a voice-interviewer session", "check the path")
    if version > SCHEMA_VERSION:
        raise SessionError(
            f"{path} was written by a newer voice-interviewer (schema {version})",
            "upgrade voice-interviewer to read it",
        )
    data = migrate(data)
    try:
        _check_shape(data, _SESSION_SHAPE, "session")
    except ValueError as exc:
        raise SessionError(f"{path} is malformed: {exc}", "restore it from a backup or move its folder aside") from exc
    return data


# Readers never see an old shape: ``migrate`` brings any readable session up to the
# current one. Version N -> N+1 steps go in _STEPS; within a version, fields added
# later (all optional, per the contract) get their defaults in _fill_defaults, so a
# session written by an early build renders like a new one.
_STEPS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring a loaded session to SCHEMA_VERSION (in memory; the file is not rewritten)."""
    version = int(data["schema_version"])
    if version < 1 and version not in _STEPS:
        raise SessionError(f"session schema {version} is not supported", "re-run the practice session")
    while version < SCHEMA_VERSION:
        data = _STEPS[version](data)
        version += 1
        data["schema_version"] = version
    return _fill_defaults(data)


_TIMING_KEYS = (
    "question_spoken_s", "speech_start_s", "speech_end_s", "endpoint_s",
    "transcript_ready_s", "analysis_ready_s", "followup_ready_s", "tts_start_s",
)  # fmt: skip


def _fill_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """Defaults for optional fields; anything of the wrong type is left for ``_check_shape`` to reject."""
    data.setdefault("ended_at", None)
    data.setdefault("complete", False)
    data.setdefault("config", {})
    data.setdefault("models", {})
    data.setdefault("prompts_sha256", "")
    data.setdefault("turns", [])
    if isinstance(data.get("feedback"), dict):
        for key in ("strengths", "improvements", "not_shown"):
            data["feedback"].setdefault(key, [])
    for turn in data["turns"] if isinstance(data["turns"], list) else []:
        if not isinstance(turn, dict):
            continue
        turn.setdefault("is_follow_up", False)
        turn.setdefault("question_id", "")
        turn.setdefault("follow_up", None)
        turn.setdefault("error", None)
        turn.setdefault("score", None)
        timings = turn.setdefault("timings", {})
        for key in _TIMING_KEYS if isinstance(timings, dict) else ():
            timings.setdefault(key, None)
        answer, score = turn.get("answer"), turn.get("score")
        if answer and isinstance(answer, dict):
            transcript = score.get("transcript") if isinstance(score, dict) else None
            answer.setdefault("audio_file", None)
            answer.setdefault("text", transcript.get("text", "") if isinstance(transcript, dict) else "")
            answer.setdefault("words", [])
            answer.setdefault("duration_s", None)
            answer.setdefault("overflows", 0)
            answer.setdefault("resumed", 0)
            answer.setdefault("final_pass", False)
            answer.setdefault("end_signals", None)
        if score and isinstance(score, dict):
            score.setdefault("warnings", [])
            score.setdefault("delivery", None)
            comps = score.get("competencies")
            for comp in comps if isinstance(comps, list) else []:
                if isinstance(comp, dict):
                    comp.setdefault("probability", comp.get("similarity", 0.0))
    return data


# What the viewers (review, export, report) rely on, checked on load so that a session that loads
# is safe to view. A dict is an object with these keys ("key?" = optional), [x] a list of x,
# a frozenset the allowed strings, _OrNone(x) x or null; any other value is the type(s) to match.
# Not jsonschema with schemas/session.schema.json: on a 6-answer session that took 4.4 ms
# against 0.44 ms here, and `review list` loads every session (1,000 in 0.36 s). The published
# schema stays the documentation, and the tests validate every session written against it.
@dataclasses.dataclass(frozen=True)
class _OrNone:
    shape: Any


_NUM = (int, float)
_STR_LIST = [str]
_SCORE_SHAPE = {
    "star": {"score": _NUM, "missing": _STR_LIST},
    "sentences": [
        {
            "text": str,
            "star": frozenset(SENTENCE_LABELS),
            "confidence?": _NUM,
            "start_s?": _OrNone(_NUM),
            "end_s?": _OrNone(_NUM),
        }
    ],
    "competencies": [{"id": str, "similarity": _NUM, "probability": _NUM, "covered": bool, "evidence": str}],
    "signals": {
        "i_ratio": _OrNone(_NUM),
        "quantified_results": _STR_LIST,
        "has_reflection": bool,
        "word_count": int,
        "length_verdict": str,
    },
    "delivery": _OrNone(
        {
            "wpm": _NUM,
            "filler_count": int,
            "fillers_per_min": _NUM,
            "fillers": dict,
            "long_pauses": [{"start_s": _NUM, "duration_s": _NUM}],
            "longest_pause_s": _NUM,
            "duration_s": _NUM,
        }
    ),
    "warnings": _STR_LIST,
}
_POINT = {"text": str, "evidence": str}
_SESSION_SHAPE = {
    **dict.fromkeys(("session_id", "candidate", "round", "started_at", "prompts_sha256"), str),
    "ended_at": _OrNone(str),
    "complete": bool,
    "config": dict,
    "models": dict,
    "feedback?": _OrNone({"strengths": [_POINT], "improvements": [_POINT], "not_shown": _STR_LIST}),
    "rescores?": list,
    "turns": [
        {
            "index": int,
            "question_id": str,
            "question": str,
            "is_follow_up": bool,
            "answer": _OrNone(
                {
                    "source": str,
                    "audio_file": _OrNone(str),
                    "end_reason": str,
                    "text": _OrNone(str),
                    "duration_s": _OrNone(_NUM),
                    "words": list,
                    "overflows": int,
                    "resumed?": int,
                    "final_pass?": bool,
                    "end_signals?": _OrNone(dict),
                }
            ),
            "score": _OrNone(_SCORE_SHAPE),
            "previous_scores?": [{"score?": _OrNone({"star": {"score": _NUM}})}],
            "follow_up": _OrNone({"target": str, "text": str, "rationale": str, "brain?": str}),
            "timings": dict.fromkeys(_TIMING_KEYS, _OrNone(_NUM)),
            "error": _OrNone(str),
        }
    ],
}


def _check_shape(value: Any, shape: Any, where: str) -> None:
    """Raise ValueError naming the first field of ``value`` that does not have ``shape``."""
    if isinstance(shape, _OrNone):
        if value is None:
            return
        shape = shape.shape
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            raise ValueError(f"{where} is not an object")
        for key, sub in shape.items():
            name = key.rstrip("?")
            if name in value:
                _check_shape(value[name], sub, f"{where}.{name}")
            elif not key.endswith("?"):
                raise ValueError(f"{where}.{name} is missing")
    elif isinstance(shape, list):
        if not isinstance(value, list):
            raise ValueError(f"{where} is not a list")
        for i, item in enumerate(value):
            _check_shape(item, shape[0], f"{where}[{i}]")
    elif isinstance(shape, frozenset):
        if not isinstance(value, str) or value not in shape:
            raise ValueError(f"{where} is not one of {', '.join(sorted(shape))}")
    elif not isinstance(value, shape) or (isinstance(value, bool) and shape is not bool):
        raise ValueError(f"{where} has the wrong type ({type(value).__name__})")
    elif isinstance(value, int) and abs(value) > 2**63:  # valid JSON, but views format numbers as floats
        raise ValueError(f"{where} is out of range")
