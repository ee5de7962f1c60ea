"""``devices`` and ``mic-test``: the audio devices and a live microphone level."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..config import Config
from ..types import SAMPLE_RATE, VAD_WINDOW

if TYPE_CHECKING:  # the adapter (and onnxruntime) is imported only when the model is loaded
    from ..adapters.sound import Device


def list_devices() -> list[Device]:
    """The audio input and output devices (PortAudio), for ``devices``."""
    from ..adapters.sound import list_devices as query_devices

    return query_devices()


@dataclass(frozen=True)
class MicTestResult:
    """What ``mic-test`` heard: seconds listened, seconds of speech, peak level (dBFS) and input overflows."""

    seconds: float
    speech_s: float
    peak_dbfs: float
    overflows: int


def mic_test(cfg: Config, seconds: float, on_level: Callable[[float, float], None]) -> MicTestResult:
    """Listen for ``seconds``; report each 100 ms block's level (dBFS) and speech probability."""
    import math

    import numpy as np

    from ..adapters.sound import MicStream
    from ..adapters.vad import SileroSpeechProbability

    mic = MicStream(cfg.audio.input_device)
    vad = SileroSpeechProbability()
    heard = speech = 0
    peak = -120.0
    with mic.open() as chunks:
        for chunk in chunks:
            rms = float(np.sqrt(np.mean(chunk.samples**2))) if len(chunk.samples) else 0.0
            level = 20 * math.log10(rms) if rms > 1e-6 else -120.0
            probs = vad.process(chunk.samples)
            prob = max(probs) if probs else 0.0
            speech += sum(VAD_WINDOW for p in probs if p >= 0.5)
            peak = max(peak, level)
            on_level(level, prob)
            heard += len(chunk.samples)
            if heard >= seconds * SAMPLE_RATE:
                break
    return MicTestResult(heard / SAMPLE_RATE, speech / SAMPLE_RATE, round(peak, 1), mic.overflows)
