"""The interviewer's voice: hibari, pyttsx3 or Piper, with printing as the fallback."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import Config
from ..errors import AudioError, InputError, SpeakerError
from ..ports import Speaker

if TYPE_CHECKING:  # the adapter (and onnxruntime) is imported only when the model is loaded
    from ..adapters.tts import PlaybackFactory, SynthesizingSpeaker
from .loading import Printer

VOICE_ENGINES = ("hibari", "pyttsx3", "piper")


def open_voice(engine: str, cfg: Config, say: Printer, player: PlaybackFactory | None = None) -> SynthesizingSpeaker:
    """One voice engine (SpeakerError/AudioError if it cannot start); ``player`` replaces the output device."""
    if engine == "hibari":
        from ..adapters.hibari_voice import HibariSpeaker

        return HibariSpeaker(say, cfg.voice.output_device, cfg.voice.hibari_voice, player=player)
    from ..adapters.piper_voice import PiperSpeaker
    from ..adapters.pyttsx3_voice import Pyttsx3Speaker

    if engine == "piper":
        return PiperSpeaker(say, cfg.voice.output_device, player=player)
    return Pyttsx3Speaker(say, cfg.voice.rate_wpm, cfg.voice.output_device, player=player)


def build_speaker(cfg: Config, no_voice: bool, say: Printer, notify: Printer) -> Speaker:
    """The interviewer's voice. auto: hibari, else pyttsx3, else printing (one notice line per fallback)."""
    from ..adapters.tts import FallbackSpeaker, PrintSpeaker

    engine = "none" if no_voice else cfg.voice.tts
    if engine == "none":
        return PrintSpeaker(say)
    if engine not in ("auto", *VOICE_ENGINES):
        raise InputError(f"unknown TTS engine '{engine}'", "use auto, hibari, pyttsx3, piper or none (--no-voice)")
    if engine != "auto":
        return FallbackSpeaker(open_voice(engine, cfg, say), say, notify)
    try:
        return FallbackSpeaker(open_voice("hibari", cfg, say), say, notify)
    except SpeakerError as exc:
        notify(f"The hibari voice is not available: {exc.one_line()}. Using pyttsx3 instead.")
    except AudioError as exc:  # no output device: no voice can play
        notify(f"Voice off: {exc.one_line()}. The interviewer's words are printed instead.")
        return PrintSpeaker(say)
    try:
        return FallbackSpeaker(open_voice("pyttsx3", cfg, say), say, notify)
    except (SpeakerError, AudioError) as exc:
        notify(f"Voice off: {exc.one_line()}. The interviewer's words are printed instead.")
        return PrintSpeaker(say)
