"""What a listener asks at a pause and what it reports: the story check and the acoustic
end-of-turn model it consults, the live status line, and ``Heard``, one answer as listened to.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..types import ListenContext, Transcript
from .endpointing import StoryVerdict

StoryCheck = Callable[[ListenContext, str], StoryVerdict | None]


class EndOfTurnModel(Protocol):
    """Acoustic end-of-turn model (Smart Turn): P(the speaker has finished) from 16 kHz audio."""

    def probability(self, samples: np.ndarray) -> float: ...


@dataclass(frozen=True)
class ListenStatus:
    """What the live status line shows while the candidate answers."""

    elapsed_s: float
    level: float  # RMS of the last chunk, 0-1
    speaking: bool
    pause_s: float
    started: bool  # speech has started
    resumed: int


def status_line(status: ListenStatus) -> str:
    """One line for a terminal while the candidate answers (rewritten in place)."""
    minutes, seconds = divmod(int(status.elapsed_s), 60)
    bars = min(8, int(status.level * 40))
    meter = "#" * bars + "." * (8 - bars)
    if not status.started:
        state = "waiting for you to start"
    elif status.speaking or status.pause_s < 0.5:
        state = "listening"
    else:
        state = f"pause {status.pause_s:.1f} s, still listening"
    return f"  {minutes}:{seconds:02d}  [{meter}]  {state}   Enter = I'm done"


@dataclass(frozen=True)
class Heard:
    """What listening produced (sample-based times, plus the clock time of the endpoint)."""

    samples: np.ndarray
    transcript: Transcript
    end_reason: str
    speech_start_s: float | None
    speech_end_s: float | None
    endpoint_at: float
    segments: int
    end_signals: dict[str, Any] | None = None
    resumed: int = 0
    audio_start_at: float | None = None  # clock time of the first sample heard (None: no audio came)
