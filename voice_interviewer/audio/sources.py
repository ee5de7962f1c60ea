"""Typed answers, stdin lines, and WAV files replayed as if spoken into a microphone.

Only the standard library and numpy here. (The microphone stream is ``adapters.sound.MicStream``.)
"""

from __future__ import annotations

import contextlib
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

import numpy as np

from ..types import CHUNK, SAMPLE_RATE, AudioChunk, CapturedAnswer, ListenContext

QUIT_WORDS = {"/quit", "/exit", "/q"}


class StdinLines:
    """Reads lines from a text stream on a daemon thread; None marks end of input.

    A thread lets the microphone source wait for Enter while it keeps draining audio.
    """

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stdin
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._eof = False
        threading.Thread(target=self._pump, name="stdin-lines", daemon=True).start()

    def _pump(self) -> None:
        try:
            for line in self._stream:
                self._lines.put(line.rstrip("\r\n"))
        except (OSError, ValueError):
            pass
        self._lines.put(None)

    def get(self, timeout: float | None = None) -> str | None:
        """Next line; None at end of input. Raises queue.Empty on timeout."""
        if self._eof:
            return None
        line = self._lines.get(timeout=timeout)
        if line is None:
            self._eof = True
        return line

    def poll(self) -> str | bool | None:
        """Non-blocking: a line, None at end of input, or False if nothing is waiting."""
        try:
            return self.get(timeout=0)
        except queue.Empty:
            return False


class TextAnswerSource:
    """Typed answers: lines until an empty line; '/quit' or end of input stops the interview."""

    kind = "text"

    def __init__(self, lines: StdinLines, prompt: Callable[[str], None]) -> None:
        self._lines = lines
        self._prompt = prompt

    def capture(self, turn_index: int, context: ListenContext | None = None) -> CapturedAnswer | None:
        self._prompt("Type your answer, then press Enter on an empty line (/quit to stop).")
        parts: list[str] = []
        while True:
            line = self._lines.get()
            if line is None:
                if not parts:
                    return None
                break
            if line.strip().lower() in QUIT_WORDS:
                return None
            if not line.strip():
                break
            parts.append(line.strip())
        text = " ".join(parts)
        return CapturedAnswer(source="text", end_reason="key" if text else "no_speech", text=text)


class WavReplay:
    """Replays answer files as if spoken into a microphone: 100 ms chunks at real-time pace.

    After each file, silence follows (as when a candidate stops talking) for up to
    ``tail_s`` seconds, so the endpointer can decide the answer is over.
    ``pace``: 1.0 is real time, 0 feeds as fast as possible (for tests of pure logic).
    """

    def __init__(
        self,
        files: list[Path],
        reader: Callable[[Path], np.ndarray],
        pace: float = 1.0,
        tail_s: float = 12.0,  # longer than the longest wait (a hold phrase: 10 s)
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._files = list(files)
        self._reader = reader
        self._pace = pace
        self._tail = int(tail_s * SAMPLE_RATE)
        self._clock = clock
        self._sleep = sleep

    @contextlib.contextmanager
    def open(self, turn_index: int) -> Iterator[Iterator[AudioChunk]]:
        if not self._files:
            yield iter(())
            return
        samples = self._reader(self._files.pop(0))
        yield self._chunks(np.concatenate([samples, np.zeros(self._tail, dtype=np.float32)]))

    def _chunks(self, samples: np.ndarray) -> Iterator[AudioChunk]:
        started = self._clock()
        for start in range(0, len(samples), CHUNK):
            block = samples[start : start + CHUNK]
            if self._pace > 0:
                due = started + (start + len(block)) / SAMPLE_RATE / self._pace
                delay = due - self._clock()
                if delay > 0:
                    self._sleep(delay)
            yield AudioChunk(block, start)
