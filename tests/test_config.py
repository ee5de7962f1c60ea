from pathlib import Path

import pytest

from voice_interviewer.config import load_config
from voice_interviewer.errors import ConfigError


def test_defaults_use_data_home_from_env(home: Path) -> None:
    cfg = load_config()
    assert cfg.data_home == home
    assert cfg.transcripts_dir == home / "transcripts"
    assert cfg.models_dir == home / "models"
    assert cfg.models.compute_type == "int8"
    assert cfg.source == "defaults"


def test_file_in_working_directory_then_flags_override(home: Path, tmp_path: Path) -> None:
    (tmp_path / "voice-interviewer.toml").write_text(
        '[interview]\nround = "aa"\ncandidate = "sam"\n[models]\nwhisper = "/big/large-v3"\nbeam_size = 5\n'
    )
    cfg = load_config()
    assert cfg.interview.round == "aa"
    assert cfg.models.whisper == "/big/large-v3"
    assert cfg.models.beam_size == 5
    cfg = load_config(overrides={"interview": {"round": "hiring_manager", "candidate": None}})
    assert cfg.interview.round == "hiring_manager"
    assert cfg.interview.candidate == "sam"  # None means "flag not given"


def test_relative_paths_are_relative_to_the_config_file(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOICE_INTERVIEWER_HOME")
    conf = tmp_path / "conf" / "vi.toml"
    conf.parent.mkdir()
    conf.write_text('data_home = "data"\n')
    cfg = load_config(conf)
    assert cfg.data_home == conf.parent / "data"
    assert cfg.transcripts_dir == conf.parent / "data" / "transcripts"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[models\nwhisper=1", "invalid TOML"),
        ("[models]\nwhisperr = 'x'\n", "unknown key 'whisperr'"),
        ("[models]\nbeam_size = 'five'\n", "'beam_size' must be a int"),
        ("[voice]\nrate_wpm = true\n", "'rate_wpm' must be a int"),
        ("colour = 'blue'\n", "unknown key 'colour'"),
    ],
)
def test_bad_config_names_the_problem(home: Path, tmp_path: Path, text: str, needle: str) -> None:
    path = tmp_path / "voice-interviewer.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config()
    assert needle in info.value.message
    assert str(path) in info.value.message


def test_missing_explicit_config_is_an_error(home: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(Path("/nonexistent/vi.toml"))


def test_non_utf8_config(home: Path, tmp_path: Path) -> None:
    (tmp_path / "voice-interviewer.toml").write_bytes(b"\xff\xfe[models]")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config()
