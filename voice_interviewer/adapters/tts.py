"""Speaker pipeline shared by the voices: synthesis played through PortAudio, or print only.

(The voices, each wrapping its own library: ``hibari_voice`` (the default), ``pyttsx3_voice``
and ``piper_voice``; they all share the pipeline here.)

A synthesising speaker says a line sentence by sentence: a worker thread synthesises the
sentences in order while the first is already playing, so the voice starts after one
sentence's synthesis, not the whole line's. ``stop`` (from any thread) makes ``say``
return at once: playback is aborted and the worker synthesises nothing more.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import numpy as np

from ..errors import SpeakerError
from ..ports import Speaker
from . import sound

Printer = Callable[[str], None]
AudioTap = Callable[[np.ndarray, int, float], None]  # samples, rate, clock time they start playing


class Playback(Protocol):
    """What a synthesising speaker plays through (``sound.Player``; fakes in tests)."""

    def feed(self, samples: np.ndarray, rate: int) -> None: ...

    def wait(self) -> None: ...

    def stop(self) -> None: ...

    def close(self) -> None: ...


PlaybackFactory = Callable[[], Playback]


class PrintSpeaker:
    """Prints the interviewer's words (``--no-voice``). Printing is instant: ``stop`` has nothing to do."""

    prints_only = True  # the candidate reads the words (see interview.reply_window_s)

    def __init__(self, printer: Printer) -> None:
        self._print = printer

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        if on_start:
            on_start()
        self._print(text)

    def stop(self) -> None:
        return None


