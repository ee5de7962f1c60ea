"""The root typer app, its command groups and global options; the consoles and printers the commands share.

Heavy libraries are imported lazily by ``app`` and the adapters, so ``--help``
answers quickly.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

from ..config import Config, load_config

if TYPE_CHECKING:
    from ..audio.heard import ListenStatus


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
    from ..audio.heard import status_line

    line = "" if status is None else status_line(status)
    out.file.write(f"\r\x1b[2K{line}" if line else "\r\x1b[2K")
    out.file.flush()
