"""Streaming speech probability with the Silero VAD model that ships inside faster-whisper.

faster-whisper runs Silero over a whole file at once; here the same ONNX session
runs block by block, carrying the model's recurrent state (h, c) and the 64
samples of context from one call to the next, so a live stream gets the same
probabilities as the whole file would (checked in the tests).
"""

from __future__ import annotations

import numpy as np

from ..types import VAD_WINDOW
from .imports import serial_import

WINDOW = VAD_WINDOW
CONTEXT = 64


class SileroSpeechProbability:
    """``process(samples)`` returns one speech probability per complete 512-sample window."""

    def __init__(self) -> None:
        serial_import("faster_whisper.vad")
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self.reset()

    def reset(self) -> None:
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def process(self, samples: np.ndarray) -> list[float]:
        buf = np.concatenate([self._pending, np.asarray(samples, dtype=np.float32)])
        n = len(buf) // WINDOW
        if n == 0:
            self._pending = buf
            return []
        windows = buf[: n * WINDOW].reshape(n, WINDOW)
        contexts = np.concatenate([self._context[None, :], windows[:-1, -CONTEXT:]], axis=0)
        batch = np.concatenate([contexts, windows], axis=1)
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        self._context = windows[-1, -CONTEXT:].copy()
        self._pending = buf[n * WINDOW :]
        return [float(p) for p in np.asarray(out).reshape(n, -1)[:, 0]]
