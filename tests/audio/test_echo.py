"""Telling the interviewer's voice coming back through speakers from the candidate (pure, with signals)."""

from __future__ import annotations

import numpy as np

from voice_interviewer.audio.echo import STEP_S, EchoGate, PlaybackReference, contour
from voice_interviewer.testing import FakeClock

RATE = 16_000


def speech_like(seconds: float, seed: int, rate: int = RATE) -> np.ndarray:
    """Noise whose loudness rises and falls like syllables (3-7 per second), different per seed."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    syllables = np.abs(np.sin(2 * np.pi * rng.uniform(1.5, 3.5) * t + rng.uniform(0, 6)))
    gate = np.repeat(rng.uniform(0.2, 1.0, size=int(seconds * 5) + 1), rate // 5)[:n]
    return (0.3 * syllables * gate * rng.standard_normal(n)).astype(np.float32)


def gate_after(mic: np.ndarray, played: np.ndarray | None, delay_s: float) -> EchoGate:
    clock = FakeClock(start=50.0)
    ref = PlaybackReference()
    if played is not None:
        ref.played(played, RATE, start=50.0)
    gate = EchoGate(ref, clock)
    for i, value in enumerate(contour(mic, RATE)):
        gate.heard(float(value), at=50.0 + delay_s + (i + 1) * STEP_S)
    clock.now = 50.0 + delay_s + len(mic) / RATE
    return gate


def test_the_voice_coming_back_is_echo_at_any_delay_up_to_the_limit() -> None:
    voice = speech_like(3.0, seed=1)
    for delay in (0.0, 0.15, 0.45):
        room = 0.4 * voice + 0.01 * np.random.default_rng(9).standard_normal(len(voice)).astype(np.float32)
        gate = gate_after(room, voice, delay)
        corr = gate.correlation()
        assert corr is not None and corr > 0.9, (delay, corr)
        assert gate.is_echo()


def test_a_candidate_talking_over_the_voice_is_not_echo() -> None:
    voice = speech_like(3.0, seed=1)
    candidate = speech_like(3.0, seed=2)
    gate = gate_after(candidate + 0.2 * voice, voice, 0.1)  # the candidate is louder than the echo
    assert not gate.is_echo()


def test_nothing_played_means_nothing_is_echo() -> None:
    gate = gate_after(speech_like(2.0, seed=3), None, 0.0)
    assert gate.correlation() is None and not gate.is_echo()
    gate = gate_after(np.zeros(RATE, dtype=np.float32), speech_like(1.0, seed=4), 0.0)  # silence heard
    assert not gate.is_echo()


def test_contour_is_rms_per_window() -> None:
    values = contour(np.full(RATE, 0.5, dtype=np.float32), RATE)
    assert len(values) == int(1 / STEP_S) and np.allclose(values, 0.5)
    assert len(contour(np.zeros(10, dtype=np.float32), RATE)) == 0
