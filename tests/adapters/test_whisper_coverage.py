"""Whisper coverage check, pure logic: speech left without words is found and filled in order."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import numpy as np

from voice_interviewer.adapters.whisper import (
    CONTEXT_WORDS,
    DISFLUENT_PROMPT,
    GAP_PAD_S,
    WhisperTranscriber,
    context_before,
    echoes_prompt,
    put_in_place,
    spread_words,
    uncovered,
)
from voice_interviewer.config import ModelsConfig
from voice_interviewer.types import SAMPLE_RATE, Word


def _words(*spans: tuple[str, float, float]) -> list[Word]:
    return [Word(t, s, e) for t, s, e in spans]


def test_speech_fully_covered_by_words_has_no_holes() -> None:
    words = _words(("I", 0.1, 0.3), ("led", 0.35, 0.6), ("it.", 0.7, 1.4), ("Then", 4.1, 4.5), ("we", 4.6, 5.0))
    assert uncovered([(0.0, 1.5), (4.0, 5.1)], words) == []


def test_a_skipped_stretch_in_the_middle_is_found() -> None:
    # Whisper stopped after "weekly." and resumed at 30 s: 11-30 s of speech got no words.
    words = _words(("Right,", 0.2, 0.6), ("monthly", 0.7, 7.1), ("weekly.", 7.2, 8.0), ("against", 30.1, 35.2))
    holes = uncovered([(0.0, 8.3), (11.1, 16.4), (19.8, 35.4)], words)
    assert holes == [(11.1, 16.4), (19.8, 30.1)]


def test_holes_at_the_start_and_end_and_short_holes_ignored() -> None:
    words = _words(("middle", 3.0, 3.5), ("words", 3.6, 4.0), ("here", 4.6, 5.0))
    # 0.6 s between "words" and "here" is below MIN_GAP_S: word times are not that exact.
    assert uncovered([(0.5, 7.0)], words, min_gap_s=1.0) == [(0.5, 3.0), (5.0, 7.0)]
    assert uncovered([(0.5, 7.0)], [], min_gap_s=1.0) == [(0.5, 7.0)]
    assert uncovered([(0.5, 1.2)], [], min_gap_s=1.0) == []


def test_overlapping_words_do_not_move_the_cursor_back() -> None:
    words = _words(("long", 1.0, 4.0), ("short", 2.0, 2.5))
    assert uncovered([(1.0, 4.5)], words, min_gap_s=0.4) == [(4.0, 4.5)]


def test_new_words_go_in_place_and_edge_repeats_are_dropped() -> None:
    words = _words(("weekly.", 7.2, 8.0), ("against", 30.1, 30.6))
    # decoded from 10.9 s with a pad: "weekly." heard again at the edge, then the lost sentence
    new = _words(("weekly.", 7.8, 8.1), ("I", 11.2, 11.3), ("started", 11.4, 11.9), ("against", 30.0, 30.4))
    merged = put_in_place(words, new, (11.1, 30.1))
    assert [w.text for w in merged] == ["weekly.", "I", "started", "against"]
    assert [w.start_s for w in merged] == sorted(w.start_s for w in merged)


def test_context_is_the_prompt_then_the_words_said_before() -> None:
    words = _words(("one", 0.0, 0.5), ("two", 1.0, 1.5), ("three", 9.0, 9.5))
    assert context_before("earlier words", words, 2.0) == "earlier words one two"
    assert context_before(None, words, 0.2) == ""
    many = " ".join(f"w{i}" for i in range(50))
    assert context_before(many, (), 0.0).split() == [f"w{i}" for i in range(50 - CONTEXT_WORDS, 50)]


class _FakeWhisperModel:
    """Stands in for faster_whisper.WhisperModel. Each sample holds its own time in seconds, so
    the fake knows which part of the answer it was given. ``heard`` filters what one call returns."""

    def __init__(self, script: list[tuple[str, float, float]], heard: Callable[[int, float, float], bool]) -> None:
        self.script = script
        self.heard = heard
        self.calls: list[tuple[float, float, str]] = []
        self.options: list[dict[str, Any]] = []

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Iterator[Any], Any]:
        lo, hi = float(audio[0]), float(audio[-1])
        self.calls.append((lo, hi, options["initial_prompt"] or ""))
        self.options.append(options)
        call = len(self.calls)
        words = [
            SimpleNamespace(word=f" {t}", start=s - lo, end=e - lo, probability=0.9)
            for t, s, e in self.script
            if lo <= s and e <= hi + 0.01 and self.heard(call, s, e)
        ]
        segments = [SimpleNamespace(text=" ".join(w.word for w in words), words=words)] if words else []
        return iter(segments), SimpleNamespace(language="en")


def _transcriber(
    model: Any, speech: list[tuple[float, float]], streaming: bool = False, hesitations: bool = False
) -> WhisperTranscriber:
    transcriber = object.__new__(WhisperTranscriber)  # no model files: the fake decodes
    transcriber.name = "fake-whisper"
    transcriber._cfg = ModelsConfig()
    transcriber._streaming = streaming
    transcriber._hesitations = hesitations
    transcriber._model = model
    transcriber.speech = lambda _audio: speech  # type: ignore[method-assign, assignment]
    return transcriber


SCRIPT = [
    ("One", 0.2, 0.6),
    ("two", 0.7, 1.1),
    ("three.", 1.2, 2.0),
    ("Four", 5.0, 5.5),
    ("five", 5.6, 6.1),
    ("six.", 6.2, 7.0),
    ("seven", 9.0, 9.4),
    ("eight.", 9.5, 10.0),
]
SPEECH = [(0.1, 2.1), (4.9, 7.1), (8.9, 10.1)]
TIMELINE = (np.arange(int(10.5 * SAMPLE_RATE)) / SAMPLE_RATE).astype(np.float32)


def test_a_stretch_whisper_skipped_is_decoded_again_in_place() -> None:
    # the first pass drops "Four five six." (Whisper ended its window at the pause)
    model = _FakeWhisperModel(SCRIPT, lambda call, s, _e: call > 1 or not 4.0 < s < 8.0)
    transcript, _ = _transcriber(model, SPEECH).transcribe(TIMELINE, prompt="Earlier words.")
    assert transcript.text == "One two three. Four five six. seven eight."
    assert [w.start_s for w in transcript.words] == [s for _t, s, _e in SCRIPT]  # times in the whole answer
    assert len(model.calls) == 2
    lo, hi, prompt = model.calls[1]
    assert abs(lo - (4.9 - GAP_PAD_S)) < 0.01 and abs(hi - (7.1 + GAP_PAD_S)) < 0.01
    # a whole answer is decoded as faster-whisper decodes a file: each window conditioned on the
    # text before, no disfluent prompt (it cost words); the repair is prompted with what was said
    assert prompt == "Earlier words. One two three."
    assert all(o["condition_on_previous_text"] and o["word_timestamps"] for o in model.options)


def test_the_hesitation_pass_puts_back_the_ums_the_whole_decode_dropped() -> None:
    script = [*SCRIPT[:3], ("um,", 3.0, 3.3), *SCRIPT[3:]]
    # the beam-search decode drops "um,"; the disfluent-prompted greedy one keeps it
    model = _FakeWhisperModel(script, lambda call, s, _e: call == 2 or s != 3.0)
    transcript, _ = _transcriber(model, SPEECH, hesitations=True).transcribe(TIMELINE)
    assert transcript.text == "One two three. um, Four five six. seven eight."
    assert len(model.calls) == 2
    quick = model.options[1]
    assert quick["beam_size"] == 1 and quick["initial_prompt"].startswith(DISFLUENT_PROMPT)
    assert not quick["condition_on_previous_text"]


def test_nothing_skipped_means_one_pass() -> None:
    model = _FakeWhisperModel(SCRIPT, lambda *_a: True)
    transcript, _ = _transcriber(model, SPEECH).transcribe(TIMELINE)
    assert len(model.calls) == 1 and len(transcript.words) == len(SCRIPT)


def test_speech_whisper_never_hears_is_tried_once_per_stretch() -> None:
    model = _FakeWhisperModel(SCRIPT, lambda _call, s, _e: not 4.0 < s < 8.0)  # never "Four five six."
    transcript, _ = _transcriber(model, SPEECH).transcribe(TIMELINE)
    assert transcript.text == "One two three. seven eight." and len(model.calls) == 2


def test_silence_is_not_decoded() -> None:
    model = _FakeWhisperModel(SCRIPT, lambda *_a: True)
    transcript, _ = _transcriber(model, []).transcribe(TIMELINE)
    assert transcript.text == "" and transcript.words == () and transcript.language is None
    assert model.calls == []


class _TrailingGuessModel:
    """A decode of a finished sentence and the silence after it: the sentence, then a guess
    Whisper is unsure of (as measured on the last segment of a spoken answer: "and", mean
    log-probability -2.25), and a repetition loop."""

    def __init__(self) -> None:
        self.options: list[dict[str, Any]] = []

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Iterator[Any], Any]:
        self.options.append(options)

        def segment(text: str, start: float, end: float, logprob: float, compression: float) -> SimpleNamespace:
            words = [SimpleNamespace(word=f" {w}", start=start, end=end, probability=0.5) for w in text.split()]
            return SimpleNamespace(
                text=text, start=start, end=end, words=words, avg_logprob=logprob, compression_ratio=compression
            )

        segments = [
            segment("Wild time, honestly.", 0.2, 1.3, -0.2, 0.7),
            segment("and", 1.3, 1.7, -2.25, 0.3),
            segment("um um um um um um um um", 1.7, 2.0, -0.4, 3.1),
        ]
        return iter(segments), SimpleNamespace(language="en")


def test_the_streaming_pass_decodes_once_and_drops_what_a_retry_would_have_replaced() -> None:
    model = _TrailingGuessModel()
    audio = np.zeros(2 * SAMPLE_RATE, np.float32)
    streaming, _ = _transcriber(model, [(0.2, 1.3)], streaming=True).transcribe(audio)
    # one greedy window: no retries at higher temperatures, no second window after the last word
    assert model.options[-1]["temperature"] == (0.0,) and model.options[-1]["word_timestamps"] is False
    assert streaming.text == "Wild time, honestly."  # no invented "and" to hold the answer open
    assert streaming.words[0].start_s == 0.2 and streaming.words[-1].end_s == 1.3  # the segment's span
    saved, _ = _transcriber(model, [(0.2, 1.3)]).transcribe(audio)
    assert "temperature" not in model.options[-1] and model.options[-1]["word_timestamps"] is True
    assert saved.text.startswith("Wild time, honestly. and")  # faster-whisper's own fallback decides


def test_spread_words_shares_a_segment_span_by_word_length() -> None:
    words = spread_words("I led the migration.", 10.0, 12.0, 0.8)
    assert [w.text for w in words] == ["I", "led", "the", "migration."]
    assert words[0].start_s == 10.0 and words[-1].end_s == 12.0
    assert all(a.end_s == b.start_s for a, b in itertools.pairwise(words))
    assert words[3].end_s - words[3].start_s > words[0].end_s - words[0].start_s  # longer word, longer time
    assert {w.probability for w in words} == {0.8}
    assert spread_words("", 1.0, 2.0) == []


def test_a_streamed_segment_that_recites_its_prompt_is_not_speech() -> None:
    said = "I built a simple chart of average time to fix for the last ten releases and compared it"
    assert echoes_prompt("The VP is a simple chart of average time to fix for the last ten releases.", said)
    assert not echoes_prompt("Before taking it to the VP, I ran it past our QA lead.", said)
    assert not echoes_prompt("Okay.", said)  # too short to tell: kept
