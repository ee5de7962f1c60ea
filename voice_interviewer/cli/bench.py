"""Commands ``bench analysis | voice | loop | review | report | soak | turns``: parse, call ``app``, print."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InputError
from .root import _config, bench_app, err, out


@bench_app.command("analysis")
def bench_analysis(
    words: int = typer.Option(300, "--words", min=20, help="Answer length in words."),
    runs: int = typer.Option(100, "--runs", min=5, help="Timed analyses (after 10 warm-up runs)."),
) -> None:
    """Time answer analysis (split, embed, label, score) on dev-set answers of a given length."""
    from ..app.bench.speed import bench_analysis as run_bench

    result = run_bench(_config(), words, runs)
    out.print(
        f"analysis of a {words}-word answer ({result['sentences']:.0f} sentences on average), {runs} runs "
        f"after warm-up: p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, max {result['max_ms']:.1f} ms"
    )
    out.print(f"analyzer start-up (models + cached classifiers): {result['startup_s']:.2f} s")


@bench_app.command("voice")
def bench_voice_cmd(
    runs: int = typer.Option(10, "--runs", min=1, max=100, help="Timed lines per engine (after one warm-up)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Time each installed voice on a 25-word line: first audio, synthesis, stop latency."""
    from ..app.bench.speed import bench_voice
    from ..app.bench.voicebench import BENCH_LINE

    rows = bench_voice(_config(), runs, lambda m: err.print(escape(m)))
    if as_json:
        print(json.dumps([asdict(row) for row in rows], indent=2))
        return
    table = Table(
        title=f"{len(BENCH_LINE.split())}-word line, {runs} runs, {os.cpu_count()} cores",
        caption="ms; first audio: say() -> audio plays; synthesis: the whole line; stop: stop() -> say() returns",
    )
    for column in ("engine", "first audio p50", "max", "synthesis p50", "audio s", "stop p50", "max"):
        table.add_column(column, justify="left" if column == "engine" else "right", no_wrap=True)
    for row in rows:
        table.add_row(
            row.engine,
            f"{row.first_audio_median_ms:.0f}",
            f"{row.first_audio_max_ms:.0f}",
            f"{row.synthesis_median_ms:.0f}",
            f"{row.audio_s:.1f}",
            f"{row.stop_median_ms:.1f}",
            f"{row.stop_max_ms:.1f}",
        )
    out.print(table)


