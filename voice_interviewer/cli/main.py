"""The CLI's edge: run the typer app, turn known errors into one line and an exit code.

Heavy libraries are imported lazily by ``app`` and the adapters, so ``--help``
answers quickly.
"""

from __future__ import annotations

import os
import signal
import sys

import click
import typer
from rich.markup import escape

from ..errors import VoiceInterviewerError
from .root import STATE, app, err

# Importing a command module registers its commands: this order is the order ``--help`` lists them in.
# isort: off
from . import practice  # noqa: F401  practice, transcribe, score, eval
from . import bench  # noqa: F401  bench ...
from . import setup  # noqa: F401  models ..., config, devices, mic-test
from . import review  # noqa: F401  review ..., report, rescore, export, delete
from . import doctor  # noqa: F401  doctor
# isort: on


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
