"""Reading a session back: ``load_session`` refuses newer schemas, ``migrate`` brings older
ones (and fields added later) up to ``SCHEMA_VERSION``, and the shape is checked, so readers
never see an old or malformed session (see DESIGN.md "Session folder").
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import SessionError
from ..types import MOVE_ON, PLAN_ELEMENTS, QUESTION_KINDS, SENTENCE_LABELS, Gap

SCHEMA_VERSION = 1
# Strict UTF-8 decoding refuses raw lone surrogates, so they can only come as \uD800-\uDFFF
# escapes; only a file holding one pays for the full "can it be written back" check.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def load_session(path: Path, words: bool = True) -> dict[str, Any]:
    """Read a session.json; refuses unknown newer schema versions with a clear message.

    ``words=False`` does not check the word timings (the bulk of a long session), for
    listings that do not read them (``codec.read_session(path, words=False)``).
    """
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        if _SURROGATE_ESCAPE.search(text):  # a lone "\\ud800" escape loads but cannot be written
            json.dumps(data, ensure_ascii=False).encode("utf-8")
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
        _check_shape(data, _SESSION_SHAPE if words else _LISTING_SHAPE, "session")
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
    "question_spoken_s", "audio_start_s", "speech_start_s", "speech_end_s", "endpoint_s",
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


# What the viewers (review, export, report) rely on and ``codec`` decodes, checked on load so that a session that loads
# is safe to view. A dict is an object with these keys ("key?" = optional), [x] a list of x,
# a frozenset the allowed strings, _OrNone(x) x or null; any other value is the type(s) to match.
# Not jsonschema with schemas/session.schema.json: on a 6-answer session that took 4.4 ms
# against 0.44 ms here, and `review list` loads every session (1,000 in 0.36 s). The published
# schema stays the documentation, and the tests validate every session written against it.
@dataclasses.dataclass(frozen=True)
class _OrNone:
    shape: Any


@dataclasses.dataclass(frozen=True)
class _Matches:
    """A string matching ``pattern`` (whole), described as ``what`` in the error."""

    pattern: re.Pattern[str]
    what: str


# A follow-up target: moving on, a gap, "competency:<id>", "depth:<theme>" or "plan:<element>" (types.target_key).
_KEYED = (Gap.COMPETENCY, Gap.DEPTH, Gap.PLAN)
_TARGET = _Matches(
    re.compile("|".join([re.escape(MOVE_ON), *(re.escape(g) for g in Gap if g not in _KEYED)])
               + "".join(f"|{g}:.+" for g in _KEYED), re.DOTALL),
    "a known follow-up target",
)  # fmt: skip


_NUM = (int, float)
_STR_LIST = [str]
_WORD = {"text": str, "start_s": _NUM, "end_s": _NUM, "probability?": _NUM}
_SCORE_SHAPE = {
    "question?": str,
    "source?": str,
    "transcript?": {"text": str, "duration_s?": _OrNone(_NUM), "words?": [_WORD]},
    "star": {
        "score": _NUM,
        "missing": _STR_LIST,
        "weak?": _STR_LIST,
        "share_words?": dict,
        "share_seconds?": _OrNone(dict),
    },
    "sentences": [
        {
            "index?": int,
            "text": str,
            "star": frozenset(SENTENCE_LABELS),
            "confidence?": _NUM,
            "start_s?": _OrNone(_NUM),
            "end_s?": _OrNone(_NUM),
            "reflection?": bool,
        }
    ],
    "competencies": [
        {
            "id": str,
            "similarity": _NUM,
            "probability": _NUM,
            "covered": bool,
            "evidence": str,
            "evidence_index?": int,
        }
    ],
    "signals": {
        "i_ratio": _OrNone(_NUM),
        "i_count?": int,
        "we_count?": int,
        "quantified_results": _STR_LIST,
        "has_reflection": bool,
        "specific?": bool,
        "generic_phrases?": _STR_LIST,
        "word_count": int,
        "length_verdict": str,
    },
    "delivery": _OrNone(
        {
            "wpm": _NUM,
            "filler_count": int,
            "fillers_per_min": _NUM,
            "fillers": dict,
            "hedge_count?": int,
            "hedges?": dict,
            "long_pauses": [{"start_s": _NUM, "duration_s": _NUM}],
            "longest_pause_s": _NUM,
            "duration_s": _NUM,
            "speaking_s?": _NUM,
        }
    ),
    "warnings": _STR_LIST,
    "themes?": [{"id": str, "similarity": _NUM, "evidence_index": int}],
    "kind?": {"id": frozenset(QUESTION_KINDS), "source": str, "score": _NUM},
    "plan?": _OrNone(
        {
            "score": _NUM,
            "missing": _STR_LIST,
            "told_as_story": bool,
            "sentence_elements?": _STR_LIST,
            "elements": [
                {
                    "id": frozenset(PLAN_ELEMENTS),
                    "present": bool,
                    "similarity": _NUM,
                    "evidence": str,
                    "evidence_index": int,
                }
            ],
        }
    ),
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
                    "words": [_WORD],
                    "overflows": int,
                    "resumed?": int,
                    "final_pass?": bool,
                    "end_signals?": _OrNone(dict),
                }
            ),
            "score": _OrNone(_SCORE_SHAPE),
            "previous_scores?": [{"replaced_at?": str, "score?": _OrNone({"star": {"score": _NUM}})}],
            "follow_up": _OrNone({"target": _TARGET, "text": str, "rationale": str, "brain?": str}),
            "timings": dict.fromkeys(_TIMING_KEYS, _OrNone(_NUM)),
            "error": _OrNone(str),
            "retry_of?": _OrNone({"session_id": str, "turn": int}),
        }
    ],
}


def _without_words(shape: Any) -> Any:
    """``shape`` with every list of words checked only as a list."""
    if isinstance(shape, _OrNone):
        return _OrNone(_without_words(shape.shape))
    if isinstance(shape, dict):
        return {k: _without_words(v) for k, v in shape.items()}
    if isinstance(shape, list):
        return list if shape == [_WORD] else [_without_words(shape[0])]
    return shape


_LISTING_SHAPE = _without_words(_SESSION_SHAPE)


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
    elif isinstance(shape, _Matches):
        if not isinstance(value, str) or not shape.pattern.fullmatch(value):
            raise ValueError(f"{where} is not {shape.what}")
    elif isinstance(shape, frozenset):
        if not isinstance(value, str) or value not in shape:
            raise ValueError(f"{where} is not one of {', '.join(sorted(shape))}")
    elif not isinstance(value, shape) or (isinstance(value, bool) and shape is not bool):
        raise ValueError(f"{where} has the wrong type ({type(value).__name__})")
    elif isinstance(value, int) and abs(value) > 2**63:  # valid JSON, but views format numbers as floats
        raise ValueError(f"{where} is out of range")
