"""Hostile input: every parser a user can feed either parses or raises our own error.

Property for each parser: arbitrary or mutated input is accepted, or rejected with a
``VoiceInterviewerError`` (one-line message + hint) -- never a KeyError, TypeError,
UnicodeError, struct.error, OSError... leaking out. A session that ``load_session``
accepts must then be safe to view (catalog, report, export, terminal and HTML views).

Examples per property scale with ``HOSTILE_SCALE`` (default 1; e.g. ``HOSTILE_SCALE=20``
for a long hunt). Each crash found by a property has a plain regression test below it.
"""

from __future__ import annotations

import copy
import io
import json
import math
import os
import shutil
import struct
import tomllib
import wave
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rich.console import Console

from voice_interviewer.adapters.audio_file import read_audio
from voice_interviewer.adapters.html_report import render_session_html
from voice_interviewer.app.scoring import read_text_file
from voice_interviewer.cli.render import render_session
from voice_interviewer.config import HOME_ENV, load_config
from voice_interviewer.content.content import load_content
from voice_interviewer.content.prompts import COMPETENCY_IDS, load_questions, load_round
from voice_interviewer.errors import InputError, PromptError, SessionError, VoiceInterviewerError
from voice_interviewer.review.catalog import answer_metrics, compare, export, find_session, progress, scan, summarise
from voice_interviewer.review.report import session_report
from voice_interviewer.store.annotations import FILE_NAME, Annotation, load_annotations, overrides_by_turn
from voice_interviewer.store.schema import load_session
from voice_interviewer.store.session import validate_name

ROOT = Path(__file__).resolve().parents[2]
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


def test_toml_writer_round_trips() -> None:
    data = {"a": [1, 2.5, 'x\ny"\\'], "b": {"c": True, "d": [{"e": float("inf")}]}, "é\x00": "\x7f"}
    assert tomllib.loads(toml_dump(data)) == data


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


# ------------------------------------------------------------------ 1. audio decoding


def wav_bytes(channels: int = 1, width: int = 2, rate: int = 16000, frames: int = 800) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes((np.sin(np.arange(frames * channels) / 7) * 100).astype(f"<i{width}").tobytes())
    return buf.getvalue()


def wav_header(
    fmt: int, channels: int, rate: int, byte_rate: int, align: int, bits: int, riff: int, data: int
) -> bytes:
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, byte_rate, align, bits)
    return (
        b"RIFF"
        + struct.pack("<I", riff)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt_chunk
        + b"data"
        + struct.pack("<I", data)
    )


def check_audio(path: Path) -> None:
    samples = expect_ours(lambda: read_audio(path))
    if samples is not None:
        assert samples.dtype == np.float32 and samples.ndim == 1 and samples.size > 0


