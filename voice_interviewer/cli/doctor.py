"""Command ``doctor``: check this machine and print the results."""

from __future__ import annotations

from typing import Any

import typer
from rich.markup import escape

from .root import _config, app, out


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
