"""Hostile input, 5 and 6: the config file and ``score --text-file``.

``load_config`` gets random bytes, random TOML and a valid config with wrong types,
unknown keys and odd paths (``~nobody/x``, a folder, a name too long); ``read_text_file``
gets random bytes and awkward paths. Also checks the tiny TOML writer both rely on.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.robustness.hostile import TEXT, TOML_VALUES, expect_ours, fuzz, mutated, toml_dump
from voice_interviewer.app.scoring import read_text_file
from voice_interviewer.config import HOME_ENV, load_config
from voice_interviewer.errors import InputError, VoiceInterviewerError


def test_toml_writer_round_trips() -> None:
    data = {"a": [1, 2.5, 'x\ny"\\'], "b": {"c": True, "d": [{"e": float("inf")}]}, "é\x00": "\x7f"}
    assert tomllib.loads(toml_dump(data)) == data


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
