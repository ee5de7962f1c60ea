"""``bench turns``, the runs: spoken answers replayed through the real practice path, as WAV files
or through a PulseAudio virtual microphone, with the CPU share of listening sampled meanwhile.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...audio.sources import StdinLines
from ...config import HOME_ENV, Config
from ...errors import VoiceInterviewerError
from ...store.schema import load_session
from ...types import SAMPLE_RATE
from ..loading import resolve_model, shared_analyzer, shared_transcriber
from ..practice import PracticeOptions, run_practice
from .voices import Printer, SpokenAnswer, read_wav, speech_edges

MIC_LEAD_S = 1.0  # silence fed from "Listening..." on (the stream opens a moment later), before the answer
BUSY_LIMIT_S = 4 * 3600  # a --load process ends by itself after this, even if never killed


class CpuSampler:
    """Samples (wall, CPU seconds) of a process every ``period_s`` on a thread; CPU share over intervals."""

    def __init__(self, cpu_seconds: Callable[[], float], period_s: float = 0.2) -> None:
        self._cpu = cpu_seconds
        self._period = period_s
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def _take(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # a child process that has just exited
            self.samples.append((time.monotonic(), self._cpu()))

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            self._take()

    def __enter__(self) -> CpuSampler:
        self._take()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take()

    def share(self, intervals: Sequence[tuple[float, float]], cores: int) -> float | None:
        """CPU time over wall time within the intervals, as a share of ``cores`` cores."""
        if len(self.samples) < 2:
            return None
        wall = np.array([s[0] for s in self.samples])
        cpu = np.array([s[1] for s in self.samples])
        used = spent = 0.0
        for a, b in intervals:
            a, b = max(a, wall[0]), min(b, wall[-1])
            if b > a:
                used += float(np.interp(b, wall, cpu) - np.interp(a, wall, cpu))
                spent += b - a
        return round(used / spent / cores, 4) if spent > 0 else None


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- running practice


@contextlib.contextmanager
def temporary_home(cfg: Config) -> Iterator[Path]:
    """A scratch data home whose models/ and cache/ are the real ones (as tests/conftest.py does);
    ``VOICE_INTERVIEWER_HOME`` points at it meanwhile."""
    real_cache = cfg.data_home / "cache"
    real_cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vi-turns-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "models").symlink_to(cfg.models_dir.resolve(), target_is_directory=True)
        (home / "cache").symlink_to(real_cache.resolve(), target_is_directory=True)
        before = os.environ.get(HOME_ENV)
        os.environ[HOME_ENV] = str(home)
        try:
            yield home
        finally:
            if before is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = before


@contextlib.contextmanager
def busy_load(processes: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``processes`` CPU-bound processes (each ends by itself after BUSY_LIMIT_S), killed on exit."""
    code = f"import time\nend = time.monotonic() + {BUSY_LIMIT_S}\nwhile time.monotonic() < end:\n    pass\n"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(processes):
            procs.append(subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL))
        yield procs
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait(timeout=10)


def _captured(folder: Path, turn: dict[str, Any]) -> np.ndarray | None:
    name = (turn.get("answer") or {}).get("audio_file")
    path = folder / name if name else None
    return read_wav(path) if path is not None and path.is_file() else None


def _identify(captured: np.ndarray | None, heads: Sequence[np.ndarray], expected: int) -> int | None:
    """Which answer file a turn heard: the one its captured audio begins with, sample for sample."""
    if captured is None or len(captured) == 0:
        return None
    n = min(len(captured), 3 * SAMPLE_RATE)
    order = [expected, *[i for i in range(len(heads)) if i != expected]]
    for i in order:
        if 0 <= i < len(heads) and len(heads[i]) >= n and np.max(np.abs(heads[i][:n] - captured[:n])) < 4 / 32768:
            return i
    return None


