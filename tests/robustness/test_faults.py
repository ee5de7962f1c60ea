"""Killing a real replayed session at random moments loses no completed turn and no answer audio.

A turn is complete for the user once the next question appears: the interviewer only asks it
after ``session.json`` holds the turn (written atomically). So after a kill, every session
folder must load, hold at least (questions shown - 1) turns, and every WAV in it must be a
readable WAV file (the one being recorded included: its header is patched on every write).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest

from tests.conftest import espeak_wav, run_cli

ANSWERS = [
    "Our nightly export kept failing. I was asked to fix it within a week. I added retries and alerts myself. "
    "It has not failed since, and I learned to alert first.",
    "A customer was about to leave us. My goal was to keep them. I called them every week and fixed their top bug. "
    "They renewed for two more years.",
    "Two teams disagreed on an API. I had to get a decision. I wrote both options down and ran one meeting. "
    "We shipped in three weeks instead of six.",
]
QUESTIONS = len(ANSWERS)


def _start(answers: Path, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "voice_interviewer", "practice", "--answers", f"wav:{answers}", "--no-voice",
         "--questions", str(QUESTIONS), "--no-follow-ups", "--candidate", "kill", "--seed", "3"],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "400"},
    )  # fmt: skip


def _questions_shown(output: str) -> int:
    """Interviewer utterances after the greeting (the closing line is not a question)."""
    shown = output.count("Interviewer:") - 1
    return max(0, min(shown, QUESTIONS))


def _check_folders(transcripts: Path, expected: dict[str, int], how: str) -> None:
    for folder in sorted(transcripts.glob("kill/*")):
        proc = run_cli("review", "show", f"kill/{folder.name}")
        assert proc.returncode == 0, f"{how}: {folder.name} not reviewable: {proc.stderr}"

        data = json.loads((folder / "session.json").read_text())
        need = expected.get(folder.name, 0)
        assert len(data["turns"]) >= need, f"{how}: {folder.name} lost turns ({len(data['turns'])} < {need})"
        for turn in data["turns"]:
            audio = turn["answer"] and turn["answer"]["audio_file"]
            if audio:
                assert (folder / audio).is_file(), f"{how}: {folder.name} lost {audio}"
        for wav in folder.glob("*.wav"):
            with wave.open(str(wav)) as w:  # raises on a broken header
                assert w.getframerate() == 16000


@pytest.mark.models
@pytest.mark.audio
def test_sigkill_and_ctrl_c_at_random_moments_lose_nothing_completed(home: Path, tmp_path: Path) -> None:
    answers = tmp_path / "answers"
    answers.mkdir()
    for i, text in enumerate(ANSWERS):
        espeak_wav(text, answers / f"a{i}.wav")
    (tmp_path / "voice-interviewer.toml").write_text("[audio]\nreplay_pace = 0\n")
    transcripts = home / "transcripts"
    # Warm the analysis cache first, so the kills land in sessions, not in the one-off cache build.
    assert run_cli("score", "--text", "I fixed the build.", "--question", "Tell me.").returncode == 0

    # One undisturbed run: how long a session takes, and that it completes.
    started = time.monotonic()
    proc = _start(answers, tmp_path)
    out, _ = proc.communicate(timeout=300)
    total_s = time.monotonic() - started
    assert proc.returncode == 0, out.decode()
    (done,) = list(transcripts.glob("kill/*"))
    assert run_cli("review", "show", f"kill/{done.name}").returncode == 0

    seed = random.randrange(1 << 30)
    rng = random.Random(seed)
    expected: dict[str, int] = {done.name: QUESTIONS}
    kills = [(signal.SIGKILL, rng.uniform(0.3, total_s)) for _ in range(20)]
    kills += [(signal.SIGINT, rng.uniform(1.0, total_s)) for _ in range(5)]
    for n, (sig, at) in enumerate(kills):
        how = f"seed {seed}, kill {n} ({sig.name} at {at:.2f} s of {total_s:.1f} s)"
        before = {p.name for p in transcripts.glob("kill/*")}
        proc = _start(answers, tmp_path)
        time.sleep(at)
        proc.send_signal(sig)
        out_b, _ = proc.communicate(timeout=120)
        output = out_b.decode(errors="replace")
        new = [p.name for p in transcripts.glob("kill/*") if p.name not in before]
        assert len(new) <= 1, how
        shown = _questions_shown(output)
        if new:
            expected[new[0]] = max(0, shown - 1)
        else:
            assert shown == 0, f"{how}: questions were asked but no session folder exists"
        if sig == signal.SIGINT and proc.returncode != 0:
            assert "Traceback" not in output, f"{how}: {output[-2000:]}"
            if new and "Session complete" not in output:  # a Ctrl-C after the end changes nothing
                assert proc.returncode == 130 and "saved" in output, f"{how}: {output[-800:]}"
    _check_folders(transcripts, expected, f"seed {seed}")
    listing = run_cli("review", "list", "--candidate", "kill")
    assert listing.returncode == 0 and "skipped" not in listing.stderr
    assert f"{len(expected)} session(s)" in listing.stdout


@pytest.mark.models
def test_killing_report_and_rescore_never_leaves_a_broken_file(home: Path, tmp_path: Path) -> None:
    """SIGKILL while the HTML report or a rescore is written: the old file or the new one, never half of one."""
    from tests.conftest import practice_typed

    answer = "Our build took forty minutes. I split the test suite myself. It takes nine minutes now.\n\n"
    assert practice_typed("--no-follow-ups", "--candidate", "kill", input=answer).returncode == 0
    (folder,) = [p.parent for p in (home / "transcripts" / "kill").glob("*/session.json")]
    rng = random.Random()
    for command, window in ((["report", str(folder)], 1.0), (["rescore", str(folder)], 3.0)):
        for _ in range(6):
            proc = subprocess.Popen(
                [sys.executable, "-m", "voice_interviewer", *command],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(rng.uniform(0.05, window))
            proc.kill()
            proc.wait(timeout=30)
            report = folder / "report.html"
            if report.exists():
                assert report.read_text().rstrip().endswith("</html>"), command
            assert run_cli("review", "show", str(folder)).returncode == 0, command
