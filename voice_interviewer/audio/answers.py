"""Answers from a listener: ``listen`` hears one answer from a chunk iterator (blocking), and
``StreamingAnswerSource`` (the ``AnswerSource`` port) runs a ``listener.Listener`` on its own
thread per answer, so the interview loop can speak while it watches for a resume.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np

from ..ports import Clock, Transcriber
from ..types import AudioChunk, CapturedAnswer, ListenContext, Utterance
from .echo import EchoGate
from .endpointing import EndpointConfig
from .heard import EndOfTurnModel, Heard, ListenStatus, StoryCheck
from .listener import Listener
from .streaming import SpeechProbability, WavWriter


def listen(
    chunks: Any,
    vad: SpeechProbability,
    transcriber: Callable[[], Transcriber],
    clock: Clock,
    cfg: EndpointConfig | None = None,
    on_chunk: Callable[[np.ndarray], None] = lambda _s: None,
    should_stop: Callable[[], bool] = lambda: False,
    context: ListenContext | None = None,
    story: StoryCheck | None = None,
    smart_turn: EndOfTurnModel | None = None,
) -> Heard:
    """Consume audio until the answer ends (no barge-in watching): the simple, synchronous form."""
    listener = Listener(vad, transcriber, clock, cfg, context, story, smart_turn)
    for chunk in chunks:
        on_chunk(chunk.samples)
        if listener.feed(chunk) == "end":
            break
        if should_stop():
            listener.end_now("key")
            break
    listener.end_now("source_end")
    return listener.heard()


ChunkStream = Callable[[int], AbstractContextManager[Iterator[AudioChunk]]]
WATCHED_REASONS = ("silence",)  # a key press, the cap or no speech are not undone by more speech


class _OpenAnswer:
    """One answer's audio stream, read on its own thread: listening, then watching for a resume.

    Audio heard while watching is kept in memory and written to the answer's WAV only when
    the candidate resumes (then it is part of the answer); otherwise it is dropped.
    """

    def __init__(
        self,
        open_stream: ChunkStream,
        turn_index: int,
        listener: Listener,
        writer: WavWriter,
        should_stop: Callable[[], bool],
    ) -> None:
        self.listener = listener
        self._writer = writer
        self._should_stop = should_stop
        self._events: queue.Queue[str] = queue.Queue()
        self._stop = threading.Event()
        self._on_speech: Callable[[], None] | None = None
        self._resume_seen = False
        self._held: list[np.ndarray] = []
        self._lock = threading.Lock()
        self.error: BaseException | None = None
        self.got_audio = False
        self._thread = threading.Thread(
            target=self._run, args=(open_stream, turn_index), name=f"answer-{turn_index}", daemon=True
        )
        self._thread.start()

    def _run(self, open_stream: ChunkStream, turn_index: int) -> None:
        try:
            with open_stream(turn_index) as chunks:
                for chunk in chunks:
                    if self._stop.is_set():
                        break
                    self.got_audio = True
                    if self.listener.listening:
                        self._writer.write(chunk.samples)
                    else:
                        self._held.append(chunk.samples)
                    outcome = self.listener.feed(chunk)
                    if outcome == "resume":
                        self._on_resume()
                    elif outcome == "end":
                        self._ended()
                    elif self.listener.listening and self._should_stop():
                        self.listener.end_now("key")
                        self._ended()
                    if not self.listener.listening and self.listener.reason not in WATCHED_REASONS:
                        break  # nothing to watch for
        except BaseException as exc:  # re-raised on the interview's thread
            self.error = exc
        finally:
            if self.listener.listening:
                self.listener.end_now("source_end")
                self._ended()
            self._events.put("closed")

    def _ended(self) -> None:
        self._held = []
        self._events.put("end")

    def _on_resume(self) -> None:
        for block in self._held:
            self._writer.write(block)  # the gap and the new words are part of the answer now
        self._held = []
        with self._lock:
            self._resume_seen = True
            callback = self._on_speech
        if callback is not None:
            callback()

    def wait_end(self) -> None:
        """Block until the answer ends (or the stream closes)."""
        while True:
            event = self._events.get()
            if event == "end" or event == "closed":
                if event == "closed":
                    self._events.put("closed")  # later waits see it too
                if self.error is not None:
                    raise self.error
                return

    def watch(self, on_speech: Callable[[], None]) -> bool:
        """Call ``on_speech`` (from the stream's thread) when the candidate resumes; True if already."""
        with self._lock:
            self._on_speech = on_speech
            return self._resume_seen

    def unwatch(self) -> None:
        with self._lock:
            self._on_speech = None

    @property
    def resumed(self) -> bool:
        with self._lock:
            return self._resume_seen

    def take_resume(self) -> None:
        with self._lock:
            self._resume_seen = False

    def wait_heard(self) -> Heard:
        """Wait for the end of the answer and take what was heard.

        An end the candidate spoke past before the interviewer took it (a resume between the
        end and ``heard``) is no end: the same answer goes on. Taking it then had ended the
        answer there as "source_end" and closed the stream on the rest (bench turns, once).
        """
        while True:
            self.wait_end()
            heard = self.listener.heard_if_ended()
            if heard is not None:
                return heard
            # The stream's thread marks the resume just after the listener took it: wait for
            # the mark and clear it, so no later reply mistakes it for a barge-in.
            deadline = time.monotonic() + 1.0
            while not self.resumed and time.monotonic() < deadline:
                time.sleep(0.005)
            self.take_resume()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5.0)
        self._writer.close()
        self.listener.close()


