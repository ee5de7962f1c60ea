"""One lock around the lazy imports of the heavy packages several loading threads share.

Whisper, Smart Turn, the VAD and the embedder load on their own threads while the
interviewer greets the candidate, and each imports parts of the same packages
(``faster_whisper`` and its ``vad`` and ``feature_extractor`` modules, ``onnxruntime``,
``tokenizers``). Python's per-module import locks can then meet in opposite orders on two
threads: CI saw ``_DeadlockError: deadlock detected by _ModuleLock('faster_whisper.vad')``
end a practice session. Importing these packages one thread at a time rules that out; an
import that is already done is a dictionary lookup, so the lock costs nothing afterwards.
"""

from __future__ import annotations

import importlib
import threading
from types import ModuleType

_LOCK = threading.RLock()


def serial_import(*names: str) -> list[ModuleType]:
    """Import ``names`` (dotted module names) under the process-wide import lock, in order."""
    with _LOCK:
        return [importlib.import_module(name) for name in names]
