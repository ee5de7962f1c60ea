"""Typed, frozen records that flow between the stages of one interview turn.

Every boundary in the pipeline (audio -> endpointing -> transcription -> analysis
-> interviewer -> speaker -> session) passes one of these, never a bare tuple or
dict. Times are seconds derived from sample counts, never from the wall clock,
unless a field says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Literal

import numpy as np

SAMPLE_RATE = 16_000
"""Sample rate (Hz) of every audio buffer inside the pipeline: mono float32."""
VAD_WINDOW = 512
"""Samples per voice-activity window (32 ms): Silero VAD's frame, the endpointer's unit of time."""
CHUNK = 1600
"""Samples per block read from the microphone or a replayed file (100 ms)."""

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
class RetryOf:
    """The earlier attempt a retried question answers again: its session and turn index."""

    session_id: str
    turn: int


@dataclass(frozen=True)
class Question:
    """A question from the bank in ``prompts/questions.toml``."""

    id: str
    text: str
    competencies: tuple[str, ...]
    rounds: tuple[str, ...]
    difficulty: str
    topic: str
    retry_of: RetryOf | None = None  # asked again as a new attempt of this earlier turn
    kind: str = "behavioral"  # QUESTION_KINDS: a past story, a plan for a scenario, an explanation, ...

    @property
    def known_kind(self) -> QuestionKind:
        """What this question asks for, as the bank says (every turn of its thread is analysed so)."""
        return QuestionKind(self.kind, "bank", 1.0)


@dataclass(frozen=True)
class ListenContext:
    """What the interviewer asked, so the listener can judge whether the answer is finished."""

    question: str = ""
    is_follow_up: bool = False
    thread: tuple[str, ...] = ()  # earlier answers in this question's thread
    kind: QuestionKind | None = None  # what the thread's main question asks for (the bank's kind)


@dataclass(frozen=True)
class CapturedAnswer:
    """What an answer source captured, before transcription.

    Typed answers carry ``text``; audio answers carry ``utterance`` (and ``transcript``
    when the source transcribed while the candidate spoke).
    speech_start_s / speech_end_s: when voiced audio began and ended, in seconds
    from the start of capture (None for typed answers or when unknown).
    """

    source: AnswerSourceKind
    end_reason: EndReason
    text: str | None = None
    utterance: Utterance | None = None
    speech_start_s: float | None = None
    speech_end_s: float | None = None
    transcript: Transcript | None = None  # already transcribed while streaming
    endpoint_at: float | None = None  # clock time when the end of the answer was decided
    audio_start_at: float | None = None  # clock time of the first sample captured (the audio's own zero)
    overflows: int = 0  # audio blocks lost to input overflow while capturing
    end_signals: dict[str, object] | None = None  # what decided the end of the answer (see listening)
    resumed: int = 0  # times the candidate went on after the interviewer had started to reply


@dataclass(frozen=True)
class Answer:
    """What the candidate gave for one turn, before analysis."""

    source: AnswerSourceKind
    transcript: Transcript
    end_reason: EndReason
    audio_file: str | None = None
    overflows: int = 0
    end_signals: dict[str, object] | None = None  # which signals decided the end, with values and times
    resumed: int = 0  # barge-ins: the candidate went on and the same answer continued
    final_pass: bool = False  # the transcript is the whole-answer second pass (final_pass.py)


@dataclass(frozen=True)
class TurnTimings:
    """Seconds from the turn's start on a monotonic clock; None where a stage did not happen."""

    question_spoken_s: float | None = None
    audio_start_s: float | None = None  # when the first sample of the answer's audio was heard
    speech_start_s: float | None = None
    speech_end_s: float | None = None
    endpoint_s: float | None = None
    transcript_ready_s: float | None = None
    analysis_ready_s: float | None = None
    followup_ready_s: float | None = None
    tts_start_s: float | None = None


