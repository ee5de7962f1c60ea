"""Listening to one answer: VAD endpointing plus transcription while the candidate speaks.

Pure logic over ports (audio chunks in, a speech-probability model, a
transcriber, a clock). Speech is cut into segments at pauses (see
``endpointing``); each closed segment is transcribed on a worker thread while
capture goes on, with the previous segment's words as context. When the
answer ends only the last segment is left to decode.

The same path serves the microphone and a WAV file replayed at real-time pace.
"""

from __future__ import annotations

import os
import queue
import threading
import wave
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

import numpy as np

from .endpointing import WINDOW, EndpointConfig, Endpointer
from .ports import Clock, Transcriber
from .types import SAMPLE_RATE, AudioChunk, CapturedAnswer, Transcript, Utterance, Word

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


@dataclass(frozen=True)
class Heard:
    """What listening produced (sample-based times, plus the clock time of the endpoint)."""

    samples: np.ndarray
    transcript: Transcript
    end_reason: str
    speech_start_s: float | None
    speech_end_s: float | None
    endpoint_at: float
    segments: int


def listen(
    chunks: Iterable[AudioChunk],
    vad: SpeechProbability,
    transcriber: Callable[[], Transcriber],
    clock: Clock,
    cfg: EndpointConfig | None = None,
    on_chunk: Callable[[np.ndarray], None] = lambda _s: None,
    should_stop: Callable[[], bool] = lambda: False,
) -> Heard:
    """Consume audio until the answer ends; transcribe segments as they close."""
    endpointer = Endpointer(cfg)
    segments = SegmentTranscriber(transcriber)
    vad.reset()
    audio: list[np.ndarray] = []
    total = 0
    reason = "source_end"
    max_segment = int(MAX_SEGMENT_S * SAMPLE_RATE)

    def submit(start: int, end: int) -> None:
        whole = np.concatenate(audio) if len(audio) > 1 else audio[0]
        lo, hi = max(0, start - PAD), min(len(whole), end + PAD)
        segments.submit(lo, whole[lo:hi])

    probs: list[float] = []
    done = False
    for chunk in chunks:
        audio.append(chunk.samples)
        total += len(chunk.samples)
        on_chunk(chunk.samples)
        for prob in vad.process(chunk.samples):
            probs.append(prob)
            for event in endpointer.update(prob):
                if event.kind == "segment":
                    submit(event.start, event.end)
                    endpointer.set_tail(segments.tail())
                elif event.kind == "end":
                    reason, done = event.reason, True
        open_seg = endpointer.open_segment()
        if not done and open_seg and open_seg[1] - open_seg[0] >= max_segment:
            # A monologue with no pause: cut before Whisper's 30 s window, at the quietest
            # window of the last CUT_SEARCH_S seconds (between words, not inside one).
            lo = max(open_seg[0] + 1, open_seg[1] - int(CUT_SEARCH_S * SAMPLE_RATE)) // WINDOW
            hi = max(lo + 1, open_seg[1] // WINDOW)
            cut = (lo + int(np.argmin(probs[lo:hi]))) * WINDOW if probs[lo:hi] else open_seg[1]
            submit(open_seg[0], cut)
            endpointer.cut_segment(cut)
        endpointer.set_tail(segments.tail())
        if not done and should_stop():
            reason, done = "key", True
        if done:
            break
    endpoint_at = clock()
    rest = endpointer.open_segment()
    if rest and rest[1] > rest[0]:
        submit(*rest)
    samples = np.concatenate(audio) if audio else np.zeros(0, dtype=np.float32)
    transcript = segments.finish(len(samples) / SAMPLE_RATE)
    if endpointer.speech_start is None:
        reason = "no_speech" if reason in ("silence", "no_speech", "source_end") else reason
    start_s = endpointer.speech_start / SAMPLE_RATE if endpointer.speech_start is not None else None
    end_s = None
    if endpointer.speech_start is not None:
        end_sample = endpointer.speech_end if endpointer.speech_end is not None else total
        end_s = end_sample / SAMPLE_RATE
    return Heard(samples, transcript, reason, start_s, end_s, endpoint_at, segments.count)


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


ChunkStream = Callable[[], AbstractContextManager[Iterator[AudioChunk]]]


class StreamingAnswerSource:
    """Answers spoken into a chunk stream (microphone or replayed WAV), endpointed and transcribed live.

    The stream is opened only while the candidate answers, so the interviewer's own voice is
    never captured (half-duplex).
    """

    def __init__(
        self,
        kind: str,
        open_stream: Callable[[int], AbstractContextManager[Iterator[AudioChunk]]] | None,
        vad: Callable[[], SpeechProbability],
        transcriber: Callable[[], Transcriber],
        clock: Clock,
        audio_path: Callable[[int], Path],
        cfg: EndpointConfig | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        wait_to_start: Callable[[], bool] | None = None,
        prompt: Callable[[str], None] = lambda _m: None,
        overflows: Callable[[], int] = lambda: 0,
    ) -> None:
        self.kind = kind
        self._open = open_stream
        self._vad = vad
        self._transcriber = transcriber
        self._clock = clock
        self._audio_path = audio_path
        self._cfg = cfg
        self._should_stop = should_stop
        self._wait_to_start = wait_to_start
        self._prompt = prompt
        self._overflows = overflows

    def capture(self, turn_index: int) -> CapturedAnswer | None:
        if self._open is None:
            return None
        if self._wait_to_start is not None and not self._wait_to_start():
            return None  # push-to-talk: the candidate ended the interview instead of starting
        path = self._audio_path(turn_index)
        overflows_before = self._overflows()
        writer = WavWriter(path)
        try:
            with self._open(turn_index) as chunks:
                first = next(chunks, None)
                if first is None:
                    return None  # the source has no more answers
                self._prompt("Listening... (press Enter to finish your answer)")
                heard = listen(
                    _prepend(first, chunks),
                    self._vad(),
                    self._transcriber,
                    self._clock,
                    self._cfg,
                    on_chunk=writer.write,
                    should_stop=self._should_stop,
                )
        finally:
            writer.close()
        lost = self._overflows() - overflows_before
        if lost:
            self._prompt(f"Warning: {lost} audio block(s) were lost (input overflow); the computer was too busy.")
        utterance = Utterance(heard.samples, heard.end_reason, str(path))  # type: ignore[arg-type]
        return CapturedAnswer(
            overflows=lost,
            source=self.kind,  # type: ignore[arg-type]
            end_reason=heard.end_reason,  # type: ignore[arg-type]
            utterance=utterance,
            speech_start_s=heard.speech_start_s,
            speech_end_s=heard.speech_end_s,
            transcript=heard.transcript,
            endpoint_at=heard.endpoint_at,
        )


def _prepend(first: AudioChunk, rest: Iterator[AudioChunk]) -> Iterator[AudioChunk]:
    yield first
    yield from rest
