"""Audio devices through sounddevice (PortAudio): listing, microphone capture, playback."""

from __future__ import annotations

import contextlib
import queue
import threading
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import AudioError
from ..types import SAMPLE_RATE, AudioChunk


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


class MicStream:
    """Microphone audio as a stream of 100 ms ``AudioChunk``s (opened per answer: half-duplex).

    The PortAudio callback only copies each block into a queue. Overflows are counted
    and reported; a device that stops delivering audio raises AudioError.
    """

    def __init__(self, device: str = "", stall_s: float = 3.0) -> None:
        self._sd = load_sounddevice()
        self._device = find_device(device, "input")
        self._stall_s = stall_s
        self.overflows = 0

    @contextlib.contextmanager
    def open(self, turn_index: int = 0) -> Iterator[Iterator[AudioChunk]]:
        blocks: queue.Queue[np.ndarray] = queue.Queue()
        lock = threading.Lock()

        def callback(indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
            if status.input_overflow:
                with lock:
                    self.overflows += 1
            blocks.put(indata[:, 0].copy())

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
            raise AudioError(f"cannot open the microphone: {exc}", "check --input-device (see 'devices')") from exc
        with stream:
            yield self._chunks(blocks, stream)

    def _chunks(self, blocks: queue.Queue[np.ndarray], stream: Any) -> Iterator[AudioChunk]:
        position = 0
        while True:
            try:
                block = blocks.get(timeout=self._stall_s)
            except queue.Empty:
                raise AudioError(
                    f"the microphone delivered no audio for {self._stall_s:.0f} s (unplugged?)",
                    "reconnect it and run: voice-interviewer mic-test",
                ) from None
            yield AudioChunk(block, position)
            position += len(block)


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
