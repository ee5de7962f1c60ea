"""The CLI as a user meets it: a subprocess, real stdin, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_cli
from voice_interviewer.adapters.audio_file import write_wav
from voice_interviewer.store.schema import load_session

ANSWERS = (
    "Last spring our checkout service kept timing out during sales.\n"
    "I profiled it, added a cache, and cut p95 latency by 60 percent.\n"
    "\n"
    "I mentored two new hires through their first on-call rotation.\n"
    "\n"
)


def _sessions(home: Path) -> list[Path]:
    return sorted(home.glob("transcripts/*/*/session.json"))


def test_help_lists_the_commands() -> None:
    proc = run_cli("--help")
    assert proc.returncode == 0
    for cmd in ("practice", "transcribe", "models", "config", "devices"):
        assert cmd in proc.stdout


def test_practice_with_typed_answers_saves_the_session(home: Path) -> None:
    proc = run_cli(
        "practice",
        "--answers",
        "text",
        "--no-voice",
        "--no-follow-ups",
        "--questions",
        "2",
        "--candidate",
        "dana",
        "--seed",
        "3",
        input=ANSWERS,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Interviewer:" in proc.stdout
    assert "Session complete" in proc.stdout
    [path] = _sessions(home)
    assert path.parent.parent.name == "dana"
    data = load_session(path)
    assert data["complete"] is True and data["round"] == "hiring_manager"
    assert [t["answer"]["text"] for t in data["turns"]] == [
        "Last spring our checkout service kept timing out during sales. I profiled it, added a cache, "
        "and cut p95 latency by 60 percent.",
        "I mentored two new hires through their first on-call rotation.",
    ]
    assert data["prompts_sha256"].startswith("sha256:")
    assert data["config"]["answers"] == "text"


def test_practice_asks_gap_targeted_follow_ups(home: Path) -> None:
    answers = "We had a flaky deploy pipeline and we fixed it together.\n\nIt was fine after that.\n\nOk.\n\n"
    proc = run_cli("practice", "--answers", "text", "--no-voice", "--questions", "1", "--seed", "1", input=answers)
    assert proc.returncode == 0, proc.stderr
    data = load_session(_sessions(home)[0])
    turns = data["turns"]
    assert turns[0]["is_follow_up"] is False and turns[1]["is_follow_up"] is True
    assert turns[0]["follow_up"]["target"] != "none" and turns[0]["follow_up"]["rationale"]
    assert turns[1]["question"] == turns[0]["follow_up"]["text"]
    assert turns[0]["score"]["schema_version"] == 1
    assert len(turns) <= 1 + 2  # hiring manager: at most 2 follow-ups per question
    assert data["models"]["embedding"]["checksum"].startswith("sha256:")


def test_end_of_input_mid_interview_keeps_answers(home: Path) -> None:
    proc = run_cli("practice", "--answers", "text", "--no-voice", "--questions", "3", input="Just one answer.\n")
    assert proc.returncode == 0, proc.stderr
    assert "incomplete" in proc.stdout
    data = load_session(_sessions(home)[0])
    assert data["complete"] is False and len(data["turns"]) == 1


def test_no_microphone_falls_back_to_typed_answers(home: Path) -> None:
    from voice_interviewer.adapters.sound import has_input_device

    available, _ = has_input_device()
    if available:
        pytest.skip("this machine has a microphone; the fallback path cannot be observed")
    proc = run_cli("practice", "--no-voice", "--questions", "1", input="Typed instead.\n\n")
    assert proc.returncode == 0, proc.stderr
    assert "No microphone available" in proc.stdout
    assert "typed answers" in proc.stdout
    assert load_session(_sessions(home)[0])["turns"][0]["answer"]["text"] == "Typed instead."


def test_voice_falls_back_to_print_when_no_speaker(home: Path) -> None:
    from voice_interviewer.adapters.sound import list_devices

    if any(d.outputs > 0 for d in list_devices()):
        pytest.skip("this machine has an audio output; the fallback path cannot be observed")
    proc = run_cli("practice", "--answers", "text", "--questions", "1", input="Answer.\n\n")
    assert proc.returncode == 0, proc.stderr
    assert "Voice off" in proc.stdout and "printed instead" in proc.stdout


def test_config_prints_effective_json(home: Path) -> None:
    proc = run_cli("config")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert data["data_home"] == str(home)
    assert data["models"]["compute_type"] == "int8"


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["transcribe", "missing.wav"], 2, "audio file not found"),
        (["practice", "--answers", "text", "--candidate", "../evil"], 2, "invalid candidate name"),
        (["practice", "--answers", "text", "--round", "ceo"], 3, "unknown round 'ceo'"),
        (["practice", "--answers", "text", "--competency", "vibes"], 3, "unknown competency id 'vibes'"),
        (["practice", "--answers", "wav:/nonexistent/x.wav", "--no-voice"], 2, "answer audio not found"),
        (["--config", "/nonexistent/vi.toml", "config"], 2, "config file not found"),
    ],
)
def test_bad_input_gives_one_clear_line(home: Path, args: list[str], code: int, needle: str) -> None:
    proc = run_cli(*args, input="")
    assert proc.returncode == code, proc.stderr
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert len(proc.stderr.strip().splitlines()) == 1


def test_corrupt_wav_and_debug_traceback(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "garbage.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk" * 10)
    proc = run_cli("transcribe", str(bad))
    assert proc.returncode == 2
    assert "cannot decode audio file" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("--debug", "transcribe", str(bad))
    assert proc.returncode != 0 and "Traceback" in proc.stderr


def test_unwritable_transcripts_folder(home: Path) -> None:
    (home / "transcripts").write_text("not a folder")
    proc = run_cli("practice", "--answers", "text", "--no-voice", input="x\n\n")
    assert proc.returncode == 6
    assert "cannot create a session folder" in proc.stderr and "Traceback" not in proc.stderr


def test_broken_model_folder_names_the_fix(home: Path, tmp_path: Path) -> None:
    fake = tmp_path / "fake-whisper"
    fake.mkdir()
    (fake / "model.bin").write_bytes(b"\x00" * 100)
    (fake / "config.json").write_text("{}")
    wav = tmp_path / "a.wav"
    write_wav(wav, np.zeros(16000, np.float32))
    proc = run_cli("transcribe", str(wav), "--whisper-model", str(fake))
    assert proc.returncode == 4
    assert "cannot load the Whisper model" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("transcribe", str(wav), "--whisper-model", str(tmp_path / "nope"))
    assert proc.returncode == 4
    assert "whisper model folder not found" in proc.stderr and "--whisper-model" in proc.stderr


def test_a_wrong_model_path_stops_practice_before_the_first_question(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    answers.mkdir()
    write_wav(answers / "01.wav", np.zeros(16000, np.float32))
    missing = tmp_path / "no-such-model"
    proc = run_cli("practice", "--answers", f"wav:{answers}", "--no-voice", "--whisper-model", str(missing))
    assert proc.returncode == 4 and "Traceback" not in proc.stderr
    assert "whisper model folder not found" in proc.stderr and "--whisper-model" in proc.stderr
    assert not list(home.rglob("session.json"))  # no session started, no question asked


def test_models_check_exit_code_follows_typer_exit(home: Path, tmp_path: Path) -> None:
    proc = run_cli("models", "check", "--whisper-model", str(tmp_path / "missing"))
    assert proc.returncode == 4
    assert "FAIL" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("review", "list", "--formt", "json"), "No such option: --formt"),
        (("practice", "--questions", "-1"), "Invalid value for '--questions'"),
        (("review", "show"), "Missing argument"),
        (("review", "compare"), "Missing argument"),
        (("review", "progress"), "Missing argument"),
    ],
)
def test_a_usage_error_is_the_users_with_a_help_hint_and_exit_2(args: tuple[str, ...], message: str) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr and "--help' for help" in proc.stderr
    assert "internal error" not in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [(), ("review",), ("models",)])
def test_a_command_group_without_a_command_shows_its_help(args: tuple[str, ...]) -> None:
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert "Usage:" in proc.stdout + proc.stderr and "Commands" in proc.stdout + proc.stderr
    assert "internal error" not in proc.stdout + proc.stderr


def test_version_prints_the_package_version() -> None:
    from importlib.metadata import version

    proc = run_cli("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"voice-interviewer {version('voice-interviewer')}"
