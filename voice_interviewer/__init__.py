"""voice-interviewer: a local, offline, voice-driven mock behavioral interviewer.

Importing the package is cheap; heavy libraries load lazily inside the adapters. The public
face below is the vocabulary every stage shares: the records that cross each boundary, the
ports (Protocols) the stages sit behind, the errors, and the settings. The use-cases live in
``voice_interviewer.app`` (for example ``app.scoring.score_answer`` and ``app.practice``); the
stages, in the order of a turn, are the packages ``audio``, ``analysis``, ``interview``,
``content``, ``store`` and ``review``.
"""

from .config import Config, load_config
from .errors import (
    AudioError,
    ConfigError,
    InputError,
    ModelError,
    PromptError,
    SessionError,
    SpeakerError,
    VoiceInterviewerError,
)
from .ports import AnswerSource, Clock, Embedder, ResumableSource, SessionSink, Speaker, Transcriber
from .saved import Feedback, Point, SavedSession
from .types import (
    CHUNK,
    SAMPLE_RATE,
    VAD_WINDOW,
    Analysis,
    Answer,
    AudioChunk,
    CapturedAnswer,
    CompetencyScore,
    DeliveryMetrics,
    FollowUp,
    Gap,
    ListenContext,
    Pause,
    PreviousScore,
    Question,
    ResolvedModel,
    RetryOf,
    SentenceLabel,
    Signals,
    StarResult,
    ThemeScore,
    Transcript,
    TranscriptionStats,
    Turn,
    TurnTimings,
    Utterance,
    Word,
)

__version__ = "0.1.0"

__all__ = [
    "CHUNK",
    "SAMPLE_RATE",
    "VAD_WINDOW",
    "Analysis",
    "Answer",
    "AnswerSource",
    "AudioChunk",
    "AudioError",
    "CapturedAnswer",
    "Clock",
    "CompetencyScore",
    "Config",
    "ConfigError",
    "DeliveryMetrics",
    "Embedder",
    "Feedback",
    "FollowUp",
    "Gap",
    "InputError",
    "ListenContext",
    "ModelError",
    "Pause",
    "Point",
    "PreviousScore",
    "PromptError",
    "Question",
    "ResolvedModel",
    "ResumableSource",
    "RetryOf",
    "SavedSession",
    "SentenceLabel",
    "SessionError",
    "SessionSink",
    "Signals",
    "Speaker",
    "SpeakerError",
    "StarResult",
    "ThemeScore",
    "Transcriber",
    "Transcript",
    "TranscriptionStats",
    "Turn",
    "TurnTimings",
    "Utterance",
    "VoiceInterviewerError",
    "Word",
    "__version__",
    "load_config",
]
