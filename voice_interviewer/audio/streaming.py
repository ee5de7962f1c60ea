"""Streaming transcription: segments of one answer decoded on a worker thread while it goes on.

Speech is cut into segments at pauses (see ``endpointing`` and ``listener``); each
closed segment is transcribed in order, with the previous segment's words as
context. When the answer ends only the last segment is left to decode. Also the
answer's WAV writer (written as audio arrives), and the two segment helpers the
listener uses (the texts decoded so far; the words said before a resume as context).
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

from ..ports import Transcriber
from ..types import SAMPLE_RATE, Transcript, TranscriptionStats, Word

PAD = int(0.2 * SAMPLE_RATE)  # audio kept around each segment so word edges are not clipped
# Whisper decodes 30-second windows; shorter segments also keep the last one quick to
# decode when the answer ends (a long final segment took 1.8 s after the endpoint; at
# 15 s the WER rose 1.4 points, at 20 s it equals whole-file decoding).
MAX_SEGMENT_S = 20.0
CUT_SEARCH_S = 5.0
CONTEXT_WORDS = 30
# With group_s > 0 each segment is decoded together with the segments before it in its
# group (at most group_s of the answer's timeline: one Whisper window), and that decode
# replaces the words of the whole group. A short segment decoded alone loses the acoustic
# context of its first words (22 spoken answers, scripts/wer_check.py: WER 0.094 segment
# by segment, 0.077 in groups of 20 s, whole file 0.076; groups of 10 s gained nothing).
# The last decode after the endpoint is then up to group_s long, not one segment.
GROUP_S = 20.0


class SpeechProbability(Protocol):
    """The voice activity detector: one speech probability per 512-sample window; ``reset`` clears its state."""

    def process(self, samples: np.ndarray) -> list[float]: ...

    def reset(self) -> None: ...


@dataclass(frozen=True)
class SegmentResult:
    """One decoded segment: the answer sample it starts at, its transcript, and its job number (for ``cancel``)."""

    start_sample: int
    transcript: Transcript
    job: int = 0


class SegmentTranscriber:
    """Transcribes segments in order on one worker thread; ``finish`` merges them.

    ``group_s`` > 0: a segment is decoded together with the earlier segments of its group
    (see GROUP_S); there is still one result per segment, so ``count`` and ``tail`` keep
    their meaning.
    """

    def __init__(self, transcriber: Callable[[], Transcriber], group_s: float = 0.0) -> None:
        self._transcriber = transcriber
        self._group = int(group_s * SAMPLE_RATE)
        self._jobs: queue.Queue[tuple[int, int, np.ndarray] | None] = queue.Queue()
        self._results: list[SegmentResult] = []
        self._next_job = 0
        self._cancelled: set[int] = set()
        self._error: BaseException | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="segment-transcriber", daemon=True)
        self._thread.start()

    def submit(self, start_sample: int, samples: np.ndarray) -> int:
        """Queue a segment; returns its job number (for ``cancel``)."""
        with self._lock:
            job = self._next_job
            self._next_job += 1
        self._jobs.put((job, start_sample, samples))
        return job

    def cancel(self, job: int) -> None:
        """Forget a segment submitted ahead of time that then went on (its words never count).

        Results are dropped by job number, so the others keep their order; only without
        grouped decoding (a group's decode covers its earlier segments too)."""
        if self._group:
            raise ValueError("cancel() needs group_s == 0")
        with self._lock:
            kept = [r for r in self._results if r.job != job]
            if len(kept) == len(self._results):
                self._cancelled.add(job)  # still queued or being decoded: dropped when done
            self._results = kept

    @property
    def count(self) -> int:
        with self._lock:
            return len(self._results)

    def tail(self) -> str:
        with self._lock:
            return self._results[-1].transcript.text if self._results else ""

    def _work(self) -> None:
        group: list[tuple[int, np.ndarray]] = []  # the segments decoded together, in order
        first = 0  # index in _results of the group's first segment
        while True:
            job = self._jobs.get()
            if job is None:
                return
            if self._error is not None:
                continue
            number, start, samples = job
            with self._lock:
                if number in self._cancelled:
                    continue
            if not group or start + len(samples) - group[0][0] > self._group:
                group, first = [], len(self._results)
            group.append((start, samples))
            try:
                with self._lock:
                    said = " ".join(r.transcript.text for r in self._results[:first]).split()
                context = " ".join(said[-CONTEXT_WORDS:]) or None
                audio = _timeline(group)
                transcript, _ = self._transcriber().transcribe(audio, prompt=context)
            except BaseException as exc:  # re-raised in finish() on the caller's thread
                self._error = exc
                continue
            with self._lock:
                if number in self._cancelled:  # went on while it was decoded
                    group.pop()
                    continue
                jobs = [r.job for r in self._results[first:]] + [number]
                parts = _split_by_segment(transcript, group)
                del self._results[first:]
                self._results.extend(SegmentResult(s, t, n) for (s, _), t, n in zip(group, parts, jobs, strict=True))

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


def _timeline(group: list[tuple[int, np.ndarray]]) -> np.ndarray:
    """The group's segments at their places from the first one's start (silence between them)."""
    if len(group) == 1:
        return group[0][1]
    origin = group[0][0]
    audio = np.zeros(max(s + len(x) for s, x in group) - origin, dtype=np.float32)
    for s, x in group:
        audio[s - origin : s - origin + len(x)] = x
    return audio


def _split_by_segment(transcript: Transcript, group: list[tuple[int, np.ndarray]]) -> list[Transcript]:
    """The group's words, each given to the segment its middle falls in (times from that segment's start)."""
    if len(group) == 1:
        return [transcript]
    origin = group[0][0]
    starts = [(s - origin) / SAMPLE_RATE for s, _ in group]
    words: list[list[Word]] = [[] for _ in group]
    for w in transcript.words:
        middle = (w.start_s + w.end_s) / 2
        k = max([i for i, s in enumerate(starts) if s <= middle], default=0)
        shift = starts[k]
        words[k].append(replace(w, start_s=round(w.start_s - shift, 3), end_s=round(w.end_s - shift, 3)))
    return [
        Transcript(" ".join(w.text for w in ws), tuple(ws), round(len(x) / SAMPLE_RATE, 3), transcript.language)
        for ws, (_, x) in zip(words, group, strict=True)
    ]


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


class _Segments(SegmentTranscriber):
    """SegmentTranscriber that also tells the texts decoded so far and how many are done."""

    def texts(self) -> list[str]:
        with self._lock:
            return [r.transcript.text for r in self._results]

    def pieces(self) -> list[tuple[int, str]]:
        """(first sample, text) of each segment decoded so far, in order."""
        with self._lock:
            return [(r.start_sample, r.transcript.text) for r in self._results]


class _WithContext:
    """A transcriber whose first segment (no prompt of its own) gets the words said before a resume."""

    def __init__(self, inner: Transcriber, before: Callable[[], str]) -> None:
        self._inner = inner
        self._before = before
        self.name = inner.name

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[Transcript, TranscriptionStats]:
        return self._inner.transcribe(samples, prompt=prompt or (" ".join(self._before().split()[-30:]) or None))
