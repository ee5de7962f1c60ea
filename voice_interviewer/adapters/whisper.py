"""Transcriber adapter for faster-whisper (CTranslate2).

Whisper decodes 30-second windows. When it ends a window's text with a lone timestamp
("no more speech here"), faster-whisper moves on to the next window, so everything said
after that point in the window is lost. It did that after thinking pauses (a 3 s pause
lost the next 19 s of one answer; WER 0.45) and, even with the pauses cut out, in the
first window when prompted (the disfluent prompt: WER 0.22 and 0.29 on two answers). The
old "resume" loop looked only at the end of the audio, so it never saw these holes. So:

* the Silero VAD filter removes the pauses before decoding (faster-whisper's own
  ``vad_filter=True``; word times are mapped back to the original audio), and
* coverage is checked against the VAD's speech regions: speech with no word on it,
  anywhere in the audio, is decoded again on its own and its words put in place.
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Sequence

import numpy as np

from ..analysis.text import tokens
from ..audio.fillers import add_hesitations
from ..config import ModelsConfig
from ..errors import ModelError
from ..types import SAMPLE_RATE, ResolvedModel, Transcript, TranscriptionStats, Word
from .imports import serial_import
from .offline import force_offline

# A disfluent prompt nudges Whisper to keep "um", "uh" and similar fillers instead
# of silently cleaning them up; delivery metrics count them. Only the streaming pass and the
# quick hesitation pass use it: it costs words in a whole-answer decode (audio/fillers.py).
DISFLUENT_PROMPT = "Umm, so, uh, let me think. I, um, I mean, like, we, uh, basically did it."
CONTEXT_WORDS = 30  # words said before a stretch that are given to Whisper as its prompt
MAX_REPAIRS = 8  # extra decoding passes per call for speech that got no words
# Speech (by the VAD) this long with no word on it was skipped by Whisper. Word times
# are only accurate to a few tenths of a second, and a skipped stretch is at least a
# few words, so shorter holes are left alone.
MIN_GAP_S = 1.0
GAP_PAD_S = 0.2  # audio kept around a stretch decoded again, so its edge words are whole
MIN_SPEECH_MS = 250  # no speech this long: silence (Whisper invents "Thank you." for it)
# Speech regions for the coverage check are cut at short pauses and barely padded, so a
# pause between two transcribed sentences is not taken for skipped speech.
COVERAGE_SILENCE_MS = 500
COVERAGE_PAD_MS = 100
# Whisper's encoder always sees 30 s (faster-whisper pads shorter audio with zero frames), and
# on 2 cores that costs 0.55 s whatever the length of the speech. CTranslate2 also encodes
# shorter inputs: 15 s cost 0.14 s. The streaming pass, which the listener waits on at the end
# of an answer, may trim the padding down to ``context_s`` (a segment of 3-15 s then decoded
# in 0.33-0.77 s instead of 0.70-1.19 s, same words on dev answers). At 5-10 s, short
# segments looped on fillers ("um, um, um..."), so 15 s is the floor used.
FRAMES_PER_S = 100
CONTEXT_MARGIN_FRAMES = 100  # frames kept after the last real one
# The streaming pass (``streaming=True``), which the listener waits on at the end of an
# answer, decodes each stretch in ONE greedy window. Two faster-whisper habits each cost a
# second or more decodes of the same stretch there (bench turns: the last segment of an answer
# took 0.6-1.7 s and ended in invented words such as "Thank you.", "out.", "and"):
# * the temperature fallback (0.2, 0.4 ... 1.0) when a decode looks poor; a segment it would
#   have decoded again is dropped instead, with faster-whisper's own thresholds;
# * word timestamps: after aligning the words it seeks to the last word's end and decodes the
#   trailing pad again as a new window. Without them, the words of each Whisper segment get
#   times spread over the segment's span by their length (``spread_words``).
# Its words only steer the end of turn and the live follow-up; the saved transcript comes
# from the second pass over the whole answer, which keeps the fallback and real word times.
NO_FALLBACK = (0.0,)
FAILED_LOGPROB = -1.0  # faster-whisper's log_prob_threshold
FAILED_COMPRESSION = 2.4  # ... and compression_ratio_threshold (a repetition loop)
# A streamed stretch's segment that mostly repeats its prompt (at least this share of its
# word 4-grams are in the words said just before) is Whisper reciting the prompt, not speech:
# seen on a busy CPU, where a stretch decoded after "Before taking it to the VP, I ran it
# past our QA lead." came back with the sentence before it again. The whole-answer decode
# (unprompted) keeps a candidate's own repetitions.
PROMPT_ECHO_SHARE = 0.5
PROMPT_ECHO_N = 4

Span = tuple[float, float]


def uncovered(speech: Sequence[Span], words: Sequence[Word], min_gap_s: float = MIN_GAP_S) -> list[Span]:
    """Stretches of ``speech`` (start, end seconds) that no word overlaps, ``min_gap_s`` or longer."""
    covered = sorted((w.start_s, w.end_s) for w in words)
    holes: list[Span] = []
    for lo, hi in speech:
        cursor = lo
        for start, end in covered:
            if end <= cursor or start >= hi:
                continue
            if start - cursor >= min_gap_s:
                holes.append((cursor, start))
            cursor = max(cursor, end)
        if hi - cursor >= min_gap_s:
            holes.append((cursor, hi))
    return holes


def put_in_place(words: Sequence[Word], new: Sequence[Word], hole: Span) -> list[Word]:
    """``words`` plus those of ``new`` whose middle falls in ``hole`` (the rest repeat a neighbour)."""
    lo, hi = hole
    inside = [w for w in new if lo <= (w.start_s + w.end_s) / 2 <= hi]
    return sorted([*words, *inside], key=lambda w: (w.start_s, w.end_s))


def echoes_prompt(text: str, prompt: str) -> bool:
    """``text`` mostly repeats ``prompt`` (``PROMPT_ECHO_SHARE`` of its word 4-grams are in it)."""

    def grams(s: str) -> set[tuple[str, ...]]:
        w = tokens(s)
        return {tuple(w[i : i + PROMPT_ECHO_N]) for i in range(len(w) - PROMPT_ECHO_N + 1)}

    mine = grams(text)
    return bool(mine) and len(mine & grams(prompt)) >= PROMPT_ECHO_SHARE * len(mine)


def context_before(prompt: str | None, words: Sequence[Word], at_s: float) -> str:
    """The last CONTEXT_WORDS words said before ``at_s``: the caller's prompt, then this audio's words."""
    said = (prompt or "").split() + [w.text for w in words if w.end_s <= at_s]
    return " ".join(said[-CONTEXT_WORDS:])


class WhisperTranscriber:
    """Transcribes 16 kHz mono float32 audio with word timestamps."""

    def __init__(
        self,
        model: ResolvedModel,
        cfg: ModelsConfig,
        context_s: float = 0.0,
        streaming: bool = False,
        hesitations: bool = True,
    ) -> None:
        """``context_s`` > 0: the encoder sees at least this many seconds, not always 30 (see above).

        ``streaming``: one greedy window per stretch, no fallback, word times from segment spans.
        Otherwise (a whole answer) the words are decoded as faster-whisper decodes a file, and
        ``hesitations``: a greedy decode with the disfluent prompt adds the "um"s it dropped
        (off for the practice's second pass, which takes them from the streaming pass).
        """
        force_offline()
        serial_import("faster_whisper", "faster_whisper.vad")
        from faster_whisper import WhisperModel

        self.name = model.name
        self._cfg = cfg
        self._streaming = streaming
        self._hesitations = hesitations and not streaming
        threads = cfg.cpu_threads or (os.cpu_count() or 1)
        model_class = _short_context(WhisperModel, int(context_s * FRAMES_PER_S)) if context_s > 0 else WhisperModel
        try:
            self._model = model_class(
                str(model.path),
                device="cpu",
                compute_type=cfg.compute_type,
                cpu_threads=threads,
                local_files_only=True,
            )
        except (RuntimeError, ValueError, OSError) as exc:
            raise ModelError(
                f"cannot load the Whisper model from {model.path}: {str(exc).splitlines()[0]}",
                "run: voice-interviewer models install --force (or fix --whisper-model)",
            ) from exc

    def speech(self, audio: np.ndarray) -> list[Span]:
        """Silero VAD (shipped inside faster-whisper): the stretches of speech, in seconds (none: silence)."""
        serial_import("faster_whisper.vad")
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        options = VadOptions(
            min_speech_duration_ms=MIN_SPEECH_MS,
            min_silence_duration_ms=COVERAGE_SILENCE_MS,
            speech_pad_ms=COVERAGE_PAD_MS,
        )
        found = get_speech_timestamps(audio, options)
        return [(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE) for r in found]

    def warm_up(self) -> None:
        """Decode one second of silence on the calling thread.

        Measured here: a model loaded on a background thread that then ends makes its first
        decode on another thread take 14 s instead of 1 s (CTranslate2's worker set-up); one
        decode on the loading thread first removes that (first answer 1.0 s, as later ones).
        """
        segments, _info = self._model.transcribe(
            np.zeros(SAMPLE_RATE, dtype=np.float32), language=self._cfg.language or None, beam_size=1, vad_filter=False
        )
        list(segments)

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[Transcript, TranscriptionStats]:
        """Transcribe with word timings; ``prompt`` is what was said just before (streaming)."""
        audio = np.asarray(samples, dtype=np.float32)
        duration = len(audio) / SAMPLE_RATE
        started = time.perf_counter()
        speech = self.speech(audio)
        words: list[Word] = []
        language: str | None = None
        if speech:
            words, language = self._decode(audio, 0.0, context_before(prompt, (), 0.0))
            tried: set[Span] = set()
            for _ in range(MAX_REPAIRS):
                holes = [h for h in uncovered(speech, words) if h not in tried]
                if not holes:
                    break
                hole = holes[0]
                tried.add(hole)
                lo, hi = max(0.0, hole[0] - GAP_PAD_S), min(duration, hole[1] + GAP_PAD_S)
                part = audio[int(lo * SAMPLE_RATE) : int(hi * SAMPLE_RATE)]
                new, part_language = self._decode(part, lo, context_before(prompt, words, hole[0]))
                words = put_in_place(words, new, hole)
                language = language or part_language
            if self._hesitations and words:
                words = add_hesitations(words, self._decode(audio, 0.0, "", hesitations=True)[0])
        elapsed = time.perf_counter() - started
        text = " ".join(w.text for w in words)
        return (
            Transcript(
                text=text, words=tuple(words), duration_s=round(duration, 3), language=language if text else None
            ),
            TranscriptionStats(audio_s=duration, processing_s=elapsed),
        )

    def _decode(
        self, audio: np.ndarray, offset_s: float, context: str, hesitations: bool = False
    ) -> tuple[list[Word], str | None]:
        """Decode ``audio`` (``offset_s`` into the answer) after the words ``context``.

        Streaming: greedy, prompted to keep fillers, no fallback. Whole answer: faster-whisper's
        own way (beam search, each window conditioned on the text before, no prompt but the
        context), which keeps the most words. ``hesitations``: a greedy disfluent-prompted
        decode, only for its "um"s (``add_hesitations``).
        """
        disfluent = self._streaming or hesitations
        options = {"temperature": NO_FALLBACK} if self._streaming else {}
        segments, info = self._model.transcribe(
            audio,
            language=self._cfg.language or None,
            beam_size=1 if hesitations else self._cfg.beam_size,
            word_timestamps=not self._streaming,
            condition_on_previous_text=not disfluent,
            initial_prompt=(f"{DISFLUENT_PROMPT} {context}" if disfluent else context).strip() or None,
            vad_filter=True,
            **options,
        )
        if self._streaming:
            kept = [
                s
                for s in segments
                if s.avg_logprob >= FAILED_LOGPROB
                and s.compression_ratio <= FAILED_COMPRESSION
                and not echoes_prompt(s.text, context)
            ]
            spread = [spread_words(s.text, s.start + offset_s, s.end + offset_s, math.exp(s.avg_logprob)) for s in kept]
            return [w for words in spread for w in words], info.language
        words = [
            Word(w.word.strip(), round(w.start + offset_s, 3), round(w.end + offset_s, 3), round(w.probability, 3))
            for seg in segments
            for w in seg.words or ()
            if w.word.strip()
        ]
        return words, info.language


def spread_words(text: str, start_s: float, end_s: float, probability: float = 1.0) -> list[Word]:
    """The words of one decoded segment, with times shared out over its span by their length.

    ``probability``: the segment's (exp of its mean token log-probability), given to each word.
    """
    tokens = text.split()
    total = sum(len(t) + 1 for t in tokens)
    words, at = [], start_s
    for token in tokens:
        step = (end_s - start_s) * (len(token) + 1) / total
        words.append(Word(token, round(at, 3), round(at + step, 3), round(probability, 3)))
        at += step
    return words


def _short_context(base: type, min_frames: int) -> type:
    """A WhisperModel whose encoder is given the real frames (at least ``min_frames``), not 30 s."""

    class ShortContextWhisper(base):
        def encode(self, features: np.ndarray) -> object:
            batch = features if features.ndim == 3 else features[None]
            # faster-whisper pads the features to 3000 frames with exact zeros (pad_or_trim);
            # real frames, even of silence, are never all zero after its log-mel scaling.
            real = np.flatnonzero(np.any(batch != 0.0, axis=(0, 1)))
            keep = int(real[-1]) + 1 + CONTEXT_MARGIN_FRAMES if len(real) else 0
            keep = min(batch.shape[-1], max(min_frames, keep))
            keep += keep % 2  # the encoder halves the frames
            return super().encode(np.ascontiguousarray(batch[..., :keep]))

    return ShortContextWhisper
