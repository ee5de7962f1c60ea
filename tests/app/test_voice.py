"""The interviewer's voices without a sound card: the sentence pipeline, stop(), resampling,
the hibari voice (real model, silent player) and how build_speaker picks a voice.

Real playback through PortAudio (a PulseAudio null sink) is in tests/system/test_voice_audio.py.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import run_cli
from voice_interviewer.adapters import sound
from voice_interviewer.adapters.hibari_voice import HibariSpeaker
from voice_interviewer.adapters.tts import (
    FallbackSpeaker,
    PrintSpeaker,
    SynthesizingSpeaker,
    split_sentences,
    trim_silence,
)
from voice_interviewer.app import voices
from voice_interviewer.app.bench.voicebench import VoiceUnderTest, measure_voice
from voice_interviewer.config import Config
from voice_interviewer.errors import AudioError, InputError, SpeakerError
from voice_interviewer.testing import RecordingSpeaker

RATE = 16000
LINE = "First one. Second one. Third one."


def tone(seconds: float, rate: int = RATE, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


class LoggingPlayer:
    """A fake output: logs what it is fed; ``wait`` lasts ``hold_s`` unless stopped."""

    def __init__(self, log: list[tuple[str, str]], hold_s: float) -> None:
        self.log = log
        self.hold_s = hold_s
        self._stopped = threading.Event()

    def feed(self, samples: np.ndarray, rate: int) -> None:
        self.log.append(("feed", f"{len(samples) / rate:.1f}"))

    def wait(self) -> None:
        self.log.append(("wait", ""))
        self._stopped.wait(self.hold_s)

    def stop(self) -> None:
        self.log.append(("stop", ""))
        self._stopped.set()

    def close(self) -> None:
        self.log.append(("close", ""))


class ToneVoice(SynthesizingSpeaker):
    """Sentence i of a line becomes (i + 1) * 0.1 s of tone; a sentence with a gate waits for it."""

    def __init__(self, log: list[tuple[str, str]], hold_s: float = 0.0) -> None:
        self.log = log
        self.hold_s = hold_s
        self.gates: dict[str, threading.Event] = {}
        self.fail_on = ""
        self._init_pipeline(lambda text: log.append(("print", text)), "", self._player)

    def _player(self) -> LoggingPlayer:
        return LoggingPlayer(self.log, self.hold_s)

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        self.log.append(("synth-start", text))
        if text == self.fail_on:
            raise RuntimeError("engine crashed")
        gate = self.gates.get(text)
        if gate is not None and not gate.wait(5):
            raise TimeoutError(f"'{text}' was never released")
        self.log.append(("synth-end", text))
        index = ["First one.", "Second one.", "Third one."].index(text) if text in LINE else 0
        return tone(0.1 * (index + 1)), RATE


def say_in_thread(speaker: SynthesizingSpeaker, text: str) -> tuple[threading.Thread, threading.Event, list[float]]:
    started = threading.Event()
    returned: list[float] = []

    def run() -> None:
        speaker.say(text, on_start=started.set)
        returned.append(time.perf_counter())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, started, returned


def stop_and_time(speaker: SynthesizingSpeaker, thread: threading.Thread, returned: list[float]) -> float:
    asked = time.perf_counter()
    speaker.stop()
    thread.join(2)
    assert not thread.is_alive(), "say() did not return after stop()"
    return returned[0] - asked


# ------------------------------------------------------------------ sentences and silence


def test_split_sentences_keeps_order_quotes_and_titles() -> None:
    text = 'Thanks. Dr. Lee said "ship it." Why? (Fine.) e.g. this, 2.5 times.\nNext line'
    assert split_sentences(text) == [
        "Thanks.",
        'Dr. Lee said "ship it."',
        "Why?",
        "(Fine.) e.g. this, 2.5 times.",
        "Next line",
    ]
    assert split_sentences("   ") == []
    assert split_sentences("One without an end") == ["One without an end"]


def test_trim_silence_cuts_padding_but_not_speech() -> None:
    speech = tone(0.5)
    padded = np.concatenate([np.zeros(int(0.3 * RATE), np.float32), speech, np.zeros(int(0.4 * RATE), np.float32)])
    trimmed = trim_silence(padded, RATE)
    # 20 ms kept before the speech, 250 ms after it (the tone's sample 0 is silent: sin(0))
    assert len(trimmed) == 320 + (len(speech) - 1) + 4000
    assert np.array_equal(trimmed[320:-4000], speech[1:])
    assert len(trim_silence(np.zeros(RATE, np.float32), RATE)) == 0


# ------------------------------------------------------------------ sentence by sentence


def test_first_sentence_plays_while_the_next_is_synthesised() -> None:
    log: list[tuple[str, str]] = []
    voice = ToneVoice(log)
    voice.gates["Second one."] = threading.Event()

    def on_start() -> None:
        log.append(("on_start", ""))
        voice.gates["Second one."].set()  # synthesis of sentence 2 may finish only once audio plays

    voice.say(LINE, on_start=on_start)
    at = {event: i for i, event in enumerate(log)}  # the synthesis worker and the player log in parallel
    assert log[0] == ("print", LINE)
    assert at["synth-end", "First one."] < at["feed", "0.1"] < at["on_start", ""] < at["synth-end", "Second one."]
    assert at["synth-end", "Second one."] < at["feed", "0.2"] < at["feed", "0.3"] < at["wait", ""]
    assert at["synth-end", "Third one."] < at["feed", "0.3"]
    assert log[-1] == ("close", "")


def test_stop_during_playback_returns_at_once_and_the_next_line_plays() -> None:
    log: list[tuple[str, str]] = []
    voice = ToneVoice(log, hold_s=10.0)  # "playback" lasts 10 s unless stopped
    thread, started, returned = say_in_thread(voice, LINE)
    assert started.wait(5)
    assert stop_and_time(voice, thread, returned) < 0.2
    assert ("stop", "") in log and log[-1] == ("close", "")
    log.clear()
    voice.hold_s = 0.0
    voice.say("Again.")
    assert ("feed", "0.1") in log and log[-1] == ("close", "")


def test_stop_while_the_engine_is_busy_skips_the_rest_of_the_line() -> None:
    log: list[tuple[str, str]] = []
    voice = ToneVoice(log, hold_s=10.0)
    voice.gates["Second one."] = threading.Event()  # the engine blocks inside sentence 2
    thread, started, returned = say_in_thread(voice, LINE)
    assert started.wait(5)
    assert stop_and_time(voice, thread, returned) < 0.2  # while synthesis still blocks
    assert ("synth-end", "Second one.") not in log
    voice.gates["Second one."].set()
    voice.settle()
    assert ("synth-start", "Third one.") not in log  # nothing more was synthesised
    assert [e for e in log if e[0] == "feed"] == [("feed", "0.1")]  # nor played


def test_stop_before_any_audio_never_calls_on_start() -> None:
    log: list[tuple[str, str]] = []
    voice = ToneVoice(log)
    voice.gates["First one."] = threading.Event()
    thread, started, returned = say_in_thread(voice, LINE)
    assert stop_and_time(voice, thread, returned) < 0.2
    voice.gates["First one."].set()
    voice.settle()
    assert not started.is_set()
    assert not [e for e in log if e[0] == "feed"]


def test_stop_when_silent_is_a_no_op() -> None:
    log: list[tuple[str, str]] = []
    voice = ToneVoice(log)
    voice.stop()
    voice.say("Hello.")
    assert [e[0] for e in log] == ["print", "synth-start", "synth-end", "feed", "wait", "close"]
    printed: list[str] = []
    printer = PrintSpeaker(printed.append)
    printer.stop()
    printer.say("Hi.")
    assert printed == ["Hi."]


def test_an_engine_failure_reaches_the_caller() -> None:
    log: list[tuple[str, str]] = []
    voice = ToneVoice(log)
    voice.fail_on = "Second one."
    with pytest.raises(RuntimeError, match="engine crashed"):
        voice.say(LINE)
    assert ("close", "") in log  # the stream was released


def test_fallback_and_recording_speakers_pass_stop_on() -> None:
    inner = RecordingSpeaker()
    notes: list[str] = []
    speaker = FallbackSpeaker(inner, print, notes.append)
    speaker.say("One.")
    speaker.stop()
    assert inner.stops == [1]
    speaker.failed = "RuntimeError: gone"  # printing from now on: nothing to stop
    speaker.stop()
    assert inner.stops == [1]


# ------------------------------------------------------------------ resampling


def test_resample_24k_to_48k_keeps_pitch_and_level() -> None:
    voice = tone(1.0, 24000, 440.0)
    out = sound.resample(voice, 24000, 48000)
    assert out.dtype == np.float32 and len(out) == 48000
    spectrum = np.abs(np.fft.rfft(out))
    assert abs(np.argmax(spectrum) * 48000 / len(out) - 440.0) < 2.0
    rms = float(np.sqrt(np.mean(out[4800:-4800] ** 2)))
    assert abs(rms - 0.3 / np.sqrt(2)) < 0.005
    assert len(sound.resample(tone(1.0, 22050), 22050, 48000)) == 48000
    assert np.array_equal(sound.resample(voice, 24000, 24000), voice)


class FakePortAudio:
    """The two sounddevice calls output_rate makes, with their real signatures, for a device
    that takes only the rates in ``accepts`` and reports ``default`` as its own."""

    class PortAudioError(Exception):
        pass

    def __init__(self, accepts: set[int], default: float) -> None:
        self.accepts = accepts
        self.default = default
        self.asked: list[object] = []

    def check_output_settings(self, device=None, channels=None, dtype=None, extra_settings=None, samplerate=None):
        if samplerate not in self.accepts:
            raise self.PortAudioError("Error opening OutputStream: Invalid sample rate [PaErrorCode -9997]")

    def query_devices(self, device=None, kind=None):
        self.asked.append((device, kind))
        return {"name": "hw", "default_samplerate": self.default, "max_output_channels": 2}


def test_output_rate_falls_back_to_the_device_rate() -> None:
    only_48k = FakePortAudio({48000}, 48000.0)
    assert sound.output_rate(only_48k, None, 24000) == 48000
    assert only_48k.asked == [(None, "output")]  # the default output device's rate
    assert sound.output_rate(FakePortAudio({24000, 48000}, 44100.0), 3, 24000) == 24000  # taken as it is


# ------------------------------------------------------------------ hibari


class InstantPlayer(sound.SilentPlayer):
    """Keeps what it is fed and 'plays' it in no time."""

    def wait(self) -> None:
        return None


def test_hibari_speaks_a_line_sentence_by_sentence_at_24_khz() -> None:
    players: list[InstantPlayer] = []
    printed: list[str] = []
    speaker = HibariSpeaker(printed.append, player=lambda: players.append(InstantPlayer()) or players[-1])
    starts: list[float] = []
    line = "Thanks for coming in today. Tell me about a project you led from start to finish."
    speaker.say(line, on_start=lambda: starts.append(time.perf_counter()))
    assert printed == [line] and len(starts) == 1
    (player,) = players
    assert [rate for _, rate in player.fed] == [24000, 24000]  # one piece per sentence
    for samples, _ in player.fed:
        assert samples.dtype == np.float32
        assert 0.8 < len(samples) / 24000 < 6.0
        assert float(np.sqrt(np.mean(samples**2))) > 0.02  # audible speech, not silence
        assert np.abs(samples[: int(0.06 * 24000)]).max() > 1e-3  # the padding before the words was trimmed
    first, second = (len(s) for s, _ in player.fed)
    assert second > first  # the longer sentence takes longer to say


def test_hibari_refuses_voices_it_would_download(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import hibari.voices

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("hibari tried to download a voice")

    monkeypatch.setattr(hibari.voices, "download", no_network)
    monkeypatch.setenv("HIBARI_HOME", str(tmp_path))
    with pytest.raises(SpeakerError) as refused:
        HibariSpeaker(print, voice="emma", player=InstantPlayer)
    assert "'emma'" in refused.value.message and "downloaded" in refused.value.message
    assert "heart" in (refused.value.hint or "")
    with pytest.raises(SpeakerError, match="no voice named 'robot'"):
        HibariSpeaker(print, voice="robot", player=InstantPlayer)
    assert not list(tmp_path.iterdir())


def test_hibari_stops_within_200_ms_of_being_told() -> None:
    speaker = HibariSpeaker(print, player=sound.SilentPlayer)  # paced like real playback
    thread, started, returned = say_in_thread(speaker, "We are nearly done. One last question about your team.")
    assert started.wait(10)
    assert stop_and_time(speaker, thread, returned) < 0.2


# ------------------------------------------------------------------ choosing the voice


def test_auto_falls_back_from_hibari_to_pyttsx3_with_one_notice(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = RecordingSpeaker()

    def open_voice(engine: str, cfg: Config, say: Callable[[str], None], player: object = None) -> object:
        if engine == "hibari":
            raise SpeakerError("the hibari voice does not load (OSError)", "reinstall hibari-tts==0.2.1")
        return fake

    monkeypatch.setattr(voices, "open_voice", open_voice)
    notes: list[str] = []
    speaker = voices.build_speaker(cfg, False, print, notes.append)
    assert isinstance(speaker, FallbackSpeaker)
    speaker.say("Hello.")
    assert fake.said == ["Hello."]
    assert len(notes) == 1 and "hibari" in notes[0] and "pyttsx3" in notes[0]


def test_auto_without_a_speaker_prints_with_one_notice(cfg: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[str] = []

    def open_voice(engine: str, cfg: Config, say: Callable[[str], None], player: object = None) -> object:
        tried.append(engine)
        raise AudioError("no audio output device found", "connect speakers or use --no-voice")

    monkeypatch.setattr(voices, "open_voice", open_voice)
    notes: list[str] = []
    assert isinstance(voices.build_speaker(cfg, False, print, notes.append), PrintSpeaker)
    assert tried == ["hibari"] and len(notes) == 1 and notes[0].startswith("Voice off")


def test_unknown_engine_names_hibari_among_the_choices(cfg: Config) -> None:
    import dataclasses

    bad = dataclasses.replace(cfg, voice=dataclasses.replace(cfg.voice, tts="robot"))
    with pytest.raises(InputError) as wrong:
        voices.build_speaker(bad, False, print, print)
    assert "hibari" in (wrong.value.hint or "")


# ------------------------------------------------------------------ bench voice


def test_measure_voice_times_first_audio_synthesis_and_stop() -> None:
    voice = ToneVoice([], hold_s=10.0)

    def synthesize(line: str) -> float:
        return sum(len(s) / r for s, r in voice.synthesize_line(line))

    row = measure_voice(VoiceUnderTest("tone", voice, synthesize, voice.settle), line=LINE, runs=3)
    assert row.engine == "tone" and row.runs == 3
    assert row.audio_s == pytest.approx(0.6, abs=0.01)
    assert 0 <= row.first_audio_median_ms <= row.first_audio_max_ms < 1000
    assert 0 <= row.stop_median_ms <= row.stop_max_ms < 200


def test_bench_voice_cli_reports_every_installed_engine(home: Path) -> None:
    proc = run_cli("bench", "voice", "--runs", "1", "--json", timeout=240)
    assert proc.returncode == 0, proc.stderr
    rows = {row["engine"]: row for row in json.loads(proc.stdout)}
    assert {"hibari", "pyttsx3"} <= set(rows)
    for row in rows.values():
        assert row["runs"] == 1 and row["audio_s"] > 3.0  # 25 words take seconds to say
        assert 0 < row["first_audio_median_ms"] < 5000 and row["stop_max_ms"] < 200
