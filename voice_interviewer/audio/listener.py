"""Listening to one answer: VAD, end of turn from what was said, streaming transcription, barge-in.

Pure logic over ports (audio chunks in, a speech-probability model, a transcriber,
an optional story check and acoustic end-of-turn model, a clock).

A ``Listener`` consumes the chunks of one answer. Speech is cut into segments at
short pauses and each is transcribed on a worker thread while the candidate goes
on (``segments.AnswerSegments``: decoded ahead at a pause, long stretches cut at
quiet gaps). At every pause the listener gathers the signals the endpointer decides
with (``endpointing.TurnSignals``): the words just said, the analyzer's verdict on
the story so far (run on the transcript as it grows, ~30 ms), and the acoustic
end-of-turn probability of the last 8 s. Before a quick ending it waits, bounded,
for the last segment's words, so a finished story is never judged on stale text.

After the end the listener keeps consuming (``watching``): if the candidate speaks
again while the interviewer replies, the same answer resumes (one turn, one WAV,
one transcript). ``answers.StreamingAnswerSource`` runs a listener on its own thread per
answer, so the interview loop can speak while it watches.

The same path serves the microphone and a WAV file replayed at real-time pace.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..ports import Clock, Transcriber
from ..types import SAMPLE_RATE, AudioChunk, ListenContext, Transcript, Word
from .echo import EchoGate, contour
from .endpointing import WINDOW, EndpointConfig, Endpointer, State, StoryVerdict, TurnSignals
from .heard import EndOfTurnModel, Heard, ListenStatus, StoryCheck, end_record, pause_record
from .segments import AnswerSegments
from .streaming import SpeechProbability

SMART_TURN_AT_S = 0.2  # the acoustic model hears the pause once it is this long
# The open segment is decoded ahead of time once a pause is this long, so its words are ready
# when the segment closes (segment_pause_s) and a finished answer can end then; speech again
# before that cancels it. Saves ~0.3 s of dead air per answer for one decode in a few pauses.
SPECULATE_AT_S = 0.15
SMART_TURN_S = 8.0  # ... and the last 8 s of audio (what Smart Turn v3 was trained on)
TRANSCRIPT_WAIT_S = 1.5  # longest the listener blocks for the last segment's words at a pause
STATUS_EVERY_S = 0.25
HOLD_TAIL_WORDS = 12  # a hold phrase counts when it is among the last words said


class Listener:
    """One answer: feed chunks; ``heard()`` after the end; keeps watching for a resume."""

    def __init__(
        self,
        vad: SpeechProbability,
        transcriber: Callable[[], Transcriber],
        clock: Clock,
        cfg: EndpointConfig | None = None,
        context: ListenContext | None = None,
        story: StoryCheck | None = None,
        smart_turn: EndOfTurnModel | None = None,
        on_status: Callable[[ListenStatus], None] | None = None,
        echo: EchoGate | None = None,
    ) -> None:
        self.cfg = cfg or EndpointConfig()
        self._echo = echo
        self.echo_windows = 0  # voiced windows ignored as the interviewer's own voice
        self.endpointer = Endpointer(self.cfg)
        self._vad = vad
        self._vad.reset()
        self._clock = clock
        self._context = context or ListenContext()
        self._story = story
        self._smart = smart_turn
        self._on_status = on_status
        self._audio: list[np.ndarray] = []
        self._whole: np.ndarray | None = None
        self.total = 0
        self._probs: list[float] = []
        self._parts: list[Transcript] = []  # transcripts of the stretches before each resume
        self._segments = AnswerSegments(
            transcriber, lambda: " ".join(p.text for p in self._parts), self._pcm, self.cfg.continuations
        )
        self._checked_text: str | None = None
        self._verdict: StoryVerdict | None = None
        self._pause_smart: float | None = None
        self._pause_smart_ms: float | None = None
        self._story_ms: float | None = None  # the last story check's time
        self._waited_ms: float | None = None  # this pause's wait for the last segment's words
        self._pause_no = 0
        self._pauses: list[dict[str, Any]] = []  # long pauses that did not end the answer
        self._earlier: list[dict[str, Any]] = []  # end decisions undone by a resume
        self._status_at = 0
        self._level = 0.0
        self.reason: str | None = None  # why the answer ended (None while listening)
        self.endpoint_at: float | None = None
        self.audio_start_at: float | None = None  # clock time of the answer's first sample
        self.resumed = 0
        self._end_signals: dict[str, Any] | None = None
        self._end_total = 0  # samples heard when the answer (last) ended
        self._pause_waited = False
        # The stream's thread feeds while the interview's thread reads the result.
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ feeding

    @property
    def listening(self) -> bool:
        return self.reason is None

    def feed(self, chunk: AudioChunk) -> str | None:
        """Consume one chunk. Returns "end" when the answer ended in it, "resume" when it resumed."""
        with self._lock:
            return self._feed(chunk)

    def _feed(self, chunk: AudioChunk) -> str | None:
        samples = chunk.samples
        if self.audio_start_at is None:
            # A block arrives once it has been heard (a microphone callback, a paced replay):
            # its first sample was heard its own length earlier.
            self.audio_start_at = self._clock() - len(samples) / SAMPLE_RATE
        self._audio.append(samples)
        self._whole = None
        self.total += len(samples)
        self._level = float(np.sqrt(np.mean(np.square(samples)))) if len(samples) else 0.0
        outcome: str | None = None
        if self._echo is not None:
            now = self._clock()
            for i, value in enumerate(contour(samples, SAMPLE_RATE)):
                self._echo.heard(float(value), now - (len(samples) - (i + 1) * WINDOW) / SAMPLE_RATE)
        for prob in self._vad.process(samples):
            if self._echo is not None and prob >= self.cfg.start_threshold and self._echo.is_echo():
                prob = 0.0  # our own voice through the speakers, not the candidate
                self.echo_windows += 1
            self._probs.append(prob)
            ep = self.endpointer
            if ep.state is State.STOPPING:
                self._gather_signals()
            was_stopping_for = ep.pause_s
            for event in ep.update(prob):
                if event.kind == "segment":
                    self._segments.submit_or_keep(event.start, event.end)
                elif event.kind == "end":
                    self._ended(event.reason)
                    outcome = "end"
                elif event.kind == "resume":
                    self._resumed()
                    outcome = "resume"
            if ep.state is State.SPEAKING and self._segments.ahead is not None:
                self._segments.cancel_ahead()  # the candidate went on: that segment is not closed after all
            if was_stopping_for >= 1.5 and ep.state is State.SPEAKING:
                self._pauses.append(pause_record(ep, was_stopping_for, self._pause_smart))
        if self.listening:
            self._segments.cut_long(self.endpointer, self._probs, self.total)
            self._status()
        return outcome

    def end_now(self, reason: str) -> None:
        """End the answer from outside (a key press, or the source ran out)."""
        with self._lock:
            if self.listening:
                self.endpointer.end_now()
                self._ended(reason)

    def _pcm(self) -> np.ndarray:
        if self._whole is None:
            self._whole = np.concatenate(self._audio) if len(self._audio) > 1 else self._audio[0]
            self._audio = [self._whole]
        return self._whole

    # ------------------------------------------------------------------ signals at a pause

    def _gather_signals(self) -> None:
        ep = self.endpointer
        cfg = self.cfg
        pause = ep.pause_s
        if pause <= 1.5 * WINDOW / SAMPLE_RATE:  # a new pause
            self._pause_no += 1
            self._pause_smart = self._pause_smart_ms = self._waited_ms = None
            self._pause_waited = False
        if pause >= SPECULATE_AT_S:
            self._segments.decode_ahead(ep.open_segment())
        if self._smart is not None and self._pause_smart is None and pause >= SMART_TURN_AT_S:
            started = time.perf_counter()
            try:
                self._pause_smart = float(self._smart.probability(self._pcm()[-int(SMART_TURN_S * SAMPLE_RATE) :]))
            except Exception:  # a broken model must not end the interview: the other signals decide
                self._smart = None
            self._pause_smart_ms = round((time.perf_counter() - started) * 1000, 1)
        segment_closed = ep.open_segment() is None
        pending = self._segments.done < self._segments.submitted
        if segment_closed and pending and not self._pause_waited and pause >= cfg.wait_done_s - 0.1:
            # About to decide: the words of the last segment are worth a short wait (once a pause).
            self._pause_waited = True
            started = time.perf_counter()
            self._segments.wait(TRANSCRIPT_WAIT_S)
            self._waited_ms = round((time.perf_counter() - started) * 1000, 1)
        texts = self._segments.texts()
        current = segment_closed and len(texts) >= self._segments.submitted
        # The words of the last segment that has any (a last stretch of noise decodes to nothing).
        said = [t for t in (*(p.text for p in self._parts), *texts) if t.strip()]
        tail = said[-1] if said else ""
        if current and self._story is not None:
            text = self._story_text()
            if text != self._checked_text:
                self._checked_text = text
                started = time.perf_counter()
                try:
                    self._verdict = self._story(self._context, text) if text else None
                except Exception:  # the story check is advice; silence rules still apply
                    self._verdict = None
                self._story_ms = round((time.perf_counter() - started) * 1000, 1)
        tail_words = " ".join(tail.split()[-HOLD_TAIL_WORDS:])
        ep.set_signals(TurnSignals(tail_words, current, self._verdict if current else None, self._pause_smart))

    def _story_text(self) -> str:
        """The words so far, for the story check: the same text the answer's transcript will have."""
        said = self._segments.joined(self._segments.pieces(), [p.text for p in self._parts])
        return " ".join(t for t in said if t.strip()).strip()

    # ------------------------------------------------------------------ end and resume

    def _ended(self, reason: str) -> None:
        self.reason = reason
        self.endpoint_at = self._clock()
        self._end_total = self.total
        decision = self.endpointer.decision if reason == "silence" else None
        signals = end_record(self.endpointer, self.cfg, decision, self._pause_smart_ms, self._story_ms, self._waited_ms)
        signals["reason"] = reason
        self._end_signals = signals
        rest = self.endpointer.take_open_segment()
        if rest and rest[1] > rest[0]:
            self._segments.submit_or_keep(*rest)
        elif self._segments.ahead is not None:
            self._segments.cancel_ahead()

    def _resumed(self) -> None:
        if self._end_signals is not None:
            self._earlier.append(self._end_signals)
        self._parts.append(self._segments.finish(self.total))
        self._checked_text = None
        self._verdict = None
        self.reason = None
        self.endpoint_at = None
        self._end_signals = None
        self.resumed += 1

    def close(self) -> None:
        """Stop any transcription worker still running (the answer is final)."""
        with self._lock:
            if self._segments.stretch is not None:
                self._segments.finish(self.total)

    def heard(self) -> Heard:
        """The answer so far (waits for the last segment's words). Valid after the end."""
        with self._lock:
            return self._heard()

    def heard_if_ended(self) -> Heard | None:
        """``heard()``, or None when the candidate has gone on since the end (checked atomically)."""
        with self._lock:
            return None if self.listening else self._heard()

    def _heard(self) -> Heard:
        end_total = self._end_total if self.reason is not None else self.total
        self._parts.append(self._segments.finish(end_total))  # a resume starts fresh workers
        transcript = _merge(self._parts, end_total / SAMPLE_RATE)
        self._parts = [transcript]
        ep = self.endpointer
        reason = self.reason or "source_end"
        if ep.speech_start is None:
            reason = "no_speech" if reason in ("silence", "no_speech", "source_end") else reason
        start_s = ep.speech_start / SAMPLE_RATE if ep.speech_start is not None else None
        end_s = None
        if ep.speech_start is not None:
            end_s = (ep.speech_end if ep.speech_end is not None else end_total) / SAMPLE_RATE
        signals = dict(self._end_signals or {"reason": reason})
        signals["pauses"] = list(self._pauses)
        signals["echo_windows"] = self.echo_windows
        if self._earlier:
            signals["resumed_after"] = list(self._earlier)
        samples = self._pcm()[:end_total] if self._audio else np.zeros(0, dtype=np.float32)
        return Heard(
            samples,
            transcript,
            reason,
            start_s,
            end_s,
            self.endpoint_at if self.endpoint_at is not None else self._clock(),
            self._segments.total,
            signals,
            self.resumed,
            self.audio_start_at,
        )

    def _status(self) -> None:
        if self._on_status is None or self.total - self._status_at < STATUS_EVERY_S * SAMPLE_RATE:
            return
        self._status_at = self.total
        ep = self.endpointer
        self._on_status(
            ListenStatus(
                elapsed_s=self.total / SAMPLE_RATE,
                level=self._level,
                speaking=ep.state is State.SPEAKING,
                pause_s=ep.pause_s,
                started=ep.speech_start is not None,
                resumed=self.resumed,
            )
        )


def _merge(parts: list[Transcript], duration_s: float) -> Transcript:
    words: list[Word] = [w for p in parts for w in p.words]
    text = " ".join(p.text for p in parts if p.text)
    return Transcript(text, tuple(words), round(duration_s, 3), "en" if text else None)
