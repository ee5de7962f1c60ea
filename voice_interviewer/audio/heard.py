"""What a listener asks at a pause and what it reports: the story check and the acoustic
end-of-turn model it consults, the live status line, ``Heard``, one answer as listened to,
and the records of its pauses and end decision (``Heard.end_signals``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..types import SAMPLE_RATE, ListenContext, Transcript
from .endpointing import WINDOW, EndDecision, EndpointConfig, Endpointer, StoryVerdict, has_phrase, open_clause

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


def pause_record(ep: Endpointer, pause_s: float, smart_turn: float | None) -> dict[str, Any]:
    """A long pause that did not end the answer (``end_signals["pauses"]``)."""
    decision = ep.current_decision()
    return {
        "at_s": round((ep.speech_end or 0) / SAMPLE_RATE, 3),
        "silence_s": round(pause_s, 2),
        "rule": decision.rule,
        "wait_s": decision.wait_s,
        "story_done": ep.signals.story.done if ep.signals.story else None,
        "smart_turn": round(smart_turn, 3) if smart_turn is not None else None,
    }


def end_record(
    ep: Endpointer,
    cfg: EndpointConfig,
    decision: EndDecision | None,
    smart_turn_ms: float | None,
    story_ms: float | None,
    transcript_wait_ms: float | None,
) -> dict[str, Any]:
    """What the end was decided on: the rule, the pause and the signals at it, and their timings."""
    sig = ep.signals
    return {
        "rule": decision.rule if decision else None,
        "wait_s": decision.wait_s if decision else None,
        "silence_s": round(ep.ended_pause_s, 3),
        "decided_at_s": round(ep.windows * WINDOW / SAMPLE_RATE, 3),
        "tail": sig.tail[-120:],
        "open_clause": open_clause(sig.tail, cfg.open_endings, cfg.fillers, cfg.dangling),
        "hold_phrase": has_phrase(sig.tail, cfg.hold_phrases),
        "transcript_current": sig.transcript_current,
        "story_done": sig.story.done if sig.story else None,
        "story": sig.story.summary if sig.story else None,
        "smart_turn": round(sig.smart_turn, 3) if sig.smart_turn is not None else None,
        "smart_turn_ms": smart_turn_ms,
        "story_ms": story_ms,
        "transcript_wait_ms": transcript_wait_ms,
    }
