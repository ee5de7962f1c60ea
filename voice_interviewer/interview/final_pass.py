"""The saved transcript: each finished answer decoded again, whole, at the lowest CPU priority.

Two passes, as speech products commonly do. The streaming pass (``streaming``) decodes an
answer in segments while the candidate speaks, greedily, so that the interviewer can judge
the end of the answer and reply within a second; its words choose the follow-up. But a
segment decoded alone loses the acoustic context of its first words (22 spoken answers,
scripts/wer_check.py: WER 0.094 segment by segment against 0.059 for faster-whisper on the
whole file). Once an answer is final (the next one starts), this pass decodes its whole
audio again with beam search, as ``transcribe FILE`` does, and the interview replaces the
turn's transcript and analysis with it. The new analysis is made on the same thread (the
``then`` step of a job), so swapping it in costs the interview nothing: done by the
interview, it was 0.1-0.2 s between the last answer and the feedback on a busy CPU.

The pass runs on one worker thread at nice 10, and builds its transcriber on that thread,
so the decoder's own threads inherit the priority: next to the streaming decode of the next
answer, at normal priority, it gets about a tenth of the CPU (Linux's CFS weights 110 vs
1024), and otherwise the idle CPU. (At nice 19 it starved behind any busy process.) If it has not
finished when the interview ends, the interview waits for it (bounded) before the feedback.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ..ports import Transcriber
from ..types import Transcript

NICE = 10


def lower_priority(nice: int = NICE) -> bool:
    """Give the calling thread (and threads it starts later) the CPU only when it is idle (Linux)."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):  # not Linux, or not allowed: run at normal priority
        return False
    return True


Then = Callable[[Transcript], Any]  # what to make of a final transcript, on the worker (its analysis)


class FinalPass:
    """Decodes submitted answers in order on a low-priority thread; results are taken by key."""

    def __init__(self, transcriber: Callable[[], Transcriber], nice: int = NICE) -> None:
        self._factory = transcriber
        self._nice = nice
        self._jobs: queue.Queue[tuple[int, np.ndarray, Then | None] | None] = queue.Queue()
        self._done: dict[int, tuple[Transcript, Any]] = {}
        self._pending: set[int] = set()
        self.failures: dict[int, str] = {}  # key -> why that answer kept its streaming transcript
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._work, name="final-pass", daemon=True)
        self._thread.start()

    def submit(self, key: int, samples: np.ndarray, then: Then | None = None) -> None:
        """Queue ``samples``; ``then(transcript)`` runs on the worker after the decode (None if it fails)."""
        with self._cond:
            self._pending.add(key)
            self._done.pop(key, None)
        self._jobs.put((key, samples, then))

    def take_ready(self) -> dict[int, tuple[Transcript, Any]]:
        """The (transcript, ``then`` result) pairs finished so far (each handed out once)."""
        with self._cond:
            ready, self._done = self._done, {}
            return ready

    def wait(self, timeout_s: float) -> dict[int, tuple[Transcript, Any]]:
        """Wait (at most ``timeout_s``) for every submitted answer, then take what is ready."""
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self._pending and (left := deadline - time.monotonic()) > 0:
                self._cond.wait(left)
        return self.take_ready()

    def close(self, timeout_s: float = 120.0) -> None:
        """Stop the worker after the answers already submitted, and wait for it.

        The decoder must be freed on the worker while the interpreter is alive: a CTranslate2
        model torn down with the process aborted it ("terminate called without an active
        exception", practice through the microphone)."""
        self._jobs.put(None)
        self._thread.join(timeout_s)

    def _work(self) -> None:
        lower_priority(self._nice)
        transcriber: Transcriber | None = None
        while (job := self._jobs.get()) is not None:
            key, samples, then = job
            result: Transcript | None = None
            made: Any = None
            try:
                transcriber = transcriber or self._factory()
                result, _stats = transcriber.transcribe(samples)
            except Exception as exc:  # the streaming transcript stays; the interview goes on
                self.failures[key] = f"{type(exc).__name__}: {exc}"
            if result is not None and then is not None:
                try:
                    made = then(result)
                except Exception:  # the interview makes it itself when it takes the transcript
                    made = None
            with self._cond:
                self._pending.discard(key)
                if result is not None:
                    self._done[key] = (result, made)
                self._cond.notify_all()
        del transcriber  # freed here, on this thread (see close)


class FinalVersions:
    """Which version of each answer went to the second pass, and which results still fit it.

    An answer can be resumed after its audio was submitted (a barge-in): a result for the
    shorter audio is then dropped, and the longer audio is submitted when it is final.
    """

    def __init__(self, final: FinalPass | None) -> None:
        self._final = final
        self._submitted: dict[int, int] = {}  # turn index -> samples submitted
        self._heard: dict[int, int] = {}  # turn index -> samples of the answer as it stands

    def heard(self, index: int, samples: np.ndarray | None) -> None:
        """The answer of turn ``index`` is now ``samples`` long (captured or resumed)."""
        if samples is not None:
            self._heard[index] = len(samples)

    def submit(self, index: int, samples: np.ndarray | None, then: Then | None = None) -> None:
        """Queue the answer's audio for the second pass (once per version of the answer)."""
        if self._final is None or samples is None or not len(samples) or self._submitted.get(index) == len(samples):
            return
        self._submitted[index] = len(samples)
        self._final.submit(index, samples, then)

    def ready(self, wait_s: float) -> list[tuple[int, Transcript, Any]]:
        """(index, final transcript, ``then`` result) ready now (waiting up to ``wait_s``), of
        answers not resumed since."""
        if self._final is None:
            return []
        ready = self._final.wait(wait_s) if wait_s > 0 else self._final.take_ready()
        return [(i, t, m) for i, (t, m) in sorted(ready.items()) if self._submitted.get(i) == self._heard.get(i)]