class StreamingAnswerSource:
    """Answers spoken into a chunk stream (microphone or replayed WAV), endpointed and transcribed live.

    ``capture`` returns at the end of the answer while the stream stays open: ``watch``
    arms barge-in (the candidate speaking again while the interviewer replies),
    ``resume`` continues the same answer, ``release`` closes it for good.
    """

    def __init__(
        self,
        kind: str,
        open_stream: ChunkStream | None,
        vad: Callable[[], SpeechProbability],
        transcriber: Callable[[], Transcriber],
        clock: Clock,
        audio_path: Callable[[int], Path],
        cfg: EndpointConfig | None = None,
        should_stop: Callable[[], bool] = lambda: False,
        wait_to_start: Callable[[], bool] | None = None,
        prompt: Callable[[str], None] = lambda _m: None,
        overflows: Callable[[], int] = lambda: 0,
        story: StoryCheck | None = None,
        smart_turn: Callable[[], EndOfTurnModel | None] = lambda: None,
        on_status: Callable[[ListenStatus | None], None] | None = None,
        echo: Callable[[], EchoGate | None] = lambda: None,
    ) -> None:
        self.kind = kind
        self._echo = echo
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
        self._story = story
        self._smart_turn = smart_turn
        self._on_status = on_status
        self._current: _OpenAnswer | None = None
        self._overflows_before = 0
        self._path: Path | None = None

    def capture(self, turn_index: int, context: ListenContext | None = None) -> CapturedAnswer | None:
        self.release()
        if self._open is None:
            return None
        if self._wait_to_start is not None and not self._wait_to_start():
            return None  # push-to-talk: the candidate ended the interview instead of starting
        self._path = path = self._audio_path(turn_index)
        self._overflows_before = self._overflows()
        listener = Listener(
            self._vad(),
            self._transcriber,
            self._clock,
            self._cfg,
            context,
            self._story,
            self._smart_turn(),
            self._on_status,
            self._echo(),
        )
        self._prompt("Listening... (Enter = I'm done)")
        answer = _OpenAnswer(self._open, turn_index, listener, WavWriter(path), self._should_stop)
        self._current = answer
        try:
            heard = answer.wait_heard()
        except BaseException:
            self.release()
            raise
        if not answer.got_audio:
            self.release()
            return None  # the source has no more answers
        return self._captured(heard)

    def _captured(self, heard: Heard) -> CapturedAnswer:
        answer = self._current
        assert answer is not None and self._path is not None
        if self._on_status is not None:
            self._on_status(None)  # the status line is done
        lost = self._overflows() - self._overflows_before
        if lost:
            self._prompt(f"Warning: {lost} audio block(s) were lost (input overflow); the computer was too busy.")
        utterance = Utterance(heard.samples, heard.end_reason, str(self._path))  # type: ignore[arg-type]
        if heard.end_reason not in WATCHED_REASONS:
            self.release()
        return CapturedAnswer(
            overflows=lost,
            source=self.kind,  # type: ignore[arg-type]
            end_reason=heard.end_reason,  # type: ignore[arg-type]
            utterance=utterance,
            speech_start_s=heard.speech_start_s,
            speech_end_s=heard.speech_end_s,
            transcript=heard.transcript,
            endpoint_at=heard.endpoint_at,
            audio_start_at=heard.audio_start_at,
            end_signals=heard.end_signals,
            resumed=heard.resumed,
        )

    def watch(self, on_speech: Callable[[], None]) -> bool:
        """Arm barge-in for the last answer. Returns True when the candidate already resumed."""
        if self._current is None:
            return False
        return self._current.watch(on_speech)

    def unwatch(self) -> None:
        if self._current is not None:
            self._current.unwatch()

    def resume(self, turn_index: int) -> CapturedAnswer | None:
        """The candidate went on: keep listening to the same answer; the whole answer at its end."""
        answer = self._current
        if answer is None:
            return None
        answer.take_resume()
        return self._captured(answer.wait_heard())

    def release(self) -> None:
        """The last answer is final: stop watching and close its stream and WAV."""
        if self._current is not None:
            self._current.close()
            self._current = None
