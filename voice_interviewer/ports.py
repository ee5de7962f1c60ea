"""Small ports (typing.Protocol) behind which each swappable stage sits.

The pure core (``interview``) talks only to these; adapters in
``voice_interviewer.adapters`` implement them with one heavy library each, and
``voice_interviewer.testing`` ships fakes for fast tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from .saved import Feedback
from .types import CapturedAnswer, ListenContext, Transcript, TranscriptionStats, Turn


class Transcriber(Protocol):
    """Speech to text. ``samples`` is mono float32 at 16 kHz; ``prompt``: preceding words, as context."""

    name: str

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[Transcript, TranscriptionStats]: ...


class Embedder(Protocol):
    """Sentences to L2-normalised vectors, shape (n, dim)."""

    name: str

    def embed(self, sentences: list[str]) -> np.ndarray: ...


class Speaker(Protocol):
    """Says the interviewer's words (and prints them); can be cut short (barge-in).

    ``say`` blocks until the words are done or ``stop`` was called. ``on_start`` is called
    the moment the words start (the first audio plays, or the text is printed), so latency
    timings measure what the candidate perceives; a line stopped before any audio played
    never calls it.

    ``stop`` is thread-safe and returns at once: a ``say`` in progress returns within
    200 ms, its playback halted and its remaining sentences neither synthesised nor
    played. It is a no-op when nothing is being said, and the next ``say`` works normally.
    """

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None: ...

    def stop(self) -> None: ...


class AnswerSource(Protocol):
    """Captures the candidate's answer to one turn (typed, microphone, or replayed WAV).

    Returns None when the candidate ends the interview (or the source runs out).
    ``context`` says what was asked, so a spoken answer's end can be judged by its content.
    """

    kind: str

    def capture(self, turn_index: int, context: ListenContext | None = None) -> CapturedAnswer | None: ...


class ResumableSource(AnswerSource, Protocol):
    """A spoken source that keeps listening after an answer ends (barge-in).

    After ``capture`` returns, the stream stays open: ``watch(on_speech)`` arms a callback
    for the candidate speaking again (True if they already did), ``resume`` continues the
    same answer and returns all of it, ``release`` makes the answer final.
    """

    def watch(self, on_speech: Callable[[], None]) -> bool: ...

    def unwatch(self) -> None: ...

    def resume(self, turn_index: int) -> CapturedAnswer | None: ...

    def release(self) -> None: ...


class SessionSink(Protocol):
    """Persists each turn the moment it completes."""

    def record_turn(self, turn: Turn) -> None: ...

    def record_feedback(self, feedback: Feedback) -> None: ...

    def finish(self, complete: bool) -> None: ...


class Clock(Protocol):
    """A monotonic clock in seconds (injected so timings are testable)."""

    def __call__(self) -> float: ...
