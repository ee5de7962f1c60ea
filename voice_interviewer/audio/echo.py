"""Telling the interviewer's own voice from the candidate's, when it plays through speakers.

Pure logic (numpy). The microphone stays open while the interviewer replies, so that a
candidate who was not finished can go on (barge-in). Through speakers, the reply
reaches the microphone too, and the VAD would take it for the candidate. The voice
reports what it plays (``PlaybackReference.played``); while something was playing,
``EchoGate.is_echo`` compares the microphone's loudness contour over the last
``span_s`` with the playback's, at every delay up to ``max_delay_s`` (output buffers
plus the room). Echo follows the playback's contour closely (correlation near 1); a
person talking over it does not. A match means "only our own voice": not a barge-in.

Loudness contours (RMS per 32 ms window) rather than waveforms: they survive the
room, resampling and the sound card's clock, and cost next to nothing.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

import numpy as np

STEP_S = 0.032  # one contour value per VAD window


def contour(samples: np.ndarray, rate: int, step_s: float = STEP_S) -> np.ndarray:
    """RMS of each ``step_s`` stretch of ``samples`` (the last partial stretch dropped)."""
    size = max(1, round(rate * step_s))
    n = len(samples) // size
    if n == 0:
        return np.zeros(0, dtype=np.float32)
    blocks = np.asarray(samples[: n * size], dtype=np.float32).reshape(n, size)
    return np.sqrt(np.mean(np.square(blocks), axis=1))


class PlaybackReference:
    """What the interviewer's voice played and when (monotonic seconds), as a loudness contour."""

    def __init__(self, keep_s: float = 30.0) -> None:
        self._points: deque[tuple[float, float]] = deque()  # (time the stretch started playing, rms)
        self._keep_s = keep_s
        self._lock = threading.Lock()

    def played(self, samples: np.ndarray, rate: int, start: float) -> None:
        """``samples`` at ``rate`` Hz started playing at clock time ``start``."""
        values = contour(samples, rate)
        with self._lock:
            for i, value in enumerate(values):
                self._points.append((start + i * STEP_S, float(value)))
            while self._points and self._points[0][0] < start - self._keep_s:
                self._points.popleft()

    def between(self, t0: float, t1: float) -> np.ndarray:
        """The contour on a STEP_S grid from t0 to t1 (zero where nothing played)."""
        n = max(0, round((t1 - t0) / STEP_S))
        grid = np.zeros(n, dtype=np.float32)
        with self._lock:
            points = [(t, v) for t, v in self._points if t0 - STEP_S <= t < t1]
        for t, v in points:
            i = int((t - t0) / STEP_S)
            if 0 <= i < n:
                grid[i] = max(grid[i], v)
        return grid


class EchoGate:
    """Is what the microphone hears now only the interviewer's voice coming back?"""

    def __init__(
        self,
        reference: PlaybackReference,
        clock: Callable[[], float],
        span_s: float = 0.64,
        max_delay_s: float = 0.6,
        threshold: float = 0.6,
    ) -> None:
        self._ref = reference
        self._clock = clock
        self._span = round(span_s / STEP_S)
        self._max_lag = round(max_delay_s / STEP_S)
        self._threshold = threshold
        self._mic: deque[tuple[float, float]] = deque(maxlen=self._span * 4)

    def heard(self, rms: float, at: float | None = None) -> None:
        """One microphone window's loudness, heard at clock time ``at`` (now by default)."""
        self._mic.append((self._clock() if at is None else at, rms))

    def correlation(self, at: float | None = None) -> float | None:
        """Best match of the microphone's recent contour with the playback's; None if nothing played."""
        if len(self._mic) < self._span:
            return None
        now = self._clock() if at is None else at
        mic = np.array([v for _t, v in list(self._mic)[-self._span :]], dtype=np.float32)
        start = now - self._span * STEP_S
        ref = self._ref.between(start - self._max_lag * STEP_S, now)
        if not ref.any() or float(np.std(mic)) < 1e-6:
            return None
        best = -1.0
        for lag in range(self._max_lag + 1):
            lo = len(ref) - self._span - lag
            if lo < 0:
                break
            seg = ref[lo : lo + self._span]
            if float(np.std(seg)) < 1e-6:
                continue
            best = max(best, float(np.corrcoef(mic, seg)[0, 1]))
        return best if best > -1.0 else None

    def is_echo(self, at: float | None = None) -> bool:
        corr = self.correlation(at)
        return corr is not None and corr >= self._threshold
