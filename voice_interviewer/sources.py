"""Answer sources: typed text, a WAV file, or the microphone (through an injected recorder).

Only the standard library and numpy here; the sounddevice recorder is passed in.
"""

from __future__ import annotations

import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, TextIO

import numpy as np

from .types import CapturedAnswer, Utterance

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

    def capture(self, turn_index: int) -> CapturedAnswer | None:
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


class WavFileAnswerSource:
    """Answers from audio files, one per question, in order; stops when they run out.

    ``reader`` decodes a file to 16 kHz mono float32 (the audio_file adapter).
    """

    kind = "wav"

    def __init__(self, files: list[Path], reader: Callable[[Path], np.ndarray]) -> None:
        self._files = list(files)
        self._reader = reader

    def capture(self, turn_index: int) -> CapturedAnswer | None:
        if not self._files:
            return None
        path = self._files.pop(0)
        samples = self._reader(path)
        utterance = Utterance(samples=samples, end_reason="source_end", audio_file=str(path))
        return CapturedAnswer(source="wav", end_reason="source_end", utterance=utterance)


class Recorder(Protocol):
    def record(self, wav_path: Path, should_stop: Callable[[], bool]) -> Utterance: ...


class MicAnswerSource:
    """Records from the microphone until the candidate presses Enter (or the time cap)."""

    kind = "mic"

    def __init__(
        self,
        recorder: Recorder,
        lines: StdinLines,
        audio_path: Callable[[int], Path],
        prompt: Callable[[str], None],
    ) -> None:
        self._recorder = recorder
        self._lines = lines
        self._audio_path = audio_path
        self._prompt = prompt

    def capture(self, turn_index: int) -> CapturedAnswer | None:
        self._prompt("Recording: answer out loud, press Enter when you are done (/quit + Enter to stop).")
        state = {"quit": False}

        def should_stop() -> bool:
            line = self._lines.poll()
            if line is False:
                return False
            if line is None or str(line).strip().lower() in QUIT_WORDS:
                state["quit"] = True
            return True

        utterance = self._recorder.record(self._audio_path(turn_index), should_stop)
        if state["quit"] and utterance.duration_s < 0.5:
            return None
        return CapturedAnswer(source="mic", end_reason=utterance.end_reason, utterance=utterance)
