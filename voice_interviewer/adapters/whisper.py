"""Transcriber adapter for faster-whisper (CTranslate2)."""

from __future__ import annotations

import os
import time

import numpy as np

from ..config import ModelsConfig
from ..errors import ModelError
from ..models import ResolvedModel
from ..types import SAMPLE_RATE, Transcript, TranscriptionStats, Word
from .offline import force_offline

# A disfluent prompt nudges Whisper to keep "um", "uh" and similar fillers instead
# of silently cleaning them up; delivery metrics count them.
DISFLUENT_PROMPT = "Umm, so, uh, let me think. I, um, I mean, like, we, uh, basically did it."
MAX_RESUMES = 8  # decoding passes per call when Whisper stops early
MIN_RESUME_S = 1.5  # speech left after the last word that makes decoding resume
CONTEXT_WORDS = 30


class WhisperTranscriber:
    """Transcribes 16 kHz mono float32 audio with word timestamps."""

    def __init__(self, model: ResolvedModel, cfg: ModelsConfig) -> None:
        force_offline()
        from faster_whisper import WhisperModel

        self.name = model.name
        self._cfg = cfg
        threads = cfg.cpu_threads or (os.cpu_count() or 1)
        try:
            self._model = WhisperModel(
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

    def has_speech(self, audio: np.ndarray) -> bool:
        """Silero VAD (shipped inside faster-whisper): is there any speech at all?

        Whisper invents text for silence ("Thank you."), so silent answers are caught here.
        """
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        return bool(get_speech_timestamps(audio, VadOptions(min_speech_duration_ms=250)))

    def transcribe(self, samples: np.ndarray, prompt: str | None = None) -> tuple[Transcript, TranscriptionStats]:
        """Transcribe with word timings; ``prompt`` is what was said just before (streaming).

        With a prompt, Whisper sometimes stops after the first sentence of a window and
        skips the rest (measured: 17 of 25 s dropped). So coverage is checked: while speech
        remains after the last decoded word, decoding resumes from there.
        """
        audio = np.asarray(samples, dtype=np.float32)
        duration = len(audio) / SAMPLE_RATE
        started = time.perf_counter()
        words: list[Word] = []
        texts: list[str] = []
        language = self._cfg.language or None
        offset = 0.0
        for _ in range(MAX_RESUMES):
            part = audio[int(offset * SAMPLE_RATE) :]
            if len(part) < MIN_RESUME_S * SAMPLE_RATE or not self.has_speech(part):
                break
            context = " ".join([prompt or "", *texts]).split()[-CONTEXT_WORDS:]
            part_words, text, language = self._decode(part, " ".join(context))
            if not part_words:
                break
            texts.append(text)
            words += [
                Word(w.text, round(w.start_s + offset, 3), round(w.end_s + offset, 3), w.probability)
                for w in part_words
            ]
            last_end = part_words[-1].end_s
            if len(part) / SAMPLE_RATE - last_end < MIN_RESUME_S:
                break
            offset += last_end
        elapsed = time.perf_counter() - started
        text = " ".join(t for t in texts if t)
        return (
            Transcript(
                text=text, words=tuple(words), duration_s=round(duration, 3), language=language if text else None
            ),
            TranscriptionStats(audio_s=duration, processing_s=elapsed),
        )

    def _decode(self, audio: np.ndarray, context: str) -> tuple[list[Word], str, str | None]:
        segments, info = self._model.transcribe(
            audio,
            language=self._cfg.language or None,
            beam_size=self._cfg.beam_size,
            word_timestamps=True,
            condition_on_previous_text=False,
            initial_prompt=f"{DISFLUENT_PROMPT} {context}".strip(),
            vad_filter=False,
        )
        words: list[Word] = []
        texts: list[str] = []
        for seg in segments:
            texts.append(seg.text.strip())
            for w in seg.words or ():
                words.append(Word(w.word.strip(), round(w.start, 3), round(w.end, 3), round(w.probability, 3)))
        return words, " ".join(t for t in texts if t), info.language
