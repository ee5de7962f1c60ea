"""A private PulseAudio server with a virtual microphone, for audio tests and ``bench turns``.

The server has a microphone (module-pipe-source reading 16 kHz s16le mono from a FIFO) and a
null-sink speaker, and listens on a socket in a folder of its own, so nothing reaches the
machine's real sound devices. A ``Feeder`` thread writes audio into the FIFO at real-time
pace, then silence (a pipe source with no data stalls the stream).

A client joins by having ``env`` (``PULSE_SERVER`` and friends) in its environment before
PortAudio opens a device: ``sounddevice`` -> PortAudio -> ALSA pulse plugin -> this server.

This lives in the package, not under ``tests/``, because ``voice-interviewer bench turns``
uses it too; it needs only the standard library and numpy (and the ``pulseaudio`` program).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .errors import AudioError
from .types import SAMPLE_RATE

RATE = SAMPLE_RATE
BLOCK_BYTES = 3200  # 100 ms of s16le mono at 16 kHz


@contextlib.contextmanager
def pulse_server(root: Path, start_timeout_s: float = 15.0) -> Iterator[tuple[dict[str, str], subprocess.Popen[bytes]]]:
    """Start PulseAudio in ``root``; yields (client environment, server process).

    The environment has ``PULSE_SERVER``, ``PULSE_RUNTIME_PATH``, ``HOME`` (all under ``root``)
    and ``FIFO``, the path to write microphone audio to. The server is stopped on exit.
    """
    exe = shutil.which("pulseaudio")
    if exe is None:
        raise AudioError("pulseaudio is not installed", "Debian: apt-get install pulseaudio (./test.sh installs it)")
    config = root / "default.pa"
    config.write_text(
        f"load-module module-native-protocol-unix auth-anonymous=1 socket={root}/native\n"
        "load-module module-null-sink sink_name=speaker\n"
        f"load-module module-pipe-source source_name=virtmic file={root}/mic.fifo format=s16le rate={RATE} channels=1\n"
        "set-default-source virtmic\nset-default-sink speaker\n"
    )
    env = {"PULSE_SERVER": f"unix:{root}/native", "PULSE_RUNTIME_PATH": str(root / "run"), "HOME": str(root)}
    proc = subprocess.Popen(
        [exe, "-n", "-F", str(config), "--exit-idle-time=-1", "--daemonize=no", "--use-pid-file=no"],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + start_timeout_s
        while not (root / "mic.fifo").exists() or not (root / "native").exists():
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                proc.wait(timeout=10)
                why = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
                raise AudioError(f"PulseAudio did not start: {why[-300:] or 'timed out'}", "check `pulseaudio -n -F`")
            time.sleep(0.05)
        env["FIFO"] = str(root / "mic.fifo")
        yield env, proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()


def encode(speech: np.ndarray, lead_s: float) -> bytes:
    """``lead_s`` of silence, then ``speech`` (float32 at 16 kHz), as s16le bytes."""
    audio = np.concatenate([np.zeros(int(lead_s * RATE), np.float32), np.asarray(speech, np.float32)])
    return (np.clip(audio, -1, 1) * 32767).astype("<i2").tobytes()


class Feeder(threading.Thread):
    """Writes lead silence, the answer, then silence forever, at real-time pace.

    ``started_at`` is the monotonic time at which the first block of the current audio was
    written (after ``play``, of the new audio), for callers that time what was heard.
    """

    def __init__(self, fifo: str, speech: np.ndarray, lead_s: float = 1.0) -> None:
        super().__init__(daemon=True, name="pulse-feeder")
        self.fifo = fifo
        self.stop = threading.Event()
        self.restart = threading.Event()  # set by play(): start the new audio from its beginning
        self.pcm = encode(speech, lead_s)
        self.started_at: float | None = None

    def play(self, speech: np.ndarray, lead_s: float) -> None:
        """Replace what is fed with this answer (after lead_s of silence), from now on."""
        self.pcm = encode(speech, lead_s)
        self.started_at = None
        self.restart.set()

    def run(self) -> None:
        block = BLOCK_BYTES
        with open(self.fifo, "wb", buffering=0) as fifo:
            offset, due = 0, time.monotonic()
            while not self.stop.is_set():
                if self.restart.is_set():
                    self.restart.clear()
                    offset = 0
                if offset == 0:
                    self.started_at = time.monotonic()
                chunk = self.pcm[offset : offset + block] if offset < len(self.pcm) else bytes(block)
                offset += block
                try:
                    fifo.write(chunk.ljust(block, b"\0"))
                except BrokenPipeError:
                    return  # PulseAudio went away
                # Real-time pace that never bursts to catch up after a blocked write.
                due = max(due + 0.1, time.monotonic())
                time.sleep(max(0.0, due - time.monotonic()))


@contextlib.contextmanager
def feeding(fifo: str, speech: np.ndarray, lead_s: float = 1.0) -> Iterator[Feeder]:
    """A running Feeder for the duration of the block, always stopped and joined after it."""
    feeder = Feeder(fifo, speech, lead_s)
    feeder.start()
    try:
        yield feeder
    finally:
        feeder.stop.set()
        feeder.join(timeout=5)
