"""Audio devices through sounddevice (PortAudio): listing, microphone capture, playback."""

from __future__ import annotations

import queue
import threading
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import AudioError
from ..types import SAMPLE_RATE, Utterance


def load_sounddevice() -> ModuleType:
    """Import sounddevice, turning a missing PortAudio into a clear AudioError."""
    try:
        import sounddevice
    except OSError as exc:  # raised when libportaudio2 is not installed
        raise AudioError(
            "the PortAudio library is not installed",
            "install it: sudo apt-get install libportaudio2 (or run ./start.sh as root)",
        ) from exc
    return sounddevice


@dataclass(frozen=True)
class Device:
    index: int
    name: str
    inputs: int
    outputs: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[Device]:
    sd = load_sounddevice()
    try:
        raw = sd.query_devices()
        default_in, default_out = sd.default.device
    except sd.PortAudioError as exc:
        raise AudioError(f"PortAudio cannot list devices: {exc}", "check the sound system") from exc
    return [
        Device(
            index=i,
            name=str(d["name"]),
            inputs=int(d["max_input_channels"]),
            outputs=int(d["max_output_channels"]),
            default_samplerate=float(d["default_samplerate"]),
            is_default_input=i == default_in,
            is_default_output=i == default_out,
        )
        for i, d in enumerate(raw)
    ]


def find_device(spec: str, kind: str) -> int | None:
    """'' -> default device (None); a number -> that index; text -> first name match."""
    devices = list_devices()
    wanted = [d for d in devices if (d.inputs if kind == "input" else d.outputs) > 0]
    if not wanted:
        raise AudioError(
            f"no audio {kind} device found",
            "connect a microphone" if kind == "input" else "connect speakers or use --no-voice",
        )
    if not spec:
        return None
    if spec.isdigit():
        idx = int(spec)
        if any(d.index == idx for d in wanted):
            return idx
    else:
        for d in wanted:
            if spec.lower() in d.name.lower():
                return d.index
    raise AudioError(
        f"no {kind} device matches '{spec}'",
        "list them with: voice-interviewer devices",
    )


def has_input_device() -> tuple[bool, str]:
    """(available, reason) without raising: used to fall back to typed answers."""
    try:
        devices = list_devices()
    except AudioError as exc:
        return False, exc.message
    if not any(d.inputs > 0 for d in devices):
        return False, "no audio input device found"
    return True, ""


class MicRecorder:
    """Records one answer from the microphone until a stop event or the time cap.

    The PortAudio callback only copies blocks into a queue; this thread drains the
    queue and appends them to the answer's WAV file as they arrive, so a crash
    keeps the audio captured so far. Overflows are counted, never hidden.
    """

    def __init__(self, device: str = "", max_answer_s: float = 300.0) -> None:
        self._sd = load_sounddevice()
        self._device = find_device(device, "input")
        self._max_samples = int(max_answer_s * SAMPLE_RATE)
        self.overflows = 0

    def record(self, wav_path: Path, should_stop: Callable[[], bool]) -> Utterance:
        blocks: queue.Queue[np.ndarray] = queue.Queue()
        overflow_lock = threading.Lock()

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if status.input_overflow:
                with overflow_lock:
                    self.overflows += 1
            blocks.put(indata[:, 0].copy())

        collected: list[np.ndarray] = []
        n = 0
        end_reason = "key"
        try:
            stream = self._sd.InputStream(
                samplerate=SAMPLE_RATE,
                channels=1,
                dtype="float32",
                device=self._device,
                callback=callback,
                blocksize=1600,
            )
        except self._sd.PortAudioError as exc:
            raise AudioError(f"cannot open the microphone: {exc}", "check --input-device") from exc
        with wave.open(str(wav_path), "wb") as wav, stream:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(SAMPLE_RATE)
            while True:
                try:
                    block = blocks.get(timeout=0.1)
                except queue.Empty:
                    block = None
                if block is not None:
                    collected.append(block)
                    n += len(block)
                    wav.writeframes((np.clip(block, -1, 1) * 32767).astype("<i2").tobytes())
                if should_stop():
                    break
                if n >= self._max_samples:
                    end_reason = "max_duration"
                    break
                if block is None and not stream.active:
                    raise AudioError("the microphone stopped delivering audio", "check the device")
        samples = np.concatenate(collected) if collected else np.zeros(0, dtype=np.float32)
        return Utterance(samples=samples, end_reason=end_reason, audio_file=str(wav_path))  # type: ignore[arg-type]


def play(samples: np.ndarray, samplerate: int, device: str = "") -> None:
    """Play audio on the output device and block until it has finished."""
    sd = load_sounddevice()
    dev = find_device(device, "output")
    try:
        sd.play(samples, samplerate, device=dev)
        sd.wait()
    except sd.PortAudioError as exc:
        raise AudioError(f"cannot play audio: {exc}", "check the output device or use --no-voice") from exc


def read_pcm_wav(path: Path) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM WAV (as espeak writes) into float32 samples."""
    with wave.open(str(path), "rb") as wav:
        rate = wav.getframerate()
        channels = wav.getnchannels()
        raw = wav.readframes(wav.getnframes())
    data = np.frombuffer(raw, dtype="<i2").astype(np.float32) / 32768.0
    if channels > 1:
        data = data.reshape(-1, channels).mean(axis=1)
    return data, rate


def wait_until(predicate: Callable[[], bool], timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
