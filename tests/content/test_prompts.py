"""The shipped content validates, and malformed content fails with a clear message."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voice_interviewer.config import default_prompts_dir
from voice_interviewer.content.content import load_content, load_themes
from voice_interviewer.content.prompts import (
    COMPETENCY_IDS,
    PLACEHOLDERS,
    THEME_IDS,
    list_rounds,
    load_questions,
    load_round,
    pick_questions,
    prompts_checksum,
)
from voice_interviewer.errors import PromptError
from voice_interviewer.types import PLAN_ELEMENTS, QUESTION_KINDS

PROMPTS = default_prompts_dir()


def test_question_bank_is_large_tagged_and_covers_both_rounds() -> None:
    bank = load_questions(PROMPTS)
    assert len(bank) >= 40
    for rnd in ("hiring_manager", "aa"):
        assert sum(rnd in q.rounds for q in bank) >= 20
    primaries = {q.competencies[0] for q in bank}
    assert primaries == set(COMPETENCY_IDS)


@pytest.mark.parametrize("round_id", ["hiring_manager", "aa"])
def test_rounds_load_with_personas_and_budgets(round_id: str) -> None:
    rnd = load_round(PROMPTS, round_id)
    assert rnd.greeting and rnd.closing
    assert rnd.max_follow_ups == (2 if round_id == "hiring_manager" else 3)
    assert all("?" in p for phrasings in rnd.follow_ups.values() for p in phrasings)


def test_pick_questions_is_deterministic_and_prioritises_round_competencies() -> None:
    bank = load_questions(PROMPTS)
    rnd = load_round(PROMPTS, "aa")
    a = pick_questions(bank, rnd, 3, seed=7)
    assert a == pick_questions(bank, rnd, 3, seed=7)
    assert len({q.id for q in a}) == 3
    assert all("aa" in q.rounds for q in a)
    assert a[0].competencies[0] == rnd.competencies[0]


def test_competency_filter_and_empty_result() -> None:
    bank = load_questions(PROMPTS)
    rnd = load_round(PROMPTS, "hiring_manager")
    chosen = pick_questions(bank, rnd, 2, competencies=("customer_focus",), seed=1)
    assert all("customer_focus" in q.competencies for q in chosen)
    with pytest.raises(PromptError, match="unknown competency id 'teamwork'"):
        pick_questions(bank, rnd, 2, competencies=("teamwork",))
    with pytest.raises(PromptError, match="no question in the bank"):
        pick_questions([q for q in bank if "aa" not in q.rounds], load_round(PROMPTS, "aa"), 2)


@pytest.fixture()
def prompts_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "prompts"
    shutil.copytree(PROMPTS, dest)
    return dest


def test_unknown_round_lists_available(prompts_copy: Path) -> None:
    with pytest.raises(PromptError) as info:
        load_round(prompts_copy, "ceo")
    assert "aa" in info.value.hint and "hiring_manager" in info.value.hint


def test_a_third_round_needs_no_code(prompts_copy: Path) -> None:
    text = (prompts_copy / "rounds" / "hiring_manager.toml").read_text()
    (prompts_copy / "rounds" / "peer.toml").write_text(text.replace('id = "hiring_manager"', 'id = "peer"'))
    assert "peer" in list_rounds(prompts_copy)
    assert load_round(prompts_copy, "peer").id == "peer"


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda t: t.replace('"collaboration"', '"teamwork"', 1), "unknown competency id 'teamwork'"),
        (lambda t: t + "\n[[question]]\nid = 'x'\n", "missing field"),
        (lambda t: t.replace("[[question]]", "[[question]\n", 1), "invalid TOML"),
        (lambda t: t.replace('difficulty = "', 'difficulty = "brutal', 1), "difficulty"),
    ],
)
def test_malformed_question_bank_names_file_and_field(prompts_copy: Path, edit, needle: str) -> None:  # type: ignore[no-untyped-def]
    path = prompts_copy / "questions.toml"
    path.write_text(edit(path.read_text()))
    with pytest.raises(PromptError) as info:
        load_questions(prompts_copy)
    assert needle in info.value.message
    assert "questions.toml" in info.value.message


def test_round_naming_unknown_competency(prompts_copy: Path) -> None:
    path = prompts_copy / "rounds" / "aa.toml"
    path.write_text(path.read_text().replace("competencies = [", 'competencies = ["vibes", ', 1))
    with pytest.raises(PromptError, match="unknown competency id 'vibes'"):
        load_round(prompts_copy, "aa")


def test_checksum_changes_with_content(prompts_copy: Path) -> None:
    before = prompts_checksum(prompts_copy)
    (prompts_copy / "questions.toml").write_text((prompts_copy / "questions.toml").read_text() + "\n")
    assert prompts_checksum(prompts_copy) != before


def test_turn_cues_continuations_load_and_an_older_folder_keeps_the_built_in_words(prompts_copy: Path) -> None:
    from voice_interviewer.content.content import CONTINUATIONS, load_turn_cues

    shipped = load_turn_cues(PROMPTS / "turn_taking.toml")
    assert {"and", "which", "because"} <= shipped.continuations
    assert shipped.continuations >= CONTINUATIONS  # the built-in words are a subset of the shipped list
    path = prompts_copy / "turn_taking.toml"
    text = path.read_text()
    start = text.index("continuations = [")
    path.write_text(text[:start] + text[text.index("]", start) + 1 :])
    assert load_turn_cues(path).continuations == CONTINUATIONS


@pytest.mark.parametrize("round_id", ["hiring_manager", "aa"])
def test_every_round_has_depth_probes_and_a_plain_line_for_every_probe(round_id: str) -> None:
    """A quoted line is skipped when its phrase is not found, so each list needs a line without one."""
    rnd = load_round(PROMPTS, round_id)
    assert set(rnd.depth) == {*THEME_IDS, "general"}
    for key, lines in [*rnd.follow_ups.items(), *rnd.depth.items()]:
        plain = [line for line in lines if not any(p in line for p in PLACEHOLDERS - {"{competency}"})]
        assert plain, f"{round_id} {key}: every line quotes the answer"
        assert all(len(line.split()) < 35 and "(" not in line for line in lines)
    assert rnd.acknowledge_short and rnd.acknowledge_filled


def test_an_unknown_placeholder_is_refused(prompts_copy: Path) -> None:
    path = prompts_copy / "rounds" / "aa.toml"
    text = path.read_text()
    assert '\nresult = [\n  "' in text  # the first result line gets a placeholder no phrase kind has
    path.write_text(text.replace('\nresult = [\n  "', '\nresult = [\n  "About {phrase}: ', 1))
    with pytest.raises(PromptError, match=r"unknown placeholder \{phrase\} in a result line"):
        load_round(prompts_copy, "aa")


def test_themes_load_and_an_unknown_theme_is_refused(prompts_copy: Path) -> None:
    themes = load_themes(PROMPTS / "themes.toml")
    assert [t.id for t in themes] == list(THEME_IDS)
    assert all(len(t.triggers) >= 5 and t.question_cues for t in themes)
    path = prompts_copy / "themes.toml"
    path.write_text(path.read_text().replace("[theme.scope]", "[theme.weather]"))
    with pytest.raises(PromptError, match="theme 'weather': unknown theme id"):
        load_themes(path)
    assert load_themes(prompts_copy / "missing.toml") == ()  # an older prompts folder: general probes only


def test_a_malformed_kind_in_the_question_bank_names_the_file_and_field(prompts_copy: Path) -> None:
    path = prompts_copy / "questions.toml"
    text = path.read_text()
    path.write_text(text.replace('kind = "situational"', 'kind = "scenario"', 1))
    with pytest.raises(PromptError, match=r"questions.toml question '.+': field 'kind' is 'scenario'") as info:
        load_questions(prompts_copy)
    assert "situational" in info.value.hint


def test_an_unknown_plan_probe_key_is_refused(prompts_copy: Path) -> None:
    path = prompts_copy / "rounds" / "aa.toml"
    path.write_text(path.read_text().replace("\n[plan]\nclarify = [", "\n[plan]\nclarity = [", 1))
    with pytest.raises(PromptError, match=r"unknown \[plan\] key 'clarity'"):
        load_round(prompts_copy, "aa")


def test_the_plan_rubric_and_kinds_load_and_a_broken_one_names_the_field(prompts_copy: Path) -> None:
    content = load_content(prompts_copy)
    assert [e.id for e in content.plan] == list(PLAN_ELEMENTS) and content.plan_other and content.plan_training
    assert {k.id for k in content.kinds} == set(QUESTION_KINDS)
    path = prompts_copy / "plan_rubric.toml"
    path.write_text(path.read_text().replace("[element.decision]\nname = ", "[element.decision]\nnom = ", 1))
    with pytest.raises(PromptError, match=r"element 'decision': missing field 'name'"):
        load_content(prompts_copy)