@bench_app.command("loop")
def bench_loop_cmd(
    answers: int = typer.Option(6, "--answers", min=1, max=40, help="Number of 60-120 s spoken answers."),
    pace: float = typer.Option(1.0, "--pace", min=0.0, help="Replay speed: 1 = real time (0 = as fast as possible)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Replay spoken answers through the full loop; print stage latencies after the endpoint, WER, CPU, memory."""
    from ..app.bench.speed import bench_loop

    result = bench_loop(_config(), answers, pace, lambda m: err.print(escape(m)))
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    table = Table("stage (seconds after the endpoint)", "p50", "p95", title=f"{result['answers']} answers")
    for stage, v in result["after_endpoint_s"].items():
        table.add_row(stage, f"{v['p50']:.3f}", f"{v['p95']:.3f}")
    out.print(table)
    out.print(
        f"answers {result['answer_seconds']['min']:.0f}-{result['answer_seconds']['max']:.0f} s; "
        f"WER streaming {result['wer_streaming']:.3f} vs whole file {result['wer_whole_file']:.3f}; "
        f"whole-file RTF {result['whole_file_rtf']:.3f}; CPU share while listening "
        f"{result['cpu_share_while_listening']:.0%} of {os.cpu_count()} cores; peak RSS {result['peak_rss_mb']:.0f} MB"
    )


@bench_app.command("review")
def bench_review(sessions: int = typer.Option(1000, "--sessions", min=1, max=20000, help="Sessions to list.")) -> None:
    """Time `review list` over many sessions (copies of a saved one, in a scratch folder)."""
    import shutil
    import tempfile
    import time

    from ..review.catalog import filter_sessions, scan

    cfg = _config()
    saved = list(cfg.transcripts_dir.glob("*/*/session.json"))
    sample = max(saved, key=lambda p: p.stat().st_size) if saved else None  # the biggest is the worst case
    if sample is None:
        raise InputError("no saved session to copy", "run a practice session first")
    data = json.loads(sample.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="vi-bench-") as tmp:
        root = Path(tmp)
        for i in range(sessions):
            folder = root / f"cand{i % 20:02d}" / f"20260101-{i:06d}-{data.get('round', 'aa')}"
            folder.mkdir(parents=True)
            data["session_id"], data["candidate"] = folder.name, folder.parent.name
            (folder / "session.json").write_text(json.dumps(data), encoding="utf-8")
        started = time.perf_counter()
        found, _ = scan(root)
        shown = filter_sessions(found, sort="score")
        elapsed = time.perf_counter() - started
        size = (sample.stat().st_size * sessions) / 1e6
        shutil.rmtree(root, ignore_errors=True)
    out.print(f"listed {len(shown)} sessions ({size:.0f} MB of session.json) in {elapsed:.2f} s")


@bench_app.command("report")
def bench_report(
    session: str | None = typer.Argument(None, help="Session to render (default: the saved one with most turns)."),
    runs: int = typer.Option(5, "--runs", min=1, max=100),
) -> None:
    """Time `report --html` (load, annotations, charts, template, write) for one saved session."""
    import statistics
    import time

    from ..app.coach import write_session_report

    cfg = _config()
    if session is None:
        saved = list(cfg.transcripts_dir.glob("*/*/session.json"))
        if not saved:
            raise InputError("no saved session to render", "run a practice session first")
        biggest = max(saved, key=lambda p: len(json.loads(p.read_text(encoding="utf-8")).get("turns", [])))
        session = f"{biggest.parent.parent.name}/{biggest.parent.name}"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        path = write_session_report(cfg, session)
        times.append(time.perf_counter() - started)
    turns = len(json.loads((path.parent / "session.json").read_text(encoding="utf-8"))["turns"])
    out.print(
        f"report for {session} ({turns} turns, {path.stat().st_size / 1e3:.0f} kB): "
        f"first {times[0]:.3f} s, median {statistics.median(times):.3f} s, max {max(times):.3f} s over {runs} runs"
    )


@bench_app.command("soak")
def bench_soak(
    sessions: int = typer.Option(50, "--sessions", min=1, max=1000, help="Consecutive sessions in this process."),
    questions: int = typer.Option(3, "--questions", min=1, max=50, help="Main questions per session."),
    no_follow_ups: bool = typer.Option(False, "--no-follow-ups", help="Main questions only."),
    pace: float = typer.Option(4.0, "--pace", min=0.0, help="Replay speed: 1 = real time, 0 = as fast as possible."),
) -> None:
    """Many replayed sessions in one process: RSS, open files, threads and latency, first vs last."""
    from ..app.soak import soak

    def progress(n: int, row: dict[str, float]) -> None:
        err.print(
            f"session {n}/{sessions}: {row['turns']:.0f} turns, RSS {row['rss_mb']:.0f} MB, "
            f"{row['fds']:.0f} open files, {row['threads']:.0f} threads"
        )

    out.print_json(data=soak(_config(), sessions, questions, not no_follow_ups, pace, progress))


@bench_app.command("turns")
def bench_turns_cmd(
    voices: str = typer.Option("", "--voices", help="Comma list of espeak, hibari, piper (default: all installed)."),
    kinds: str = typer.Option("", "--kinds", help="Comma list of mid3, mid4, um, hold, lesson, none (default: all)."),
    pace: float = typer.Option(1.0, "--pace", min=0.0, help="Replay speed: 1 = real time, 0 = as fast as possible."),
    mic: int = typer.Option(2, "--mic", min=0, max=6, help="Answers also sent through a virtual microphone (0: none)."),
    voice: bool = typer.Option(False, "--voice/--no-voice", help="The interviewer speaks (private sound server)."),
    load: int = typer.Option(0, "--load", min=0, max=8, help="Busy CPU processes running meanwhile."),
    short: bool = typer.Option(False, "--short", help="Only the sentences around each pause (a quick smoke run)."),
    cold: bool = typer.Option(False, "--cold", help="Replay with models loading in the background, as practice does."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """Turn-taking: cut-offs, dead air, latency and WER on spoken answers with thinking pauses, via practice."""
    from ..app.bench.report import format_report
    from ..app.bench.turnbench import bench_turns

    def split(value: str) -> list[str] | None:
        return [v.strip() for v in value.split(",") if v.strip()] or None

    notify = lambda m: err.print(escape(m))  # noqa: E731
    result = bench_turns(_config(), split(voices), split(kinds), pace, mic, voice, load, notify, short, cold)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    for line in format_report(result):
        out.print(escape(line), soft_wrap=True)
