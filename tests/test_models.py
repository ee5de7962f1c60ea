"""Model resolution and assembly, on tiny fake model packages (fast, no real weights)."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from voice_interviewer import models
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


def test_resolve_reports_corrupt_data_home_folder(tmp_path: Path) -> None:
    spec = models.spec_for("whisper")
    folder = tmp_path / "models" / spec.name
    folder.mkdir(parents=True)
    (folder / "model.bin").write_bytes(b"truncated")
    with pytest.raises(ModelError) as info:
        models.resolve("whisper", tmp_path / "models")
    assert "corrupt" in info.value.message
    assert "models install --force" in info.value.hint


def test_manifest_covers_both_bundled_models() -> None:
    manifest = models.load_manifest()
    assert {spec.kind for spec in manifest.values()} == {"whisper", "embedding"}
    for spec in manifest.values():
        assert set(spec.sources) == set(spec.sha256)
        assert all(len(h) == 64 for h in spec.sha256.values())
        assert spec.checksum.startswith("sha256:")
