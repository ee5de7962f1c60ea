"""``bench analysis``, ``bench loop`` and ``bench voice``: the speed benchmarks, wired to the real models and voices."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...audio.answers import StreamingAnswerSource
from ...audio.sources import WavReplay
from ...config import Config, default_eval_set
from ...content.prompts import load_questions, load_round
from ...errors import AudioError, InputError, SpeakerError
from ...interview.interview import Interview
from ...interview.policy import decide
from ...types import Transcript

if TYPE_CHECKING:  # the adapter (and onnxruntime) is imported only when the model is loaded
    from ...adapters.tts import PlaybackFactory, SynthesizingSpeaker
    from .voicebench import VoiceBenchRow
from ..listen import endpoint_config
from ..loading import Printer, build_analyzer, load_transcriber
from ..voices import VOICE_ENGINES, open_voice


def bench_analysis(cfg: Config, words: int, runs: int) -> dict[str, float]:
    """Time ``Analyzer.analyze`` on dev-set answers cut or repeated to ``words`` words."""
    import statistics

    from ..evaluation import load_gold

    started = time.perf_counter()
    analyzer = build_analyzer(cfg)
    startup = time.perf_counter() - started
    gold = load_gold(default_eval_set())
    texts = []
    for answer in gold:
        tokens = " ".join(answer.sentences).split()
        while len(tokens) < words:
            tokens += tokens
        texts.append((answer.question, " ".join(tokens[:words])))
    for q, t in texts[:10]:
        analyzer.analyze(q, Transcript(t))
    times, sentences = [], []
    for i in range(runs):
        q, t = texts[i % len(texts)]
        t0 = time.perf_counter()
        result = analyzer.analyze(q, Transcript(t))
        times.append((time.perf_counter() - t0) * 1000)
        sentences.append(len(result.sentences))
    times.sort()
    return {
        "p50_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "max_ms": times[-1],
        "sentences": statistics.mean(sentences),
        "startup_s": startup,
    }


def bench_answers(cfg: Config, count: int, min_words: int = 150, max_words: int = 300) -> list[tuple[Path, str]]:
    """Spoken benchmark answers (60-120 s at 150 wpm) made from dev-set answers with espeak-ng, cached."""
    import shutil
    import subprocess

    from ..evaluation import load_gold

    exe = shutil.which("espeak-ng")
    if exe is None:
        raise InputError("espeak-ng is needed to make the benchmark answers", "sudo apt-get install espeak-ng")
    folder = cfg.data_home / "cache" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    chosen = []
    for answer in load_gold(default_eval_set()):
        text = " ".join(answer.sentences)
        if min_words <= len(text.split()) <= max_words:
            chosen.append((answer.id, text))
        if len(chosen) == count:
            break
    out = []
    for answer_id, text in chosen:
        wav = folder / f"{answer_id}.wav"
        if not wav.is_file():
            subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(wav), text], check=True)
        out.append((wav, text))
    return out


def bench_loop(cfg: Config, count: int, pace: float, notify: Printer) -> dict[str, Any]:
    """Replay spoken answers through the full loop; stage latencies, WER, CPU share, memory."""
    import re
    import resource
    import statistics

    import jiwer

    from ...adapters.audio_file import read_audio
    from ...testing import MemorySink, RecordingSpeaker

    answers = bench_answers(cfg, count)
    transcriber = load_transcriber(cfg)
    analyzer = build_analyzer(cfg)
    rnd = load_round(cfg.prompts_dir, "hiring_manager")
    bank = [q for q in load_questions(cfg.prompts_dir) if rnd.id in q.rounds]
    names = {c.id: c.name for c in analyzer.content.competencies}
    sink = MemorySink()
    folder = cfg.data_home / "cache" / "bench" / "captured"
    folder.mkdir(parents=True, exist_ok=True)
    from ...adapters.vad import SileroSpeechProbability

    replay = WavReplay([w for w, _ in answers], read_audio, pace=pace)
    source = StreamingAnswerSource(
        "wav",
        replay.open,
        SileroSpeechProbability,
        lambda: transcriber,
        time.monotonic,
        lambda i: folder / f"answer-{i:02d}.wav",
        endpoint_config(cfg),
    )
    # Each replayed answer answers whatever comes next: a main question or a follow-up.
    notify(f"replaying {len(answers)} answers at {pace:g}x real time...")
    cpu0, wall0 = time.process_time(), time.monotonic()
    interview = Interview(
        rnd,
        bank[: len(answers)],
        RecordingSpeaker(),
        source,
        sink,
        time.monotonic,
        transcriber=lambda: transcriber,
        analyzer=lambda: analyzer,
        brain=lambda a, r, asked, budget, target: decide(a, r, asked, budget, target, names),
    )
    interview.run()
    cpu_share = (time.process_time() - cpu0) / (time.monotonic() - wall0) / (os.cpu_count() or 1)

    def norm(text: str) -> str:
        text = text.lower().replace("%", " percent")
        return re.sub(r"[^a-z0-9' ]+", " ", text)

    stream_wer, whole_wer, rtf = [], [], []
    for (wav, reference), turn in zip(answers, sink.turns, strict=False):
        if turn.answer is None:
            continue
        stream_wer.append(jiwer.wer(norm(reference), norm(turn.answer.transcript.text)))
        whole, stats = transcriber.transcribe(read_audio(wav))
        whole_wer.append(jiwer.wer(norm(reference), norm(whole.text)))
        rtf.append(stats.real_time_factor)

    def pct(values: list[float]) -> dict[str, float]:
        ordered = sorted(values)
        p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))] if ordered else float("nan")
        return {"p50": statistics.median(ordered) if ordered else float("nan"), "p95": p95}

    stages: dict[str, list[float]] = {k: [] for k in ("transcript", "analysis", "follow_up", "voice", "processing")}
    durations = []
    for turn in sink.turns:
        t = turn.timings
        if t.endpoint_s is None or t.tts_start_s is None:
            continue
        durations.append(turn.answer.transcript.duration_s or 0 if turn.answer else 0)
        stages["transcript"].append((t.transcript_ready_s or t.endpoint_s) - t.endpoint_s)
        stages["analysis"].append((t.analysis_ready_s or t.endpoint_s) - t.endpoint_s)
        stages["follow_up"].append((t.followup_ready_s or t.endpoint_s) - t.endpoint_s)
        stages["voice"].append(t.tts_start_s - t.endpoint_s)
        stages["processing"].append(t.tts_start_s - t.endpoint_s)
    return {
        "answers": len(durations),
        "answer_seconds": {"min": min(durations, default=0), "max": max(durations, default=0)},
        "after_endpoint_s": {k: pct(v) for k, v in stages.items()},
        "wer_streaming": statistics.mean(stream_wer) if stream_wer else None,
        "wer_whole_file": statistics.mean(whole_wer) if whole_wer else None,
        "whole_file_rtf": statistics.mean(rtf) if rtf else None,
        "cpu_share_while_listening": cpu_share,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def bench_voice(cfg: Config, runs: int, notify: Printer) -> list[VoiceBenchRow]:
    """``bench voice``: each installed engine's time to first audio, synthesis time and stop latency."""
    from ...adapters.sound import SilentPlayer, find_device
    from .voicebench import VoiceUnderTest, measure_voice

    player: PlaybackFactory | None = None
    try:
        find_device(cfg.voice.output_device, "output")
    except AudioError as exc:
        notify(f"{exc.one_line()}: timing the voices with a silent player (nothing is heard).")
        player = SilentPlayer
    rows = []
    for engine in VOICE_ENGINES:
        try:
            speaker = open_voice(engine, cfg, lambda text: None, player)
        except (SpeakerError, AudioError) as exc:
            notify(f"{engine}: skipped ({exc.one_line()})")
            continue

        def synthesize(line: str, speaker: SynthesizingSpeaker = speaker) -> float:
            return sum(len(samples) / rate for samples, rate in speaker.synthesize_line(line))

        rows.append(measure_voice(VoiceUnderTest(engine, speaker, synthesize, speaker.settle), runs=runs))
    return rows
