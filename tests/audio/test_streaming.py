"""Listening with fakes: segments transcribed while speaking, words offset, replay pacing."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from voice_interviewer.audio.answers import StreamingAnswerSource, listen
from voice_interviewer.audio.sources import WavReplay
from voice_interviewer.testing import EnergyVad, FakeClock, FakeTranscriber, chunked, silence, tone
from voice_interviewer.types import AudioChunk


def test_segments_are_transcribed_at_pauses_and_merged_in_order() -> None:
    audio = np.concatenate([silence(0.5), tone(2.0), silence(1.0), tone(3.0), silence(4.0)])
    fake = FakeTranscriber(["First part here.", "Second part follows."])
    heard = listen(chunked(audio), EnergyVad(), lambda: fake, FakeClock())
    assert heard.end_reason == "silence"
    assert heard.transcript.text == "First part here. Second part follows."
    assert heard.segments == 2 and fake.calls == 2
    assert fake.prompts[0] is None and fake.prompts[1] == "First part here."  # context carries over
    # word times are offset into the whole answer: the second segment starts after 3.5 s
    second = next(w for w in heard.transcript.words if w.text == "Second")
    assert 3.0 <= second.start_s <= 3.6
    assert heard.speech_start_s is not None and abs(heard.speech_start_s - 0.5) < 0.1
    assert heard.speech_end_s is not None and abs(heard.speech_end_s - 6.5) < 0.1
    assert heard.audio_start_at == 100.0 - 0.1  # the first 100 ms block arrived once it was heard


def test_key_press_ends_at_once_and_keeps_the_open_segment() -> None:
    audio = np.concatenate([tone(3.0), tone(10.0)])
    presses = iter([False] * 20 + [True] * 1000)
    fake = FakeTranscriber(["Everything so far."])
    heard = listen(chunked(audio), EnergyVad(), lambda: fake, FakeClock(), should_stop=lambda: next(presses))
    assert heard.end_reason == "key"
    assert heard.transcript.text == "Everything so far."
    assert len(heard.samples) == 21 * 1600


def test_silence_only_is_no_speech() -> None:
    fake = FakeTranscriber(["should not be called"])
    heard = listen(chunked(silence(14.0)), EnergyVad(), lambda: fake, FakeClock())
    assert heard.end_reason == "no_speech" and heard.transcript.text == "" and fake.calls == 0


def test_long_monologue_is_cut_before_whisper_window() -> None:
    fake = FakeTranscriber(["chunk."])
    heard = listen(chunked(np.concatenate([tone(60.0), silence(4.0)])), EnergyVad(), lambda: fake, FakeClock())
    assert fake.calls >= 3  # 60 s without a pause: forced cuts every 20 s at most
    assert heard.end_reason == "silence"


def test_replay_paces_in_real_time_and_pads_silence(tmp_path: Path) -> None:
    clock = FakeClock()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.advance(seconds)

    replay = WavReplay([tmp_path / "a.wav"], lambda _p: tone(1.0), pace=1.0, tail_s=2.0, clock=clock, sleep=sleep)
    with replay.open(0) as chunks:
        got = list(chunks)
    assert sum(len(c.samples) for c in got) == 3 * 16000
    assert abs(sum(slept) - 3.0) < 1e-6  # 1 s of speech + 2 s of silence, at real time
    with replay.open(1) as chunks:
        assert list(chunks) == []  # no more answers


def test_streaming_source_writes_the_answer_wav_as_it_goes(tmp_path: Path) -> None:
    audio = np.concatenate([tone(1.0), silence(4.0)])
    replay = WavReplay([tmp_path / "in.wav"], lambda _p: audio, pace=0, tail_s=0.0)
    fake = FakeTranscriber(["Hello."])
    source = StreamingAnswerSource(
        "wav", replay.open, EnergyVad, lambda: fake, FakeClock(), lambda i: tmp_path / f"answer-{i:02d}.wav"
    )
    captured = source.capture(0)
    assert captured is not None and captured.transcript is not None
    assert captured.transcript.text == "Hello." and captured.end_reason == "silence"
    import wave

    with wave.open(str(tmp_path / "answer-00.wav")) as w:
        assert w.getframerate() == 16000 and w.getnframes() > 16000
    assert source.capture(1) is None


def test_a_finished_story_ends_quickly_and_an_unfinished_one_survives_a_long_pause() -> None:
    from voice_interviewer.audio.endpointing import EndpointConfig, StoryVerdict

    def story(_ctx: object, text: str) -> StoryVerdict:
        return StoryVerdict("result" in text, "scripted")

    # A 4 s pause after a sentence with no result: still listening; after the result, 0.5 s ends it.
    audio = np.concatenate([tone(2.0), silence(4.0), tone(2.0), silence(6.0)])
    fake = FakeTranscriber(["We rewrote the cache first.", "The result was a faster build."])
    heard = listen(chunked(audio), EnergyVad(), lambda: fake, FakeClock(), EndpointConfig(), story=story)  # type: ignore[arg-type]
    assert heard.end_reason == "silence" and heard.transcript.text.endswith("faster build.")
    assert heard.end_signals is not None and heard.end_signals["rule"] == "done"
    assert 0.4 <= heard.end_signals["silence_s"] <= 0.8
    pauses = heard.end_signals["pauses"]
    assert len(pauses) == 1 and pauses[0]["rule"] == "story" and pauses[0]["silence_s"] >= 3.9


def test_a_last_stretch_that_decodes_to_nothing_leaves_the_words_before_it_as_the_tail() -> None:
    from voice_interviewer.audio.endpointing import EndpointConfig, StoryVerdict

    # The answer ends with a short noise Whisper hears no words in: the finished story before it
    # still ends the answer soon (with an empty tail it waited the 3 s kept for "nothing said").
    audio = np.concatenate([tone(4.5), silence(0.3), tone(0.6), silence(5.0)])  # closed at the 0.3 s dip
    fake = FakeTranscriber(["In the end the result was a faster build.", ""])
    story = lambda _ctx, _text: StoryVerdict(True, "scripted")  # noqa: E731
    heard = listen(chunked(audio), EnergyVad(), lambda: fake, FakeClock(), EndpointConfig(), story=story)  # type: ignore[arg-type]
    assert heard.end_signals is not None, heard
    assert heard.end_signals["tail"] == "In the end the result was a faster build."
    assert heard.end_signals["rule"] == "done" and heard.end_signals["silence_s"] < 1.0


def test_the_candidate_going_on_after_the_end_resumes_one_answer(tmp_path: Path) -> None:
    import wave

    from voice_interviewer.audio.endpointing import StoryVerdict

    # Speech, a pause long enough to end a finished story, then more speech (the lesson),
    # which this stream holds back until the interviewer has the first end in hand.
    before = chunked(np.concatenate([tone(2.0), silence(1.5)]))
    after = chunked(np.concatenate([tone(2.0), silence(4.0)]))
    proceed = threading.Event()

    @contextlib.contextmanager
    def stream(_turn: int) -> Iterator[Iterator[AudioChunk]]:
        def chunks() -> Iterator[AudioChunk]:
            yield from before
            assert proceed.wait(10)
            offset = len(before) * 1600
            for c in after:
                yield AudioChunk(c.samples, c.start_sample + offset)

        yield chunks()

    fake = FakeTranscriber(["In the end it shipped on time.", "What I learned was to ask earlier."])
    source = StreamingAnswerSource(
        "wav",
        stream,
        EnergyVad,
        lambda: fake,
        FakeClock(),
        lambda i: tmp_path / f"answer-{i:02d}.wav",
        story=lambda _c, _t: StoryVerdict(True, "scripted"),
    )
    first = source.capture(0)
    assert first is not None and first.end_reason == "silence"
    fired: list[bool] = []
    assert source.watch(lambda: fired.append(True)) is False  # not yet
    proceed.set()
    whole = source.resume(0)
    assert fired == [True]  # the armed callback (the interview stops its voice there)
    source.release()
    assert whole is not None and whole.resumed == 1
    assert whole.transcript is not None
    assert whole.transcript.text == "In the end it shipped on time. What I learned was to ask earlier."
    assert whole.end_signals is not None and len(whole.end_signals["resumed_after"]) == 1
    with wave.open(str(tmp_path / "answer-00.wav")) as w:
        frames = w.getnframes()
    assert 5.5 * 16000 <= frames <= 9.5 * 16000  # both stretches and the gap, in one WAV
    second = next(w for w in whole.transcript.words if w.text == "learned")
    assert 3.4 <= second.start_s <= 5.6  # word times run on across the resume


def test_release_without_a_resume_keeps_only_the_answer(tmp_path: Path) -> None:
    import wave

    from voice_interviewer.audio.endpointing import StoryVerdict

    audio = np.concatenate([tone(2.0), silence(3.0)])
    replay = WavReplay([tmp_path / "in.wav"], lambda _p: audio, pace=0, tail_s=0.0)
    source = StreamingAnswerSource(
        "wav",
        replay.open,
        EnergyVad,
        lambda: FakeTranscriber(["Done, it worked."]),
        FakeClock(),
        lambda i: tmp_path / f"answer-{i:02d}.wav",
        story=lambda _c, _t: StoryVerdict(True, "scripted"),
    )
    captured = source.capture(0)
    source.release()
    assert captured is not None and captured.resumed == 0
    with wave.open(str(tmp_path / "answer-00.wav")) as w:
        assert w.getnframes() <= 3.0 * 16000  # the watched silence after the end is not kept


class _Lengths:
    """Says how long the audio it was given is: which decode a transcript came from."""

    name = "lengths"

    def __init__(self) -> None:
        self.lengths: list[float] = []

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[object, object]:
        from voice_interviewer.types import Transcript, TranscriptionStats, Word

        seconds = round(len(samples) / 16000, 1)
        self.lengths.append(seconds)
        text = f"Heard {seconds} seconds."
        return Transcript(text, (Word(text, 0.0, seconds),), seconds, "en"), TranscriptionStats(seconds, 0.0)


def test_a_pause_decodes_the_segment_ahead_and_a_finished_answer_uses_that_decode() -> None:
    from voice_interviewer.audio.endpointing import EndpointConfig, StoryVerdict

    fake = _Lengths()
    heard = listen(
        chunked(np.concatenate([tone(2.0), silence(3.0)])),
        EnergyVad(),
        lambda: fake,  # type: ignore[arg-type, return-value]
        FakeClock(),
        EndpointConfig(),
        story=lambda _c, _t: StoryVerdict(True, "scripted"),  # type: ignore[arg-type]
    )
    assert heard.end_reason == "silence" and heard.end_signals is not None
    assert heard.end_signals["rule"] == "done"
    assert fake.lengths == [2.2]  # decoded once, at 0.2 s of silence: 2 s and the 0.2 s pad after it
    assert heard.transcript.text == "Heard 2.2 seconds." and heard.segments == 1


def test_speech_again_before_the_segment_closes_cancels_the_decode_ahead() -> None:
    # 0.35 s is past the decode-ahead point (0.2 s) but short of closing a segment (0.5 s).
    audio = np.concatenate([tone(2.0), silence(0.35), tone(1.5), silence(4.0)])
    fake = _Lengths()
    heard = listen(chunked(audio), EnergyVad(), lambda: fake, FakeClock())  # type: ignore[arg-type, return-value]
    # One segment: 2 + 0.35 + 1.5 s of speech with its pads; a decode of the first 2 s, if the
    # worker got to it before the cancel, left no words behind.
    assert heard.segments == 1
    assert heard.transcript.text == f"Heard {fake.lengths[-1]} seconds."
    assert fake.lengths[-1] >= 4.0


class _SmoothedVad:
    """Hears speech through a short quiet gap, as Silero does between fluent words (then silence)."""

    def __init__(self, speech_until_s: float) -> None:
        self._until = int(speech_until_s * 16000)
        self._at = 0

    def reset(self) -> None:
        self._at = 0

    def process(self, samples: np.ndarray) -> list[float]:
        out = []
        for _ in range((self._at % 512 + len(samples)) // 512):
            out.append(1.0 if self._at < self._until else 0.0)
            self._at += 512
        return out


def test_a_long_stretch_without_a_pause_is_cut_in_a_quiet_gap_so_the_last_decode_is_short() -> None:
    # 3 s of speech, a 0.32 s gap the VAD hears through, 3 s more, then silence: one stretch.
    audio = np.concatenate([tone(3.0), silence(0.32), tone(3.0), silence(4.0)])
    fake = _Lengths()
    heard = listen(chunked(audio), _SmoothedVad(6.32), lambda: fake, FakeClock())  # type: ignore[arg-type, return-value]
    assert heard.segments == 2
    # Each piece keeps the whole gap as its edge and none of the other's speech: 3 + 0.32 s,
    # then the gap, the 3 s after it and the 0.2 s pad (the cut falls on whole VAD windows).
    assert [round(x, 1) for x in fake.lengths[:1]] == [3.3]
    assert 3.4 <= fake.lengths[-1] <= 3.6
    assert heard.transcript.text == f"Heard {fake.lengths[0]} seconds. Heard {fake.lengths[-1]} seconds."


def test_a_stretch_with_only_short_dips_is_not_cut() -> None:
    # Gaps under a quarter second (a stop consonant, a breath between words) never cut: cut
    # pieces decoded alone lost words (streaming WER 0.070 -> 0.084 at 0.19 s gaps, 0.111 at 0.1 s).
    audio = np.concatenate([tone(2.0), silence(0.2), tone(2.0), silence(0.2), tone(2.0), silence(4.0)])
    fake = _Lengths()
    heard = listen(chunked(audio), _SmoothedVad(6.4), lambda: fake, FakeClock())  # type: ignore[arg-type, return-value]
    assert heard.segments == 1 and fake.lengths[-1] >= 6.4


def test_the_story_check_reads_a_piece_after_a_quiet_gap_cut_as_part_of_its_sentence() -> None:
    # The cut at the gap is ours: "Before anyone guessed." there carries the sentence on, and
    # the story check must not read it as a short last sentence.
    audio = np.concatenate([tone(3.0), silence(0.32), tone(3.0), silence(4.0)])
    fake = FakeTranscriber(["I posted that my deploy was the cause.", "Before anyone guessed."])
    seen: list[str] = []

    def story(_context: object, text: str) -> None:
        seen.append(text)

    heard = listen(chunked(audio), _SmoothedVad(6.32), lambda: fake, FakeClock(), story=story)  # type: ignore[arg-type]
    assert seen and seen[-1] == "I posted that my deploy was the cause, before anyone guessed."
    # The transcript reads the same, so the analysis after the answer reuses the check's work.
    assert heard.transcript.text == seen[-1]


def test_speech_again_before_the_interviewer_takes_the_end_continues_the_same_answer(tmp_path: Path) -> None:
    """A resume between the end and ``heard`` is no end (it had closed the stream as "source_end")."""
    from voice_interviewer.audio.answers import _OpenAnswer
    from voice_interviewer.audio.endpointing import StoryVerdict
    from voice_interviewer.audio.listener import Listener
    from voice_interviewer.audio.streaming import WavWriter

    first = chunked(np.concatenate([tone(3.0), silence(0.7), tone(1.0)]))  # ends at 0.5 s, then goes on
    rest = chunked(np.concatenate([tone(1.0), silence(6.0)]))
    go_on = threading.Event()

    @contextlib.contextmanager
    def stream(_turn: int) -> Iterator[Iterator[AudioChunk]]:
        def chunks() -> Iterator[AudioChunk]:
            yield from first
            go_on.wait(10)
            yield from rest

        yield chunks()

    fake = FakeTranscriber(["We shipped it and it worked."])
    listener = Listener(
        EnergyVad(),
        lambda: fake,
        FakeClock(),
        story=lambda _c, _t: StoryVerdict(True, "scripted"),  # type: ignore[arg-type]
    )
    answer = _OpenAnswer(stream, 0, listener, WavWriter(tmp_path / "a.wav"), lambda: False)
    for _ in range(1000):  # the end and the resume are both in, nobody has taken the end yet
        if answer.resumed:
            break
        threading.Event().wait(0.005)
    assert answer.resumed and listener.listening
    got: list[object] = []
    taker = threading.Thread(target=lambda: got.append(answer.wait_heard()))
    taker.start()
    go_on.set()
    taker.join(10)
    answer.close()
    heard = got[0]
    assert heard.end_reason == "silence" and heard.resumed == 1  # type: ignore[attr-defined]
    assert len(heard.samples) >= 5.0 * 16000  # type: ignore[attr-defined]
    assert not answer.resumed  # taken: the next reply is not mistaken for a barge-in
