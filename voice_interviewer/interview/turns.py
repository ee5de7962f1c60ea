"""One captured answer made into a turn: transcribed (if it is audio), analysed, scored.

The interview loop (``interview``) asks for a turn here after every capture and after a
resume; nothing is saved here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ..errors import VoiceInterviewerError
from ..ports import Clock, Transcriber
from ..types import (
    Analysis,
    Answer,
    AnswerSourceKind,
    CapturedAnswer,
    Question,
    QuestionKind,
    Transcript,
    Turn,
    TurnTimings,
)


class AnswerAnalyzer(Protocol):
    """The answer analysis: a question and the transcript of its answer in, the answer's ``Analysis`` out."""

    def analyze(
        self,
        question: str,
        transcript: Transcript,
        source: AnswerSourceKind = "text",
        sentences: list[str] | None = None,
        kind: QuestionKind | None = None,
    ) -> Analysis: ...


@dataclass
class Outcome:
    """A turn as the loop holds it: the saved record plus what it needs to go on with it."""

    turn: Turn
    start: float
    question: Question | None = None
    samples: Any = None  # the answer's audio (numpy), for the final transcription pass

    @property
    def analysis(self) -> Analysis | None:
        """The answer's analysis (None if it was not analysed)."""
        return self.turn.analysis


class AnswerProcessor:
    """Transcribe (if needed) and analyse captured answers; failures become the turn's error."""

    def __init__(
        self,
        clock: Clock,
        transcriber: Callable[[], Transcriber] | None,
        analyzer: Callable[[], AnswerAnalyzer] | None,
        notify: Callable[[str], None],
    ) -> None:
        self.clock = clock
        self._transcriber = transcriber
        self._analyzer = analyzer
        self._notify = notify

    def process(
        self,
        question: Question,
        asked_text: str,
        is_follow_up: bool,
        index: int,
        start: float,
        timings: TurnTimings,
        captured: CapturedAnswer,
    ) -> Outcome:
        """Transcribe (if needed) and analyse a captured answer into a turn (not yet saved)."""

        def since() -> float:
            return round(self.clock() - start, 4)

        endpoint_s = since() if captured.endpoint_at is None else round(captured.endpoint_at - start, 4)
        # Audio times count from the answer's first sample: when it was heard, if the source
        # says (opening the stream takes a moment after the capture starts), else the capture start.
        audio_start_s = None if captured.audio_start_at is None else round(captured.audio_start_at - start, 4)
        zero = audio_start_s if audio_start_s is not None else timings.question_spoken_s
        timings = dataclasses.replace(
            timings,
            audio_start_s=audio_start_s,
            endpoint_s=endpoint_s,
            speech_start_s=_offset(zero, captured.speech_start_s),
            speech_end_s=_offset(zero, captured.speech_end_s),
        )
        answer: Answer | None = None
        error: str | None = None
        analysis: Analysis | None = None
        try:
            transcript = self._transcribe(captured)
            timings = dataclasses.replace(timings, transcript_ready_s=since())
            answer = Answer(
                source=captured.source,
                transcript=transcript,
                end_reason=captured.end_reason if transcript.text else "no_speech",
                audio_file=captured.utterance.audio_file if captured.utterance else None,
                overflows=captured.overflows,
                end_signals=captured.end_signals,
                resumed=captured.resumed,
            )
            if self._analyzer is not None and transcript.text:
                kind = question.known_kind  # a follow-up's answer belongs to its main question's kind
                analysis = self._analyzer().analyze(asked_text, transcript, captured.source, kind=kind)
                timings = dataclasses.replace(timings, analysis_ready_s=since())
        except VoiceInterviewerError as exc:
            error = exc.one_line()
            self._notify(f"This answer could not be processed: {error}")
        if answer is None and captured.utterance is not None:
            answer = Answer(
                captured.source,
                Transcript(""),
                captured.end_reason,
                captured.utterance.audio_file,
                end_signals=captured.end_signals,
                resumed=captured.resumed,
            )
        turn = Turn(
            index=index,
            question_id=question.id,
            question=asked_text,
            is_follow_up=is_follow_up,
            answer=answer,
            timings=timings,
            analysis=analysis,
            error=error,
            retry_of=None if is_follow_up else question.retry_of,
        )
        samples = captured.utterance.samples if captured.utterance is not None and answer is not None else None
        return Outcome(turn, start, question, samples)

    def _transcribe(self, captured: CapturedAnswer) -> Transcript:
        if captured.transcript is not None:
            return captured.transcript  # transcribed while the candidate was speaking
        if captured.utterance is None:
            return Transcript(text=(captured.text or "").strip())
        if self._transcriber is None:
            raise VoiceInterviewerError("no transcriber configured for audio answers")
        transcript, _stats = self._transcriber().transcribe(captured.utterance.samples)
        return transcript


def _offset(base: float | None, value: float | None) -> float | None:
    if base is None or value is None:
        return None
    return round(base + value, 4)
