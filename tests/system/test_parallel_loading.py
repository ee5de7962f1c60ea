"""Loading threads import the shared heavy packages one at a time, so no import deadlock.

Practice loads Whisper, Smart Turn, the VAD and the embedder on separate threads. A CI run
died with ``_DeadlockError: deadlock detected by _ModuleLock('faster_whisper.vad')``: a
fresh interpreter that imports ``faster_whisper``, ``faster_whisper.vad`` and
``onnxruntime`` + ``tokenizers`` on three threads at once hits it in about one run in three
(``BARE`` below). ``adapters/imports.serial_import`` takes one lock around those imports;
the first test runs the same three imports through it, the second checks that every lazy
import of those packages in the adapters goes through it.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.models

RUNS = 12
SHARED = {"faster_whisper", "onnxruntime", "tokenizers", "torch", "transformers", "sentence_transformers"}

SCRIPT = """
import sys, threading
import numpy
from voice_interviewer.adapters.imports import serial_import

jobs = [("faster_whisper.vad",), ("faster_whisper",), ("onnxruntime", "tokenizers")]
barrier = threading.Barrier(len(jobs))
errors = []

def run(names):
    barrier.wait()
    try:
        serial_import(*names)
    except BaseException as exc:
        errors.append(repr(exc))

threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
for t in threads:
    t.start()
for t in threads:
    t.join()
print(errors[0] if errors else "ok")
"""


def test_the_imports_that_deadlocked_together_succeed_in_fresh_processes() -> None:
    outputs = []
    for _ in range(RUNS):
        proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outputs.append(proc.stdout.strip())
    assert outputs == ["ok"] * RUNS, outputs


def _lazy_shared_imports(tree: ast.Module) -> list[tuple[str, int, bool]]:
    """(function, line, preceded by serial_import in that function) per lazy import of a SHARED package."""
    found = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        calls = [
            node.lineno
            for node in ast.walk(func)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "serial_import"
        ]
        for node in ast.walk(func):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            if any(name.split(".")[0] in SHARED for name in names):
                found.append((func.name, node.lineno, any(line < node.lineno for line in calls)))
    return found


def test_every_lazy_import_of_a_shared_package_in_the_adapters_is_serialized() -> None:
    checked = 0
    for path in sorted((ROOT / "voice_interviewer" / "adapters").glob("*.py")):
        for func, line, serialized in _lazy_shared_imports(ast.parse(path.read_text())):
            checked += 1
            assert serialized, f"{path.name}:{line} ({func}) imports a shared package without serial_import first"
    assert checked >= 8  # whisper, vad, smart turn, both embedders, audio decoding
