"""``voice-interviewer bench turns``: turn-taking measured on the real practice path.

The interviewer must never cut off a candidate who pauses to think, and must reply promptly
once they are done. This benchmark makes spoken answers with known pauses, replays them in
real time through ``app.practice.run_practice`` (exactly what ``practice --answers wav:FOLDER
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
import os
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ...config import Config
from ...errors import InputError
from ...types import SAMPLE_RATE
from .measure import AnswerResult, classify, group, wer
from .replay import Heard, busy_load, mic_through_practice, replay_through_practice, whole_file_transcriber
from .scripts import KINDS
from .voices import VOICES, Printer, SpokenAnswer, prepare_answers, voice_problem


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
