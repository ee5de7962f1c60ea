"""The interview loop: pure logic over ports, tested with the fakes in ``testing``.

One main question opens a *thread*:

    say the question -> capture the answer -> transcribe (audio only) -> analyse
    -> the follow-up brain picks the most valuable probe for the whole thread so far
    -> ask it (a follow-up turn) ... until the brain moves on (no target), the round's
       follow-up budget is spent, or the round's time box has run out.

Each turn is persisted the moment it completes. A turn that fails is recorded
with its error and the interview goes on.

Barge-in: a spoken answer's stream stays open while the interviewer replies. If the
candidate speaks again before the reply has been heard (while it plays, or within
``barge_in_s`` of its start), the voice stops at once, the interviewer says the
round's short "Sorry, go on.", and the SAME answer continues: one turn, one WAV, one
transcript, analysed again; a follow-up prepared for it is dropped and chosen anew.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from ..audio.fillers import with_hesitations
from ..content.prompts import Round
from ..errors import VoiceInterviewerError
from ..ports import AnswerSource, Clock, ResumableSource, SessionSink, Speaker, Transcriber
from ..types import (
    Analysis,
    EndReason,
    FollowUp,
    ListenContext,
    Question,
    Transcript,
    Turn,
    TurnTimings,
)
from .feedback import Feedback
from .final_pass import FinalPass, FinalVersions
from .policy import FollowUpBrain
from .replies import acknowledgement, gave_what_was_asked
from .turns import AnswerAnalyzer, AnswerProcessor, Outcome


@dataclass(frozen=True)
class InterviewResult:
    """What ``Interview.run`` returns: the round's turns, and whether it ran to the end (not ended by the candidate)."""

    turns: tuple[Turn, ...]
    complete: bool


BARGE_IN_S = 2.0  # speech this soon after the reply began (or while it plays) resumes the answer
READING_WORDS_PER_S = 4.0  # silent reading runs at about 240 words a minute
MAX_READING_S = 6.0


def reply_window_s(text: str, printed: bool, barge_in_s: float = BARGE_IN_S) -> float:
    """How long after the reply begins the candidate's speech still continues the last answer.

    A spoken reply: ``barge_in_s`` (and all the while it plays). A printed one: at least the
    time it takes to read it, since nobody answers a question before reading it; speech
    sooner means the candidate was not done (a thinking pause taken for the end).
    """
    if not printed:
        return barge_in_s
    return max(barge_in_s, min(MAX_READING_S, len(text.split()) / READING_WORDS_PER_S))


