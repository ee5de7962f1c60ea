"""Hostile input: every parser a user can feed either parses or raises our own error.

Property for each parser: arbitrary or mutated input is accepted, or rejected with a
``VoiceInterviewerError`` (one-line message + hint) -- never a KeyError, TypeError,
UnicodeError, struct.error, OSError... leaking out. A session that ``load_session``
accepts must then be safe to view (catalog, report, export, terminal and HTML views).

Examples per property scale with ``HOSTILE_SCALE`` (default 1; e.g. ``HOSTILE_SCALE=20``
for a long hunt). Each crash found by a property has a plain regression test below it,
in the same ``test_hostile_*`` module.

This module holds what those modules share (pytest does not collect it): the ``fuzz``
settings, ``expect_ours``, the value strategies, a tiny TOML writer, ``mutated`` and a
hand-built session with its annotations.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from voice_interviewer.content.prompts import COMPETENCY_IDS
from voice_interviewer.errors import VoiceInterviewerError

SCALE = int(os.environ.get("HOSTILE_SCALE", "1"))


def fuzz(n: int) -> settings:
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def expect_ours(fn: Callable[[], Any]) -> Any:
    """Run a parser: return its result, or None when it raised one of our errors (checked for style)."""
    try:
        return fn()
    except VoiceInterviewerError as exc:
        assert exc.message and "\n" not in exc.message and "\r" not in exc.message, repr(exc.message)
        assert exc.hint and "\n" not in exc.hint, repr(exc.hint)
        return None


# ------------------------------------------------------------------ value strategies and a tiny TOML writer

TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)  # TOML cannot hold lone surrogates
SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
TOML_VALUES = st.recursive(
    st.booleans() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | st.floats() | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def toml_str(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_str(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def toml_dump(data: dict[str, Any]) -> str:
    """Top-level keys as ``"key" = value`` lines; tables and arrays of tables inline (valid TOML 1.0)."""
    return "".join(f"{toml_str(k)} = {toml_value(v)}\n" for k, v in data.items() if v is not None)


# ------------------------------------------------------------------ mutating a structure


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every path (keys / indexes) into a JSON-like value, including the root ()."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*prefix, i))


@st.composite
def mutated(draw: st.DrawFn, base: Any, values: st.SearchStrategy[Any] = JSON_VALUES, toml: bool = False) -> Any:
    """``base`` with 1-3 mutations: drop a key, swap a value for a random one / null / a wrapped one."""
    data = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from([p for p in paths(data) if p]))
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        op = draw(
            st.sampled_from(
                ["drop", "random", "null", "wrap", "empty"] if not toml else ["drop", "random", "wrap", "empty"]
            )
        )
        if op == "drop":
            del parent[key]
        elif op == "random":
            parent[key] = draw(values)
        elif op == "null":
            parent[key] = None
        elif op == "wrap":
            parent[key] = [parent[key]]
        else:
            parent[key] = type(parent[key])() if isinstance(parent[key], (str, list, dict)) else 0
        if not [p for p in paths(data) if p]:
            break
    return data


# ------------------------------------------------------------------ a hand-built session and its annotations


def score(star: int = 70) -> dict[str, Any]:
    sentences = ["We had an outage in billing.", "I rewrote the reconciliation job.", "Errors fell by 40%."]
    return {
        "schema_version": 1,
        "question": "Tell me about a time you fixed something.",
        "source": "wav",
        "transcript": {"text": " ".join(sentences), "duration_s": 12.0, "words": []},
        "sentences": [
            {
                "index": i,
                "text": s,
                "star": part,
                "confidence": 0.8,
                "start_s": 4.0 * i,
                "end_s": 4.0 * i + 3.5,
                "reflection": False,
            }
            for i, (s, part) in enumerate(zip(sentences, ("situation", "action", "result"), strict=True))
        ],
        "star": {
            "score": star,
            "missing": ["task"],
            "weak": [],
            "share_words": {"situation": 0.3, "action": 0.4, "result": 0.3},
            "share_seconds": None,
        },
        "competencies": [
            {
                "id": cid,
                "similarity": 0.5,
                "probability": 0.2,
                "covered": i < 2,
                "evidence": sentences[1],
                "evidence_index": 1,
            }
            for i, cid in enumerate(COMPETENCY_IDS)
        ],
        "signals": {
            "i_ratio": 0.5,
            "i_count": 1,
            "we_count": 1,
            "quantified_results": ["40%"],
            "has_reflection": False,
            "specific": True,
            "generic_phrases": [],
            "word_count": 15,
            "length_verdict": "too short",
        },
        "delivery": {
            "wpm": 140.0,
            "filler_count": 1,
            "fillers_per_min": 2.0,
            "fillers": {"um": 1},
            "hedge_count": 0,
            "hedges": {},
            "long_pauses": [{"start_s": 3.5, "duration_s": 2.5}],
            "longest_pause_s": 2.5,
            "duration_s": 12.0,
            "speaking_s": 9.5,
        },
        "follow_up": {"target": "task", "text": "What was your task?", "rationale": "no task", "brain": "policy"},
        "warnings": ["short answer"],
    }


TIMINGS = dict.fromkeys(
    ("question_spoken_s", "speech_start_s", "speech_end_s", "endpoint_s", "transcript_ready_s", "analysis_ready_s",
     "followup_ready_s", "tts_start_s"), 0.5,
)  # fmt: skip
SESSION: dict[str, Any] = {
    "schema_version": 1,
    "session_id": "20260101-101500-hiring_manager",
    "candidate": "ana",
    "round": "hiring_manager",
    "started_at": "2026-01-01T10:15:00+00:00",
    "ended_at": "2026-01-01T10:30:00+00:00",
    "complete": True,
    "config": {"audio": {"answers": "wav"}},
    "models": {"whisper": {"name": "base", "checksum": None}},
    "prompts_sha256": "sha256:" + "0" * 64,
    "turns": [
        {
            "index": 0,
            "question_id": "q1",
            "question": "Tell me about a time you fixed something.",
            "is_follow_up": False,
            "answer": {
                "source": "wav",
                "audio_file": "answer-00.wav",
                "end_reason": "silence",
                "text": "We had...",
                "duration_s": 12.0,
                "words": [{"text": "We", "start_s": 0.0, "end_s": 0.2, "probability": 1.0}],
                "overflows": 0,
            },
            "score": score(70),
            "previous_scores": [{"replaced_at": "2026-01-02T00:00:00+00:00", "score": score(55)}],
            "follow_up": {"target": "task", "text": "What was your task?", "rationale": "no task", "brain": "policy"},
            "timings": TIMINGS,
            "error": None,
        },
        {
            "index": 1,
            "question_id": "q1",
            "question": "What was your task?",
            "is_follow_up": True,
            "answer": {"source": "text", "audio_file": None, "end_reason": "source_end", "text": "I owned it."},
            "score": None,
            "follow_up": None,
            "timings": TIMINGS,
            "error": "transcription failed",
        },
    ],
    "feedback": {
        "strengths": [{"text": "Clear action.", "evidence": "I rewrote the reconciliation job."}],
        "improvements": [{"text": "State the task.", "evidence": ""}],
        "not_shown": ["leadership"],
    },
    "rescores": [{"at": "2026-01-02T00:00:00+00:00", "prompts_sha256": "sha256:" + "1" * 64, "models": {}}],
}
ANNOTATIONS: dict[str, Any] = {
    "schema_version": 1,
    "session_id": SESSION["session_id"],
    "annotations": [
        {"turn": 0, "by": "Kim", "at": "2026-01-02T09:00:00+00:00", "note": "Lead with numbers.", "star_score": 80,
         "labels": {"1": "task"}},
        {"turn": 1, "by": "Kim", "at": "2026-01-02T09:01:00+00:00", "note": None, "star_score": None, "labels": {}},
    ],
}  # fmt: skip


def session_folder(root: Path, data: Any, candidate: str = "ana", name: str = "s1") -> Path:
    folder = root / candidate / name
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "session.json").write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return folder
