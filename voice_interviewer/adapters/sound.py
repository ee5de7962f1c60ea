"""Audio devices through sounddevice (PortAudio): listing, microphone capture, playback that stops at once."""

from __future__ import annotations

import collections
import contextlib
import math
import queue
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from ..errors import AudioError
from ..types import CHUNK, SAMPLE_RATE, AudioChunk


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
    """A PortAudio audio device as ``list_devices`` reports it (for ``devices`` and ``doctor``)."""

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
                blocksize=CHUNK,
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


def resample(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """``samples`` (mono) at ``from_rate`` converted to ``to_rate``, as float32.

    scipy's polyphase resampler (``resample_poly``) low-pass filters while it converts, so a
    24 kHz voice on a 48 kHz or 44.1 kHz device neither aliases nor turns dull as plain
    interpolation would; scipy is maintained and already installed (scikit-learn needs it).
    """
    data = np.asarray(samples, dtype=np.float32)
    if from_rate == to_rate or not len(data):
        return data
    from scipy.signal import resample_poly

    step = math.gcd(int(from_rate), int(to_rate))
    return np.asarray(resample_poly(data, int(to_rate) // step, int(from_rate) // step), dtype=np.float32)


def output_rate(sd: Any, device: int | None, rate: int) -> int:
    """``rate`` if the output device takes it as it is, else the device's own default rate."""
    try:
        sd.check_output_settings(device=device, samplerate=rate, channels=1, dtype="float32")
        return rate
    except (sd.PortAudioError, ValueError):
        return int(sd.query_devices(device, kind="output")["default_samplerate"])


def check_output(device: str, rate: int) -> None:
    """Fail now if there is no output device; if it will not take ``rate``, load the resampler now
    (importing scipy.signal takes ~0.6 s, which would otherwise delay the first sentence)."""
    sd = load_sounddevice()
    index = find_device(device, "output")
    if output_rate(sd, index, rate) != rate:
        import scipy.signal  # noqa: F401


class Player:
    """One utterance's audio on one output stream, fed piece by piece; ``stop`` silences it at once.

    The PortAudio callback only copies queued samples out (silence while a later piece is
    still being synthesised) and ends the stream once ``finish`` was called and everything
    has played. One thread feeds, waits on and closes the player; ``stop`` may come from
    any thread: it only sets a flag and wakes that thread, whose ``close`` aborts the
    stream, dropping what PortAudio still holds.
    """

    def __init__(self, device: str = "", rate: int | None = None) -> None:
        """``rate``: the stream's rate; None plays at the voice's rate when the device takes it."""
        self._sd = load_sounddevice()
        self._device = find_device(device, "output")
        self._wanted_rate = rate
        self._stream: Any = None
        self.rate = 0  # the stream's sample rate, set by the first piece
        self._lock = threading.Lock()
        self._pieces: collections.deque[np.ndarray] = collections.deque()
        self._offset = 0  # samples of the first queued piece already played
        self._finishing = False
        self._stopped = False
        self._ended = threading.Event()  # stopped, or everything played (PortAudio's finished_callback)
        self.frames_fed = 0
        self.frames_played = 0

    def feed(self, samples: np.ndarray, rate: int) -> None:
        """Queue mono float32 ``samples`` at ``rate`` behind what is playing; starts the stream."""
        if self._stopped or not len(samples):
            return
        if self._stream is None:
            self._open(rate)
        data = resample(samples, rate, self.rate)
        with self._lock:
            self._pieces.append(data)
            self.frames_fed += len(data)
        if self._stream.stopped:
            try:
                self._stream.start()
            except self._sd.PortAudioError as exc:
                raise AudioError(f"cannot play audio: {exc}", "check the output device or use --no-voice") from exc

    def _open(self, rate: int) -> None:
        sd = self._sd
        try:
            self.rate = self._wanted_rate or output_rate(sd, self._device, rate)
            self._stream = sd.OutputStream(
                samplerate=self.rate,
                channels=1,
                dtype="float32",
                device=self._device,
                callback=self._callback,
                finished_callback=self._ended.set,
            )
        except sd.PortAudioError as exc:
            raise AudioError(f"cannot play audio: {exc}", "check the output device or use --no-voice") from exc

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        out = outdata[:, 0]
        filled = 0
        with self._lock:
            if self._stopped:
                out.fill(0)
                raise self._sd.CallbackAbort
            while filled < frames and self._pieces:
                head = self._pieces[0]
                take = min(frames - filled, len(head) - self._offset)
                out[filled : filled + take] = head[self._offset : self._offset + take]
                filled += take
                self._offset += take
                if self._offset == len(head):
                    self._pieces.popleft()
                    self._offset = 0
            self.frames_played += filled
            done = self._finishing and not self._pieces
        out[filled:] = 0
        if done:
            raise self._sd.CallbackStop  # PortAudio plays out its buffers, then calls finished_callback

    def finish(self) -> None:
        """No more pieces will come: the stream ends once the queued audio has played."""
        with self._lock:
            self._finishing = True

    def wait(self, stall_s: float = 3.0) -> None:
        """Block until everything fed has played or ``stop`` was called.

        AudioError if the device takes no audio for ``stall_s`` (unplugged, server gone).
        """
        self.finish()
        if self._stream is None:
            return
        last, still_since = -1, time.monotonic()
        while not self._ended.wait(0.1):
            played = self.frames_played
            if played != last:
                last, still_since = played, time.monotonic()
            elif time.monotonic() - still_since > stall_s:
                raise AudioError(
                    f"the output device took no audio for {stall_s:.0f} s", "check the speakers or use --no-voice"
                )

    def stop(self) -> None:
        """Silence the player now (thread-safe); a no-op once it has finished or before it started."""
        with self._lock:
            self._stopped = True
        self._ended.set()

    @property
    def stopped(self) -> bool:
        return self._stopped

    def close(self) -> None:
        """Release the stream; whatever it still holds is dropped (call from the feeding thread)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.abort()  # errors ignored: the stream may have ended by itself
            stream.close()


class SilentPlayer:
    """Takes audio as ``Player`` does and keeps its time, but plays nothing (no output device: bench, tests).

    ``fed`` keeps every piece as given; ``wait`` lasts as long as the audio would, unless stopped.
    """

    def __init__(self) -> None:
        self.fed: list[tuple[np.ndarray, int]] = []
        self._stopped = threading.Event()
        self._started: float | None = None
        self._seconds = 0.0

    def feed(self, samples: np.ndarray, rate: int) -> None:
        if self._stopped.is_set() or not len(samples):
            return
        if self._started is None:
            self._started = time.monotonic()
        self.fed.append((samples, rate))
        self._seconds += len(samples) / rate

    def wait(self) -> None:
        if self._started is not None:
            self._stopped.wait(max(0.0, self._started + self._seconds - time.monotonic()))

    def stop(self) -> None:
        self._stopped.set()

    @property
    def stopped(self) -> bool:
        return self._stopped.is_set()

    def close(self) -> None:
        return None


def play(samples: np.ndarray, samplerate: int, device: str = "") -> None:
    """Play audio on the output device and block until it has finished."""
    player = Player(device)
    try:
        player.feed(samples, samplerate)
        player.wait()
    finally:
        player.close()


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
