"""Fakes and signal generators shipped with the package, for fast tests of pure logic.

The same contract tests run against these and against the real adapters.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from .saved import Feedback
from .types import (
    CHUNK,
    SAMPLE_RATE,
    VAD_WINDOW,
    AudioChunk,
    CapturedAnswer,
    ListenContext,
    Transcript,
    TranscriptionStats,
    Turn,
    Utterance,
    Word,
)


class FakeClock:
    """A monotonic clock that moves only when told to (or by ``step`` per call)."""

    def __init__(self, start: float = 100.0, step: float = 0.0) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> float:
        value = self.now
        self.now += self.step
        return value

    def advance(self, seconds: float) -> None:
        self.now += seconds


class RecordingSpeaker:
    """Remembers everything the interviewer said, in order, and every ``stop``.

    ``stops`` holds, for each ``stop()`` call, how many lines had been said by then.
    """

    def __init__(self) -> None:
        self.said: list[str] = []
        self.stops: list[int] = []

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        if on_start:
            on_start()
        self.said.append(text)

    def stop(self) -> None:
        self.stops.append(len(self.said))


class ScriptedAnswerSource:
    """Returns scripted typed answers (or audio) in order, then ends the interview."""

    kind = "text"

    def __init__(self, answers: Iterable[str | np.ndarray]) -> None:
        self._answers = list(answers)
        self.contexts: list[ListenContext | None] = []

    def capture(self, turn_index: int, context: ListenContext | None = None) -> CapturedAnswer | None:
        self.contexts.append(context)
        if not self._answers:
            return None
        item = self._answers.pop(0)
        if isinstance(item, str):
            return CapturedAnswer(source="text", end_reason="key", text=item)
        utt = Utterance(samples=item, end_reason="source_end")
        return CapturedAnswer(source="wav", end_reason="source_end", utterance=utt)


class ScriptedSpokenSource:
    """Spoken answers already transcribed, which the candidate may go on with (barge-in).

    Each answer is a list of parts: the first is what was heard before the end of the
    answer; each further part is said after the interviewer began to reply (``speak_up``
    fires the armed barge-in callback, as the stream's thread would).
    """

    kind = "wav"

    def __init__(self, answers: Iterable[list[str]]) -> None:
        self._answers = [list(a) for a in answers]
        self._parts: list[str] = []
        self._heard: list[str] = []
        self._on_speech: Callable[[], None] | None = None
        self.contexts: list[ListenContext | None] = []
        self.released = 0
        self.resumed = 0

    def _captured(self) -> CapturedAnswer:
        text = " ".join(self._heard)
        transcript = Transcript(text, (), float(len(text.split())) / 2.5)
        return CapturedAnswer(source="wav", end_reason="silence", transcript=transcript, resumed=len(self._heard) - 1)

    def capture(self, turn_index: int, context: ListenContext | None = None) -> CapturedAnswer | None:
        self.contexts.append(context)
        if not self._answers:
            return None
        self._parts = self._answers.pop(0)
        self._heard = [self._parts.pop(0)]
        return self._captured()

    def watch(self, on_speech: Callable[[], None]) -> bool:
        self._on_speech = on_speech
        return False

    def speak_up(self) -> bool:
        """The candidate goes on now (if the script says so): True when the callback fired."""
        if self._parts and self._on_speech is not None:
            self._on_speech()
            return True
        return False

    def unwatch(self) -> None:
        self._on_speech = None

    def resume(self, turn_index: int) -> CapturedAnswer | None:
        self.resumed += 1
        self._heard.append(self._parts.pop(0))
        return self._captured()

    def release(self) -> None:
        self.released += 1
        self._parts = []


class FakeTranscriber:
    """Returns a scripted transcript per call; words spread evenly over the audio."""

    name = "fake-transcriber"

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts = list(texts)
        self.calls = 0
        self.prompts: list[str | None] = []

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[Transcript, TranscriptionStats]:
        text = self._texts[self.calls % len(self._texts)] if self._texts else ""
        self.calls += 1
        self.prompts.append(prompt)
        duration = len(samples) / SAMPLE_RATE
        tokens = text.split()
        step = duration / len(tokens) if tokens else 0.0
        words = tuple(Word(t, round(i * step, 3), round((i + 1) * step, 3)) for i, t in enumerate(tokens))
        return Transcript(text, words, round(duration, 3), "en"), TranscriptionStats(duration, 0.0)


class HashEmbedder:
    """Deterministic bag-of-words embedder: same words -> similar vectors. No model needed."""

    name = "hash-embedder"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def embed(self, sentences: list[str]) -> np.ndarray:
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for row, sentence in enumerate(sentences):
            for token in sentence.lower().split():
                h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
                out[row, h % self.dim] += 1.0 if (h >> 32) & 1 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm > 0:
                out[row] /= norm
        return out


@dataclass
class MemorySink:
    """A SessionSink that keeps turns in memory."""

    turns: list[Turn] = field(default_factory=list)
    finished: bool | None = None
    feedback: Feedback | None = None

    def record_feedback(self, feedback: Feedback) -> None:
        self.feedback = feedback

    def record_turn(self, turn: Turn) -> None:
        same = [i for i, t in enumerate(self.turns) if t.index == turn.index]
        if same:
            self.turns[same[-1]] = turn
        else:
            self.turns.append(turn)

    def finish(self, complete: bool) -> None:
        self.finished = complete


class EnergyVad:
    """A scripted speech-probability stream: loud windows are speech (0.95), quiet ones not (0.02)."""

    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = threshold
        self._pending = np.zeros(0, dtype=np.float32)

    def reset(self) -> None:
        self._pending = np.zeros(0, dtype=np.float32)

    def process(self, samples: np.ndarray) -> list[float]:
        buf = np.concatenate([self._pending, samples])
        n = len(buf) // VAD_WINDOW
        self._pending = buf[n * VAD_WINDOW :]
        rms = np.sqrt((buf[: n * VAD_WINDOW].reshape(n, VAD_WINDOW) ** 2).mean(axis=1)) if n else np.zeros(0)
        return [0.95 if r > self.threshold else 0.02 for r in rms]


def chunked(samples: np.ndarray, size: int = CHUNK) -> list[AudioChunk]:
    """Split audio into microphone-sized chunks."""
    return [AudioChunk(samples[i : i + size], i) for i in range(0, len(samples), size)]


def tone(seconds: float, freq: float = 220.0, amplitude: float = 0.3) -> np.ndarray:
    """A sine tone at SAMPLE_RATE (stands in for voiced audio in pure tests)."""
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (amplitude * np.sin(2 * math.pi * freq * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)
