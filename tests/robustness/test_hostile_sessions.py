"""Hostile input, 3 and 4: session.json, scan, the viewers and annotations.

``load_session`` gets random JSON, mutated and truncated copies of a hand-built session
and known-bad sessions; whatever it accepts must then work in every viewer (catalog,
compare, progress, export, report, terminal and HTML views). ``scan`` must never raise
and must list unreadable sessions with a one-line reason, and ``load_annotations`` gets
random and mutated annotation files.
"""

from __future__ import annotations

import copy
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import event, given
from hypothesis import strategies as st
from rich.console import Console

from tests.robustness.hostile import (
    ANNOTATIONS,
    JSON_VALUES,
    SCALARS,
    SESSION,
    expect_ours,
    fuzz,
    mutated,
    score,
    session_folder,
)
from voice_interviewer.adapters.html_report import render_session_html
from voice_interviewer.cli.render import render_session
from voice_interviewer.errors import SessionError
from voice_interviewer.review.catalog import answer_metrics, export, progress, scan, summarise
from voice_interviewer.review.report import retried_questions, session_report
from voice_interviewer.review.stories import attempt_chain, figures, stories
from voice_interviewer.store.annotations import FILE_NAME, Annotation, load_annotations, overrides_by_turn
from voice_interviewer.store.codec import read_session, session_from_json
from voice_interviewer.store.schema import load_session

# ------------------------------------------------------------------ 3. session.json, scan and the viewers


def view_everything(data: dict[str, Any], folder: Path, annotations: list[Annotation]) -> None:
    """What the CLI does with a loaded session: it decodes into records, and every viewer must
    work on them and give encodable text."""
    session = session_from_json(data, folder)
    summarise(session, folder)
    for turn in session.turns:
        answer_metrics(turn)
    chains = {}
    for story in stories(session):
        figures(story)
        chains[story.main.index] = attempt_chain([session, session], session.session_id, story.main.index)
    retried_questions([session, session])
    progress([session, session])
    for fmt in ("json", "csv", "md"):
        export(data, fmt, annotations).encode("utf-8")
    report = session_report(session, folder, annotations, ("collaboration",), chains)
    render_session_html(report).encode("utf-8")
    console = Console(file=io.StringIO(), width=100)
    render_session(session, console, annotations)
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
        # The listing reads without word timings (f8350c3), so a session whose timings are broken is
        # listed, and every full read refuses it, with one of our errors about the words.
        try:
            data = load_session(s.path / "session.json")
        except SessionError as exc:
            assert ".words[" in exc.message and "\n" not in exc.message, exc.message
            continue
        view_everything(data, s.path, [])


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
        {
            **SESSION,
            "turns": [{**SESSION["turns"][0], "follow_up": {**SESSION["turns"][0]["follow_up"], "target": "x"}}],
        },
        {**SESSION, "turns": [{**SESSION["turns"][0], "score": {**score(), "transcript": {"text": 3}}}]},
        {**SESSION, "turns": [{**SESSION["turns"][0], "answer": {**SESSION["turns"][0]["answer"], "words": "abc"}}]},
    ],
)
def test_malformed_sessions_are_rejected_on_load(tmp_path: Path, broken: dict[str, Any]) -> None:
    """Regression: these loaded fine and then crashed a viewer (or crashed the loader itself)."""
    folder = session_folder(tmp_path, broken)
    with pytest.raises(SessionError):
        load_session(folder / "session.json")
    found, bad = scan(tmp_path)
    assert not found and len(bad) == 1


@pytest.mark.parametrize("words", [[{}], [1], [{"text": "We", "start_s": None, "end_s": 0.2}]])
def test_broken_word_timings_are_refused_by_every_full_read(tmp_path: Path, words: Any) -> None:
    """The listing (review list) does not read word timings, so it still lists the session;
    every view that reads them (show, report, export) refuses it with the same clear error."""
    data = copy.deepcopy(SESSION)
    data["turns"][0]["answer"]["words"] = words
    folder = session_folder(tmp_path, data)
    with pytest.raises(SessionError, match=r"turns\[0\]\.answer\.words"):
        load_session(folder / "session.json")
    found, bad = scan(tmp_path)
    assert [s.session_id for s in found] == [SESSION["session_id"]] and not bad


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


@pytest.mark.parametrize("escape", ["\\ud800", "\\uDFFF", "\\uDbff"])
def test_lone_surrogates_in_a_session_are_rejected(tmp_path: Path, escape: str) -> None:
    """Regression: '\\ud800' escapes loaded, then export/report could not be written as UTF-8."""
    text = json.dumps({**SESSION, "round": "@"}).replace('"@"', f'"{escape}"')
    folder = session_folder(tmp_path, text)
    for words in (True, False):
        with pytest.raises(SessionError):
            load_session(folder / "session.json", words)


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
    assert session_report(read_session(folder / "session.json"), folder, []).turns[0].audio_missing


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
