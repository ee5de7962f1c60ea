"""``bench voice``: how soon each voice starts speaking, how long synthesis takes, how fast it stops.

Pure timing logic over the ``Speaker`` port (standard library only); ``app.bench.speed.bench_voice``
builds the real voices and hands them in.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ...ports import Clock, Speaker

# 25 words, two sentences: what an interviewer's follow-up sounds like.
BENCH_LINE = (
    "Thanks for walking me through that. What did you personally change in the release process, "
    "and how did you know it had worked for everyone?"
)


@dataclass(frozen=True)
class VoiceUnderTest:
    """One engine as the bench drives it.

    ``synthesize``: synthesises a whole line without playing it and returns its audio seconds;
    ``settle``: returns once no synthesis is left running (from an earlier, stopped line).
    """

    name: str
    speaker: Speaker
    synthesize: Callable[[str], float]
    settle: Callable[[], None]


@dataclass(frozen=True)
class VoiceBenchRow:
    """Milliseconds over ``runs`` runs (after one warm-up run) for one engine."""

    engine: str
    runs: int
    first_audio_median_ms: float  # say() called -> the first audio starts playing
    first_audio_max_ms: float
    synthesis_median_ms: float  # the whole line, without playback
    audio_s: float  # seconds of speech in the line
    stop_median_ms: float  # stop() called -> say() returned
    stop_max_ms: float


def _ms(seconds: list[float], how: Callable[[list[float]], float]) -> float:
    return round(how(seconds) * 1000, 1)


def _say_then_stop(voice: VoiceUnderTest, line: str, clock: Clock) -> tuple[float, float]:
    """(say() -> first audio, stop() -> say() returned) in seconds, for one line stopped as it starts."""
    started = threading.Event()
    times: dict[str, float] = {}

    def first_audio() -> None:
        times.setdefault("start", clock())
        started.set()

    def speak() -> None:
        times["said"] = clock()
        voice.speaker.say(line, on_start=first_audio)
        times["returned"] = clock()

    speaker_thread = threading.Thread(target=speak, name="bench-voice", daemon=True)
    speaker_thread.start()
    if not started.wait(30):
        voice.speaker.stop()
        raise RuntimeError(f"{voice.name}: no audio started within 30 s")
    asked = clock()
    voice.speaker.stop()
    speaker_thread.join(30)
    if speaker_thread.is_alive():
        raise RuntimeError(f"{voice.name}: say() did not return within 30 s of stop()")
    return times["start"] - times["said"], times["returned"] - asked


def measure_voice(
    voice: VoiceUnderTest, line: str = BENCH_LINE, runs: int = 10, clock: Clock = time.perf_counter
) -> VoiceBenchRow:
    """Says ``line`` ``runs`` times, each stopped as soon as its first audio plays; times synthesis alone too."""
    first: list[float] = []
    stops: list[float] = []
    synthesis: list[float] = []
    audio_s = 0.0
    for run in range(runs + 1):  # run 0 warms caches up and is not counted
        voice.settle()
        began = clock()
        audio_s = voice.synthesize(line)
        synthesised = clock() - began
        voice.settle()
        first_audio, stop_latency = _say_then_stop(voice, line, clock)
        if run:
            first.append(first_audio)
            stops.append(stop_latency)
            synthesis.append(synthesised)
    voice.settle()
    return VoiceBenchRow(
        engine=voice.name,
        runs=runs,
        first_audio_median_ms=_ms(first, statistics.median),
        first_audio_max_ms=_ms(first, max),
        synthesis_median_ms=_ms(synthesis, statistics.median),
        audio_s=round(audio_s, 2),
        stop_median_ms=_ms(stops, statistics.median),
        stop_max_ms=_ms(stops, max),
    )
