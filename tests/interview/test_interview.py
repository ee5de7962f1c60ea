"""The interview loop with fakes: pure logic, milliseconds."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from voice_interviewer.adapters.learn import fit_softmax
from voice_interviewer.adapters.sentences import PysbdSplitter
from voice_interviewer.analysis.analyzer import Analyzer
from voice_interviewer.config import default_prompts_dir
from voice_interviewer.content.content import load_content
from voice_interviewer.content.prompts import load_questions, load_round
from voice_interviewer.errors import ModelError
from voice_interviewer.interview.feedback import session_feedback
from voice_interviewer.interview.interview import Interview
from voice_interviewer.store.codec import turn_to_json
from voice_interviewer.testing import (
    FakeClock,
    FakeTranscriber,
    HashEmbedder,
    MemorySink,
    RecordingSpeaker,
    ScriptedAnswerSource,
    ScriptedSpokenSource,
    tone,
)
from voice_interviewer.types import FollowUp, Gap, Question

PROMPTS = default_prompts_dir()
RND = load_round(PROMPTS, "hiring_manager")
QUESTIONS: list[Question] = load_questions(PROMPTS)[:3]


class TickingSpeaker(RecordingSpeaker):
    """Speaking takes 2 s of (fake) time."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        self.clock.advance(0.5)  # synthesis before the voice starts
        super().say(text, on_start)
        self.clock.advance(2.0)


def test_full_round_with_typed_answers() -> None:
    clock = FakeClock()
    speaker, sink = TickingSpeaker(clock), MemorySink()
    result = Interview(RND, QUESTIONS, speaker, ScriptedAnswerSource(["a1", "a2", "a3"]), sink, clock).run()
    assert result.complete and sink.finished is True
    assert speaker.said[0] == RND.greeting
    assert speaker.said[-1] == RND.closing
    assert speaker.said[1] == QUESTIONS[0].text
    assert speaker.said[2].endswith(QUESTIONS[1].text) and speaker.said[2] != QUESTIONS[1].text  # transition first
    assert [t.answer.transcript.text for t in sink.turns if t.answer] == ["a1", "a2", "a3"]
    assert [t.question for t in sink.turns] == [q.text for q in QUESTIONS]
    for turn in sink.turns:
        assert turn.timings.question_spoken_s == 2.5
        # the voice of the next line starts after 0.5 s of synthesis: that is what tts_start_s records
        assert turn.timings.tts_start_s == turn.timings.endpoint_s + 0.5  # type: ignore[operator]
        assert turn.timings.tts_start_s is not None and turn.timings.tts_start_s >= turn.timings.endpoint_s  # type: ignore[operator]


def test_ending_early_marks_the_session_incomplete_and_keeps_answers() -> None:
    sink = MemorySink()
    result = Interview(RND, QUESTIONS, RecordingSpeaker(), ScriptedAnswerSource(["only one"]), sink, FakeClock()).run()
    assert not result.complete and sink.finished is False
    assert len(sink.turns) == 1 and sink.turns[0].answer is not None
    assert RND.closing not in RecordingSpeaker().said


def test_audio_answers_are_transcribed_lazily() -> None:
    fake = FakeTranscriber(["I led the migration."])
    calls: list[int] = []

    def provider() -> FakeTranscriber:
        calls.append(1)
        return fake

    sink = MemorySink()
    Interview(
        RND,
        QUESTIONS[:1],
        RecordingSpeaker(),
        ScriptedAnswerSource([tone(1.5)]),
        sink,
        FakeClock(),
        transcriber=provider,
    ).run()
    answer = sink.turns[0].answer
    assert answer is not None and answer.source == "wav"
    assert answer.transcript.text == "I led the migration."
    assert answer.transcript.duration_s == 1.5
    assert len(answer.transcript.words) == 4
    assert calls == [1]
    assert sink.turns[0].timings.transcript_ready_s is not None


def test_silence_is_recorded_as_no_speech() -> None:
    sink = MemorySink()
    Interview(
        RND,
        QUESTIONS[:1],
        RecordingSpeaker(),
        ScriptedAnswerSource([np.zeros(16000, np.float32)]),
        sink,
        FakeClock(),
        transcriber=lambda: FakeTranscriber([""]),
    ).run()
    assert sink.turns[0].answer is not None and sink.turns[0].answer.end_reason == "no_speech"