# End punctuation and any closing quotes or brackets, then the space before (after any
# opening ones) a capital or a digit: group 1 is the space between two sentences.
_SENTENCE_END = re.compile("[.!?\u2026][\"'\u201d\u2019)\\]]*(\\s+)(?=[\"'\u201c\u2018(\\[]*[A-Z0-9])")
_NOT_AN_END = {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e"}  # "Dr. Smith" is one sentence


def split_sentences(text: str) -> list[str]:
    """The line's sentences in order: end punctuation before a capital or a digit, or a line break."""
    out: list[str] = []
    for line in text.splitlines():
        cut = 0
        for match in _SENTENCE_END.finditer(line):
            words = line[: match.start()].split()
            if line[match.start()] == "." and words and words[-1].lower().lstrip("(\"'\u201c\u2018") in _NOT_AN_END:
                continue
            out.append(line[cut : match.start(1)].strip())
            cut = match.end(1)
        out.append(line[cut:].strip())
    return [sentence for sentence in out if sentence]


def trim_silence(samples: np.ndarray, rate: int, lead_s: float = 0.02, tail_s: float = 0.25) -> np.ndarray:
    """Samples with leading silence cut to ``lead_s`` and trailing silence to ``tail_s``.

    Neural voices pad each sentence with ~0.3 s of silence at both ends: left in, the
    voice would start late and pause for over half a second between sentences.
    Silence is below -60 dBFS; nothing is cut from inside the speech.
    """
    loud = np.flatnonzero(np.abs(samples) > 1e-3)
    if not len(loud):
        return samples[:0]
    start = max(0, int(loud[0]) - int(lead_s * rate))
    end = min(len(samples), int(loud[-1]) + 1 + int(tail_s * rate))
    return samples[start:end]


_END = object()  # the synthesis worker has no more sentences (or was stopped)


class _Utterance:
    """One ``say`` in progress: the queue of synthesised sentences and the stop flag."""

    def __init__(self) -> None:
        self.stopped = threading.Event()
        self.pieces: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()
        self._player: Playback | None = None

    def attach(self, player: Playback) -> Playback:
        with self._lock:
            self._player = player
        if self.stopped.is_set():  # stop() came while the player was being opened
            player.stop()
        return player

    def stop(self) -> None:
        self.stopped.set()
        self.pieces.put(_END)  # wakes a say() waiting for the next sentence
        with self._lock:
            player = self._player
        if player is not None:
            player.stop()


class SynthesizingSpeaker:
    """Prints the words, then synthesises and plays them sentence by sentence; stoppable.

    ``on_start`` fires as the first sentence starts playing. Subclasses implement
    ``synthesize`` (one sentence -> mono float32 samples and their rate) and call
    ``_init_pipeline`` from ``__init__``.
    """

    _print: Printer
    _current: _Utterance | None = None
    _synth_lock: threading.Lock
    _open_player: PlaybackFactory
    _taps: tuple[AudioTap, ...] = ()

    def tap(self, on_audio: AudioTap) -> None:
        """Also hand each sentence to ``on_audio(samples, rate, start)`` with the clock time it
        starts playing (so the listener can tell this voice's echo from the candidate)."""
        self._taps = (*self._taps, on_audio)

    def _init_pipeline(
        self, printer: Printer, output_device: str, player: PlaybackFactory | None, rate: int = 22050
    ) -> None:
        """``player``: where audio goes (default: the output device); ``rate``: the voice's sample rate."""
        self._print = printer
        # One synthesis at a time: a stopped line's worker may still be inside its engine
        # (pyttsx3's runAndWait cannot be interrupted) when the next line starts.
        self._synth_lock = threading.Lock()
        if player is None:
            sound.check_output(output_device, rate)  # fail now if there is no speaker
            self._open_player = lambda: sound.Player(output_device)
        else:
            self._open_player = player

    def synthesize(self, text: str) -> tuple[np.ndarray, int]:
        raise NotImplementedError

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        utterance = _Utterance()
        self._current = utterance
        try:
            self._print(text)
            sentences = split_sentences(text)
            if sentences:
                # Not a daemon: a stopped line's worker finishes its sentence before the program
                # exits (onnxruntime aborts the process if the interpreter shuts down under it).
                worker = threading.Thread(
                    target=self._synthesize_all, args=(sentences, utterance), name="tts-synthesis"
                )
                worker.start()
                self._play_all(utterance, on_start)
        finally:
            utterance.stopped.set()  # after a playback error too: the worker synthesises no more
            if self._current is utterance:
                self._current = None

    def stop(self) -> None:
        """Thread-safe: a ``say`` in progress returns at once; a no-op when silent."""
        utterance = self._current
        if utterance is not None:
            utterance.stop()

    def synthesize_line(self, text: str) -> list[tuple[np.ndarray, int]]:
        """Every sentence of ``text`` synthesised (silence trimmed) in order, without playback."""
        out = []
        for sentence in split_sentences(text):
            with self._synth_lock:
                samples, rate = self.synthesize(sentence)
            out.append((trim_silence(samples, rate), rate))
        return out

    def settle(self, timeout: float = 30.0) -> None:
        """Return once no sentence is being synthesised (a stopped line's worker may finish one)."""
        if self._synth_lock.acquire(timeout=timeout):
            self._synth_lock.release()

    def _synthesize_all(self, sentences: list[str], utterance: _Utterance) -> None:
        try:
            for sentence in sentences:
                with self._synth_lock:
                    if utterance.stopped.is_set():
                        return
                    samples, rate = self.synthesize(sentence)
                utterance.pieces.put((trim_silence(samples, rate), rate))
        except Exception as exc:  # raised again in say(), on the caller's thread
            utterance.pieces.put(exc)
        finally:
            utterance.pieces.put(_END)

    def _play_all(self, utterance: _Utterance, on_start: Callable[[], None] | None) -> None:
        player: Playback | None = None
        plays_until = 0.0  # when the audio queued so far will have played (monotonic clock)
        try:
            while True:
                item = utterance.pieces.get()
                if item is _END or utterance.stopped.is_set():
                    break
                if isinstance(item, Exception):
                    raise item
                samples, rate = item
                if not len(samples):
                    continue
                starts = max(time.monotonic(), plays_until)
                plays_until = starts + len(samples) / rate
                for on_audio in self._taps:
                    on_audio(samples, rate, starts)
                if player is None:
                    player = utterance.attach(self._open_player())
                    player.feed(samples, rate)
                    if on_start:
                        on_start()
                else:
                    player.feed(samples, rate)
            if player is None and not utterance.stopped.is_set():
                raise SpeakerError("the voice produced no audio", "use another --tts engine, or --no-voice")
            if player is not None and not utterance.stopped.is_set():
                player.wait()
        finally:
            if player is not None:
                player.close()


class FallbackSpeaker:
    """Uses a voice; if it fails mid-interview, says so once and prints from then on."""

    def __init__(self, voice: Speaker, printer: Printer, notify: Printer) -> None:
        self._voice = voice
        self._print = printer
        self._notify = notify
        self.failed: str | None = None

    def say(self, text: str, on_start: Callable[[], None] | None = None) -> None:
        if self.failed is None:
            try:
                self._voice.say(text, on_start)
                return
            except Exception as exc:  # any engine or device failure: keep the interview going
                self.failed = f"{type(exc).__name__}: {exc}"
                self._notify(f"The voice stopped working ({self.failed}); printing the interviewer's words instead.")
        PrintSpeaker(self._print).say(text, on_start)

    @property
    def prints_only(self) -> bool:
        return self.failed is not None or bool(getattr(self._voice, "prints_only", False))

    def tap(self, on_audio: AudioTap) -> None:
        tap = getattr(self._voice, "tap", None)
        if tap is not None:
            tap(on_audio)

    def stop(self) -> None:
        """Stops the voice; printing (after a failure) is instant and has nothing to stop."""
        if self.failed is None:
            self._voice.stop()
