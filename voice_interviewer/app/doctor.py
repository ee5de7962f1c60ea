"""``voice-interviewer doctor``: is this machine ready? A short pass/warn/fail list, each with its fix.

Each check is independent and never raises: a broken part is reported, the rest still run.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..config import Config
from ..content.content import load_content
from ..errors import ModelError, VoiceInterviewerError
from .setup import check_models

MIN_FREE_MB = 1000  # a 10-minute session is ~20 MB of audio; leave room for many
LOW_FREE_MB = 200


@dataclass(frozen=True)
class Check:
    """One ``doctor`` check: what it checked, pass/warn/fail, what it found and how to fix it."""

    name: str
    status: str  # "pass", "warn" (works, with less) or "fail" (something will not work)
    detail: str
    fix: str = ""


def _python() -> Check:
    v = sys.version_info
    ok = v >= (3, 11)
    return Check("python", "pass" if ok else "fail", f"{v.major}.{v.minor}.{v.micro}", "" if ok else "use Python 3.11+")


def _portaudio() -> list[Check]:
    from ..adapters.sound import list_devices, load_sounddevice

    try:
        sd = load_sounddevice()
        version = sd.get_portaudio_version()[1]
        devices = list_devices()
    except VoiceInterviewerError as exc:
        return [Check("portaudio", "fail", exc.message, exc.hint)]
    checks = [Check("portaudio", "pass", str(version))]
    inputs = [d.name for d in devices if d.inputs > 0]
    outputs = [d.name for d in devices if d.outputs > 0]
    checks.append(
        Check("microphone", "pass", f"{len(inputs)} input device(s): {', '.join(inputs)[:80]}")
        if inputs
        else Check("microphone", "warn", "no input device", "connect a microphone; until then answers are typed")
    )
    checks.append(
        Check("speakers", "pass", f"{len(outputs)} output device(s)")
        if outputs
        else Check("speakers", "warn", "no output device", "connect speakers; until then questions are printed")
    )
    return checks


def _tts() -> list[Check]:
    checks = []
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")
    try:
        import pyttsx3

        pyttsx3.init()
        checks.append(Check("voice: pyttsx3", "pass", f"engine ready (espeak-ng: {espeak or 'not found'})"))
    except Exception as exc:  # pyttsx3 raises many kinds of errors when its driver is missing
        checks.append(
            Check(
                "voice: pyttsx3",
                "warn",
                f"{type(exc).__name__}: {exc}"[:100],
                "sudo apt-get install espeak-ng libespeak-ng1 (or use --no-voice)",
            )
        )
    piper = importlib.util.find_spec("piper") is not None
    detail = "installed" if piper else "not installed (pip install '.[piper]' for a neural voice)"
    checks.append(Check("voice: piper (optional)", "pass", detail))
    return checks


def _parser() -> Check:
    """The English parser the follow-ups quote the answer with (optional: without it they do not quote)."""
    from ..adapters.parser import SpacyParser

    started = time.perf_counter()
    try:
        SpacyParser()
    except ModelError as exc:
        return Check(
            "parser", "warn", f"{exc.message}; follow-ups are asked without quotes", "scripts/setup.sh (reinstalls it)"
        )
    return Check("parser", "pass", f"en_core_web_sm 3.8.0, loads in {time.perf_counter() - started:.1f} s")


def _models(cfg: Config) -> list[Check]:
    checks = []
    for r in check_models(cfg):
        if r.ok:
            load = f", loads in {r.load_s:.1f} s" if r.load_s is not None else ""
            checks.append(Check(f"model: {r.kind}", "pass", f"{r.name}: checksum {r.checksum}{load}"))
        elif not r.required:  # e.g. Smart Turn: practice still runs, deciding the end of turn with less
            what = r.problem.removesuffix(f" ({r.hint})") if r.hint else (r.problem or r.checksum)
            detail = f"{what[:140]}; practice still runs on the other signals"
            fix = r.hint or "voice-interviewer models install --force"
            checks.append(Check(f"model: {r.kind}", "warn", detail, fix))
        else:
            checks.append(
                Check(
                    f"model: {r.kind}",
                    "fail",
                    (r.problem or r.checksum)[:140],
                    "voice-interviewer models install --force",
                )
            )
    return checks


def _prompts(cfg: Config) -> Check:
    try:
        content = load_content(cfg.prompts_dir)
    except VoiceInterviewerError as exc:
        return Check("prompts", "fail", exc.message, exc.hint)
    return Check("prompts", "pass", f"{len(content.competencies)} competencies in {cfg.prompts_dir}")


def _storage(cfg: Config) -> list[Check]:
    folder = cfg.transcripts_dir
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-") as fh:
            fh.write(b"ok")
            fh.flush()
        writable = Check("data folder writable", "pass", str(folder))
    except OSError as exc:
        writable = Check(
            "data folder writable",
            "fail",
            f"{folder}: {exc.strerror or exc}",
            "make it writable, or set VOICE_INTERVIEWER_HOME / transcripts_dir to a folder you own",
        )
    try:
        free_mb = shutil.disk_usage(folder if folder.exists() else cfg.data_home).free / 1e6
    except OSError as exc:
        return [writable, Check("disk space", "fail", str(exc), "check the data folder")]
    if free_mb >= MIN_FREE_MB:
        disk = Check("disk space", "pass", f"{free_mb / 1000:.1f} GB free")
    else:
        disk = Check(
            "disk space",
            "warn" if free_mb >= LOW_FREE_MB else "fail",
            f"only {free_mb:.0f} MB free",
            "free some space (each answer's audio is ~2 MB per minute)",
        )
    return [writable, disk]


def run_checks(cfg: Config, on_check: Callable[[Check], None] = lambda c: None) -> list[Check]:
    checks: list[Check] = []
    groups: list[Callable[[], Check | list[Check]]] = [
        _python,
        _portaudio,
        _tts,
        _parser,
        lambda: _prompts(cfg),
        lambda: _models(cfg),
        lambda: _storage(cfg),
    ]
    for group in groups:
        try:
            found = group()
        except Exception as exc:  # a check must never stop the others
            found = Check(getattr(group, "__name__", "check"), "fail", f"{type(exc).__name__}: {exc}", "report a bug")
        for check in found if isinstance(found, list) else [found]:
            checks.append(check)
            on_check(check)
    return checks