def test_a_failing_turn_is_recorded_and_the_interview_goes_on() -> None:
    class Broken:
        name = "broken"

        def transcribe(self, samples: np.ndarray):  # type: ignore[no-untyped-def]
            raise ModelError("decoder crashed", "reinstall")

    notes: list[str] = []
    sink = MemorySink()
    result = Interview(
        RND,
        QUESTIONS[:2],
        RecordingSpeaker(),
        ScriptedAnswerSource([tone(1.0), "typed"]),
        sink,
        FakeClock(),
        transcriber=lambda: Broken(),
        notify=notes.append,
    ).run()
    assert result.complete
    assert sink.turns[0].error == "decoder crashed (reinstall)"
    assert sink.turns[0].answer is not None  # the audio reference is kept even though decoding failed
    assert sink.turns[1].answer is not None and sink.turns[1].answer.transcript.text == "typed"
    assert any("decoder crashed" in n for n in notes)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_content(PROMPTS), HashEmbedder(dim=128), PysbdSplitter(), fit_softmax)


def test_analysis_score_is_stored_with_timing(analyzer: Analyzer) -> None:
    sink = MemorySink()
    Interview(
        RND,
        QUESTIONS[:1],
        RecordingSpeaker(),
        ScriptedAnswerSource(["I did X and it worked."]),
        sink,
        FakeClock(step=0.01),
        analyzer=lambda: analyzer,
    ).run()
    score = turn_to_json(sink.turns[0])["score"]
    assert score is not None and score["question"] == QUESTIONS[0].text and score["schema_version"] == 1
    assert sink.turns[0].timings.analysis_ready_s is not None


class ScriptedBrain:
    """Asks the scripted targets in order, then says none; records what it was given."""

    def __init__(self, targets: list[str]) -> None:
        self.targets = targets
        self.calls: list[tuple[tuple[str, ...], int | None]] = []

    def __call__(self, analysis, rnd, asked, budget_left, target_competency):  # type: ignore[no-untyped-def]
        self.calls.append((tuple(asked), budget_left))
        if budget_left is not None and budget_left <= 0:
            return FollowUp(None, "", "budget spent")
        left = [t for t in self.targets if t not in asked]
        if not left:
            return FollowUp(None, "", "complete")
        return FollowUp(Gap(left[0]), f"What about the {left[0]}?", f"probing {left[0]}")


def test_follow_ups_form_a_thread_within_budget(analyzer: Analyzer) -> None:
    brain = ScriptedBrain(["result", "metrics", "reflection"])
    speaker, sink = RecordingSpeaker(), MemorySink()
    answers = ["We fixed the build.", "It got faster.", "About 5 times faster.", "Second question answer."]
    Interview(
        RND,
        QUESTIONS[:2],
        speaker,
        ScriptedAnswerSource(answers),
        sink,
        FakeClock(),
        analyzer=lambda: analyzer,
        brain=brain,
    ).run()
    kinds = [(t.question_id, t.is_follow_up) for t in sink.turns]
    q0, q1 = QUESTIONS[0].id, QUESTIONS[1].id
    # the scripted answers run out during the second question's follow-up: the interview ends there
    assert kinds == [(q0, False), (q0, True), (q0, True), (q1, False)]
    assert sink.finished is False
    assert RND.max_follow_ups == 2
    assert [t.follow_up.key for t in sink.turns[:3] if t.follow_up] == ["result", "metrics", "none"]
    assert sink.turns[1].question == "What about the result?"
    assert any(line.endswith("What about the result?") and line != "What about the result?" for line in speaker.said)
    assert brain.calls[0] == ((), 2) and brain.calls[2] == (("result", "metrics"), 0)
    assert all(t.timings.followup_ready_s is not None for t in sink.turns[:3])
    assert turn_to_json(sink.turns[0])["score"]["follow_up"]["target"] == "result"  # saved with the score


def test_time_box_spent_means_no_follow_ups(analyzer: Analyzer) -> None:
    clock = FakeClock()
    brain = ScriptedBrain(["result"])

    class SlowSource(ScriptedAnswerSource):
        def capture(self, turn_index, context=None):  # type: ignore[no-untyped-def]
            clock.advance(RND.time_box_min * 60 + 1)  # one very long answer
            return super().capture(turn_index)

    sink = MemorySink()
    Interview(
        RND,
        QUESTIONS[:1],
        RecordingSpeaker(),
        SlowSource(["We fixed it."]),
        sink,
        clock,
        analyzer=lambda: analyzer,
        brain=brain,
    ).run()
    assert len(sink.turns) == 1 and sink.turns[0].follow_up is not None
    assert sink.turns[0].follow_up.target is None


class BargingSpeaker(RecordingSpeaker):
    """While a line plays, the scripted candidate may go on with their answer (barge-in)."""

    def __init__(self, source: ScriptedSpokenSource) -> None:
        super().__init__()
        self.source = source
        self.interrupted: list[str] = []

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        super().say(text, on_start)
        if self.source.speak_up():
            self.interrupted.append(text)


