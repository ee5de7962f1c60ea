"""The voices through real playback: sounddevice -> PortAudio -> ALSA pulse plugin -> a private
PulseAudio null sink. stop() must silence each engine within 200 ms, pyttsx3 included while its
runAndWait blocks, and a device that wants 48 kHz gets the 24 kHz voice resampled.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests.app.test_voice import say_in_thread
from voice_interviewer.adapters import sound
from voice_interviewer.adapters.hibari_voice import HibariSpeaker
from voice_interviewer.adapters.piper_voice import PiperSpeaker
from voice_interviewer.adapters.pyttsx3_voice import Pyttsx3Speaker
from voice_interviewer.adapters.tts import SynthesizingSpeaker
from voice_interviewer.testing_pulse import pulse_server

pytestmark = pytest.mark.audio

LINE = (
    "Thanks for walking me through the migration in so much detail. "
    "I would like to understand what you personally decided on the second day. "
    "And how did the team know that it had worked?"
)


@pytest.fixture(scope="module")
def null_sink(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """PortAudio in this process, re-initialised to see the private server's output device."""
    sd = sound.load_sounddevice()
    with pulse_server(tmp_path_factory.mktemp("pulse")) as (env, _):
        saved = {key: os.environ.get(key) for key in ("PULSE_SERVER", "PULSE_RUNTIME_PATH")}
        os.environ.update({key: env[key] for key in saved})
        sd._terminate()  # PortAudio lists devices once, when it initialises
        sd._initialize()
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            sd._terminate()
            sd._initialize()


class WatchedPlayer(sound.Player):
    """The real player, which also says when 0.2 s of audio has gone out to the device."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.playing = threading.Event()

    def _callback(self, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        try:
            super()._callback(outdata, frames, time_info, status)
        finally:
            if self.frames_played >= 0.2 * self.rate:
                self.playing.set()


class Players:
    """A player factory that keeps every player it made."""

    def __init__(self) -> None:
        self.made: list[WatchedPlayer] = []

    def __call__(self) -> WatchedPlayer:
        self.made.append(WatchedPlayer())
        return self.made[-1]


def make_speaker(engine: str, players: Players) -> SynthesizingSpeaker:
    if engine == "hibari":
        return HibariSpeaker(lambda text: None, player=players)
    if engine == "pyttsx3":
        return Pyttsx3Speaker(lambda text: None, player=players)
    pytest.importorskip("piper", reason="the optional Piper voice is not installed ('.[piper]')")
    return PiperSpeaker(lambda text: None, player=players)


@pytest.mark.parametrize("engine", ["hibari", "pyttsx3", "piper"])
def test_stop_silences_the_voice_within_200_ms(null_sink: None, engine: str) -> None:
    players = Players()
    speaker = make_speaker(engine, players)
    thread, started, returned = say_in_thread(speaker, LINE)
    assert started.wait(30), "the voice never started"
    player = players.made[0]
    assert player.playing.wait(10), "no audio reached the device"
    asked = time.perf_counter()
    speaker.stop()
    thread.join(2)
    assert not thread.is_alive() and returned[0] - asked < 0.2
    assert player.frames_played < player.frames_fed  # halted mid-line, not played out
    assert player._stream is None  # the stream is closed: nothing more reaches the device
    # The next line plays normally, to the end.
    speaker.settle()
    done = threading.Event()
    speaker.say("Thank you.", on_start=done.set)
    assert done.is_set() and len(players.made) == 2
    assert 0 < players.made[1].frames_played == players.made[1].frames_fed


class BlockedPyttsx3(Pyttsx3Speaker):
    """pyttsx3 with its real engine, whose runAndWait blocks (in its started-utterance callback)
    until ``gate`` opens, as it does on a slow or busy machine."""

    def __init__(self, players: Players) -> None:
        self.gate = threading.Event()
        self.in_engine = threading.Event()
        self.engine_returned = threading.Event()
        super().__init__(lambda text: None, player=players)

    def _new_engine(self) -> Any:
        engine = super()._new_engine()
        engine.connect("started-utterance", self._block)
        return engine

    def _block(self, name: object = None) -> None:
        self.in_engine.set()
        self.gate.wait(20)

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        try:
            return super().synthesize(text)
        finally:
            self.engine_returned.set()


def test_stop_returns_while_pyttsx3_run_and_wait_still_blocks(null_sink: None) -> None:
    players = Players()
    speaker = BlockedPyttsx3(players)
    thread, started, returned = say_in_thread(speaker, LINE)
    assert speaker.in_engine.wait(10), "pyttsx3 never started synthesising"
    asked = time.perf_counter()
    speaker.stop()
    thread.join(2)
    assert not thread.is_alive() and returned[0] - asked < 0.2
    assert not speaker.engine_returned.is_set()  # say returned while runAndWait was still blocked
    assert not started.is_set() and not players.made  # nothing was played
    speaker.gate.set()
    speaker.settle()
    assert speaker.engine_returned.is_set()
    done = threading.Event()
    speaker.say("Thank you.", on_start=done.set)  # the next line works normally
    assert done.is_set() and players.made[-1].frames_played == players.made[-1].frames_fed > 0


def test_a_48_khz_device_gets_the_24_khz_voice_resampled(null_sink: None) -> None:
    player = sound.Player(rate=48000)  # as on a device that takes only its own 48 kHz
    t = np.arange(12000) / 24000
    began = time.perf_counter()
    try:
        player.feed((0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32), 24000)
        player.wait()
    finally:
        player.close()
    took = time.perf_counter() - began
    assert player.rate == 48000
    assert player.frames_fed == player.frames_played == 24000  # 0.5 s at 48 kHz
    # Played at the device's pace, not as fast as it could be copied (the null sink may
    # also take up to 2 s to start consuming a new stream: it renders idle time in 2 s blocks).
    assert 0.45 < took < 10.0
