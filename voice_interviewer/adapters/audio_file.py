"""Decode any audio file to mono float32 at 16 kHz.

Uses PyAV through ``faster_whisper.decode_audio`` (already a dependency of
faster-whisper): it decodes WAV/FLAC/MP3/OGG, downmixes and resamples with
libswresample, so we write no resampler of our own.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import InputError
from ..types import SAMPLE_RATE
from .imports import serial_import


def read_audio(path: Path) -> np.ndarray:
    try:
        found = path.is_file()
    except OSError:  # e.g. a name longer than the file system allows
        found = False
    if not found:
        raise InputError(f"audio file not found: {path}", "check the path")
    serial_import("faster_whisper")
    from faster_whisper import decode_audio

    try:
        samples = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises many error types for bad data
        raise InputError(
            f"cannot decode audio file {path}: {type(exc).__name__}",
            "give a valid WAV/FLAC/MP3 file (e.g. convert with: sox in.xxx -r 16000 -c 1 out.wav)",
        ) from exc
    if samples.size == 0:
        raise InputError(f"audio file {path} contains no audio samples", "record the answer again")
    return np.asarray(samples, dtype=np.float32)


def write_wav(path: Path, samples: np.ndarray) -> None:
    """Write mono float32 samples as 16-bit PCM WAV (stdlib ``wave``)."""
    import wave

    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(pcm.tobytes())
