"""Typed, frozen records that flow between the stages of one interview turn.

Every boundary in the pipeline (audio -> endpointing -> transcription -> analysis
-> interviewer -> speaker -> session) passes one of these, never a bare tuple or
dict. Times are seconds derived from sample counts, never from the wall clock,
unless a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

SAMPLE_RATE = 16_000
"""Sample rate (Hz) of every audio buffer inside the pipeline: mono float32."""

AnswerSourceKind = Literal["mic", "wav", "text"]
EndReason = Literal["silence", "key", "max_duration", "no_speech", "source_end"]


@dataclass(frozen=True)
class AudioChunk:
    """A block of captured audio.

    samples: mono float32 in [-1, 1] at ``SAMPLE_RATE``.
    start_sample: index of the first sample since the stream started (time base).
    """

    samples: np.ndarray
    start_sample: int

    @property
    def start_s(self) -> float:
        return self.start_sample / SAMPLE_RATE

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


@dataclass(frozen=True)
class Utterance:
    """One complete spoken answer as handed to the transcriber.

    samples: mono float32 at ``SAMPLE_RATE``.
    end_reason: why capture stopped (see the session contract).
    audio_file: where the raw answer audio was written, if anywhere.
    """

    samples: np.ndarray
    end_reason: EndReason
    audio_file: str | None = None

    @property
    def duration_s(self) -> float:
        return len(self.samples) / SAMPLE_RATE


@dataclass(frozen=True)
class Word:
    """A recognised word with its timing in seconds from the start of the answer."""

    text: str
    start_s: float
    end_s: float
    probability: float = 1.0


@dataclass(frozen=True)
class Transcript:
    """Text of an answer; ``words`` and ``duration_s`` are filled for audio answers."""

    text: str
    words: tuple[Word, ...] = ()
    duration_s: float | None = None
    language: str | None = None


@dataclass(frozen=True)
class TranscriptionStats:
    """How long a transcription took, for real-time-factor reporting."""

    audio_s: float
    processing_s: float

    @property
    def real_time_factor(self) -> float:
        return self.processing_s / self.audio_s if self.audio_s > 0 else 0.0


@dataclass(frozen=True)
class Question:
    """A question from the bank in ``prompts/questions.toml``."""

    id: str
    text: str
    competencies: tuple[str, ...]
    rounds: tuple[str, ...]
    difficulty: str
    topic: str


@dataclass(frozen=True)
class CapturedAnswer:
    """What an answer source captured, before transcription.

    Typed answers carry ``text``; audio answers carry ``utterance``.
    speech_start_s / speech_end_s: when voiced audio began and ended, in seconds
    from the start of capture (None for typed answers or when unknown).
    """

    source: AnswerSourceKind
    end_reason: EndReason
    text: str | None = None
    utterance: Utterance | None = None
    speech_start_s: float | None = None
    speech_end_s: float | None = None


@dataclass(frozen=True)
class Answer:
    """What the candidate gave for one turn, before analysis."""

    source: AnswerSourceKind
    transcript: Transcript
    end_reason: EndReason
    audio_file: str | None = None


@dataclass(frozen=True)
class TurnTimings:
    """Seconds from the turn's start on a monotonic clock; None where a stage did not happen."""

    question_spoken_s: float | None = None
    speech_start_s: float | None = None
    speech_end_s: float | None = None
    endpoint_s: float | None = None
    transcript_ready_s: float | None = None
    analysis_ready_s: float | None = None
    followup_ready_s: float | None = None
    tts_start_s: float | None = None


@dataclass(frozen=True)
class FollowUp:
    """The interviewer's decision after an answer: what to probe and why."""

    target: str
    text: str
    rationale: str
    brain: str = "policy"


@dataclass(frozen=True)
class Turn:
    """One question and the candidate's answer, as persisted in the session."""

    index: int
    question_id: str
    question: str
    is_follow_up: bool
    answer: Answer | None
    timings: TurnTimings = field(default_factory=TurnTimings)
    score: dict[str, object] | None = None
    follow_up: FollowUp | None = None
    error: str | None = None
