"""Small ports (typing.Protocol) behind which each swappable stage sits.

The pure core (``interview``) talks only to these; adapters in
``voice_interviewer.adapters`` implement them with one heavy library each, and
``voice_interviewer.testing`` ships fakes for fast tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from .types import CapturedAnswer, Transcript, TranscriptionStats, Turn


class Transcriber(Protocol):
    """Speech to text. ``samples`` is mono float32 at 16 kHz; ``prompt``: preceding words, as context."""

    name: str

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[Transcript, TranscriptionStats]: ...


class Embedder(Protocol):
    """Sentences to L2-normalised vectors, shape (n, dim)."""

    name: str

    def embed(self, sentences: list[str]) -> np.ndarray: ...


class Speaker(Protocol):
    """Says the interviewer's words (and prints them). Blocks until done.

    ``on_start`` is called the moment the words start (audio playback begins, or the
    text is printed), so latency timings measure what the candidate perceives.
    """

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None: ...


class AnswerSource(Protocol):
    """Captures the candidate's answer to one turn (typed, microphone, or replayed WAV).

    Returns None when the candidate ends the interview (or the source runs out).
    """

    kind: str

    def capture(self, turn_index: int) -> CapturedAnswer | None: ...


class SessionSink(Protocol):
    """Persists each turn the moment it completes."""

    def record_turn(self, turn: Turn) -> None: ...

    def record_feedback(self, feedback: dict[str, object]) -> None: ...

    def finish(self, complete: bool) -> None: ...


class Clock(Protocol):
    """A monotonic clock in seconds (injected so timings are testable)."""

    def __call__(self) -> float: ...
