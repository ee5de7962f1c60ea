"""Shared fixtures: an isolated data home per test, sharing the real model folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from voice_interviewer.config import Config, checkout_root, load_config

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One analysis cache (ONNX export, fitted classifiers) for the whole test session."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture()
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> Iterator[Path]:
    """A fresh data home whose models/ points at the real, already-verified models."""
    data = tmp_path / "home"
    data.mkdir()
    real_models = (checkout_root() or ROOT) / "models"
    (data / "models").symlink_to(real_models, target_is_directory=True)
    (data / "cache").symlink_to(shared_cache, target_is_directory=True)
    monkeypatch.setenv("VOICE_INTERVIEWER_HOME", str(data))
    monkeypatch.chdir(tmp_path)
    yield data
    # Every session a test wrote must match the published JSON Schema.
    validate_sessions(data / "transcripts")


def validate_sessions(transcripts: Path) -> None:
    import json

    import jsonschema

    schema = json.loads((ROOT / "schemas" / "session.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    for path in transcripts.glob("*/*/session.json"):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue  # deliberately corrupted by a test
        if data.get("schema_version") != 1 or "session_id" not in data:
            continue  # deliberately foreign or newer: the loader refuses it
        errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
        assert not errors, f"{path}: {errors[0].message} at {list(errors[0].path)}"
    notes = jsonschema.Draft202012Validator(json.loads((ROOT / "schemas" / "annotations.schema.json").read_text()))
    for path in transcripts.glob("*/*/annotations.json"):
        try:
            data = json.loads(path.read_text())
        except ValueError:
            continue  # deliberately corrupted by a test
        errors = list(notes.iter_errors(data))
        assert not errors, f"{path}: {errors[0].message}"


@pytest.fixture()
def cfg(home: Path) -> Config:
    return load_config()


def run_cli(
    *args: str, input: str = "", env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "voice_interviewer", *args],
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def practice_typed(*args: str, input: str, questions: int = 1) -> subprocess.CompletedProcess[str]:
    """`practice` with typed answers and no voice (the common case in the CLI tests)."""
    return run_cli("practice", "--answers", "text", "--no-voice", "--questions", str(questions), *args, input=input)


def espeak_wav(text: str, path: Path, wpm: int = 150) -> Path:
    """Speak text to a WAV file with espeak-ng (installed by ./test.sh)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        pytest.fail("espeak-ng is not installed; run ./test.sh, which installs it")
    subprocess.run([exe, "-v", "en-us", "-s", str(wpm), "-w", str(path), text], check=True)
    return path
