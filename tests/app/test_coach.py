"""The coach's tools: annotations, rescoring, schema migration on load, and the HTML reports
(rendered in Debian's real headless Chromium, driven by playwright with no browser download)."""

from __future__ import annotations

import json
import re
import wave
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import espeak_wav, practice_typed, run_cli

ANSWER = (
    "Last spring our checkout service failed twice a week. I was asked to make it reliable before the holiday sale. "
    "I added tracing, found a retry storm in the payment client and rewrote the backoff myself. "
    "Failures dropped to zero during the sale and revenue grew twelve percent. I learned to measure before fixing.\n\n"
)
SPOKEN = [
    "Last year our release took two days. I was responsible for cutting it down. I automated the checks myself "
    "and removed the manual sign off. Releases now take two hours and we ship every week.",
    "Our support queue had grown to four hundred tickets. My goal was to halve it in a month. I grouped the tickets "
    "by cause and fixed the top three bugs. The queue fell to one hundred and fifty tickets.",
]
CHROMIUM = "/usr/bin/chromium"


def _only_session(home: Path, candidate: str) -> Path:
    (folder,) = [p.parent for p in (home / "transcripts" / candidate).glob("*/session.json")]
    return folder


def _typed_session(home: Path, candidate: str = "ana", answer: str = ANSWER) -> Path:
    proc = practice_typed("--no-follow-ups", "--candidate", candidate, "--seed", "4", input=answer)
    assert proc.returncode == 0, proc.stderr
    folders = sorted(p.parent for p in (home / "transcripts" / candidate).glob("*/session.json"))
    return folders[-1]


@pytest.fixture()
def audio_session(home: Path, tmp_path: Path) -> Path:
    """A real two-answer session from spoken WAV answers (espeak-ng -> Whisper -> analysis)."""
    answers = tmp_path / "answers"
    answers.mkdir()
    for i, text in enumerate(SPOKEN):
        espeak_wav(text, answers / f"answer-{i}.wav")
    (tmp_path / "voice-interviewer.toml").write_text("[audio]\nreplay_pace = 0\n")  # replay as fast as possible
    proc = run_cli(
        "practice", "--answers", f"wav:{answers}", "--no-voice", "--questions", "2",
        "--no-follow-ups", "--candidate", "ana", "--seed", "7",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return _only_session(home, "ana")


# ------------------------------------------------------------------ annotations


def test_annotate_shows_everywhere_and_never_touches_machine_scores(home: Path) -> None:
    folder = _typed_session(home)
    ref = f"ana/{folder.name}"
    before = (folder / "session.json").read_bytes()

    proc = run_cli("review", "annotate", ref, "--turn", "1", "--note", "Name the metric first.", "--by", "Kim")
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("review", "annotate", ref, "--turn", "1", "--score", "55", "--label", "1=task", "--by", "Lee")
    assert proc.returncode == 0, proc.stderr
    assert (folder / "session.json").read_bytes() == before  # the machine's scores are untouched

    saved = json.loads((folder / "annotations.json").read_text())
    assert [a["by"] for a in saved["annotations"]] == ["Kim", "Lee"]
    assert saved["annotations"][1]["labels"] == {"0": "task"} and saved["annotations"][1]["star_score"] == 55

    shown = run_cli("review", "show", ref).stdout
    assert "coach note:" in shown and "Name the metric first." in shown and "Kim" in shown
    assert "coach: 55/100" in shown and "coach relabelled sentence 1:" in shown and "-> task" in shown
    machine = json.loads(before)["turns"][0]["score"]["star"]["score"]
    assert f"STAR {machine}/100" in shown  # both the machine's and the coach's scores are shown

    csv_text = run_cli("export", ref, "--format", "csv").stdout
    assert (
        "coach_star_score" in csv_text.splitlines()[0] and ",55," in csv_text and "Name the metric first." in csv_text
    )
    exported = json.loads(run_cli("export", ref, "--format", "json").stdout)
    assert len(exported["annotations"]) == 2
    md = run_cli("export", ref, "--format", "md").stdout
    # The mentor's copy: the coach's note and score, the story's score and level, STAR labels.
    assert "> Coach note (Kim," in md and "Name the metric first." in md and "Coach's STAR score: 55/100 (Lee" in md
    assert re.search(r"\*\*Story: (missing parts|partial|complete|strong), STAR \d+/100\*\*", md)
    assert "1. **task** (coach Lee; machine: " in md and "## Summary" in md


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--turn", "9", "--note", "x"], "no turn 9"),
        (["--turn", "1", "--score", "101"], "outside 0-100"),
        (["--turn", "1", "--label", "1=conclusion"], "unknown STAR part"),
        (["--turn", "1", "--label", "99=task"], "no sentence 99"),
        (["--turn", "1", "--label", "first=task"], "SENTENCE=PART"),
        (["--turn", "1", "--note", "   "], "the note is empty"),
        (["--turn", "1"], "nothing to annotate"),
    ],
)
def test_annotate_rejects_bad_input_with_one_line(home: Path, args: list[str], message: str) -> None:
    folder = _typed_session(home)
    proc = run_cli("review", "annotate", f"ana/{folder.name}", *args, "--by", "Kim")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not (folder / "annotations.json").exists()