@fuzz(60)
@given(blob=st.binary(max_size=3000))
def test_audio_random_bytes(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "a.wav"
    path.write_bytes(blob)
    check_audio(path)


@fuzz(60)
@given(
    channels=st.integers(1, 2), width=st.sampled_from([1, 2, 4]), rate=st.sampled_from([8000, 16000, 44100]),
    frames=st.integers(0, 2000), cut=st.floats(0, 1),
)  # fmt: skip
def test_audio_truncated_real_wav(
    tmp_path: Path, channels: int, width: int, rate: int, frames: int, cut: float
) -> None:
    blob = wav_bytes(channels, width, rate, frames)
    path = tmp_path / "a.wav"
    path.write_bytes(blob[: int(len(blob) * cut)])
    check_audio(path)


U32 = st.sampled_from([0, 1, 16, 36, 100, 2**31 - 1, 2**32 - 1]) | st.integers(0, 2**32 - 1)
U16 = st.sampled_from([0, 1, 2, 3, 8, 16, 24, 32, 64, 0xFFFF]) | st.integers(0, 0xFFFF)


@fuzz(80)
@given(
    fmt=st.sampled_from([0, 1, 3, 6, 7, 0xFFFE, 0x55]) | U16, channels=U16, rate=U32, byte_rate=U32, align=U16,
    bits=U16, riff=U32, data=U32, payload=st.binary(max_size=400),
)  # fmt: skip
def test_audio_wav_header_with_mutated_fields(
    tmp_path: Path, fmt: int, channels: int, rate: int, byte_rate: int, align: int, bits: int, riff: int, data: int,
    payload: bytes,
) -> None:  # fmt: skip
    path = tmp_path / "a.wav"
    path.write_bytes(wav_header(fmt, channels, rate, byte_rate, align, bits, riff, data) + payload)
    check_audio(path)


@fuzz(60)
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_audio_real_wav_with_flipped_bytes(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    blob = bytearray(wav_bytes(frames=400))
    for pos, value in flips:
        blob[pos % len(blob)] = value
    path = tmp_path / "a.wav"
    path.write_bytes(bytes(blob))
    check_audio(path)


def test_audio_edge_paths(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "header-only.wav").write_bytes(wav_bytes(frames=0))
    (tmp_path / "folder.wav").mkdir()
    for path in ("empty.wav", "header-only.wav", "folder.wav", "missing.wav", "x" * 300 + ".wav", "nul\0.wav"):
        with pytest.raises(InputError):
            read_audio(tmp_path / path)
    assert read_audio(_write(tmp_path / "ok.wav", wav_bytes(channels=2, rate=44100))).size > 0


def test_audio_path_name_too_long_is_an_input_error(tmp_path: Path) -> None:
    """Regression: Path.is_file() raised OSError(ENAMETOOLONG) out of read_audio."""
    with pytest.raises(InputError, match="not found"):
        read_audio(tmp_path / ("x" * 300 + ".wav"))


def _write(path: Path, blob: bytes) -> Path:
    path.write_bytes(blob)
    return path


# ------------------------------------------------------------------ 2. prompts, rounds, analysis content


@pytest.fixture(scope="module")
def prompts_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("prompts") / "prompts"
    shutil.copytree(ROOT / "prompts", dest)
    return dest


PROMPT_FILES = {
    "questions.toml": lambda d: load_questions(d),
    "rounds/hiring_manager.toml": lambda d: load_round(d, "hiring_manager"),
    "rounds/aa.toml": lambda d: load_round(d, "aa"),
    "star_exemplars.toml": lambda d: load_content(d),
    "competencies.toml": lambda d: load_content(d),
    "cues.toml": lambda d: load_content(d),
    "training/answers_a.toml": lambda d: load_content(d),
}
REAL_TOML = {name: tomllib.loads((ROOT / "prompts" / name).read_text(encoding="utf-8")) for name in PROMPT_FILES}


def with_replaced(prompts: Path, name: str, content: bytes) -> None:
    """Parse prompts/ with ``name`` replaced by ``content``; the real file is put back afterwards."""
    path = prompts / name
    original = path.read_bytes()
    path.write_bytes(content)
    try:
        expect_ours(lambda: PROMPT_FILES[name](prompts))
    finally:
        path.write_bytes(original)


def test_prompts_copy_loads(prompts_copy: Path) -> None:
    for name, load in PROMPT_FILES.items():
        assert load(prompts_copy), name


@fuzz(40)
@given(name=st.sampled_from(sorted(PROMPT_FILES)), blob=st.binary(max_size=300))
def test_prompt_file_random_bytes(prompts_copy: Path, name: str, blob: bytes) -> None:
    with_replaced(prompts_copy, name, blob)


@fuzz(60)
@given(name=st.sampled_from(sorted(PROMPT_FILES)), data=st.dictionaries(TEXT, TOML_VALUES, max_size=6))
def test_prompt_file_random_toml(prompts_copy: Path, name: str, data: dict[str, Any]) -> None:
    with_replaced(prompts_copy, name, toml_dump(data).encode())


@fuzz(150)
@given(st.data())
def test_prompt_file_real_content_with_wrong_types(prompts_copy: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(PROMPT_FILES)))
    broken = data.draw(mutated(REAL_TOML[name], TOML_VALUES, toml=True))
    with_replaced(prompts_copy, name, toml_dump(broken).encode())


@fuzz(40)
@given(name=st.sampled_from(sorted(PROMPT_FILES)), cut=st.floats(0, 1), junk=st.text(max_size=5))
def test_prompt_file_truncated_or_spliced_text(prompts_copy: Path, name: str, cut: float, junk: str) -> None:
    text = (ROOT / "prompts" / name).read_text(encoding="utf-8")
    at = int(len(text) * cut)
    with_replaced(prompts_copy, name, (text[:at] + junk).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize(
    ("name", "key", "value"),
    [
        ("training/answers_a.toml", "answer", 5),  # a number where [[answer]] tables belong
        ("training/answers_a.toml", "answer", [{"sentences": [{"text": "x", "star": "task"}], "competencies": 7}]),
    ],
)
def test_training_file_with_wrong_types_is_a_prompt_error(prompts_copy: Path, name: str, key: str, value: Any) -> None:
    """Regression: TypeError ('int' object is not iterable) leaked out of load_labelled_answers."""
    path = prompts_copy / name
    original = path.read_bytes()
    path.write_text(toml_dump({key: value}))
    try:
        with pytest.raises(PromptError):
            load_content(prompts_copy)
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize(("field", "value"), [("difficulty", "0\n"), ("competencies", ["0\n"]), ("rounds", 5)])
def test_prompt_errors_stay_on_one_line(prompts_copy: Path, field: str, value: Any) -> None:
    """Regression: a value with a newline, quoted into the message as '{value}', split the error over two lines."""
    broken = copy.deepcopy(REAL_TOML["questions.toml"])
    broken["question"][0][field] = value
    path = prompts_copy / "questions.toml"
    original = path.read_bytes()
    path.write_text(toml_dump(broken))
    try:
        with pytest.raises(PromptError) as info:
            load_questions(prompts_copy)
        assert "\n" not in info.value.message
    finally:
        path.write_bytes(original)


# ------------------------------------------------------------------ 3. session.json, scan and the viewers


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


def view_everything(data: dict[str, Any], folder: Path, annotations: list[Annotation]) -> None:
    """What the CLI does with a loaded session: every viewer must work and give encodable text."""
    path = folder / "session.json"
    summarise(data, path)
    for turn in data["turns"]:
        answer_metrics(turn)
    compare(data, data)
    progress([data, data])
    for fmt in ("json", "csv", "md"):
        export(data, fmt, annotations).encode("utf-8")
    report = session_report(data, folder, annotations)
    render_session_html(report).encode("utf-8")
    console = Console(file=io.StringIO(), width=100)
    render_session(data, console, annotations)
    console.file.getvalue().encode("utf-8")  # type: ignore[attr-defined]


def load_and_view(folder: Path, raw: Any) -> dict[str, Any] | None:
    (folder / "session.json").write_text(raw if isinstance(raw, str) else json.dumps(raw), encoding="utf-8")
    data = expect_ours(lambda: load_session(folder / "session.json"))
    event("session accepted" if data is not None else "session rejected")
    if data is not None:
        view_everything(data, folder, load_annotations(folder))
    return data


def test_the_hand_built_session_loads_and_views(tmp_path: Path) -> None:
    folder = session_folder(tmp_path, SESSION)
    (folder / FILE_NAME).write_text(json.dumps(ANNOTATIONS))
    view_everything(load_session(folder / "session.json"), folder, load_annotations(folder))
    assert len(load_annotations(folder)) == 2


@fuzz(60)
@given(value=JSON_VALUES)
def test_session_random_json(tmp_path: Path, value: Any) -> None:
    load_and_view(session_folder(tmp_path, {}), value)


@fuzz(60)
@given(extra=st.dictionaries(st.text(max_size=8), JSON_VALUES, max_size=4), version=st.integers(-3, 3) | SCALARS)
def test_session_random_json_with_a_schema_version(tmp_path: Path, extra: dict[str, Any], version: Any) -> None:
    load_and_view(session_folder(tmp_path, {}), {**extra, "schema_version": version})


@fuzz(300)
@given(broken=mutated(SESSION))
def test_session_mutated_real_session(tmp_path: Path, broken: Any) -> None:
    load_and_view(session_folder(tmp_path, {}), broken)


@fuzz(40)
@given(cut=st.floats(0, 1))
def test_session_truncated_file(tmp_path: Path, cut: float) -> None:
    text = json.dumps(SESSION, indent=2)
    load_and_view(session_folder(tmp_path, {}), text[: int(len(text) * cut)])


@fuzz(25)
@given(sessions=st.lists(mutated(SESSION) | JSON_VALUES, min_size=1, max_size=4))
def test_scan_never_raises_and_lists_bad_sessions(tmp_path: Path, sessions: list[Any]) -> None:
    root = tmp_path / "transcripts"
    shutil.rmtree(root, ignore_errors=True)
    session_folder(root, SESSION, "ana", "good")
    for i, raw in enumerate(sessions):
        session_folder(root, raw, "bob", f"s{i}")
    (root / "bob" / "s0" / "session.json").parent.joinpath("x").mkdir(exist_ok=True)
    found, bad = scan(root)
    assert len(found) + len(bad) == len(sessions) + 1
    assert any(s.session_id == SESSION["session_id"] for s in found)
    for u in bad:
        assert u.reason and "\n" not in u.reason
    for s in found:
        view_everything(load_session(s.path / "session.json"), s.path, [])


@pytest.mark.parametrize(
    "broken",
    [
        {"schema_version": 1, "turns": "abc"},  # AttributeError: 'str' object has no attribute 'setdefault'
        {"schema_version": 1, "turns": [None]},
        {"schema_version": 1},  # KeyError 'session_id' in session_report / render_session
        {**SESSION, "turns": [{**SESSION["turns"][0], "timings": []}]},
        {**SESSION, "turns": [{**SESSION["turns"][0], "score": {**score(), "competencies": [1]}}]},
        {**SESSION, "turns": [{**SESSION["turns"][0], "score": {**score(), "star": None}}]},
        {**SESSION, "turns": [{**SESSION["turns"][0], "answer": "text"}]},
        {**SESSION, "turns": [{**SESSION["turns"][0], "index": "0"}]},
        {**SESSION, "turns": [{**SESSION["turns"][1], "question": None}]},
        {**SESSION, "session_id": 7},
        {**SESSION, "feedback": {"strengths": [{"evidence": "x"}]}},
        {**SESSION, "schema_version": True},
    ],
)
def test_malformed_sessions_are_rejected_on_load(tmp_path: Path, broken: dict[str, Any]) -> None:
    """Regression: these loaded fine and then crashed a viewer (or crashed the loader itself)."""
    folder = session_folder(tmp_path, broken)
    with pytest.raises(SessionError):
        load_session(folder / "session.json")
    found, bad = scan(tmp_path)
    assert not found and len(bad) == 1


def test_session_with_an_empty_star_label_is_rejected(tmp_path: Path) -> None:
    """Regression: render_session's star_text indexed s['star'][0] -> IndexError on ''."""
    sc = score()
    sc["sentences"][0]["star"] = ""
    folder = session_folder(tmp_path, {**SESSION, "turns": [{**SESSION["turns"][0], "score": sc}]})
    with pytest.raises(SessionError):
        load_session(folder / "session.json")


def test_deeply_nested_json_is_a_session_error(tmp_path: Path) -> None:
    """Regression: json.loads raised RecursionError, which is not a ValueError."""
    folder = session_folder(tmp_path, "[" * 100_000)
    with pytest.raises(SessionError):
        load_session(folder / "session.json")
    (folder / FILE_NAME).write_text("{" * 100_000)
    with pytest.raises(SessionError):
        load_annotations(folder)


def test_lone_surrogates_in_a_session_are_rejected(tmp_path: Path) -> None:
    """Regression: '\\ud800' escapes loaded, then export/report could not be written as UTF-8."""
    folder = session_folder(tmp_path, json.dumps({**SESSION, "round": "\ud800"}))
    with pytest.raises(SessionError):
        load_session(folder / "session.json")


def test_session_with_a_huge_integer_is_rejected(tmp_path: Path) -> None:
    """Regression: 10**400 is valid JSON, but '%.0f' % 10**400 (terminal and HTML views) raised OverflowError."""
    data = copy.deepcopy(SESSION)
    data["turns"][0]["score"]["delivery"]["wpm"] = 10**400
    folder = session_folder(tmp_path, data)
    with pytest.raises(SessionError, match="wpm is out of range"):
        load_session(folder / "session.json")


def test_session_with_an_overlong_audio_file_name_is_viewable(tmp_path: Path) -> None:
    """Regression: the report's audio check, Path.is_file(), raised OSError(ENAMETOOLONG)."""
    data = copy.deepcopy(SESSION)
    data["turns"][0]["answer"]["audio_file"] = "x" * 300 + ".wav"
    folder = session_folder(tmp_path, data)
    view_everything(load_session(folder / "session.json"), folder, [])
    assert session_report(load_session(folder / "session.json"), folder, []).turns[0].audio_missing


def test_early_build_sessions_still_load(tmp_path: Path) -> None:
    """The loader's new checks run after the defaults: sessions of early builds stay readable."""
    early = copy.deepcopy(SESSION)
    for key in ("feedback", "config", "models", "ended_at", "complete", "prompts_sha256", "rescores"):
        early.pop(key)
    for turn in early["turns"]:
        for key in ("error", "timings", "follow_up", "is_follow_up", "question_id", "previous_scores"):
            turn.pop(key, None)
        for key in ("overflows", "words", "duration_s", "audio_file"):
            turn["answer"].pop(key, None)
        if turn["score"]:
            turn["score"].pop("warnings")
            turn["score"].pop("delivery")
            for comp in turn["score"]["competencies"]:
                comp.pop("probability")
    folder = session_folder(tmp_path, early)
    data = load_session(folder / "session.json")
    view_everything(data, folder, [])
    assert data["turns"][0]["score"]["competencies"][0]["probability"] == 0.5  # from similarity


# ------------------------------------------------------------------ 4. annotations


def check_annotations(folder: Path, raw: Any) -> None:
    (folder / FILE_NAME).write_text(raw if isinstance(raw, str) else json.dumps(raw), encoding="utf-8")
    notes = expect_ours(lambda: load_annotations(folder))
    event("annotations accepted" if notes is not None else "annotations rejected")
    if notes is None:
        return
    for a in notes:
        assert isinstance(a.turn, int) and isinstance(a.by, str) and isinstance(a.at, str)
        assert a.note is None or isinstance(a.note, str)
        assert a.star_score is None or isinstance(a.star_score, int)
        assert all(isinstance(k, int) and isinstance(v, str) for k, v in a.labels.items())
    overrides_by_turn(notes)
    view_everything(load_session(folder / "session.json"), folder, notes)


@fuzz(60)
@given(value=JSON_VALUES)
def test_annotations_random_json(tmp_path: Path, value: Any) -> None:
    check_annotations(session_folder(tmp_path, SESSION), value)


@fuzz(150)
@given(broken=mutated(ANNOTATIONS))
def test_annotations_mutated_real_file(tmp_path: Path, broken: Any) -> None:
    check_annotations(session_folder(tmp_path, SESSION), broken)


@pytest.mark.parametrize("value", ["1e400", "-1e400", "NaN", "Infinity"])
def test_annotation_with_a_non_finite_number_is_a_session_error(tmp_path: Path, value: str) -> None:
    """Regression: int(float('inf')) raised OverflowError out of load_annotations."""
    folder = session_folder(tmp_path, SESSION)
    (folder / FILE_NAME).write_text(
        f'{{"schema_version": 1, "annotations": [{{"turn": 0, "by": "K", "at": "x", "star_score": {value}}}]}}'
    )
    with pytest.raises(SessionError):
        load_annotations(folder)


# ------------------------------------------------------------------ 5. config file


@pytest.fixture()
def no_home_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HOME_ENV, raising=False)


VALID_CONFIG = {
    "data_home": "data",
    "transcripts_dir": "~/t",
    "prompts_dir": "/opt/prompts",
    "models": {"whisper": "", "cpu_threads": 2, "beam_size": 1},
    "voice": {"tts": "none", "rate_wpm": 170},
    "audio": {"answers": "text", "max_answer_s": 300, "push_to_talk": False},
    "interview": {"round": "aa", "questions": 3, "candidate": "me"},
}


def check_config(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    expect_ours(lambda: load_config(path))


def test_config_writer_and_valid_config(tmp_path: Path, no_home_env: None) -> None:
    path = tmp_path / "c.toml"
    path.write_text(toml_dump(VALID_CONFIG))
    assert load_config(path).interview.questions == 3


@fuzz(40)
@given(blob=st.binary(max_size=300))
def test_config_random_bytes(tmp_path: Path, no_home_env: None, blob: bytes) -> None:
    check_config(tmp_path / "c.toml", blob)


@fuzz(60)
@given(data=st.dictionaries(TEXT | st.sampled_from(sorted(VALID_CONFIG)), TOML_VALUES, max_size=5))
def test_config_random_toml(tmp_path: Path, no_home_env: None, data: dict[str, Any]) -> None:
    check_config(tmp_path / "c.toml", toml_dump(data).encode())


@fuzz(100)
@given(broken=mutated(VALID_CONFIG, TOML_VALUES | st.sampled_from(["~nobody-here/x", "~", "", " "]), toml=True))
def test_config_valid_file_with_wrong_types_and_unknown_keys(tmp_path: Path, no_home_env: None, broken: Any) -> None:
    check_config(tmp_path / "c.toml", toml_dump(broken).encode())


def test_config_edge_paths(tmp_path: Path, no_home_env: None) -> None:
    for path in (tmp_path, tmp_path / "missing.toml", tmp_path / ("x" * 300 + ".toml")):
        with pytest.raises(VoiceInterviewerError):
            load_config(path)


def test_config_path_with_an_unknown_user_is_a_config_error(tmp_path: Path, no_home_env: None) -> None:
    """Regression: Path('~nobody/x').expanduser() raised RuntimeError out of load_config."""
    path = tmp_path / "c.toml"
    path.write_text('data_home = "~no-such-user-here/data"\n')
    with pytest.raises(VoiceInterviewerError, match="data_home"):
        load_config(path)


# ------------------------------------------------------------------ 6. score --text-file


@fuzz(60)
@given(blob=st.binary(max_size=300))
def test_text_file_random_bytes(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "answer.txt"
    path.write_bytes(blob)
    text = expect_ours(lambda: read_text_file(path))
    assert text is None or text == blob.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # newline=None


def test_text_file_edge_paths(tmp_path: Path) -> None:
    for path in (tmp_path, tmp_path / "missing.txt", tmp_path / ("x" * 300 + ".txt")):
        with pytest.raises(InputError):
            read_text_file(path)


# ------------------------------------------------------------------ 7. names and session references

HOSTILE_REFS = [
    "", ".", "..", "../x", "/etc", "/etc/passwd", "a/../../b", "ana/../../etc", "ana/..", "./ana/s1", "nul\0byte",
    "x" * 5000, "ana/" + "x" * 300, "é", "ana/s1\n", "s1\n", "ana//s1", "~", "~root", "*", "*/*", "[a-z]*", "ana/*",
    "..\\..\\x", "s1 ", " s1", "\u202es1", "ana/s1/", "/ana/s1", "outside/s9", "link-out", "ana/link-out", "loop",
    "loop/s1", "transcripts/loop",
]  # fmt: skip


@pytest.fixture()
def transcripts(tmp_path: Path) -> Path:
    """transcripts/ana/s1 (real), plus symlinks that lead outside: a candidate and a session folder."""
    root = tmp_path / "transcripts"
    session_folder(root, SESSION, "ana", "s1")
    outside = tmp_path / "outside"
    session_folder(outside, SESSION, "eve", "s9")
    (root / "outside").symlink_to(outside / "eve", target_is_directory=True)
    (root / "ana" / "link-out").symlink_to(outside / "eve" / "s9", target_is_directory=True)
    (root / "loop").symlink_to(root / "loop")
    return root


def check_ref(transcripts: Path, ref: str) -> None:
    found = expect_ours(lambda: find_session(transcripts, ref))
    if found is not None:
        assert found.resolve().is_relative_to(transcripts.resolve()), found
        assert (found / "session.json").is_file()


@pytest.mark.parametrize("ref", HOSTILE_REFS)
def test_find_session_hostile_refs(transcripts: Path, ref: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(transcripts.parent)
    check_ref(transcripts, ref)


def test_find_session_still_finds_real_sessions(transcripts: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(transcripts.parent)
    for ref in ("s1", "ana/s1", str(transcripts / "ana" / "s1"), "transcripts/ana/s1"):
        assert find_session(transcripts, ref).resolve() == (transcripts / "ana" / "s1").resolve()


@pytest.mark.parametrize("ref", ["outside/s9", "s9", "ana/link-out", "link-out", "transcripts/ana/link-out"])
def test_find_session_does_not_follow_symlinks_out_of_transcripts(
    transcripts: Path, ref: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a symlinked candidate or session folder led find_session outside transcripts/."""
    monkeypatch.chdir(transcripts.parent)
    with pytest.raises(InputError):
        find_session(transcripts, ref)


def test_find_session_name_too_long_is_an_input_error(transcripts: Path) -> None:
    """Regression: Path(ref).is_dir() raised OSError(ENAMETOOLONG) out of find_session."""
    with pytest.raises(InputError):
        find_session(transcripts, "x" * 5000)


@fuzz(150)
@given(
    ref=st.text(max_size=80) | st.lists(st.sampled_from(["..", ".", "ana", "s1", "", "/", "x", "*", "~"])).map("/".join)
)
def test_find_session_random_refs(transcripts: Path, ref: str) -> None:
    check_ref(transcripts, ref)


@fuzz(150)
@given(name=st.text(max_size=80))
def test_validate_name_random(name: str) -> None:
    if expect_ours(lambda: validate_name(name, "candidate name")) is not None:
        assert name.isascii() and name.isprintable() and "/" not in name and ".." not in name
        assert 1 <= len(name) <= 64 and name[0].isalnum()


@pytest.mark.parametrize("name", ["ana\n", "s1\n", "\n", "a\r", "a" * 65])
def test_validate_name_rejects_a_trailing_newline(name: str) -> None:
    """Regression: '$' matched before a final newline, so 'ana\\n' was a valid folder name."""
    with pytest.raises(InputError):
        validate_name(name, "candidate name")


def test_scan_lists_symlinks_out_of_transcripts_as_unreadable(transcripts: Path) -> None:
    """find_session refuses sessions reached through a symlink out of transcripts/; scan says why they are skipped."""
    found, bad = scan(transcripts)
    assert [s.path.name for s in found] == ["s1"]
    assert sorted(u.path.parent.name for u in bad) == ["link-out", "s9"]
    assert all("outside" in u.reason for u in bad)
