"""Hostile input, 2: prompts, rounds and analysis content.

A module-scoped copy of ``prompts/`` has one file at a time (questions, a round, STAR
exemplars, competencies, cues, training answers) replaced by random bytes, random TOML,
the real content with wrong types or a truncated / spliced text; loading must either
succeed or raise a one-line ``PromptError``. The real file is put back after each example.
"""

from __future__ import annotations

import copy
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.robustness.hostile import TEXT, TOML_VALUES, expect_ours, fuzz, mutated, toml_dump
from voice_interviewer.content.content import load_content
from voice_interviewer.content.prompts import load_questions, load_round
from voice_interviewer.errors import PromptError

ROOT = Path(__file__).resolve().parents[2]


# ------------------------------------------------------------------ 2. prompts, rounds, analysis content


@pytest.fixture(scope="module")
def prompts_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("prompts") / "prompts"
    shutil.copytree(ROOT / "prompts", dest)
    return dest


PROMPT_FILES = {
    "questions.toml": lambda d: load_questions(d),
    "rounds/hiring_manager.toml": lambda d: load_round(d, "hiring_manager"),
    "rounds/aa.toml": lambda d: load_round(d, "aa"),
    "already_said.toml": lambda d: load_round(d, "aa"),
    "star_exemplars.toml": lambda d: load_content(d),
    "competencies.toml": lambda d: load_content(d),
    "cues.toml": lambda d: load_content(d),
    "training/answers_a.toml": lambda d: load_content(d),
}
REAL_TOML = {name: tomllib.loads((ROOT / "prompts" / name).read_text(encoding="utf-8")) for name in PROMPT_FILES}


def with_replaced(prompts: Path, name: str, content: bytes) -> None:
    """Parse prompts/ with ``name`` replaced by ``content``; the real file is put back afterwards."""
    path = prompts / name
    original = path.read_bytes()
    path.write_bytes(content)
    try:
        expect_ours(lambda: PROMPT_FILES[name](prompts))
    finally:
        path.write_bytes(original)


def test_prompts_copy_loads(prompts_copy: Path) -> None:
    for name, load in PROMPT_FILES.items():
        assert load(prompts_copy), name


@fuzz(40)
@given(name=st.sampled_from(sorted(PROMPT_FILES)), blob=st.binary(max_size=300))
def test_prompt_file_random_bytes(prompts_copy: Path, name: str, blob: bytes) -> None:
    with_replaced(prompts_copy, name, blob)


@fuzz(60)
@given(name=st.sampled_from(sorted(PROMPT_FILES)), data=st.dictionaries(TEXT, TOML_VALUES, max_size=6))
def test_prompt_file_random_toml(prompts_copy: Path, name: str, data: dict[str, Any]) -> None:
    with_replaced(prompts_copy, name, toml_dump(data).encode())


@fuzz(150)
@given(st.data())
def test_prompt_file_real_content_with_wrong_types(prompts_copy: Path, data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(PROMPT_FILES)))
    broken = data.draw(mutated(REAL_TOML[name], TOML_VALUES, toml=True))
    with_replaced(prompts_copy, name, toml_dump(broken).encode())


@fuzz(40)
@given(name=st.sampled_from(sorted(PROMPT_FILES)), cut=st.floats(0, 1), junk=st.text(max_size=5))
def test_prompt_file_truncated_or_spliced_text(prompts_copy: Path, name: str, cut: float, junk: str) -> None:
    text = (ROOT / "prompts" / name).read_text(encoding="utf-8")
    at = int(len(text) * cut)
    with_replaced(prompts_copy, name, (text[:at] + junk).encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize(
    ("name", "key", "value"),
    [
        ("training/answers_a.toml", "answer", 5),  # a number where [[answer]] tables belong
        ("training/answers_a.toml", "answer", [{"sentences": [{"text": "x", "star": "task"}], "competencies": 7}]),
    ],
)
def test_training_file_with_wrong_types_is_a_prompt_error(prompts_copy: Path, name: str, key: str, value: Any) -> None:
    """Regression: TypeError ('int' object is not iterable) leaked out of load_labelled_answers."""
    path = prompts_copy / name
    original = path.read_bytes()
    path.write_text(toml_dump({key: value}))
    try:
        with pytest.raises(PromptError):
            load_content(prompts_copy)
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize(("field", "value"), [("difficulty", "0\n"), ("competencies", ["0\n"]), ("rounds", 5)])
def test_prompt_errors_stay_on_one_line(prompts_copy: Path, field: str, value: Any) -> None:
    """Regression: a value with a newline, quoted into the message as '{value}', split the error over two lines."""
    broken = copy.deepcopy(REAL_TOML["questions.toml"])
    broken["question"][0][field] = value
    path = prompts_copy / "questions.toml"
    original = path.read_bytes()
    path.write_text(toml_dump(broken))
    try:
        with pytest.raises(PromptError) as info:
            load_questions(prompts_copy)
        assert "\n" not in info.value.message
    finally:
        path.write_bytes(original)
