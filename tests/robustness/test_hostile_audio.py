"""Hostile input, 1: audio decoding.

``read_audio`` gets random bytes, truncated real WAVs, WAV headers with mutated fields,
real WAVs with flipped bytes and awkward paths (empty, a folder, missing, a name too
long, a NUL byte): it returns mono float32 samples or raises ``InputError``.
"""

from __future__ import annotations

import io
import struct
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.robustness.hostile import expect_ours, fuzz
from voice_interviewer.adapters.audio_file import read_audio
from voice_interviewer.errors import InputError

# ------------------------------------------------------------------ 1. audio decoding


def wav_bytes(channels: int = 1, width: int = 2, rate: int = 16000, frames: int = 800) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes((np.sin(np.arange(frames * channels) / 7) * 100).astype(f"<i{width}").tobytes())
    return buf.getvalue()


def wav_header(
    fmt: int, channels: int, rate: int, byte_rate: int, align: int, bits: int, riff: int, data: int
) -> bytes:
    fmt_chunk = struct.pack("<HHIIHH", fmt, channels, rate, byte_rate, align, bits)
    return (
        b"RIFF"
        + struct.pack("<I", riff)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt_chunk
        + b"data"
        + struct.pack("<I", data)
    )


def check_audio(path: Path) -> None:
    samples = expect_ours(lambda: read_audio(path))
    if samples is not None:
        assert samples.dtype == np.float32 and samples.ndim == 1 and samples.size > 0


@fuzz(60)
@given(blob=st.binary(max_size=3000))
def test_audio_random_bytes(tmp_path: Path, blob: bytes) -> None:
    path = tmp_path / "a.wav"
    path.write_bytes(blob)
    check_audio(path)


@fuzz(60)
@given(
    channels=st.integers(1, 2), width=st.sampled_from([1, 2, 4]), rate=st.sampled_from([8000, 16000, 44100]),
    frames=st.integers(0, 2000), cut=st.floats(0, 1),
)  # fmt: skip
def test_audio_truncated_real_wav(
    tmp_path: Path, channels: int, width: int, rate: int, frames: int, cut: float
) -> None:
    blob = wav_bytes(channels, width, rate, frames)
    path = tmp_path / "a.wav"
    path.write_bytes(blob[: int(len(blob) * cut)])
    check_audio(path)


U32 = st.sampled_from([0, 1, 16, 36, 100, 2**31 - 1, 2**32 - 1]) | st.integers(0, 2**32 - 1)
U16 = st.sampled_from([0, 1, 2, 3, 8, 16, 24, 32, 64, 0xFFFF]) | st.integers(0, 0xFFFF)


@fuzz(80)
@given(
    fmt=st.sampled_from([0, 1, 3, 6, 7, 0xFFFE, 0x55]) | U16, channels=U16, rate=U32, byte_rate=U32, align=U16,
    bits=U16, riff=U32, data=U32, payload=st.binary(max_size=400),
)  # fmt: skip
def test_audio_wav_header_with_mutated_fields(
    tmp_path: Path, fmt: int, channels: int, rate: int, byte_rate: int, align: int, bits: int, riff: int, data: int,
    payload: bytes,
) -> None:  # fmt: skip
    path = tmp_path / "a.wav"
    path.write_bytes(wav_header(fmt, channels, rate, byte_rate, align, bits, riff, data) + payload)
    check_audio(path)


@fuzz(60)
@given(flips=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), min_size=1, max_size=8))
def test_audio_real_wav_with_flipped_bytes(tmp_path: Path, flips: list[tuple[int, int]]) -> None:
    blob = bytearray(wav_bytes(frames=400))
    for pos, value in flips:
        blob[pos % len(blob)] = value
    path = tmp_path / "a.wav"
    path.write_bytes(bytes(blob))
    check_audio(path)


def test_audio_edge_paths(tmp_path: Path) -> None:
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "header-only.wav").write_bytes(wav_bytes(frames=0))
    (tmp_path / "folder.wav").mkdir()
    for path in ("empty.wav", "header-only.wav", "folder.wav", "missing.wav", "x" * 300 + ".wav", "nul\0.wav"):
        with pytest.raises(InputError):
            read_audio(tmp_path / path)
    assert read_audio(_write(tmp_path / "ok.wav", wav_bytes(channels=2, rate=44100))).size > 0


def test_audio_path_name_too_long_is_an_input_error(tmp_path: Path) -> None:
    """Regression: Path.is_file() raised OSError(ENAMETOOLONG) out of read_audio."""
    with pytest.raises(InputError, match="not found"):
        read_audio(tmp_path / ("x" * 300 + ".wav"))


def _write(path: Path, blob: bytes) -> Path:
    path.write_bytes(blob)
    return path