class Gap(StrEnum):
    """A gap in an answer that a follow-up can probe (``analysis.gaps`` finds them).

    The values are the session's ``follow_up.target`` strings.
    """

    SPECIFICITY = "specificity"
    RESULT = "result"
    ACTION = "action"
    TASK = "task"
    SITUATION = "situation"
    OWNERSHIP = "ownership"
    METRICS = "metrics"
    REFLECTION = "reflection"
    COMPETENCY = "competency"  # a competency the question targets, not shown yet
    DEPTH = "depth"  # not a gap: a probe keyed to what a complete story is about ("depth:decision")
    PLAN = "plan"  # a situational answer's plan lacks an element ("plan:options"; ``analysis.plan``)
    CHALLENGE = "challenge"  # not a gap: a complete plan is challenged ("What if the other team refuses?")


MOVE_ON = "none"  # the session's follow_up.target when the interviewer moves on


def target_key(target: Gap | None, competency: str = "") -> str:
    """A follow-up target as the session saves it: "none", "result", "competency:customer_focus", "depth:decision"."""
    if target is None:
        return MOVE_ON
    return f"{target}:{competency}" if target in (Gap.COMPETENCY, Gap.DEPTH, Gap.PLAN) else str(target)


@dataclass(frozen=True)
class FollowUp:
    """The interviewer's decision after an answer: what to probe (None: move on) and why."""

    target: Gap | None
    text: str
    rationale: str
    brain: str = "policy"
    competency: str = ""  # the competency id (target Gap.COMPETENCY), or the theme (Gap.DEPTH: "decision", "general")

    @property
    def key(self) -> str:
        """The target as saved in the session (``target_key``)."""
        return target_key(self.target, self.competency)


# ---------------------------------------------------------------- analysis

# What a question asks for: a past story (STAR), a plan for a hypothetical scenario, a plain
# explanation for a non-expert, the candidate's own introduction, or why this company.
QUESTION_KINDS = ("behavioral", "situational", "explain", "pitch", "why_company")
# The plan rubric of a situational answer (prompts/plan_rubric.toml), in the order a plan runs.
PLAN_ELEMENTS = ("clarify", "options", "decision", "communication", "measure")

StarLabel = Literal["situation", "task", "action", "result", "other"]  # a sentence's label
STAR_PARTS: tuple[StarLabel, ...] = ("situation", "task", "action", "result")
SENTENCE_LABELS: tuple[StarLabel, ...] = (*STAR_PARTS, "other")


@dataclass(frozen=True)
class SentenceLabel:
    """One sentence of an answer with its STAR label.

    star: one of SENTENCE_LABELS. confidence: posterior probability of that label.
    start_s / end_s: seconds from the start of the answer (audio answers only).
    reflection: the sentence is a lesson-learned / next-time sentence (labelled result).
    """

    index: int
    text: str
    star: StarLabel
    confidence: float
    start_s: float | None = None
    end_s: float | None = None
    reflection: bool = False


@dataclass(frozen=True)
class StarResult:
    """Answer-level STAR summary; ``score`` is 0-100 (formula in ``star.star_score``)."""

    score: int
    missing: tuple[str, ...]
    share_words: dict[str, float]
    share_seconds: dict[str, float] | None
    weak: tuple[str, ...] = ()  # present, but no sentence of that part is labelled with confidence
    level: str = ""  # rubric level (``star_score.rubric``): missing parts, partial, complete, strong


@dataclass(frozen=True)
class ThemeScore:
    """What the story is about (``analysis.themes``): a theme of prompts/themes.toml, how
    close the closest story sentence comes to its triggers, and that sentence's index."""

    id: str
    similarity: float
    evidence_index: int


@dataclass(frozen=True)
class CompetencyScore:
    """How strongly the answer shows one competency.

    similarity: cosine similarity (0-1) of the best answer sentences to the exemplars.
    strength: probability (0-1) that the answer mainly shows this competency; used for ranking.
    evidence: the sentence that shows it best.
    """

    id: str
    similarity: float
    strength: float
    covered: bool
    evidence: str
    evidence_index: int


