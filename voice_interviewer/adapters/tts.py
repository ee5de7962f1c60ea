"""Speaker adapters: pyttsx3 synthesis played through PortAudio, or print only.

pyttsx3's espeak driver plays audio by shelling out to ``aplay`` and ignores its
failures; we ask it to synthesise to a WAV file instead and play that through
sounddevice, so a missing output device is reported and playback can be timed.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from pathlib import Path

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


class Pyttsx3Speaker:
    """Prints, then speaks with pyttsx3 (espeak-ng on Linux) through the output device."""

    def __init__(self, printer: Printer, rate_wpm: int = 170, output_device: str = "") -> None:
        try:
            import pyttsx3

            self._engine = pyttsx3.init()
            self._engine.setProperty("rate", rate_wpm)
        except Exception as exc:  # pyttsx3 raises RuntimeError/OSError/ImportError by platform
            raise SpeakerError(
                f"the pyttsx3 text-to-speech engine does not start ({type(exc).__name__})",
                "install espeak-ng (sudo apt-get install espeak-ng) or use --no-voice",
            ) from exc
        self._device = output_device
        sound.find_device(output_device, "output")  # fail now if there is no speaker
        self._print = printer
        self._tmp = Path(tempfile.mkdtemp(prefix="vi-tts-"))

    def synthesize(self, text: str) -> tuple[sound.np.ndarray, int]:
        path = self._tmp / "utterance.wav"
        path.unlink(missing_ok=True)
        with contextlib.redirect_stdout(io.StringIO()):  # pyttsx3 prints "Audio saved to ..."
            self._engine.save_to_file(text, str(path))
            self._engine.runAndWait()
        if not path.is_file():
            raise SpeakerError("pyttsx3 produced no audio", "check espeak-ng, or use --no-voice")
        return sound.read_pcm_wav(path)

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        self._print(text)
        samples, rate = self.synthesize(text)
        if on_start:
            on_start()
        sound.play(samples, rate, self._device)
