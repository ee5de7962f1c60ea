"""End-of-answer detection: an explicit state machine over counted VAD windows.

Pure logic. Each VAD window (512 samples = 32 ms at 16 kHz) brings a speech
probability. States:

    quiet ──(prob >= start_threshold)──▶ starting ──(start_windows in a row)──▶ speaking
      ▲                                     │ (a quiet window)                    │
      └─────────────────────────────────────┘                                     │ prob < stop_threshold
                                                                                  ▼
                               speaking ◀──(prob >= start_threshold)── stopping ──(silence >= wait)──▶ END

The wait in ``stopping`` adapts to what the candidate said last (the streaming
transcript's tail): shorter after a complete sentence, longer after "and",
"so", "um" and other words that leave a clause open. Even the shortest wait is
longer than a 2-second thinking pause. The answer also ends on a hard maximum
length, when no speech starts within ``no_speech_s``, or on a key press (handled
by the caller).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

WINDOW = 512  # samples per VAD window at 16 kHz (32 ms)
WINDOW_S = WINDOW / 16_000


class State(Enum):
    QUIET = "quiet"
    STARTING = "starting"
    SPEAKING = "speaking"
    STOPPING = "stopping"


@dataclass(frozen=True)
class EndpointConfig:
    """All durations in seconds. Defaults suit thinking pauses of a couple of seconds."""

    start_threshold: float = 0.5
    stop_threshold: float = 0.35
    start_s: float = 0.1  # sustained speech needed to count as the answer starting
    wait_complete_s: float = 2.4  # silence that ends the answer after a complete sentence
    wait_default_s: float = 3.0
    wait_open_s: float = 4.0  # after "and", "so", "um"...
    no_speech_s: float = 12.0
    max_answer_s: float = 300.0
    segment_pause_s: float = 0.5  # a pause this long closes a segment for streaming transcription
    segment_pause_long_s: float = 0.25  # ... or this long once the segment is long_segment_s or more
    long_segment_s: float = 8.0
    trailing_words: frozenset[str] = field(
        default_factory=lambda: frozenset(
            [
                "and",
                "so",
                "but",
                "because",
                "um",
                "uh",
                "er",
                "erm",
                "then",
                "which",
                "or",
                "like",
                "the",
                "a",
                "an",
                "to",
                "of",
                "with",
                "for",
                "from",
                "when",
                "if",
                "while",
                "my",
                "our",
                "their",
                "was",
                "were",
            ]
        )
    )


@dataclass(frozen=True)
class EndpointEvent:
    """Something the listener must act on.

    kind: "speech_start", "segment" (a pause closed the segment [start, end) in
    samples), or "end" (reason in ``reason``).
    """

    kind: str
    sample: int
    start: int = 0
    end: int = 0
    reason: str = ""


class Endpointer:
    """Feed one probability per window with ``update``; read events; set the transcript tail."""

    def __init__(self, cfg: EndpointConfig | None = None) -> None:
        self.cfg = cfg or EndpointConfig()
        self.state = State.QUIET
        self.windows = 0
        self._run = 0  # consecutive windows supporting the next transition
        self._silence = 0  # consecutive quiet windows while stopping
        self.speech_start: int | None = None  # sample where speech started
        self.speech_end: int | None = None  # sample after the last voiced window
        self._segment_start: int | None = None
        self._segment_closed = False
        self.tail = ""

    def set_tail(self, text: str) -> None:
        """The latest words of the streaming transcript (to adapt the wait)."""
        self.tail = text

    def required_wait_s(self) -> float:
        words = self.tail.strip().lower().split()
        if not words:
            return self.cfg.wait_default_s
        last = words[-1].strip(",;:-—\"'")
        if words[-1].endswith((".", "?", "!")):
            return self.cfg.wait_complete_s
        if last in self.cfg.trailing_words or words[-1].endswith((",", "-", "—")):
            return self.cfg.wait_open_s
        return self.cfg.wait_default_s

    def update(self, prob: float) -> list[EndpointEvent]:
        cfg = self.cfg
        sample = self.windows * WINDOW
        self.windows += 1
        events: list[EndpointEvent] = []
        voiced = prob >= cfg.start_threshold
        if self.state is State.QUIET:
            if voiced:
                self.state, self._run = State.STARTING, 1
            elif self.windows * WINDOW_S >= cfg.no_speech_s:
                events.append(EndpointEvent("end", sample, reason="no_speech"))
        elif self.state is State.STARTING:
            if voiced:
                self._run += 1
                if self._run * WINDOW_S >= cfg.start_s:
                    self.state = State.SPEAKING
                    start = sample - (self._run - 1) * WINDOW
                    self.speech_start = start if self.speech_start is None else self.speech_start
                    self._segment_start = start if self._segment_start is None else self._segment_start
                    events.append(EndpointEvent("speech_start", start))
            else:
                self.state, self._run = State.QUIET, 0
        elif self.state is State.SPEAKING:
            if prob < cfg.stop_threshold:
                self.state, self._silence = State.STOPPING, 1
                self.speech_end = sample
                self._segment_closed = False
        elif self.state is State.STOPPING:
            if voiced:
                self.state = State.SPEAKING
            else:
                self._silence += 1
                silence_s = self._silence * WINDOW_S
                seg_s = ((self.speech_end or 0) - (self._segment_start or 0)) / 16_000
                pause_needed = cfg.segment_pause_long_s if seg_s >= cfg.long_segment_s else cfg.segment_pause_s
                if not self._segment_closed and silence_s >= pause_needed and self._segment_start is not None:
                    assert self.speech_end is not None
                    events.append(EndpointEvent("segment", sample, self._segment_start, self.speech_end))
                    self._segment_start = None
                    self._segment_closed = True
                if silence_s >= self.required_wait_s():
                    events.append(EndpointEvent("end", sample, reason="silence"))
        if self.state is State.SPEAKING and self._segment_start is None:
            self._segment_start = sample  # speech resumed after a closed segment
        if not any(e.kind == "end" for e in events) and self.windows * WINDOW_S >= cfg.max_answer_s:
            events.append(EndpointEvent("end", sample, reason="max_duration"))
        return events

    def cut_segment(self, at_sample: int) -> None:
        """The open segment was handed out up to ``at_sample``; the next one starts there."""
        self._segment_start = at_sample

    def open_segment(self) -> tuple[int, int] | None:
        """The speech not yet handed out as a segment: (start, end) in samples."""
        if self._segment_start is None:
            return None
        end = self.speech_end if self.state is State.STOPPING and self.speech_end is not None else self.windows * WINDOW
        return (self._segment_start, max(end, self._segment_start))
