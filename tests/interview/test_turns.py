"""A captured answer made into a turn: timings on the turn's clock, errors kept in the turn."""

from __future__ import annotations

import numpy as np

from voice_interviewer.interview.turns import AnswerProcessor
from voice_interviewer.testing import FakeClock, FakeTranscriber
from voice_interviewer.types import CapturedAnswer, Question, Transcript, TurnTimings, Utterance

QUESTION = Question("q1", "Tell me about a conflict.", ("collaboration",), ("hiring_manager",), "medium", "conflict")


def test_audio_times_count_from_the_first_sample_heard_not_the_capture_start() -> None:
    clock = FakeClock(start=110.0)
    answers = AnswerProcessor(clock, None, None, lambda _m: None)
    captured = CapturedAnswer(
        source="wav",
        end_reason="silence",
        utterance=Utterance(np.zeros(16000, np.float32), "silence"),
        speech_start_s=0.5,
        speech_end_s=30.0,
        transcript=Transcript("We agreed on a plan."),
        endpoint_at=131.2,
        audio_start_at=100.8,  # the stream opened 0.3 s after the capture began (100.5)
    )
    timings = TurnTimings(question_spoken_s=0.5)
    turn = answers.process(QUESTION, QUESTION.text, False, 0, 100.0, timings, captured).turn
    assert turn.timings.audio_start_s == 0.8
    assert turn.timings.speech_start_s == 1.3 and turn.timings.speech_end_s == 30.8
    assert turn.timings.endpoint_s == 31.2
    # A source that does not say when its audio began: the capture start, as before.
    earlier = CapturedAnswer(source="wav", end_reason="silence", speech_end_s=30.0, transcript=Transcript("Ok."))
    turn = answers.process(QUESTION, QUESTION.text, False, 1, 100.0, timings, earlier).turn
    assert turn.timings.audio_start_s is None and turn.timings.speech_end_s == 30.5


def test_an_answer_that_cannot_be_transcribed_keeps_its_audio_and_says_why() -> None:
    notes: list[str] = []
    answers = AnswerProcessor(FakeClock(), None, None, notes.append)
    captured = CapturedAnswer(source="wav", end_reason="silence", utterance=Utterance(np.zeros(160, np.float32), "x"))
    outcome = answers.process(QUESTION, QUESTION.text, False, 0, 100.0, TurnTimings(0.0), captured)
    assert outcome.turn.error is not None and "no transcriber" in outcome.turn.error and notes
    assert outcome.turn.answer is not None and outcome.analysis is None
    ok = AnswerProcessor(FakeClock(), lambda: FakeTranscriber(["Fine."]), None, notes.append)
    assert (
        ok.process(QUESTION, QUESTION.text, False, 0, 100.0, TurnTimings(0.0), captured).turn.answer.transcript.text
        == "Fine."
    )  # type: ignore[union-attr]
