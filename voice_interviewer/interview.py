"""The interview loop: pure logic over ports, tested with the fakes in ``testing``.

One turn: say the question -> capture the answer -> transcribe (audio only) ->
analyse (when an analyser is plugged in) -> persist -> say the next line.
A turn that fails is recorded with its error and the interview goes on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import VoiceInterviewerError
from .ports import Clock, SessionSink, Speaker, Transcriber
from .prompts import Round
from .types import Answer, CapturedAnswer, Question, Transcript, Turn, TurnTimings


class CaptureSource(Protocol):
    kind: str

    def capture(self, turn_index: int) -> CapturedAnswer | None: ...


Analyzer = Callable[[Question, Answer], dict[str, Any]]
"""Scores one answer; returns the Score JSON object."""


@dataclass(frozen=True)
class InterviewResult:
    turns: tuple[Turn, ...]
    complete: bool


class Interview:
    """Runs one round. Collaborators are injected; nothing here touches hardware."""

    def __init__(
        self,
        rnd: Round,
        questions: list[Question],
        speaker: Speaker,
        source: CaptureSource,
        sink: SessionSink,
        clock: Clock,
        transcriber: Callable[[], Transcriber] | None = None,
        analyzer: Callable[[], Analyzer] | None = None,
        notify: Callable[[str], None] = lambda _msg: None,
    ) -> None:
        self.rnd = rnd
        self.questions = questions
        self.speaker = speaker
        self.source = source
        self.sink = sink
        self.clock = clock
        self._transcriber = transcriber
        self._analyzer = analyzer
        self._notify = notify
        self.turns: list[Turn] = []
        self._awaiting_reply: float | None = None  # start time of the last turn, until we speak again

    def run(self) -> InterviewResult:
        complete = False
        try:
            self.speaker.say(self.rnd.greeting)
            complete = self._ask_all()
            if complete:
                self._say_next(self.rnd.closing)
        finally:
            self.sink.finish(complete)
        return InterviewResult(tuple(self.turns), complete)

    def _ask_all(self) -> bool:
        for n, question in enumerate(self.questions):
            lead = ""
            if n > 0:
                lead = self.rnd.transitions[(n - 1) % len(self.rnd.transitions)] + " "
            turn = self._turn(question, lead + question.text)
            if turn is None:
                return False
        return True

    def _turn(self, question: Question, spoken: str) -> Turn | None:
        start = self._say_next(spoken)

        def since() -> float:
            return round(self.clock() - start, 4)

        timings = TurnTimings(question_spoken_s=since())
        index = len(self.turns)
        captured = self.source.capture(index)
        if captured is None:
            return None
        timings = dataclasses.replace(
            timings,
            endpoint_s=since(),
            speech_start_s=_offset(timings.question_spoken_s, captured.speech_start_s),
            speech_end_s=_offset(timings.question_spoken_s, captured.speech_end_s),
        )
        answer: Answer | None = None
        error: str | None = None
        score: dict[str, Any] | None = None
        try:
            transcript = self._transcribe(captured)
            timings = dataclasses.replace(timings, transcript_ready_s=since())
            answer = Answer(
                source=captured.source,
                transcript=transcript,
                end_reason=captured.end_reason if transcript.text else "no_speech",
                audio_file=captured.utterance.audio_file if captured.utterance else None,
            )
            if self._analyzer is not None and transcript.text:
                score = self._analyzer()(question, answer)
                timings = dataclasses.replace(timings, analysis_ready_s=since())
        except VoiceInterviewerError as exc:
            error = exc.one_line()
            self._notify(f"This answer could not be processed: {error}")
        if answer is None and captured.utterance is not None:
            answer = Answer(captured.source, Transcript(""), captured.end_reason, captured.utterance.audio_file)
        turn = Turn(
            index=index,
            question_id=question.id,
            question=question.text,
            is_follow_up=False,
            answer=answer,
            timings=timings,
            score=score,
            error=error,
        )
        self.turns.append(turn)
        self.sink.record_turn(turn)
        self._awaiting_reply = start
        return turn

    def _say_next(self, text: str) -> float:
        """Speak the interviewer's next words; stamp ``tts_start_s`` on the previous turn."""
        now = self.clock()
        if self._awaiting_reply is not None and self.turns:
            last = self.turns[-1]
            timings = dataclasses.replace(last.timings, tts_start_s=round(now - self._awaiting_reply, 4))
            self.turns[-1] = dataclasses.replace(last, timings=timings)
            self.sink.record_turn(self.turns[-1])
            self._awaiting_reply = None
        self.speaker.say(text)
        return now

    def _transcribe(self, captured: CapturedAnswer) -> Transcript:
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