@dataclass(frozen=True)
class Signals:
    """Coaching signals computed from the labelled sentences."""

    i_ratio: float | None
    i_count: int
    we_count: int
    quantified_results: tuple[str, ...]
    has_reflection: bool
    specific: bool
    generic_phrases: tuple[str, ...]
    word_count: int
    length_verdict: str


@dataclass(frozen=True)
class Pause:
    """A long silence between two words of an answer (seconds from the answer's start)."""

    start_s: float
    duration_s: float


@dataclass(frozen=True)
class DeliveryMetrics:
    """How an audio answer was delivered (speaking time excludes pauses over 2 s)."""

    wpm: float
    filler_count: int
    fillers_per_min: float
    fillers: dict[str, int]
    hedge_count: int
    hedges: dict[str, int]
    long_pauses: tuple[Pause, ...]
    longest_pause_s: float
    duration_s: float
    speaking_s: float


@dataclass(frozen=True)
class QuestionKind:
    """What the question asks for (QUESTION_KINDS), and how that was known.

    source: "bank" (the question bank says so), "given" (``score --kind``) or "recognised"
    (from the question's words: ``analysis.kinds``); score: the recognised kind's score (0-1).
    """

    id: str = "behavioral"
    source: str = "recognised"
    score: float = 0.0


@dataclass(frozen=True)
class PlanElementScore:
    """One element of the plan rubric in a situational answer: shown or not, and where."""

    id: str
    present: bool
    similarity: float  # of the best sentence to the element's exemplars
    evidence: str  # the sentence that shows it best ("" when not shown)
    evidence_index: int  # -1: none


@dataclass(frozen=True)
class PlanResult:
    """A situational answer scored against the plan rubric instead of STAR.

    score: 0-100, the share of elements shown; sentence_elements: each sentence's element
    (or "other"); told_as_story: the answer tells a past story instead of a plan (scored
    all the same, and said).
    """

    score: int
    elements: tuple[PlanElementScore, ...]
    missing: tuple[str, ...]
    sentence_elements: tuple[str, ...]
    told_as_story: bool = False


@dataclass(frozen=True)
class Analysis:
    """Everything the analyzer concluded about one answer."""

    question: str
    source: AnswerSourceKind
    transcript: Transcript
    sentences: tuple[SentenceLabel, ...]
    star: StarResult
    competencies: tuple[CompetencyScore, ...]
    signals: Signals
    delivery: DeliveryMetrics | None
    warnings: tuple[str, ...]
    themes: tuple[ThemeScore, ...] = ()  # what the story is about, most similar first
    kind: QuestionKind = field(default_factory=QuestionKind)  # what the question asks for
    plan: PlanResult | None = None  # the plan rubric, for a situational question


# ---------------------------------------------------------------- the session (more in ``saved``)


@dataclass(frozen=True)
class PreviousScore:
    """A turn's STAR score before a rescore replaced it (``review rescore``)."""

    replaced_at: str
    star_score: int | None


@dataclass(frozen=True)
class Turn:
    """One question and the candidate's answer, as persisted in the session.

    analysis: the answer's analysis, saved as the turn's Score JSON (``store.codec``);
    None for an answer that was not analysed (nothing heard, or it failed: see ``error``).
    """

    index: int
    question_id: str
    question: str
    is_follow_up: bool
    answer: Answer | None
    timings: TurnTimings = field(default_factory=TurnTimings)
    analysis: Analysis | None = None
    follow_up: FollowUp | None = None
    error: str | None = None
    previous_scores: tuple[PreviousScore, ...] = ()  # oldest first; written by a rescore only
    retry_of: RetryOf | None = None  # a main question asked again (``practice --retry``)


@dataclass(frozen=True)
class ResolvedModel:
    """A model folder ready to load.

    origin: "config" (a user-supplied folder), "data_home" (assembled earlier),
    or "assembled" (assembled just now from the installed packages).
    checksum: combined SHA-256 for bundled models; None for user folders.
    """

    kind: str
    name: str
    path: Path
    origin: str
    checksum: str | None

    def describe(self) -> dict[str, str | None]:
        return {"name": self.name, "path": str(self.path), "checksum": self.checksum}
