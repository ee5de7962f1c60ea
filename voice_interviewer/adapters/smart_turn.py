"""End-of-turn probability from Smart Turn v3.2 (by Daily, BSD-2-Clause) on ONNX Runtime.

Smart Turn is a Whisper-tiny encoder with a small classifier that listens to the end
of what was said and estimates whether the speaker has finished their turn (intonation
and rhythm, not words). The model file is ``models/smart-turn-v3.2/`` (extracted from
the ``pipecat-ai`` wheel by ``voice-interviewer models install``; pipecat itself is
never imported).

What the model expects (``input_features``, float32, shape (1, 80, 800)): the Whisper
log-mel spectrogram (80 mels, 400-sample window, 160-sample hop) of exactly the last
8 s of 16 kHz audio, zero-padded at the front when shorter, computed after scaling
those 8 s to zero mean and unit variance (transformers' ``do_normalize``). It returns
one sigmoid probability per row that the turn is complete.

The spectrogram comes from faster-whisper's numpy ``FeatureExtractor`` rather than
transformers' ``WhisperFeatureExtractor`` (what the model was trained with). They agree
to about 1e-5 (tests/system/test_smart_turn.py); faster-whisper's is plain single-threaded
numpy (3-8 ms for 8 s here, against ONNX Runtime's 45-60 ms for the model), while
transformers' computes it with torch on every core and competes with transcription
(2-90 ms, min-median, on the shared 2-core test machine), and imports in 2.2 s against
0.2 s. faster-whisper is loaded anyway for transcription.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ModelError
from ..types import SAMPLE_RATE
from .imports import serial_import

WINDOW_S = 8
WINDOW_SAMPLES = WINDOW_S * SAMPLE_RATE
N_MELS = 80
N_FRAMES = 800
_NORM_EPS = 1e-7  # the variance floor of transformers' zero-mean / unit-variance normalisation
_FIX = "rebuild it: voice-interviewer models install --force"


def last_window(samples: np.ndarray) -> np.ndarray:
    """The last 8 s of mono audio as float32, zero-padded at the front when shorter."""
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1:
        raise ValueError(f"expected mono samples (1-D), got shape {x.shape}")
    if x.size >= WINDOW_SAMPLES:
        return x[-WINDOW_SAMPLES:]
    return np.concatenate([np.zeros(WINDOW_SAMPLES - x.size, np.float32), x])


class SmartTurnModel:
    """``probability(samples)``: how likely the speaker has finished, from the last 8 s.

    path: the ``smart-turn-v3.2-cpu.onnx`` file. threads: ONNX Runtime intra-op threads
    (one by default: it runs next to streaming transcription on a small CPU).
    Raises ModelError (with the fix) when the file is missing, corrupt or not this model.
    """

    name = "smart-turn-v3.2"

    def __init__(self, path: Path, threads: int = 1) -> None:
        if not path.is_file():
            raise ModelError(f"the Smart Turn model file is missing: {path}", _FIX)
        serial_import("onnxruntime", "faster_whisper.feature_extractor")
        import onnxruntime as ort
        from faster_whisper.feature_extractor import FeatureExtractor

        options = ort.SessionOptions()
        options.intra_op_num_threads = max(1, threads)
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        options.log_severity_level = 3  # errors only: a corrupt file is reported below, once
        try:
            self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own pybind error types (InvalidProtobuf, Fail, ...)
            raise ModelError(
                f"the Smart Turn model {path} does not load ({type(exc).__name__}); the file is corrupt", _FIX
            ) from exc
        inputs = self._session.get_inputs()
        if len(inputs) != 1 or inputs[0].name != "input_features" or list(inputs[0].shape)[1:] != [N_MELS, N_FRAMES]:
            raise ModelError(f"{path} is not a Smart Turn v3 model (unexpected inputs)", _FIX)
        self._input = inputs[0].name
        self._features = FeatureExtractor(feature_size=N_MELS, sampling_rate=SAMPLE_RATE, chunk_length=WINDOW_S)

    def features(self, samples: np.ndarray) -> np.ndarray:
        """The model input for these samples: float32 (80, 800) log-mel of the normalised last 8 s."""
        x = last_window(samples)
        x = (x - x.mean()) / np.sqrt(x.var() + _NORM_EPS)
        # padding=0: the window is exactly 8 s; the extractor's centred STFT gives 801 frames
        # and drops the last, as Whisper does.
        mel = self._features(x, padding=0)
        return np.ascontiguousarray(mel, dtype=np.float32)

    def probability(self, samples: np.ndarray) -> float:
        """Probability in [0, 1] that the turn is complete; ``samples``: mono float32 at 16 kHz."""
        out = self._session.run(None, {self._input: self.features(samples)[None]})
        return float(np.clip(np.asarray(out[0]).reshape(-1)[0], 0.0, 1.0))
