"""The pyttsx3 voice (espeak-ng on Linux), on the synthesising pipeline of ``tts``.

pyttsx3's espeak driver plays audio by shelling out to ``aplay`` and ignores its
failures; we ask it to synthesise to a WAV file instead and play that through
sounddevice, so a missing output device is reported and playback can be timed.
"""

from __future__ import annotations

import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpeakerError
from . import sound
from .tts import PlaybackFactory, Printer, SynthesizingSpeaker


class Pyttsx3Speaker(SynthesizingSpeaker):
    """Prints, then speaks with pyttsx3 (espeak-ng on Linux) through the output device."""

    def __init__(
        self, printer: Printer, rate_wpm: int = 170, output_device: str = "", player: PlaybackFactory | None = None
    ) -> None:
        try:
            import pyttsx3

            self._pyttsx3 = pyttsx3
            self._rate = rate_wpm
            self._engines: list[Any] = []
            self._count = 0
            self._new_engine()
        except Exception as exc:  # pyttsx3 raises RuntimeError/OSError/ImportError by platform
            raise SpeakerError(
                f"the pyttsx3 text-to-speech engine does not start ({type(exc).__name__})",
                "install espeak-ng (sudo apt-get install espeak-ng) or use --no-voice",
            ) from exc
        self._init_pipeline(printer, output_device, player, rate=22050)  # espeak-ng's rate
        self._tmp = Path(tempfile.mkdtemp(prefix="vi-tts-"))

    def _new_engine(self) -> Any:
        engine = self._pyttsx3.Engine()
        engine.setProperty("rate", self._rate)
        _silence_driver_prints(engine)
        # Old engines are kept alive: destroying one resets espeak's global synthesis
        # callback, which would silence the engine created after it.
        self._engines.append(engine)
        return engine

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        """pyttsx3's espeak driver, with two workarounds measured here:

        - a fresh engine per utterance: the same engine writes an empty file on its second
          save_to_file (~10 ms to create one);
        - while other threads are busy (models loading) runAndWait can return before the
          audio is written; then the same espeak-ng voice is run directly.

        Runs on the synthesis worker, one sentence at a time (see ``SynthesizingSpeaker``).
        """
        self._count += 1
        path = self._tmp / f"utterance-{self._count}.wav"  # unique: a late write cannot clobber another
        engine = self._new_engine()
        engine.save_to_file(text, str(path))
        engine.runAndWait()
        samples, rate = _read_finished_wav(path)
        if not len(samples):
            samples, rate = self._espeak_direct(text)
        if not len(samples):
            raise SpeakerError("pyttsx3 produced no audio", "check espeak-ng, or use --no-voice")
        return samples, rate

    def _espeak_direct(self, text: str) -> tuple[np.ndarray, int]:
        import shutil
        import subprocess

        exe = shutil.which("espeak-ng")
        if exe is None:
            return np.zeros(0, np.float32), 0
        path = self._tmp / f"direct-{self._count}.wav"
        subprocess.run([exe, "-s", str(self._rate), "-w", str(path), text], check=False, capture_output=True)
        return _read_finished_wav(path)


def _silence_driver_prints(engine: Any) -> None:
    """Mute the ``print`` calls of pyttsx3's driver module ("Audio saved to ...") in that module only.

    Synthesis runs on a worker thread, so redirecting ``sys.stdout`` around it, as before,
    would also swallow whatever the interview prints meanwhile on the main thread.
    """
    module = sys.modules.get(type(getattr(getattr(engine, "proxy", None), "_driver", None)).__module__)
    if module is not None and module.__name__.startswith("pyttsx3.") and "print" not in vars(module):
        setattr(module, "print", lambda *args, **kwargs: None)  # noqa: B010 (shadows the builtin there only)


def _read_finished_wav(path: Path) -> tuple[np.ndarray, int]:
    """The WAV's samples, or none while it is missing or still being written (its header
    incomplete: pyttsx3's runAndWait can return early under load; seen in CI as EOFError).
    A file read in full is removed."""
    try:
        samples, rate = sound.read_pcm_wav(path)
    except (OSError, EOFError, wave.Error):
        return np.zeros(0, np.float32), 0
    if len(samples):
        path.unlink(missing_ok=True)
    return samples, rate