def replay_through_practice(
    cfg: Config, answers: Sequence[SpokenAnswer], pace: float, voice: bool, notify: Printer, cold: bool = False
) -> tuple[list[Heard], float | None]:
    """One practice session, one main question per answer file (``--answers wav:FOLDER --no-follow-ups``).

    The models are loaded first, on this thread, so the CPU share while listening is not model
    loading; ``cold`` leaves that to ``run_practice`` (background threads, as ``practice`` starts).
    Returns (answer, saved turn, captured audio, 0) per turn and the CPU share while listening.
    """
    with temporary_home(cfg) as home:
        feed = home / "answers"
        feed.mkdir()
        for i, a in enumerate(answers):
            (feed / f"{i:02d}-{a.voice}-{a.kind}.wav").symlink_to(a.wav)
        run_cfg = dataclasses.replace(
            cfg,
            data_home=home,
            transcripts_dir=home / "transcripts",
            audio=dataclasses.replace(cfg.audio, answers=f"wav:{feed}", replay_pace=pace, push_to_talk=False),
            interview=dataclasses.replace(cfg.interview, questions=len(answers), candidate="turnbench"),
        )
        if not cold:
            shared_transcriber(run_cfg)
            shared_analyzer(run_cfg)
        said: list[tuple[float, str]] = []

        def say(text: str) -> None:
            said.append((time.monotonic(), text))

        def practice_note(text: str) -> None:
            if not text.startswith(("Strength:", "To improve:")):
                notify(f"  practice: {text}")

        read_fd, write_fd = os.pipe()  # a keyboard that never presses Enter
        lines = StdinLines(os.fdopen(read_fd, "r"))
        opts = PracticeOptions(no_voice=not voice, no_follow_ups=True, seed=0)
        try:
            with CpuSampler(time.process_time) as sampler:
                _, folder = run_practice(run_cfg, opts, say, practice_note, lines=lines)
        finally:
            os.close(write_fd)
        data = load_session(folder / "session.json")
        turns = data.get("turns", [])
        heads = [read_wav(a.wav)[: 3 * SAMPLE_RATE] for a in answers]
        captured = [_captured(folder, turn) for turn in turns]
        which = [_identify(c, heads, i) for i, c in enumerate(captured)]
        if not any(w is not None for w in which):  # the WAVs do not say: one file per turn, in order
            notify("  note: no saved answer WAV matched a test file; turns are matched to files by order")
            which = list(range(min(len(turns), len(answers))))
        elif None in which:
            notify(f"  note: {which.count(None)} turn(s) matched no test file and are left out")
        out: list[Heard] = []
        intervals = []
        cursor = 0
        for turn, heard, w in zip(turns, captured, which, strict=False):
            t = turn.get("timings") or {}
            # The listening interval on the monotonic clock: the turn starts as its question is said.
            found = next((k for k in range(cursor, len(said)) if turn.get("question", "\0") in said[k][1]), None)
            if found is not None:
                cursor = found + 1
                if t.get("question_spoken_s") is not None and t.get("endpoint_s") is not None:
                    start = said[found][0]
                    intervals.append((start + t["question_spoken_s"], start + t["endpoint_s"]))
            if w is not None:
                out.append((answers[w], turn, heard, 0))
        return out, sampler.share(intervals, os.cpu_count() or 1)


def _child_config(cfg: Config, home: Path) -> Path:
    """The user's settings for a practice child process, with its transcripts in the scratch home."""
    lines = [
        f"transcripts_dir = {json.dumps(str(home / 'transcripts'))}",
        f"prompts_dir = {json.dumps(str(cfg.prompts_dir))}",
    ]
    for name in ("models", "voice", "audio", "interview"):
        lines.append(f"[{name}]")
        for key, value in dataclasses.asdict(getattr(cfg, name)).items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, int | float | str):
                lines.append(f"{key} = {json.dumps(value)}")
    path = home / "voice-interviewer.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


Heard = tuple[SpokenAnswer, dict[str, Any], np.ndarray | None, int]
"""(answer, saved turn, captured audio, where the answer file began in it, in samples)."""


