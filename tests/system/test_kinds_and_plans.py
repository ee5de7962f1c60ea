"""Question kinds and the plan rubric of situational answers, with the bundled MiniLM model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import practice_typed, run_cli
from voice_interviewer.analysis.analyzer import Analyzer
from voice_interviewer.app.loading import build_analyzer
from voice_interviewer.config import Config
from voice_interviewer.content.prompts import load_questions, load_round
from voice_interviewer.interview.policy import decide
from voice_interviewer.types import PLAN_ELEMENTS, Gap, QuestionKind, Transcript

SITUATIONAL = QuestionKind("situational", "bank", 1.0)
QUESTION = "Two teams both want exclusive control of a shared training dataset. What would you do?"
PLAN = [
    "First I'd sit down with each team to understand what they actually need from the dataset.",
    "There are a few options: split it, give one team ownership with an access agreement, or use a platform team.",
    "I'd go with a single owner plus a written access contract, because one owner keeps the schema stable.",
    "I would write the agreement down, share it with both managers and set up a monthly check-in.",
    "Success would be no broken pipelines for a quarter, and I'd track schema-change incidents.",
]
STORY = [
    "At my last job two teams fought over our feature store.",
    "I set up a meeting with both leads and we went through every table.",
    "We split the tables by owner and I wrote the access rules.",
    "After that the broken pipelines stopped and the teams were happy.",
]


@pytest.fixture()
def analyzer(cfg: Config) -> Analyzer:
    return build_analyzer(cfg)


def test_each_kind_of_question_is_recognised_from_its_words(analyzer: Analyzer) -> None:
    assert analyzer.recognise_kind("Tell me about a time you missed a deadline. What happened?").id == "behavioral"
    assert analyzer.recognise_kind("Suppose your model starts drifting a week before launch. What do you do?").id == (
        "situational"
    )
    assert analyzer.recognise_kind("Explain to a sales lead what an embedding is.").id == "explain"
    assert analyzer.recognise_kind("Tell me about yourself in two minutes.").id == "pitch"
    assert analyzer.recognise_kind("Why do you want to work at Microsoft?").id == "why_company"
    assert analyzer.recognise_kind("") == QuestionKind("behavioral", "recognised", 0.0)  # nothing to tell


def test_the_banks_situational_questions_are_recognised_as_such(cfg: Config, analyzer: Analyzer) -> None:
    situational = [q for q in load_questions(cfg.prompts_dir) if q.kind == "situational"]
    assert len(situational) >= 10
    recognised = [analyzer.recognise_kind(q.text).id for q in situational]
    assert recognised.count("situational") >= len(situational) - 1


def test_a_whole_plan_shows_every_element_and_gets_a_challenge_not_a_star_probe(
    analyzer: Analyzer, cfg: Config
) -> None:
    a = analyzer.analyze(QUESTION, Transcript(" ".join(PLAN)), sentences=PLAN, kind=SITUATIONAL)
    assert a.plan is not None and a.plan.missing == () and a.plan.score == 100
    assert list(a.plan.sentence_elements) == list(PLAN_ELEMENTS)
    assert all(e.evidence == PLAN[i] for i, e in enumerate(a.plan.elements))
    assert not a.plan.told_as_story
    rnd = load_round(cfg.prompts_dir, "hiring_manager")
    first = decide(a, rnd)
    assert first.target is Gap.CHALLENGE and first.text in rnd.plan["challenge"]
    assert decide(a, rnd, asked=[first.key]).target is None  # one challenge, then on to the next question


def test_a_plan_without_a_decision_is_asked_for_one_and_never_for_a_story_part(analyzer: Analyzer, cfg: Config) -> None:
    said = [PLAN[0], PLAN[1], PLAN[4]]
    a = analyzer.analyze(QUESTION, Transcript(" ".join(said)), sentences=said, kind=SITUATIONAL)
    assert a.plan is not None and set(a.plan.missing) == {"decision", "communication"}
    for round_id in ("hiring_manager", "aa"):
        rnd = load_round(cfg.prompts_dir, round_id)
        first = decide(a, rnd)
        assert first.key == "plan:decision" and first.text in rnd.plan["decision"]
        second = decide(a, rnd, asked=[first.key])
        assert second.key == "plan:communication"


def test_a_past_story_told_for_a_situational_question_is_scored_and_said_to_be_a_story(analyzer: Analyzer) -> None:
    a = analyzer.analyze(QUESTION, Transcript(" ".join(STORY)), sentences=STORY, kind=SITUATIONAL)
    assert a.plan is not None and a.plan.told_as_story
    behavioral = analyzer.analyze("Tell me about a conflict between two teams.", Transcript(" ".join(STORY)))
    assert behavioral.plan is None and behavioral.kind.id == "behavioral"


def test_score_prints_the_plan_and_the_json_carries_kind_and_plan(home: Path) -> None:
    done = run_cli("score", "--question", QUESTION, "--text", " ".join(PLAN[:3]), "--format", "json")
    assert done.returncode == 0, done.stderr
    score = json.loads(done.stdout)
    assert score["kind"]["id"] == "situational" and score["kind"]["source"] == "recognised"
    assert score["plan"]["missing"] == ["communication", "measure"]
    assert score["follow_up"]["target"] == "plan:measure"
    shown = run_cli("score", "--kind", "situational", "--question", "Anything?", "--text", " ".join(PLAN))
    assert shown.returncode == 0 and "Plan score 100/100" in shown.stdout
    bad = run_cli("score", "--kind", "story", "--text", "I did it.")
    assert bad.returncode == 2 and bad.stderr.strip().count("\n") == 0 and "situational" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_practice_asks_a_situational_question_and_probes_the_plan(home: Path) -> None:
    said = " ".join(PLAN[:2]) + "\n\n" + PLAN[2] + "\n\n" + PLAN[3] + "\n\n"
    done = practice_typed("--kind", "situational", "--seed", "1", input=said)
    assert done.returncode == 0, done.stderr
    [path] = list((home / "transcripts").glob("*/*/session.json"))
    turns = json.loads(path.read_text())["turns"]
    main, follow = turns[0], turns[1]
    assert main["score"]["kind"] == {"id": "situational", "source": "bank", "score": 1.0}
    assert main["score"]["plan"] is not None and main["follow_up"]["target"].startswith(("plan:", "challenge"))
    assert follow["is_follow_up"] and follow["score"]["kind"]["id"] == "situational"  # the thread's kind
    bad = practice_typed("--kind", "riddle", input="")
    assert bad.returncode == 2 and "situational" in bad.stderr and "Traceback" not in bad.stderr
