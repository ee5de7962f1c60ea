"""``voice-interviewer bench soak``: many replayed sessions in one process, watching for drift.

Runs the real ``practice`` path (``app.practice.run_practice``: Whisper, Silero, the analyzer, the
session store) over and over with short spoken answers, and reports memory (RSS), open file
descriptors, threads and the processing latency of the first and last turns. A leak shows as
RSS, descriptors or threads growing with the session count; drift as a later p50 above the first.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import statistics
import subprocess
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..audio.sources import StdinLines
from ..config import Config, default_eval_set
from ..errors import InputError
from .evaluation import load_gold
from .practice import PracticeOptions, run_practice

ANSWER_SENTENCES = 3  # short answers (15-25 s): many turns per minute of soak


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def short_answers(cfg: Config, count: int = 6) -> list[Path]:
    """Spoken answers made from the first sentences of dev-set answers with espeak-ng (cached)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise InputError("espeak-ng is needed to make the soak answers", "sudo apt-get install espeak-ng")
    folder = cfg.data_home / "cache" / "bench" / "short"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for answer in load_gold(default_eval_set())[:count]:
        wav = folder / f"{answer.id}.wav"
        if not wav.is_file():
            text = " ".join(answer.sentences[:ANSWER_SENTENCES])
            subprocess.run([exe, "-v", "en-us", "-s", "160", "-w", str(wav), text], check=True)
        out.append(wav)
    return out


def _latencies(turns: Any) -> list[float]:
    """Endpoint -> the interviewer's next words, per answered turn."""
    return [
        t.timings.tts_start_s - t.timings.endpoint_s
        for t in turns
        if t.timings.tts_start_s is not None and t.timings.endpoint_s is not None
    ]


def soak(
    cfg: Config,
    sessions: int,
    questions: int,
    follow_ups: bool,
    pace: float,
    on_session: Callable[[int, dict[str, float]], None],
) -> dict[str, Any]:
    """``pace``: replay speed (1 = real time; 0 = as fast as possible, which makes the latency
    figures measure catching up on decoding rather than the live loop)."""
    answers = short_answers(cfg)
    with tempfile.TemporaryDirectory(prefix="vi-soak-") as tmp:
        root = Path(tmp)
        feed = root / "answers"
        feed.mkdir()
        per_session = questions * (4 if follow_ups else 1)  # enough for every follow-up the round allows
        for i in range(per_session):
            (feed / f"{i:03d}.wav").symlink_to(answers[i % len(answers)])
        run_cfg = dataclasses.replace(
            cfg,
            transcripts_dir=root / "transcripts",
            audio=dataclasses.replace(cfg.audio, answers=f"wav:{feed}", replay_pace=pace),
            interview=dataclasses.replace(cfg.interview, questions=questions, candidate="soak"),
        )
        # One stdin reader for the whole soak (as in one practice process); a pipe that stays open.
        read_fd, write_fd = os.pipe()
        lines = StdinLines(os.fdopen(read_fd, "r"))
        latencies: list[float] = []
        rows: list[dict[str, float]] = []
        try:
            for n in range(sessions):
                opts = PracticeOptions(no_voice=True, no_follow_ups=not follow_ups, competencies=(), seed=n)
                result, _ = run_practice(run_cfg, opts, lambda _t: None, lambda _t: None, lines=lines)
                latencies += _latencies(result.turns)
                row = {
                    "turns": len(result.turns),
                    "rss_mb": _rss_mb(),
                    "fds": _open_fds(),
                    "threads": threading.active_count(),
                }
                rows.append(row)
                on_session(n + 1, row)
        finally:
            os.close(write_fd)
    first, last = rows[0], rows[-1]
    window = min(10, len(latencies))
    return {
        "sessions": sessions,
        "replay_pace": pace,
        "turns": len(latencies),
        "rss_mb": {"after_first": first["rss_mb"], "end": last["rss_mb"], "max": max(r["rss_mb"] for r in rows)},
        "open_fds": {"after_first": first["fds"], "end": last["fds"]},
        "threads": {"after_first": first["threads"], "end": last["threads"]},
        "latency_p50_s": {
            "first_10_turns": statistics.median(latencies[:window]) if latencies else None,
            "last_10_turns": statistics.median(latencies[-window:]) if latencies else None,
        },
    }
