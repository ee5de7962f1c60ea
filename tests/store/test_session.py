from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from voice_interviewer.errors import InputError, SessionError
from voice_interviewer.store.schema import SCHEMA_VERSION, load_session
from voice_interviewer.store.session import SessionStore, validate_name
from voice_interviewer.types import Answer, Transcript, Turn, TurnTimings


def _store(tmp_path: Path) -> SessionStore:
    return SessionStore(tmp_path / "transcripts", "alex", "aa", {"k": 1}, {"whisper": None}, "sha256:x")


def _turn(index: int, text: str = "I did it.") -> Turn:
    return Turn(
        index, "q1", "Tell me.", False, Answer("text", Transcript(text), "key"), TurnTimings(question_spoken_s=0.5)
    )


def test_folder_layout_and_contract_fields(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.folder.parent == tmp_path / "transcripts" / "alex"
    assert store.folder.name.endswith("-aa")
    data = load_session(store.folder / "session.json")
    for key in (
        "schema_version",
        "session_id",
        "candidate",
        "round",
        "started_at",
        "ended_at",
        "complete",
        "config",
        "models",
        "prompts_sha256",
        "turns",
    ):
        assert key in data
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["complete"] is False
    assert stat.S_IMODE(store.folder.stat().st_mode) == 0o700


def test_each_turn_is_on_disk_when_recorded(tmp_path: Path) -> None:
    store = _store(tmp_path)
    store.record_turn(_turn(0))
    data = json.loads((store.folder / "session.json").read_text())
    assert [t["index"] for t in data["turns"]] == [0]
    turn = data["turns"][0]
    assert turn["answer"] == {
        "source": "text",
        "audio_file": None,
        "end_reason": "key",
        "text": "I did it.",
        "duration_s": None,
        "words": [],
        "overflows": 0,
        "resumed": 0,
        "final_pass": False,
        "end_signals": None,
    }
    assert set(turn["timings"]) == {
        "question_spoken_s",
        "audio_start_s",  # added after the first contract (when the answer's audio began)
        "speech_start_s",
        "speech_end_s",
        "endpoint_s",
        "transcript_ready_s",
        "analysis_ready_s",
        "followup_ready_s",
        "tts_start_s",
    }
    store.record_turn(_turn(0, "Updated."))  # same index: replaced, not duplicated
    store.record_turn(_turn(1))
    store.finish(complete=True)
    data = load_session(store.folder / "session.json")
    assert [t["answer"]["text"] for t in data["turns"]] == ["Updated.", "I did it."]
    assert data["complete"] is True and data["ended_at"]
    assert "Updated." in (store.folder / "transcript.md").read_text()
    assert not list(store.folder.glob(".*.tmp"))


def test_two_sessions_in_the_same_second_get_distinct_folders(tmp_path: Path) -> None:
    assert _store(tmp_path).folder != _store(tmp_path).folder


@pytest.mark.parametrize("bad", ["..", "../x", "a/b", "", ".hidden", "x" * 65, "a\\b", "name with space"])
def test_names_cannot_escape_the_transcripts_folder(bad: str, tmp_path: Path) -> None:
    with pytest.raises(InputError):
        validate_name(bad, "candidate name")
    with pytest.raises(InputError):
        SessionStore(tmp_path / "t", bad, "aa", {}, {}, "")
    assert not (tmp_path / "t").exists()


def test_unwritable_transcripts_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "transcripts"
    blocker.write_text("a file, not a folder")
    with pytest.raises(SessionError) as info:
        SessionStore(blocker, "alex", "aa", {}, {}, "")
    assert "transcripts_dir" in info.value.hint


def test_load_refuses_newer_schema_and_garbage(tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    path.write_text(json.dumps({"schema_version": SCHEMA_VERSION + 1}))
    with pytest.raises(SessionError, match="newer"):
        load_session(path)
    path.write_text("{ truncated")
    with pytest.raises(SessionError, match="not valid JSON"):
        load_session(path)
    path.write_text("[]")
    with pytest.raises(SessionError, match="not a voice-interviewer session"):
        load_session(path)


def test_a_turn_recorded_again_replaces_it_wherever_it_is(tmp_path: Path) -> None:
    """The final transcript of turn 0 can land after turn 1 was saved."""
    store = _store(tmp_path)
    store.record_turn(_turn(0))
    store.record_turn(_turn(1))
    store.record_turn(_turn(0))
    data = json.loads((store.folder / "session.json").read_text())
    assert [t["index"] for t in data["turns"]] == [0, 1]