def mic_through_practice(
    cfg: Config, answers: Sequence[SpokenAnswer], voice: bool, pulse_env: dict[str, str], notify: Printer
) -> tuple[list[Heard], float | None]:
    """``practice --answers mic`` in a child process hearing the PulseAudio virtual microphone.

    Each answer is fed (after MIC_LEAD_S of silence) when the child says it is listening. The
    true end of speech is found in the captured audio itself: where the answer's first word
    appears, plus the file's known speech span (see ``classify``). CPU share: the child's, over its listening
    (from the second answer on: the first overlaps the models loading in the background).
    """
    from ...testing_pulse import feeding

    heard: list[Heard] = []
    with temporary_home(cfg) as home:
        config = _child_config(cfg, home)
        cmd = [sys.executable, "-m", "voice_interviewer", "--config", str(config), "practice", "--answers", "mic"]
        cmd += ["--questions", str(len(answers)), "--no-follow-ups", "--candidate", "turnbench-mic", "--seed", "0"]
        cmd += [] if voice else ["--no-voice"]
        env = {**os.environ, **{k: v for k, v in pulse_env.items() if k != "FIFO"}, HOME_ENV: str(home)}
        env.update(COLUMNS="200", PYTHONUNBUFFERED="1")
        heard_at: list[float] = []
        errors = home / "stderr.txt"
        budget = sum(a.duration_s for a in answers) + 90 * len(answers) + 60
        with (
            feeding(pulse_env["FIFO"], np.zeros(0, np.float32), lead_s=0.0) as feeder,
            errors.open("w") as err_file,
        ):
            child = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err_file, text=True, env=env, cwd=home
            )
            timer = threading.Timer(budget, child.kill)
            timer.start()
            try:
                with CpuSampler(lambda: proc_cpu_seconds(child.pid)) as sampler:
                    assert child.stdout is not None
                    for line in child.stdout:
                        if "Listening" in line and len(heard_at) < len(answers):
                            heard_at.append(time.monotonic())
                            feeder.play(read_wav(answers[len(heard_at) - 1].wav), lead_s=MIC_LEAD_S)
                    child.wait(timeout=60)
            finally:
                timer.cancel()
                if child.poll() is None:
                    child.kill()
                    child.wait(timeout=10)
        if child.returncode != 0:
            tail = errors.read_text(errors="replace").strip().splitlines()[-3:]
            raise VoiceInterviewerError(f"practice --answers mic exited {child.returncode}: {' | '.join(tail)}")
        sessions = list((home / "transcripts").glob("*/*/session.json"))
        if not sessions:
            raise VoiceInterviewerError("practice --answers mic saved no session")
        data = load_session(sessions[0])
        intervals = []
        for i, turn in enumerate(data.get("turns", [])[: len(answers)]):
            answer = answers[i]
            captured = _captured(sessions[0].parent, turn)
            offset = 0
            if captured is not None:
                first, _ = speech_edges(captured, floor_db=-40.0)
                offset = max(0, first - answer.speech_start)
            heard.append((answer, turn, captured, offset))
            t = turn.get("timings") or {}
            if (
                i > 0
                and i < len(heard_at)
                and t.get("endpoint_s") is not None
                and t.get("question_spoken_s") is not None
            ):
                intervals.append((heard_at[i], heard_at[i] + t["endpoint_s"] - t["question_spoken_s"]))
        return heard, sampler.share(intervals, os.cpu_count() or 1)


def whole_file_transcriber(cfg: Config) -> Callable[[np.ndarray], str]:
    """Plain faster-whisper on a whole recording: ``WhisperModel.transcribe(audio, vad_filter=True)``."""
    from faster_whisper import WhisperModel

    path = resolve_model(cfg, "whisper").path
    model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=cfg.models.cpu_threads or 0)

    def transcribe(audio: np.ndarray) -> str:
        segments, _ = model.transcribe(np.asarray(audio, np.float32), vad_filter=True)
        return " ".join(s.text.strip() for s in segments)

    return transcribe
