"""Streaming transcription: segments of one answer decoded on a worker thread while it goes on.

Speech is cut into segments at pauses (see ``endpointing`` and ``listening``); each
closed segment is transcribed in order, with the previous segment's words as
context. When the answer ends only the last segment is left to decode. Also the
answer's WAV writer (written as audio arrives).
"""

from __future__ import annotations

import os
import queue
import threading
import wave
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from .ports import Transcriber
from .types import SAMPLE_RATE, Transcript, Word

PAD = int(0.2 * SAMPLE_RATE)  # audio kept around each segment so word edges are not clipped
# Whisper decodes 30-second windows; shorter segments also keep the last one quick to
# decode when the answer ends (a long final segment took 1.8 s after the endpoint; at
# 15 s the WER rose 1.4 points, at 20 s it equals whole-file decoding).
MAX_SEGMENT_S = 20.0
CUT_SEARCH_S = 5.0
CONTEXT_WORDS = 30


class SpeechProbability(Protocol):
    def process(self, samples: np.ndarray) -> list[float]: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class SegmentResult:
    start_sample: int
    transcript: Transcript


class SegmentTranscriber:
    """Transcribes segments in order on one worker thread; ``finish`` merges them."""

    def __init__(self, transcriber: Callable[[], Transcriber]) -> None:
        self._transcriber = transcriber
        self._jobs: queue.Queue[tuple[int, np.ndarray] | None] = queue.Queue()
        self._results: list[SegmentResult] = []
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="segment-transcriber", daemon=True)
        self._thread.start()

    def submit(self, start_sample: int, samples: np.ndarray) -> None:
        self._jobs.put((start_sample, samples))

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._results)

    def tail(self) -> str:
        with self._lock:
            return self._results[-1].transcript.text if self._results else ""

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self._error is not None:
                continue
            start, samples = job
            try:
                with self._lock:
                    context = " ".join(r.transcript.text for r in self._results).split()[-CONTEXT_WORDS:]
                transcript, _ = self._transcriber().transcribe(samples, prompt=" ".join(context) or None)
            except BaseException as exc:  # re-raised in finish() on the caller's thread
                self._error = exc
                continue
            with self._lock:
                self._results.append(SegmentResult(start, transcript))

    def finish(self, duration_s: float) -> Transcript:
        """Wait for every submitted segment and return the whole answer's transcript."""
        self._jobs.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
        words: list[Word] = []
        texts: list[str] = []
        for r in self._results:
            offset = r.start_sample / SAMPLE_RATE
            texts.append(r.transcript.text)
            words += [
                replace(w, start_s=round(w.start_s + offset, 3), end_s=round(w.end_s + offset, 3))
                for w in r.transcript.words
            ]
        text = " ".join(t for t in texts if t)
        return Transcript(text, tuple(words), round(duration_s, 3), "en" if text else None)


class WavWriter:
    """Appends 16-bit PCM to a WAV file as audio arrives (a crash keeps what was captured)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # Owner-only (0600): these are recordings of the candidate's voice. The header is
        # written under a temporary name and the file renamed into place, so a kill at any
        # moment never leaves an empty or headerless answer-NN.wav behind.
        part = path.with_name(f".{path.name}.part")
        self._file = os.fdopen(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb")
        self._wav = wave.open(self._file, "wb")  # noqa: SIM115 (both are closed in close())
        self._wav.setnchannels(1)
        self._wav.setsampwidth(2)
        self._wav.setframerate(SAMPLE_RATE)
        self._wav.writeframes(b"")  # writes the header now
        self._file.flush()
        os.replace(part, path)

    def write(self, samples: np.ndarray) -> None:
        self._wav.writeframes((np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes())
        self._file.flush()  # the header's length is patched on every write; the data is in the OS now

    def close(self) -> None:
        self._wav.close()
        self._file.close()
