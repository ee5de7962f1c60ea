"""Hostile input, 7: names and session references.

``find_session`` gets hostile references (traversal, absolute paths, globs, NUL bytes,
newlines, overlong names, symlinks that lead out of ``transcripts/`` or loop) and random
ones: it finds a real session inside ``transcripts/`` or raises ``InputError``.
``validate_name`` accepts only short printable ASCII folder names.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.robustness.hostile import SESSION, expect_ours, fuzz, session_folder
from voice_interviewer.errors import InputError
from voice_interviewer.review.catalog import find_session, scan
from voice_interviewer.store.session import validate_name

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
