"""The interview loop with fakes: pure logic, milliseconds."""

from __future__ import annotations

import numpy as np

from voice_interviewer.config import default_prompts_dir
from voice_interviewer.errors import ModelError
from voice_interviewer.interview import Interview
from voice_interviewer.prompts import load_questions, load_round
from voice_interviewer.testing import (
    FakeClock,
    FakeTranscriber,
    MemorySink,
    RecordingSpeaker,
    ScriptedAnswerSource,
    tone,
)
from voice_interviewer.types import Question

PROMPTS = default_prompts_dir()
RND = load_round(PROMPTS, "hiring_manager")
QUESTIONS: list[Question] = load_questions(PROMPTS)[:3]


class TickingSpeaker(RecordingSpeaker):
    """Speaking takes 2 s of (fake) time."""

    def __init__(self, clock: FakeClock) -> None:
        super().__init__()
        self.clock = clock

    def say(self, text: str) -> None:
        super().say(text)
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
        assert turn.timings.question_spoken_s == 2.0
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


def test_analyzer_score_is_stored_with_timing() -> None:
    sink = MemorySink()
    Interview(
        RND,
        QUESTIONS[:1],
        RecordingSpeaker(),
        ScriptedAnswerSource(["I did X."]),
        sink,
        FakeClock(step=0.01),
        analyzer=lambda: lambda q, a: {"schema_version": 1, "question": q.text},
    ).run()
    assert sink.turns[0].score == {"schema_version": 1, "question": QUESTIONS[0].text}
    assert sink.turns[0].timings.analysis_ready_s is not None
