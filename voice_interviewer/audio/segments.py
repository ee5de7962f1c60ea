"""The segments of one answer as the listener streams them.

Each closed segment is submitted for transcription; at a pause the open one is decoded
ahead of its close (and cancelled if the candidate goes on); a long stretch with no pause
is cut at a quiet gap between words (or, failing that, before Whisper's 30 s window); and
the pieces such a cut made are joined back into the sentence they carry on.

Each stretch of speech (the answer, then each resume) has its own transcription worker
(``streaming._Segments``), given the words said before it as context; the cuts and the
count of segments span the whole answer.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable

import numpy as np

from ..content.content import continues, join_pieces
from ..ports import Transcriber
from ..types import SAMPLE_RATE, Transcript
from .endpointing import WINDOW, Endpointer, State
from .streaming import CUT_SEARCH_S, MAX_SEGMENT_S, PAD, _Segments, _WithContext

# A stretch of speech with no pause the VAD counts is cut early at a quiet gap between words, so
# the last piece left to decode when the answer ends is short: that decode is what the
# candidate waits for (0.30 s for 1 s of speech, 0.44 s for 4 s, 0.60 s for 8 s; bench
# turns' last stretches ran to 8 s). A gap is DIP_WINDOWS or more windows quieter than
# DIP_RATIO of the stretch's loud level; stop closures inside a word are shorter.
DIP_CUT_S = 4.0
DIP_MIN_PIECE_S = 1.5  # ... leaving at least this much speech before the cut
DIP_SETTLE_S = 0.25  # ... in audio at least this old (a dip at the very end may be a pause starting)
DIP_WINDOWS = 8
DIP_RATIO = 0.1
DIP_EVERY_S = 0.5


class AnswerSegments:
    """The answer's segments: submitted, decoded ahead, cut at quiet gaps, rejoined; one worker a stretch."""

    def __init__(
        self,
        transcriber: Callable[[], Transcriber],
        before: Callable[[], str],
        pcm: Callable[[], np.ndarray],
        continuations: frozenset[str],
    ) -> None:
        self._transcriber = transcriber
        self._before = before  # the words said before this stretch (context for its first segment)
        self._pcm = pcm  # the answer's audio so far
        self._continuations = continuations
        self.stretch: _Segments | None = None  # started with the first segment of each stretch
        self.submitted = 0  # segments of this stretch submitted (a decode ahead included)
        self.total = 0  # segments of the whole answer
        self.cuts: set[int] = set()  # samples where a stretch was cut at a quiet gap (no padding there)
        self._dip_checked = 0
        self.ahead: tuple[tuple[int, int], int] | None = None  # (segment, job) decoded ahead of time

    def _new_stretch(self) -> _Segments:
        before = self._before()
        return _Segments(lambda: _WithContext(self._transcriber(), lambda: before))

    @property
    def done(self) -> int:
        """Segments of this stretch decoded so far."""
        return self.stretch.count if self.stretch is not None else 0

    def texts(self) -> list[str]:
        return self.stretch.texts() if self.stretch is not None else []

    def pieces(self) -> list[tuple[int, str]]:
        return self.stretch.pieces() if self.stretch is not None else []

    def submit(self, start: int, end: int) -> int:
        whole = self._pcm()
        # Padding keeps word edges at a pause; at a cut it would give both pieces the same words.
        lo = start if start in self.cuts else max(0, start - PAD)
        hi = end if end in self.cuts else min(len(whole), end + PAD)
        if self.stretch is None:
            self.stretch = self._new_stretch()
        job = self.stretch.submit(lo, whole[lo:hi])
        self.submitted += 1
        self.total += 1
        return job

    def submit_or_keep(self, start: int, end: int) -> None:
        """A segment closed: the one decoded ahead of time if it is the same speech, else submit it."""
        if self.ahead is not None and self.ahead[0] == (start, end):
            self.ahead = None  # already decoding (or decoded): keep it
            return
        if self.ahead is not None:
            self.cancel_ahead()
        self.submit(start, end)

    def decode_ahead(self, seg: tuple[int, int] | None) -> None:
        """Submit the open segment ahead of its close, once per pause (no-op after that)."""
        if seg is None or seg[1] <= seg[0] or self.ahead is not None:
            return
        self.ahead = (seg, self.submit(*seg))

    def cancel_ahead(self) -> None:
        assert self.ahead is not None and self.stretch is not None
        self.stretch.cancel(self.ahead[1])
        self.ahead = None
        self.submitted -= 1
        self.total -= 1

    def cut_long(self, ep: Endpointer, probs: list[float], heard: int) -> None:
        """Cut the open segment if it runs long (``heard``: samples heard so far)."""
        open_seg = ep.open_segment()
        if not open_seg:
            return
        if ep.state is State.SPEAKING and self._cut_at_dip(ep, open_seg, heard):
            return
        if open_seg[1] - open_seg[0] < int(MAX_SEGMENT_S * SAMPLE_RATE):
            return
        # A monologue with no pause: cut before Whisper's 30 s window, at the quietest
        # window of the last CUT_SEARCH_S seconds (between words, not inside one).
        lo = max(open_seg[0] + 1, open_seg[1] - int(CUT_SEARCH_S * SAMPLE_RATE)) // WINDOW
        hi = max(lo + 1, open_seg[1] // WINDOW)
        cut = (lo + int(np.argmin(probs[lo:hi]))) * WINDOW if probs[lo:hi] else open_seg[1]
        self.submit(open_seg[0], cut)
        ep.cut_segment(cut)

    def _cut_at_dip(self, ep: Endpointer, open_seg: tuple[int, int], heard: int) -> bool:
        """Cut a long stretch at its longest quiet gap between words (see DIP_CUT_S); True if cut."""
        start, end = open_seg
        if end - start < int(DIP_CUT_S * SAMPLE_RATE) or heard - self._dip_checked < DIP_EVERY_S * SAMPLE_RATE:
            return False
        self._dip_checked = heard
        lo = (start + int(DIP_MIN_PIECE_S * SAMPLE_RATE)) // WINDOW
        hi = (heard - int(DIP_SETTLE_S * SAMPLE_RATE)) // WINDOW
        first = start // WINDOW
        if hi - lo < DIP_WINDOWS:
            return False
        whole = self._pcm()
        frames = whole[first * WINDOW : hi * WINDOW].reshape(-1, WINDOW)
        rms = np.sqrt(np.mean(np.square(frames), axis=1))
        quiet = rms < DIP_RATIO * float(np.percentile(rms, 90))
        best: tuple[int, int] | None = None  # (length, first window) of the longest quiet run
        run = 0
        for i in range(lo - first, hi - first):
            run = run + 1 if quiet[i] else 0
            if run >= DIP_WINDOWS and (best is None or run > best[0]):
                best = (run, i - run + 1)
        if best is None:
            return False
        gap_start, gap_end = (first + best[1]) * WINDOW, (first + best[1] + best[0]) * WINDOW
        # Each piece keeps the whole gap (silence) as its edge padding, and not a word of the other.
        self.cuts.update((gap_start, gap_end))
        self.submit(start, gap_end)
        ep.cut_segment(gap_start)
        return True

    def joined(self, pieces: list[tuple[int, str]], said: list[str]) -> list[str]:
        """``said``, then the texts of ``pieces`` (first sample, text) in order.

        A piece after a cut made at a quiet gap (``_cut_at_dip``) that carries the sentence
        on is joined to the one before: Whisper's full stop and capital there mark the cut,
        not the speaker, and a piece such as "Before anyone started guessing." read as a
        surely finished answer at an ordinary pause (bench turns: 2 more barge-ins).
        """
        said = list(said)
        for start, text in pieces:
            if start in self.cuts and said and said[-1].strip() and continues(text, self._continuations):
                said[-1] = join_pieces(said[-1], text)
            else:
                said.append(text)
        return said

    def wait(self, limit_s: float) -> None:
        """Block until this stretch's segments are decoded, at most ``limit_s``."""
        deadline = time.monotonic() + limit_s
        done = threading.Event()
        # SegmentTranscriber exposes no completion event; poll it briefly (5 ms steps).
        while self.stretch is not None and self.stretch.count < self.submitted and time.monotonic() < deadline:
            done.wait(0.005)

    def finish(self, samples: int) -> Transcript:
        """Wait for this stretch's segments and stop their worker (none started: nothing said)."""
        segments, self.stretch = self.stretch, None
        self.submitted = 0
        if segments is None:
            return Transcript("")
        transcript = segments.finish(samples / SAMPLE_RATE)
        # The text the story check read, so the analysis after the answer finds its embeddings.
        text = " ".join(t for t in self.joined(segments.pieces(), []) if t.strip())
        return dataclasses.replace(transcript, text=text)
