"""The coach's view: list, show, compare, progress and export saved sessions."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from tests.conftest import practice_typed, run_cli

ANSWER_1 = "We had a slow build. We fixed it.\n\n"
ANSWER_2 = (
    "Last year our build took 40 minutes. I was responsible for fixing it. I profiled the tests and "
    "parallelised the suite myself. Build time dropped to 9 minutes. I learned to measure first.\n\n"
)


def _practice(candidate: str, answer: str) -> None:
    proc = practice_typed(
        "--no-follow-ups",
        "--candidate",
        candidate,
        "--seed",
        "5",
        input=answer,
    )
    assert proc.returncode == 0, proc.stderr


def _ids(home: Path, candidate: str) -> list[str]:
    return sorted(p.parent.name for p in (home / "transcripts" / candidate).glob("*/session.json"))


def test_list_show_compare_progress_export(home: Path, tmp_path: Path) -> None:
    _practice("ana", ANSWER_1)
    _practice("ana", ANSWER_2)
    _practice("ben", ANSWER_2)
    first, second = _ids(home, "ana")

    proc = run_cli("review", "list", "--candidate", "ana", "--sort", "score")
    assert proc.returncode == 0 and "2 session(s)" in proc.stdout
    assert "ben" not in proc.stdout

    proc = run_cli("review", "show", f"ana/{second}")
    assert proc.returncode == 0
    assert re.search(r"\[\d+[STAR]\]", proc.stdout)  # numbered, STAR-labelled spans
    assert "STAR" in proc.stdout and "Feedback" in proc.stdout

    proc = run_cli("review", "compare", f"ana/{first}", f"ana/{second}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "STAR score" in proc.stdout and "missing parts" in proc.stdout

    proc = run_cli("review", "progress", "ana")
    assert proc.returncode == 0 and "Progress of ana" in proc.stdout and "collaboration" in proc.stdout

    proc = run_cli("export", f"ana/{second}", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert len(rows) == 1 and rows[0]["candidate"] == "ana" and int(rows[0]["star_score"]) > 50
    proc = run_cli("export", f"ana/{second}", "--format", "json")
    assert json.loads(proc.stdout)["session_id"] == second
    out = tmp_path / "share.md"
    proc = run_cli("export", f"ana/{second}", "--format", "md", "--output", str(out))
    assert proc.returncode == 0 and out.read_text().startswith("# Practice session")


def test_corrupt_and_newer_sessions_are_skipped_not_fatal(home: Path) -> None:
    _practice("cy", ANSWER_2)
    broken = home / "transcripts" / "cy" / "20200101-000000-aa"
    broken.mkdir()
    (broken / "session.json").write_text('{"schema_version": 1, "turns": [')  # truncated
    newer = home / "transcripts" / "cy" / "20200102-000000-aa"
    newer.mkdir()
    (newer / "session.json").write_text('{"schema_version": 99}')
    proc = run_cli("review", "list")
    assert proc.returncode == 0
    assert "1 session(s)" in proc.stdout
    assert "not valid JSON" in proc.stderr and "newer voice-interviewer" in proc.stderr
    proc = run_cli("review", "show", "cy/20200102-000000-aa")
    assert proc.returncode == 6 and "upgrade" in proc.stderr and "Traceback" not in proc.stderr


def test_session_references_cannot_escape_the_transcripts_folder(home: Path, tmp_path: Path) -> None:
    _practice("dee", ANSWER_1)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "session.json").write_text('{"schema_version": 1}')
    for ref in ("../../etc", "a/b/c", str(outside), "..", "dee/../../x"):
        proc = run_cli("review", "show", ref)
        assert proc.returncode == 2, (ref, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
    proc = run_cli("export", "nope", "--format", "yaml")
    assert proc.returncode == 2


def test_review_list_never_cuts_an_id_and_lists_sessions_as_json(home: Path) -> None:
    _practice("a-candidate-with-a-long-name", ANSWER_2)
    (session_id,) = _ids(home, "a-candidate-with-a-long-name")
    proc = run_cli("review", "list", env={"COLUMNS": "80"})  # a pipe in an 80-column terminal
    assert proc.returncode == 0
    assert session_id in proc.stdout  # whole, so a coach can copy it into `review show`
    proc = run_cli("review", "list", "--format", "json")
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["session_id"] for r in rows] == [session_id]
    assert rows[0]["candidate"] == "a-candidate-with-a-long-name" and rows[0]["complete"] is True
    proc = run_cli("review", "list", "--format", "yaml")
    assert proc.returncode == 2 and "--format" in proc.stderr


def test_offer_retry_takes_the_question_again_and_feedback_is_on_the_latest_attempt(home: Path) -> None:
    typed = ANSWER_1 + "r\n" + ANSWER_2  # answer, "try again", the better answer, then end of input
    proc = practice_typed("--no-follow-ups", "--offer-retry", "--candidate", "cy", "--seed", "5", input=typed)
    assert proc.returncode == 0, proc.stderr
    assert "type r and Enter to try that one again" in proc.stdout
    (sid,) = _ids(home, "cy")
    data = json.loads((home / "transcripts" / "cy" / sid / "session.json").read_text())
    first, second = data["turns"]
    assert first["question"] == second["question"] and first["retry_of"] is None
    assert second["retry_of"] == {"session_id": sid, "turn": 0}
    assert second["score"]["star"]["level"] in ("complete", "strong")
    # The end-of-round feedback is on the attempt that stands, not on the one taken again.
    improvements = " ".join(p["text"] for p in data["feedback"]["improvements"])
    assert "Finish each story with how it turned out" not in improvements
    proc = run_cli("review", "compare", f"cy/{sid}")
    assert proc.returncode == 0 and "attempt 2" in proc.stdout
