"""Offline switches for the Hugging Face stack, set in code before a library loads.

Called by each adapter right before importing its library (not at package import
time), so no code path can reach a model hub even if the environment lacks them.
"""

from __future__ import annotations

import os

_SWITCHES = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_DATASETS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "DO_NOT_TRACK": "1",
    "TOKENIZERS_PARALLELISM": "false",
    "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    "TRANSFORMERS_VERBOSITY": "error",
}


def force_offline() -> None:
    for key, value in _SWITCHES.items():
        os.environ[key] = value
