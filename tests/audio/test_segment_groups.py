"""SegmentTranscriber, pure logic: segments alone, or decoded again with the earlier ones of their group."""

from __future__ import annotations

import numpy as np

from voice_interviewer.audio.streaming import SegmentTranscriber
from voice_interviewer.types import SAMPLE_RATE, Transcript, TranscriptionStats, Word


class StretchTranscriber:
    """One word per stretch of sound in the audio it is given, named by call: "c2w1" (call 2, word 1)."""

    name = "stretches"

    def __init__(self) -> None:
        self.calls: list[tuple[float, str | None]] = []  # (audio seconds, prompt)

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[Transcript, TranscriptionStats]:
        self.calls.append((round(len(samples) / SAMPLE_RATE, 2), prompt))
        loud = np.concatenate([[0], (np.abs(samples) > 0.01).astype(int), [0]])
        spans = np.flatnonzero(np.diff(loud)).reshape(-1, 2) / SAMPLE_RATE
        n = len(self.calls)
        words = tuple(Word(f"c{n}w{i}", round(a, 3), round(b, 3)) for i, (a, b) in enumerate(spans))
        text = " ".join(w.text for w in words)
        return Transcript(text, words, len(samples) / SAMPLE_RATE, "en"), TranscriptionStats(1.0, 0.0)


def _sound(seconds: float) -> np.ndarray:
    return np.full(int(seconds * SAMPLE_RATE), 0.3, dtype=np.float32)


# (start s, length s): A and B are 5 s apart, C comes 29 s after A (past a 20 s group)
SEGMENTS = [(1.0, 2.0), (4.0, 2.0), (30.0, 2.0)]


def _run(group_s: float) -> tuple[Transcript, StretchTranscriber, list[str]]:
    fake = StretchTranscriber()
    segments = SegmentTranscriber(lambda: fake, group_s=group_s)
    for start, length in SEGMENTS:
        segments.submit(int(start * SAMPLE_RATE), _sound(length))
    transcript = segments.finish(33.0)
    return transcript, fake, [r.transcript.text for r in segments._results]


def test_without_groups_each_segment_is_decoded_alone_with_the_words_before() -> None:
    transcript, fake, texts = _run(0.0)
    assert fake.calls == [(2.0, None), (2.0, "c1w0"), (2.0, "c1w0 c2w0")]
    assert transcript.text == "c1w0 c2w0 c3w0" and texts == ["c1w0", "c2w0", "c3w0"]
    assert [(w.start_s, w.end_s) for w in transcript.words] == [(1.0, 3.0), (4.0, 6.0), (30.0, 32.0)]


def test_a_segment_is_decoded_with_its_group_and_the_group_decode_replaces_the_words() -> None:
    transcript, fake, texts = _run(20.0)
    # B is decoded with A before it (5 s, the pause between them as silence); C starts a new group,
    # prompted with what the group before it said.
    assert fake.calls == [(2.0, None), (5.0, None), (2.0, "c2w0 c2w1")]
    assert transcript.text == "c2w0 c2w1 c3w0"
    assert texts == ["c2w0", "c2w1", "c3w0"]  # still one result per segment (the endpointer reads the last)
    # times stay relative to the answer start
    assert [(w.start_s, w.end_s) for w in transcript.words] == [(1.0, 3.0), (4.0, 6.0), (30.0, 32.0)]
