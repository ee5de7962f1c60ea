"""The interview loop: pure logic over ports, tested with the fakes in ``testing``.

One main question opens a *thread*:

    say the question -> capture the answer -> transcribe (audio only) -> analyse
    -> the follow-up brain picks the most valuable probe for the whole thread so far
    -> ask it (a follow-up turn) ... until the brain says "none", the round's
       follow-up budget is spent, or the round's time box has run out.

Each turn is persisted the moment it completes. A turn that fails is recorded
with its error and the interview goes on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import VoiceInterviewerError
from .feedback import Feedback
from .ports import AnswerSource, Clock, SessionSink, Speaker, Transcriber
from .prompts import Round
from .score import score_json
from .types import Analysis, Answer, CapturedAnswer, FollowUp, Question, Transcript, Turn, TurnTimings


class AnswerAnalyzer(Protocol):
    def analyze(self, question: str, transcript: Transcript, source: str = "text") -> Analysis: ...


class FollowUpBrain(Protocol):
    """Chooses the next probe in a question thread (``policy.decide`` or an LLM wrapper)."""

    def __call__(
        self,
        analysis: Analysis,
        rnd: Round,
        asked: Sequence[str],
        budget_left: int | None,
        target_competency: str | None,
    ) -> FollowUp: ...


@dataclass(frozen=True)
class InterviewResult:
    turns: tuple[Turn, ...]
    complete: bool


@dataclass
class _Outcome:
    turn: Turn
    analysis: Analysis | None
    start: float


class Interview:
    """Runs one round. Collaborators are injected; nothing here touches hardware."""

    def __init__(
        self,
        rnd: Round,
        questions: list[Question],
        speaker: Speaker,
        source: AnswerSource,
        sink: SessionSink,
        clock: Clock,
        transcriber: Callable[[], Transcriber] | None = None,
        analyzer: Callable[[], AnswerAnalyzer] | None = None,
        brain: FollowUpBrain | None = None,
        notify: Callable[[str], None] = lambda _msg: None,
        feedback: Callable[[list[Analysis]], Feedback] | None = None,
        opening: str = "",
    ) -> None:
        self.rnd = rnd
        self.questions = questions
        self.speaker = speaker
        self.source = source
        self.sink = sink
        self.clock = clock
        self._transcriber = transcriber
        self._analyzer = analyzer
        self._brain = brain
        self._notify = notify
        self._feedback = feedback
        self._opening = opening  # said before the first question (e.g. recalling an earlier story)
        self.turns: list[Turn] = []
        self.main_analyses: list[Analysis] = []  # first answers to main questions (feedback is on these)
        self._awaiting_reply: float | None = None  # start time of the last turn, until we speak again
        self._started: float | None = None

    def run(self) -> InterviewResult:
        complete = False
        self._started = self.clock()
        try:
            self.speaker.say(self.rnd.greeting)
            complete = self._ask_all()
            if complete:
                self._give_feedback()
                self._say_next(self.rnd.closing)
        finally:
            self.sink.finish(complete)
        return InterviewResult(tuple(self.turns), complete)

    def _give_feedback(self) -> None:
        """Spoken summary, printed detail with evidence, and a copy in the session."""
        if self._feedback is None or not self.main_analyses:
            return
        try:
            fb = self._feedback(self.main_analyses)
        except VoiceInterviewerError as exc:
            self._notify(f"No feedback this time: {exc.one_line()}")
            return
        self.sink.record_feedback(fb.to_dict())
        self._say_next(fb.spoken())
        for title, points in (("Strength", fb.strengths), ("To improve", fb.improvements)):
            for p in points:
                self._notify(f"{title}: {p.text}" + (f'  Evidence: "{p.evidence}"' if p.evidence else ""))

    def time_left_s(self) -> float:
        started = self._started if self._started is not None else self.clock()
        return self.rnd.time_box_min * 60 - (self.clock() - started)

    def _ask_all(self) -> bool:
        for n, question in enumerate(self.questions):
            lead = f"{self._opening} " if n == 0 and self._opening else ""
            if n > 0:
                lead = self.rnd.transitions[(n - 1) % len(self.rnd.transitions)] + " "
            if not self._thread(question, lead):
                return False
        return True

    def _thread(self, question: Question, lead: str) -> bool:
        """Ask a main question and its follow-ups. False when the candidate ended the interview."""
        outcome = self._turn(question, question.text, lead + question.text, is_follow_up=False)
        if outcome is None:
            return False
        if _ended_by(outcome, "no_speech"):
            # Nothing heard: say so, offer the question again, once.
            outcome = self._turn(question, question.text, f"{self.rnd.no_speech} {question.text}", False)
            if outcome is None:
                return False
            if _ended_by(outcome, "no_speech"):
                return True
        thread_text = [outcome.turn.answer.transcript.text] if outcome.turn.answer else []
        asked: list[str] = []
        n_ack = 0
        while self._brain is not None and outcome.analysis is not None:
            budget = self.rnd.max_follow_ups - len(asked)
            if self.time_left_s() <= 0:
                budget = 0
            thread = self._thread_analysis(question, thread_text, outcome.analysis)
            decision = self._brain(thread, self.rnd, asked, budget, question.competencies[0])
            self._record_decision(outcome, decision)
            if decision.target == "none":
                break
            asked.append(decision.target)
            ack = self.rnd.acknowledgements[n_ack % len(self.rnd.acknowledgements)]
            n_ack += 1
            outcome = self._turn(question, decision.text, f"{ack} {decision.text}", is_follow_up=True)
            if outcome is None:
                return False
            if outcome.turn.answer and outcome.turn.answer.transcript.text:
                thread_text.append(outcome.turn.answer.transcript.text)
        return True

    def _thread_analysis(self, question: Question, texts: list[str], last: Analysis) -> Analysis:
        """The analysis of everything said in this thread (one answer: reuse it)."""
        if len(texts) <= 1 or self._analyzer is None:
            return last
        try:
            return self._analyzer().analyze(question.text, Transcript(" ".join(texts)), last.source)
        except VoiceInterviewerError:
            return last

    def _record_decision(self, outcome: _Outcome, decision: FollowUp) -> None:
        ready = round(self.clock() - outcome.start, 4)
        turn = outcome.turn
        timings = dataclasses.replace(turn.timings, followup_ready_s=ready)
        updated = dataclasses.replace(turn, follow_up=decision, timings=timings)
        if turn.score is not None:
            updated = dataclasses.replace(updated, score={**turn.score, "follow_up": dataclasses.asdict(decision)})
        self.turns[turn.index] = updated
        outcome.turn = updated
        self.sink.record_turn(updated)

    def _turn(self, question: Question, asked_text: str, spoken: str, is_follow_up: bool) -> _Outcome | None:
        start = self._say_next(spoken)

        def since() -> float:
            return round(self.clock() - start, 4)

        timings = TurnTimings(question_spoken_s=since())
        index = len(self.turns)
        captured = self.source.capture(index)
        if captured is None:
            return None
        endpoint_s = since() if captured.endpoint_at is None else round(captured.endpoint_at - start, 4)
        timings = dataclasses.replace(
            timings,
            endpoint_s=endpoint_s,
            speech_start_s=_offset(timings.question_spoken_s, captured.speech_start_s),
            speech_end_s=_offset(timings.question_spoken_s, captured.speech_end_s),
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
            )
            if self._analyzer is not None and transcript.text:
                analysis = self._analyzer().analyze(asked_text, transcript, captured.source)
                timings = dataclasses.replace(timings, analysis_ready_s=since())
        except VoiceInterviewerError as exc:
            error = exc.one_line()
            self._notify(f"This answer could not be processed: {error}")
        if answer is None and captured.utterance is not None:
            answer = Answer(captured.source, Transcript(""), captured.end_reason, captured.utterance.audio_file)
        score: dict[str, Any] | None = score_json(analysis, None) if analysis is not None else None
        turn = Turn(
            index=index,
            question_id=question.id,
            question=asked_text,
            is_follow_up=is_follow_up,
            answer=answer,
            timings=timings,
            score=score,
            error=error,
        )
        self.turns.append(turn)
        if analysis is not None and not is_follow_up:
            self.main_analyses.append(analysis)
        self.sink.record_turn(turn)
        self._awaiting_reply = start
        return _Outcome(turn, analysis, start)

    def _say_next(self, text: str) -> float:
        """Speak the interviewer's next words; stamp ``tts_start_s`` on the previous turn.

        After an answer cut off at the time cap, the interviewer first says the round's polite
        ``time_up`` line.
        """
        now = self.clock()
        pending = self._awaiting_reply if self.turns else None
        self._awaiting_reply = None
        last_answer = self.turns[-1].answer if pending is not None else None
        if last_answer is not None and last_answer.end_reason == "max_duration":
            text = f"{self.rnd.time_up} {text}"
        started: list[float] = []
        self.speaker.say(text, on_start=lambda: started.append(self.clock()))
        if pending is not None:
            voice_at = started[0] if started else now
            last = self.turns[-1]
            timings = dataclasses.replace(last.timings, tts_start_s=round(voice_at - pending, 4))
            self.turns[-1] = dataclasses.replace(last, timings=timings)
            self.sink.record_turn(self.turns[-1])
        return now

    def _transcribe(self, captured: CapturedAnswer) -> Transcript:
        if captured.transcript is not None:
            return captured.transcript  # transcribed while the candidate was speaking
        if captured.utterance is None:
            return Transcript(text=(captured.text or "").strip())
        if self._transcriber is None:
            raise VoiceInterviewerError("no transcriber configured for audio answers")
        transcript, _stats = self._transcriber().transcribe(captured.utterance.samples)
        return transcript


def _ended_by(outcome: _Outcome, reason: str) -> bool:
    answer = outcome.turn.answer
    return answer is not None and answer.end_reason == reason


def _offset(base: float | None, value: float | None) -> float | None:
    if base is None or value is None:
        return None
    return round(base + value, 4)