class ResultBrain(ScriptedBrain):
    """Probes the result until the answer mentions one."""

    def __call__(self, analysis, rnd, asked, budget_left, target_competency):  # type: ignore[no-untyped-def]
        self.calls.append((tuple(asked), budget_left))
        if "half the time" in analysis.transcript.text or "result" in asked:
            return FollowUp(None, "", "complete")
        return FollowUp(Gap.RESULT, "What about the result?", "no result yet")


def test_speaking_again_during_the_reply_resumes_the_same_answer(analyzer: Analyzer) -> None:
    brain = ResultBrain([])
    source = ScriptedSpokenSource(
        [["I led the migration of our build system.", "In the end builds took half the time."], ["Second answer."]]
    )
    speaker, sink = BargingSpeaker(source), MemorySink()
    Interview(
        RND,
        QUESTIONS[:2],
        speaker,
        source,
        sink,
        FakeClock(),
        analyzer=lambda: analyzer,
        brain=brain,
        barge_in_s=0.0,
    ).run()
    # One turn for the first answer, holding both parts; the follow-up prepared for half of it was
    # dropped (interrupted, never asked) and a decision made again on the whole answer.
    assert [(t.question_id, t.is_follow_up) for t in sink.turns] == [(QUESTIONS[0].id, False), (QUESTIONS[1].id, False)]
    first = sink.turns[0]
    assert first.answer is not None and first.answer.resumed == 1
    assert first.answer.transcript.text.endswith("builds took half the time.")
    assert first.analysis is not None and "half the time" in first.analysis.transcript.text
    assert speaker.stops and len(speaker.interrupted) == 1
    assert speaker.interrupted[0].endswith(". What about the result?")  # with its acknowledgement
    assert RND.go_on in speaker.said
    assert len(brain.calls) == 3  # the dropped probe, the new decision, the second question's
    assert first.follow_up is not None and first.follow_up.target is None
    assert first.timings.tts_start_s is not None  # stamped when the next line was finally heard
    assert source.resumed == 1 and source.released >= 2


def test_no_barge_in_for_typed_answers_or_a_pressed_key(analyzer: Analyzer) -> None:
    # Typed answers have no stream to watch: nothing waits, nothing resumes.
    speaker, sink = RecordingSpeaker(), MemorySink()
    Interview(RND, QUESTIONS[:1], speaker, ScriptedAnswerSource(["Typed."]), sink, FakeClock()).run()
    assert speaker.stops == [] and RND.go_on not in speaker.said
    assert sink.turns[0].answer is not None and sink.turns[0].answer.resumed == 0


def test_a_printed_reply_keeps_the_answer_open_while_it_is_read() -> None:
    from voice_interviewer.interview.interview import BARGE_IN_S, MAX_READING_S, reply_window_s

    question = "Thanks. Next question: tell me about a time you disagreed with your manager and what you did."
    assert reply_window_s(question, printed=False) == BARGE_IN_S  # a spoken reply: heard as it plays
    assert reply_window_s(question, printed=True) == len(question.split()) / 4.0  # 17 words: 4.25 s
    assert reply_window_s("Go on.", printed=True) == BARGE_IN_S  # never shorter than a spoken one
    assert reply_window_s("word " * 100, printed=True) == MAX_READING_S


def test_feedback_is_on_the_story_with_its_follow_up_answers(analyzer: Analyzer) -> None:
    brain = ScriptedBrain(["result"])
    given: list[list[str]] = []

    def feedback(analyses):  # type: ignore[no-untyped-def]
        given.append([a.transcript.text for a in analyses])
        return session_feedback(analyses, (), {})

    answers = ["We fixed the build.", "It got five times faster.", "Second story, no follow-up."]
    Interview(
        RND,
        QUESTIONS[:2],
        RecordingSpeaker(),
        ScriptedAnswerSource(answers),
        MemorySink(),
        FakeClock(),
        analyzer=lambda: analyzer,
        brain=ScriptedBrainOnce(brain),
        feedback=feedback,
    ).run()
    # one analysis per main question: the first joins its follow-up answer, the second is as said
    assert given[-1] == ["We fixed the build. It got five times faster.", "Second story, no follow-up."]


class ScriptedBrainOnce:
    """The scripted brain for the first question only (no follow-up on the second)."""

    def __init__(self, brain: ScriptedBrain) -> None:
        self.brain = brain
        self.questions: set[str] = set()

    def __call__(self, analysis, rnd, asked, budget_left, target_competency):  # type: ignore[no-untyped-def]
        self.questions.add(analysis.question)
        if len(self.questions) > 1:
            return FollowUp(None, "", "complete")
        return self.brain(analysis, rnd, asked, budget_left, target_competency)
