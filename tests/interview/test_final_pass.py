"""The second transcription pass: whole answers decoded again at low priority, saved in their turns."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

from voice_interviewer.adapters.learn import fit_softmax
from voice_interviewer.adapters.sentences import PysbdSplitter
from voice_interviewer.analysis.analyzer import Analyzer
from voice_interviewer.config import default_prompts_dir
from voice_interviewer.content.content import load_content
from voice_interviewer.content.prompts import load_questions, load_round
from voice_interviewer.interview.final_pass import FinalPass
from voice_interviewer.interview.interview import Interview
from voice_interviewer.testing import (
    FakeClock,
    FakeTranscriber,
    HashEmbedder,
    MemorySink,
    RecordingSpeaker,
    ScriptedAnswerSource,
    tone,
)
from voice_interviewer.types import Transcript, TranscriptionStats

PROMPTS = default_prompts_dir()


class _Recording:
    """A transcriber that notes the thread priority it ran at and how long the audio was."""

    name = "recording"

    def __init__(self, text: str = "Final words.", gate: threading.Event | None = None) -> None:
        self.text = text
        self.gate = gate  # decoding waits for it (a slow CPU)
        self.nice: list[int] = []
        self.lengths: list[int] = []

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[Transcript, TranscriptionStats]:
        self.nice.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        self.lengths.append(len(samples))
        if self.gate is not None:
            assert self.gate.wait(10)
        if self.text == "fail":
            raise RuntimeError("decoder broke")
        return Transcript(self.text, (), len(samples) / 16000, "en"), TranscriptionStats(len(samples) / 16000, 0.0)


def test_answers_are_decoded_in_order_on_a_low_priority_thread() -> None:
    inner = _Recording()
    built_on: list[int] = []

    def build() -> _Recording:
        built_on.append(threading.get_native_id())
        return inner

    final = FinalPass(build)  # type: ignore[arg-type]
    final.submit(0, np.zeros(16000, np.float32))
    final.submit(1, np.zeros(8000, np.float32))
    ready = final.wait(10)
    final.close()
    assert sorted(ready) == [0, 1] and ready[0][0].text == "Final words." and ready[0][1] is None
    assert inner.lengths == [16000, 8000]
    assert built_on and built_on[0] != threading.get_native_id()  # the decoder is built on the worker
    assert inner.nice and all(n == 10 for n in inner.nice)  # so its threads inherit nice 10
    assert final.take_ready() == {}  # each result is handed out once


def test_a_failed_pass_keeps_the_streaming_transcript() -> None:
    final = FinalPass(lambda: _Recording("fail"))  # type: ignore[arg-type, return-value]
    final.submit(3, np.zeros(1600, np.float32))
    assert final.wait(10) == {}
    assert "decoder broke" in final.failures[3]
    final.close()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_content(PROMPTS), HashEmbedder(dim=128), PysbdSplitter(), fit_softmax)


def test_the_saved_turns_get_the_final_transcripts_and_the_feedback_does_not_wait(analyzer: Analyzer) -> None:
    streaming = FakeTranscriber(["The streaming words of the answer."])
    slow = threading.Event()
    second = _Recording("The final words: we cut the build time by forty percent.", gate=slow)
    seen: list[list[str]] = []

    def feedback(analyses):  # type: ignore[no-untyped-def]
        seen.append([a.transcript.text for a in analyses])
        slow.set()  # the second pass finishes only after the feedback was given
        from voice_interviewer.interview.feedback import session_feedback

        return session_feedback(analyses, ("drive_for_results",), {})

    sink = MemorySink()
    final = FinalPass(lambda: second)  # type: ignore[arg-type, return-value]
    questions = load_questions(PROMPTS)[:2]
    Interview(
        load_round(PROMPTS, "hiring_manager"),
        questions,
        RecordingSpeaker(),
        ScriptedAnswerSource([tone(1.0), tone(2.0)]),
        sink,
        FakeClock(step=0.01),
        transcriber=lambda: streaming,
        analyzer=lambda: analyzer,
        feedback=feedback,
        final_pass=final,
    ).run()
    final.close()
    assert len(sink.turns) == 2 and sink.finished is True
    for turn in sink.turns:
        assert turn.answer is not None and turn.answer.final_pass
        assert turn.answer.transcript.text == second.text
        assert turn.analysis is not None and "forty percent" in turn.analysis.transcript.text
    assert second.lengths == [16000, 32000]  # each whole answer, once
    assert seen == [[streaming._texts[0]] * 2]  # the feedback came at once, on what was ready


def test_the_final_transcript_is_analysed_on_the_second_pass_thread(analyzer: Analyzer) -> None:
    """Swapping in the final version costs the interview no analysis (it ran on the worker)."""
    second = _Recording("The final words: we cut the build time by forty percent.")
    threads: list[str] = []

    class Watching:
        def analyze(self, question, transcript, source="text", sentences=None, kind=None):  # type: ignore[no-untyped-def]
            if transcript.text == second.text:
                threads.append(threading.current_thread().name)
            return analyzer.analyze(question, transcript, source, sentences, kind)

    sink = MemorySink()
    final = FinalPass(lambda: second)  # type: ignore[arg-type, return-value]
    watching = Watching()
    Interview(
        load_round(PROMPTS, "hiring_manager"),
        load_questions(PROMPTS)[:2],
        RecordingSpeaker(),
        ScriptedAnswerSource([tone(1.0), tone(2.0)]),
        sink,
        FakeClock(step=0.01),
        transcriber=lambda: FakeTranscriber(["The streaming words of the answer."]),
        analyzer=lambda: watching,  # type: ignore[arg-type, return-value]
        final_pass=final,
    ).run()
    final.close()
    assert all(t.answer is not None and t.answer.final_pass for t in sink.turns)
    assert all(t.analysis is not None and "forty percent" in t.analysis.transcript.text for t in sink.turns)
    assert threads == ["final-pass", "final-pass"]
