"""The hibari neural voice (``hibari-tts``, Apache-2.0): the default interviewer voice.

One English voice, "heart" (American, 7.9 MB ONNX model and hibari's own phonemizer),
ships inside the package and runs on onnxruntime at about a hundred times real time on
one core, so a sentence is ready in a few tens of milliseconds. hibari's other voices are
downloaded from the internet on first use; this program stays offline and refuses them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import SpeakerError
from .tts import PlaybackFactory, Printer, SynthesizingSpeaker

BUNDLED_VOICE = "heart"


def _bundled_model(voices: dict[str, Any], voice: str, voice_path: Any) -> str:
    """The ONNX file of a voice that ships in the package; SpeakerError for any other."""
    info = voices.get(voice)
    fix = f'use the bundled voice: hibari_voice = "{BUNDLED_VOICE}" under [voice] in voice-interviewer.toml'
    if info is None:
        raise SpeakerError(f"hibari has no voice named '{voice}'", fix)
    if not info.get("bundled"):
        raise SpeakerError(
            f"the hibari voice '{voice}' is not in the package: it would be downloaded, and this program stays offline",
            fix,
        )
    return str(voice_path(voice, download_missing=False))


class HibariSpeaker(SynthesizingSpeaker):
    """Prints, then speaks with hibari's bundled voice, sentence by sentence (see ``SynthesizingSpeaker``).

    ``threads``: onnxruntime threads for synthesis (one core is plenty; the other stays free
    for transcription and analysis).
    """

    def __init__(
        self,
        printer: Printer,
        output_device: str = "",
        voice: str = BUNDLED_VOICE,
        threads: int = 1,
        player: PlaybackFactory | None = None,
    ) -> None:
        try:
            import hibari
            from hibari.voices import VOICES, voice_path
        except ImportError as exc:
            raise SpeakerError(
                "the hibari voice is not installed", "pip install hibari-tts==0.2.1, or use --tts pyttsx3"
            ) from exc
        model = _bundled_model(VOICES, voice, voice_path)  # before anything could start a download
        self._init_pipeline(printer, output_device, player, rate=int(hibari.SAMPLE_RATE))
        try:
            self._tts = hibari.Hibari(voice=voice, model=model, threads=threads)
            self.rate = int(hibari.SAMPLE_RATE)
            self._tts("Ready.")  # loads the phonemizer's lexicons now, not on the first question (~0.4 s)
        except Exception as exc:  # onnxruntime, gzip and json raise their own types
            raise SpeakerError(
                f"the hibari voice does not load ({type(exc).__name__}: {exc})", "reinstall hibari-tts==0.2.1"
            ) from exc

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        audio = self._tts(text)
        return np.asarray(audio, dtype=np.float32), self.rate