FINAL_WAIT_S = 60.0  # at the end of a complete round, the longest wait for the last final transcripts
MAX_RESUMES = 3  # then the answer is final: a noisy room (or an echo) must not loop the interview


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
        barge_in_s: float = BARGE_IN_S,
        final_pass: FinalPass | None = None,
        again: Callable[[Question, int], Question | None] | None = None,
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
        # After each story: the question to ask again (a new attempt of that turn), or None to go on.
        self._again = again
        self.turns: list[Turn] = []
        self._awaiting_reply: float | None = None  # start time of the last turn, until we speak again
        self._started: float | None = None
        self._barge_in_s = barge_in_s
        self._last: Outcome | None = None  # the last answer, while it may still be resumed
        self._said_at = 0.0  # when the last line that was heard through began
        self.resumes = 0
        self._last_ack = ""  # the opener said before the last follow-up (replies.acknowledgement)
        self._answers = AnswerProcessor(clock, transcriber, analyzer, notify)
        # Second pass over each finished spoken answer (final_pass.py); its transcript and
        # analysis replace the turn's when they land.
        self._finals = FinalVersions(final_pass)

    def main_analyses(self) -> list[Analysis]:
        """The analyses of the stories told to main questions, as they stand (feedback is on
        these): each main answer with its follow-up answers (``_story_analysis``).

        A question taken again in this round (``again``) counts once: its latest attempt."""
        main = [t for t in self.turns if t.analysis is not None and not t.is_follow_up]
        retried = {t.question_id for t in main if t.retry_of is not None}
        latest = {t.question_id: t.index for t in main}
        return [
            self._story_analysis(t)
            for t in main
            if t.analysis is not None and (t.question_id not in retried or latest[t.question_id] == t.index)
        ]

    def _story_analysis(self, main: Turn) -> Analysis:
        """The analysis of a main answer with the follow-up answers that went on with it (its
        delivery is the main answer's): the feedback judges the story the candidate told."""
        assert main.analysis is not None
        thread = itertools.takewhile(lambda t: t.is_follow_up, self.turns[main.index + 1 :])
        texts = [t.answer.transcript.text for t in (main, *thread) if t.answer and t.answer.transcript.text]
        story = self._thread_analysis(main.question, texts, main.analysis)
        return story if story is main.analysis else dataclasses.replace(story, delivery=main.analysis.delivery)

    def run(self) -> InterviewResult:
        complete = False
        self._started = self.clock()
        try:
            self.speaker.say(self.rnd.greeting)
            complete = self._ask_all()
            if complete:
                self._give_feedback()
                self._say_through(self.rnd.closing)
        finally:
            self._release()
            self._apply_final(FINAL_WAIT_S if complete else 0.0)
            self.sink.finish(complete)
        return InterviewResult(tuple(self.turns), complete)

    def _give_feedback(self) -> None:
        """Spoken summary, printed detail with evidence, and a copy in the session."""
        if self._feedback is None:
            return
        while True:
            # The feedback uses the final transcripts ready now; the last answer's is usually
            # still decoding and the candidate is not kept waiting for it (it lands in the
            # session before it closes, with the answer's scores).
            self._apply_final(0.0)
            analyses = self.main_analyses()
            if not analyses:
                return
            try:
                fb = self._feedback(analyses)
            except VoiceInterviewerError as exc:
                self._notify(f"No feedback this time: {exc.one_line()}")
                return
            if self._say_next(fb.spoken()):
                break  # else the last answer went on: feedback on all of it
        self.sink.record_feedback(fb)
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
            first_turn = len(self.turns)
            if not self._thread(question, lead):
                return False
            attempt = 0
            while self._again is not None and len(self.turns) > first_turn:
                retry = self._again(question, first_turn)
                if retry is None:
                    break
                lead = self.rnd.again[attempt % len(self.rnd.again)] + " "
                attempt += 1
                first_turn = len(self.turns)
                if not self._thread(retry, lead):
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
        earlier: list[str] = []  # answers of this thread before the current one
        asked: list[str] = []
        while self._brain is not None and outcome.analysis is not None:
            budget = self.rnd.max_follow_ups - len(asked)
            if self.time_left_s() <= 0:
                budget = 0
            thread_text = [*earlier, _text(outcome)]
            thread = self._thread_analysis(question.text, thread_text, outcome.analysis)
            decision = self._brain(thread, self.rnd, asked, budget, question.competencies[0])
            self._record_decision(outcome, decision)
            if decision.target is None:
                break
            filled = gave_what_was_asked(asked[-1] if asked else None, thread)
            ack = acknowledgement(self.rnd, _text(outcome), filled, len(self.turns), self._last_ack)
            self._last_ack = ack
            if not self._say_next(f"{ack} {decision.text}".strip()):
                # The candidate went on: the prepared follow-up is dropped and chosen again.
                assert self._last is not None
                outcome = self._last
                continue
            asked.append(decision.key)
            if _text(outcome):
                earlier.append(_text(outcome))
            context = ListenContext(decision.text, True, tuple(earlier), question.known_kind)
            outcome = self._turn(question, decision.text, None, is_follow_up=True, context=context)
            if outcome is None:
                return False
        return True

    def _thread_analysis(self, question: str, texts: list[str], last: Analysis) -> Analysis:
        """The analysis of everything said in this thread (one answer: reuse it), of the kind
        its answers were analysed as (the main question's)."""
        if len(texts) <= 1 or self._analyzer is None:
            return last
        try:
            return self._analyzer().analyze(question, Transcript(" ".join(texts)), last.source, kind=last.kind)
        except VoiceInterviewerError:
            return last

    def _record_decision(self, outcome: Outcome, decision: FollowUp) -> None:
        ready = round(self.clock() - outcome.start, 4)
        turn = outcome.turn
        timings = dataclasses.replace(turn.timings, followup_ready_s=ready)
        updated = dataclasses.replace(turn, follow_up=decision, timings=timings)
        self.turns[turn.index] = updated
        outcome.turn = updated
        self.sink.record_turn(updated)

    def _turn(
        self,
        question: Question,
        asked_text: str,
        spoken: str | None,
        is_follow_up: bool,
        context: ListenContext | None = None,
    ) -> Outcome | None:
        """Say ``spoken`` (already said when None), capture the answer, process and save it."""
        start = self._say_through(spoken) if spoken is not None else self._said_at
        self._release()
        self._apply_final(0.0)
        timings = TurnTimings(question_spoken_s=round(self.clock() - start, 4))
        index = len(self.turns)
        captured = self.source.capture(
            index, context or ListenContext(asked_text, is_follow_up, kind=question.known_kind)
        )
        if captured is None:
            return None
        outcome = self._answers.process(question, asked_text, is_follow_up, index, start, timings, captured)
        self.turns.append(outcome.turn)
        self._finals.heard(outcome.turn.index, outcome.samples)
        self.sink.record_turn(outcome.turn)
        self._awaiting_reply = start
        self._last = outcome
        return outcome

    # ------------------------------------------------------------------ speaking, with barge-in

    def _say_through(self, text: str) -> float:
        """Say ``text``; if the candidate resumes the last answer meanwhile, say it again after."""
        while not self._say_next(text):
            pass
        return self._said_at

    def _say_next(self, text: str) -> bool:
        """Speak the interviewer's next words; stamp ``tts_start_s`` on the previous turn.

        Returns False when the candidate spoke again before the words were heard: the voice
        was stopped and the last answer resumed (and saved again); the caller decides anew.
        After an answer cut off at the time cap, the interviewer first says the round's polite
        ``time_up`` line.
        """
        now = self.clock()
        pending = self._awaiting_reply if self.turns else None
        last_answer = self.turns[-1].answer if pending is not None else None
        if last_answer is not None and last_answer.end_reason == "max_duration":
            text = f"{self.rnd.time_up} {text}"
        source = self._resumable()
        barged = threading.Event()

        def on_speech() -> None:
            barged.set()
            self.speaker.stop()

        started: list[float] = []
        if source is not None and source.watch(on_speech):
            barged.set()  # the candidate went on before the interviewer said anything
        if not barged.is_set():
            self.speaker.say(text, on_start=lambda: started.append(self.clock()))
        if source is not None and not barged.is_set():
            # Speech just after a short line (or a printed one) still means "I wasn't done".
            begun = started[0] if started else now
            window = reply_window_s(text, bool(getattr(self.speaker, "prints_only", False)), self._barge_in_s)
            barged.wait(max(0.0, begun + window - self.clock()))
        if source is not None:
            source.unwatch()
        if barged.is_set():
            assert source is not None
            if started:
                self.speaker.say(self.rnd.go_on)  # only after words the candidate heard
            self._resume_last(source)
            return False
        self._awaiting_reply = None
        self._said_at = now
        if pending is not None:
            voice_at = started[0] if started else now
            last = self.turns[-1]
            timings = dataclasses.replace(last.timings, tts_start_s=round(voice_at - pending, 4))
            self.turns[-1] = dataclasses.replace(last, timings=timings)
            self.sink.record_turn(self.turns[-1])
        return True

    def _resumable(self) -> ResumableSource | None:
        """The source, when the last answer is a spoken one that can still go on."""
        if self._last is None or not hasattr(self.source, "watch"):
            return None
        answer = self._last.turn.answer
        if answer is None or answer.source == "text" or answer.end_reason != "silence":
            return None
        if answer.resumed >= MAX_RESUMES:
            return None
        return self.source  # type: ignore[return-value]

    def _resume_last(self, source: ResumableSource) -> None:
        """Listen to the rest of the last answer and replace its turn (same index, same WAV)."""
        last = self._last
        assert last is not None and last.question is not None
        self.resumes += 1
        captured = source.resume(last.turn.index)
        if captured is None:
            return
        old = last.turn
        timings = TurnTimings(question_spoken_s=old.timings.question_spoken_s)
        outcome = self._answers.process(
            last.question, old.question, old.is_follow_up, old.index, last.start, timings, captured
        )
        self.turns[old.index] = outcome.turn  # the whole answer's analysis replaces the first part's
        self._finals.heard(outcome.turn.index, outcome.samples)
        self.sink.record_turn(outcome.turn)
        self._last = outcome

    def _release(self) -> None:
        """The last answer is final (the next one starts, or the interview ends)."""
        release = getattr(self.source, "release", None)
        if self._last is not None:
            turn = self._last.turn
            if turn.answer is not None:
                self._finals.submit(turn.index, self._last.samples, self._final_analysis(turn))
            if release is not None:
                release()
        self._last = None

    # ------------------------------------------------------------------ the final transcription pass

    def _final_analysis(self, turn: Turn) -> Callable[[Transcript], Analysis | None] | None:
        """The analysis of the turn's final transcript, for the second pass's worker to make."""
        if self._analyzer is None or turn.answer is None:
            return None
        analyzer, question, source = self._analyzer, turn.question, turn.answer.source
        heard, kind = turn.answer.transcript, turn.analysis.kind if turn.analysis else None

        def analyse(transcript: Transcript) -> Analysis | None:
            if not transcript.text.strip():
                return None
            return analyzer().analyze(question, with_hesitations(transcript, heard), source, kind=kind)

        return analyse

    def _apply_final(self, wait_s: float) -> None:
        """Put the final transcripts that are ready (waiting up to ``wait_s``) in their turns."""
        for index, transcript, made in self._finals.ready(wait_s):
            self._use_final(index, transcript, made if isinstance(made, Analysis) else None)

    def _use_final(self, index: int, transcript: Transcript, ready: Analysis | None = None) -> None:
        turn = self.turns[index]
        answer = turn.answer
        if answer is None or not transcript.text.strip():
            return  # the second pass heard nothing: keep what the interviewer heard
        # The words of the second pass, with the "um"s the streaming pass heard (as analysed).
        transcript = with_hesitations(transcript, answer.transcript)
        analysis = turn.analysis
        if self._analyzer is not None:
            try:
                kind = turn.analysis.kind if turn.analysis else None
                analysis = ready or self._analyzer().analyze(turn.question, transcript, answer.source, kind=kind)
            except VoiceInterviewerError:
                return
        answer = dataclasses.replace(answer, transcript=transcript, final_pass=True)
        updated = dataclasses.replace(turn, answer=answer, analysis=analysis)
        self.turns[index] = updated
        if self._last is not None and self._last.turn.index == index:
            self._last.turn = updated
        self.sink.record_turn(updated)


def _text(outcome: Outcome) -> str:
    answer = outcome.turn.answer
    return answer.transcript.text if answer is not None else ""


def _ended_by(outcome: Outcome, reason: EndReason) -> bool:
    answer = outcome.turn.answer
    return answer is not None and answer.end_reason == reason