def test_corrupt_annotations_are_reported_not_fatal_for_listing(home: Path) -> None:
    folder = _typed_session(home)
    (folder / "annotations.json").write_text('{"schema_version": 1, "annotations": [{"turn": "x"')
    proc = run_cli("review", "show", f"ana/{folder.name}")
    assert proc.returncode == 6 and "annotations.json" in proc.stderr and "Traceback" not in proc.stderr
    assert "1 session(s)" in run_cli("review", "list").stdout


# ------------------------------------------------------------------ rescore and migration


def test_rescore_keeps_previous_scores_and_the_asked_follow_up(home: Path) -> None:
    folder = _typed_session(home)
    original = json.loads((folder / "session.json").read_text())
    broken = home / "transcripts" / "ana" / "20200101-000000-aa"
    broken.mkdir()
    (broken / "session.json").write_text("{not json")

    proc = run_cli("rescore", f"ana/{folder.name}")
    assert proc.returncode == 0, proc.stderr
    data = json.loads((folder / "session.json").read_text())
    turn, old = data["turns"][0], original["turns"][0]
    assert [p["score"] for p in turn["previous_scores"]] == [old["score"]]
    assert turn["score"]["follow_up"] == old["score"]["follow_up"]
    assert turn["score"]["star"]["score"] == old["score"]["star"]["score"]  # same models and prompts: same result
    assert data["rescores"][0]["prompts_sha256"] == original["prompts_sha256"]
    assert "before rescoring:" in run_cli("review", "show", f"ana/{folder.name}").stdout

    proc = run_cli("rescore", "--all")
    assert proc.returncode == 1  # one session could not be read...
    assert "skipped" in proc.stderr and "20200101-000000-aa" in proc.stderr and "Traceback" not in proc.stderr
    assert len(json.loads((folder / "session.json").read_text())["turns"][0]["previous_scores"]) == 2  # ...the rest was

    proc = run_cli("rescore")
    assert proc.returncode == 2 and "SESSION or --all" in proc.stderr


def _strip_to_early_shape(data: dict[str, Any]) -> dict[str, Any]:
    """A session as the first builds wrote it: fields added since are absent."""
    for key in ("feedback", "config", "models"):
        data.pop(key, None)
    for turn in data["turns"]:
        for key in ("error", "timings", "follow_up"):
            turn.pop(key, None)
        if turn.get("answer"):
            for key in ("overflows", "words", "duration_s"):
                turn["answer"].pop(key, None)
        for comp in (turn.get("score") or {}).get("competencies", []):
            comp.pop("probability", None)
        (turn.get("score") or {}).pop("warnings", None)
    return data


def test_sessions_from_early_builds_are_migrated_on_load(home: Path) -> None:
    folder = _typed_session(home)
    path = folder / "session.json"
    path.write_text(json.dumps(_strip_to_early_shape(json.loads(path.read_text()))))
    ref = f"ana/{folder.name}"
    for args in (["review", "show", ref], ["review", "list"], ["export", ref, "--format", "csv"], ["report", ref]):
        proc = run_cli(*args)
        assert proc.returncode == 0, f"{args}: {proc.stderr}"
    assert (folder / "report.html").is_file()
    path.write_text(json.dumps({"schema_version": 0, "session_id": "x"}))
    proc = run_cli("review", "show", ref)
    assert proc.returncode == 6 and "schema 0 is not supported" in proc.stderr


# ------------------------------------------------------------------ HTML reports in a real browser


@pytest.fixture()
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed; run ./test.sh, which installs it")
    with sync_playwright() as p:
        # The background-networking flags stop Chromium's own calls home (this machine has no network).
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"],
        )  # fmt: skip
        yield b
        b.close()


def _open(browser: Any, html: Path) -> tuple[Any, list[str], list[str]]:
    """Open a report; collect console errors and any request that is not a local file."""
    page = browser.new_page(viewport={"width": 1100, "height": 1500})
    problems: list[str] = []
    remote: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith("file://") else None)
    page.goto(html.as_uri())
    page.wait_for_load_state("load")
    return page, problems, remote


