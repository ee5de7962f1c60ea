"""The package's public face (``__all__``) and the layout its docstrings promise."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import voice_interviewer

PACKAGE = Path(voice_interviewer.__file__).parent
HEAVY = ("torch", "faster_whisper", "sentence_transformers", "transformers", "sounddevice", "pyttsx3", "onnxruntime")


def test_every_public_name_exists_and_is_documented() -> None:
    names = voice_interviewer.__all__
    assert len(names) == len(set(names))
    for name in names:
        value = getattr(voice_interviewer, name)
        if isinstance(value, type) or callable(value):
            doc = (value.__doc__ or "").strip()
            assert doc and not doc.startswith(f"{name}("), f"{name} has no docstring of its own"


def test_the_public_face_covers_the_records_ports_and_errors() -> None:
    from voice_interviewer import errors, ports, types

    for module in (types, ports, errors):
        public = {n for n, v in vars(module).items() if isinstance(v, type) and v.__module__ == module.__name__}
        missing = public - set(voice_interviewer.__all__)
        assert not missing, f"{module.__name__} defines public classes left out of __all__: {sorted(missing)}"


def test_importing_the_package_loads_no_heavy_library() -> None:
    code = f"import sys, voice_interviewer; print([m for m in {HEAVY!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_each_stage_folder_lists_its_modules_in_its_docstring() -> None:
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        folder = init.parent
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        modules = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
        modules |= {p.parent.name for p in folder.glob("*/__init__.py")}
        listed = {m for m in modules if f"``{m}``" in doc}
        assert listed == modules, f"{folder.name}/__init__.py does not list {sorted(modules - listed)}"