def _assert_not_blank(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as img:
        rgb = img.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 50, "screenshot has almost no distinct colours (blank page?)"
        white = sum(n for n, c in colours if c == (255, 255, 255))
        assert white < 0.97 * rgb.width * rgb.height, "screenshot is almost all white"


@pytest.mark.models
@pytest.mark.audio
@pytest.mark.browser
def test_session_report_in_headless_chromium(audio_session: Path, browser: Any, tmp_path: Path) -> None:
    ref = f"ana/{audio_session.name}"
    proc = run_cli("review", "annotate", ref, "--turn", "1", "--note", "Lead with the numbers.", "--by", "Kim")
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("report", ref, "--html")
    assert proc.returncode == 0, proc.stderr
    html = audio_session / "report.html"
    text = html.read_text()
    assert "<link" not in text and 'src="http' not in text and 'href="http' not in text  # self-contained

    data = json.loads((audio_session / "session.json").read_text())
    scored = [t for t in data["turns"] if t["score"]]
    assert len(scored) == 2
    page, problems, remote = _open(browser, html)
    assert problems == [] and remote == []
    assert page.locator("#coverage-chart svg").count() == 1
    assert page.locator("#delivery-chart svg rect").count() > 4  # bars were drawn
    assert page.locator(".timeline svg").count() == len(scored)
    assert page.get_by_text("Lead with the numbers.").is_visible()
    assert page.locator(".evidence").count() >= 1  # evidence sentences highlighted
    # Each answer's audio plays from the WAV next to the report, at the recorded length.
    page.wait_for_function("Array.from(document.querySelectorAll('audio')).every(a => a.readyState >= 1)")
    durations = page.evaluate("Array.from(document.querySelectorAll('audio')).map(a => a.duration)")
    for turn, seconds in zip(scored, durations, strict=True):
        with wave.open(str(audio_session / turn["answer"]["audio_file"])) as w:
            assert abs(seconds - w.getnframes() / w.getframerate()) < 0.2
    png = tmp_path / "report.png"
    page.screenshot(path=str(png), full_page=True)
    _assert_not_blank(png)

    # A missing WAV is said plainly in the report instead of a broken player.
    (audio_session / scored[0]["answer"]["audio_file"]).unlink()
    assert run_cli("report", ref).returncode == 0
    assert "is missing from the session folder" in html.read_text()


@pytest.mark.models
@pytest.mark.browser
def test_progress_report_in_headless_chromium(home: Path, browser: Any, tmp_path: Path) -> None:
    first = _typed_session(home, answer="We had a slow build. We fixed it.\n\n")
    # The same question again, as a linked attempt (#16): it shows in compare, report and progress.
    proc = practice_typed("--no-follow-ups", "--retry", f"ana/{first.name}:1", input=ANSWER)
    assert proc.returncode == 0, proc.stderr
    second = sorted(p.parent for p in (home / "transcripts" / "ana").glob("*/session.json"))[-1]
    saved = json.loads((second / "session.json").read_text())
    assert saved["turns"][0]["retry_of"] == {"session_id": first.name, "turn": 0}
    assert saved["turns"][0]["question"] == json.loads((first / "session.json").read_text())["turns"][0]["question"]

    compared = run_cli("review", "compare", f"ana/{second.name}")
    assert compared.returncode == 0, compared.stderr
    assert "attempt 1" in compared.stdout and "attempt 2" in compared.stdout and "level" in compared.stdout
    assert "feedback on attempt 1:" in compared.stdout and "addressed" in compared.stdout

    assert run_cli("report", f"ana/{second.name}").returncode == 0
    page, problems, remote = _open(browser, second / "report.html")
    assert problems == [] and remote == []
    assert page.locator("#summary").is_visible() and "Overall:" in page.locator("#summary").inner_text()
    assert page.locator("table.attempts tr").count() == 3  # header + attempts 1 and 2

    proc = run_cli("report", "--progress", "ana")
    assert proc.returncode == 0, proc.stderr
    html = home / "transcripts" / "ana" / "progress.html"
    page, problems, remote = _open(browser, html)
    assert problems == [] and remote == []
    assert page.locator("#star-trend svg").count() == 1
    assert page.locator("#delivery-trend").count() == 0 and page.locator("#no-delivery").is_visible()  # typed only
    assert page.locator("#competency-trend figure svg").count() == 11  # one small chart per competency
    assert "No data" not in page.inner_text("body")  # no empty chart
    assert page.get_by_text("Questions practised again").is_visible()
    assert page.locator(".retried table.attempts tr").count() == 3
    assert page.locator("#sessions tr").count() == 3  # header + two sessions
    png = tmp_path / "progress.png"
    page.screenshot(path=str(png), full_page=True)
    _assert_not_blank(png)
    assert "2 session(s)" in run_cli("review", "list").stdout  # progress.html does not confuse the listing


def test_report_bad_input(home: Path) -> None:
    proc = run_cli("report", "../etc")
    assert proc.returncode == 2 and "invalid" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("report", "--progress", "nobody")
    assert proc.returncode == 2 and "no readable sessions" in proc.stderr
    proc = run_cli("report")
    assert proc.returncode == 2 and "SESSION or --progress" in proc.stderr


@pytest.mark.parametrize(("field", "value"), [("turn", "0"), ("turn", 1.9), ("star_score", 150), ("star_score", True)])
def test_annotations_with_wrong_number_types_are_refused(tmp_path: Path, field: str, value: Any) -> None:
    from voice_interviewer.errors import SessionError
    from voice_interviewer.store.annotations import load_annotations

    item = {"turn": 0, "by": "Kim", "at": "2026-11-22T10:00:00+00:00", "star_score": 50, field: value}
    (tmp_path / "annotations.json").write_text(
        json.dumps({"schema_version": 1, "session_id": "s", "annotations": [item]})
    )
    with pytest.raises(SessionError, match="not a valid annotations file"):
        load_annotations(tmp_path)
