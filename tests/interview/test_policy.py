"""The deterministic follow-up policy: exact choices on constructed analyses."""

from __future__ import annotations

import dataclasses

from voice_interviewer.config import default_prompts_dir
from voice_interviewer.content.prompts import load_round
from voice_interviewer.interview.policy import BASE_VALUE, decide, drop_said, find_gaps, key_phrase
from voice_interviewer.types import (
    Analysis,
    CompetencyScore,
    Gap,
    SentenceLabel,
    Signals,
    StarResult,
    ThemeScore,
    Transcript,
)

HM = load_round(default_prompts_dir(), "hiring_manager")
AA = load_round(default_prompts_dir(), "aa")


def analysis(
    labels: list[str],
    question: str = "Tell me about a project you led.",
    weak: tuple[str, ...] = (),
    **signals: object,
) -> Analysis:
    texts = {
        "situation": "Our team ran the billing migration for the payments platform.",
        "task": "The goal was a clean cutover by March.",
        "action": "We rewrote the reconciliation job and I tested the canary rollout.",
        "result": "The migration finished with zero downtime.",
        "other": "So yeah.",
    }
    sentences = tuple(SentenceLabel(i, texts[lab], lab, 0.95) for i, lab in enumerate(labels))
    base = dict(
        i_ratio=0.8,
        i_count=4,
        we_count=1,
        quantified_results=("40%",),
        has_reflection=True,
        specific=True,
        generic_phrases=(),
        word_count=250,
        length_verdict="ok",
    )
    base.update(signals)
    missing = tuple(p for p in ("situation", "task", "action", "result") if p not in labels)
    return Analysis(
        question=question,
        source="text",
        transcript=Transcript(" ".join(s.text for s in sentences)),
        sentences=sentences,
        star=StarResult(80, missing, {}, None, weak),
        competencies=(CompetencyScore("leadership", 0.5, 0.6, True, "", 0),),
        signals=Signals(**base),  # type: ignore[arg-type]
        delivery=None,
        warnings=(),
    )


FULL = ["situation", "task", "action", "result"]


def test_complete_answer_gets_a_depth_probe_then_moves_on() -> None:
    """A strong answer is not a reason to stop talking: one probe of what the story is about."""
    full = analysis(FULL)
    depth = decide(full, HM)
    assert depth.target is Gap.DEPTH and depth.key == "depth:general" and depth.text in HM.depth["general"]
    assert "going deeper" in depth.rationale
    decision = decide(full, HM, asked=(depth.key,))
    assert decision.target is None and decision.key == "none" and "moving on" in decision.rationale
    no_depth = dataclasses.replace(HM, depth={})  # a round file without [depth]
    assert decide(full, no_depth).target is None


def test_a_depth_probe_follows_the_theme_of_the_story() -> None:
    failure = dataclasses.replace(analysis(FULL), themes=(ThemeScore("failure", 0.6, 2),))
    decision = decide(failure, AA)
    assert decision.key == "depth:failure" and decision.text in AA.depth["failure"]
    unknown = dataclasses.replace(analysis(FULL), themes=(ThemeScore("scope", 0.6, 2),))
    assert decide(unknown, dataclasses.replace(AA, depth={"general": ("Why?",)})).key == "depth:general"


def test_after_a_probe_of_a_failure_the_lesson_is_not_asked_for_again() -> None:
    failure = dataclasses.replace(analysis(FULL, has_reflection=False), themes=(ThemeScore("failure", 0.6, 2),))
    assert decide(failure, HM, asked=("depth:general",)).target is Gap.REFLECTION
    assert decide(failure, HM, asked=("depth:failure",)).target is not Gap.REFLECTION


def test_the_hiring_manager_goes_deeper_before_asking_for_the_lesson() -> None:
    no_lesson = analysis(FULL, has_reflection=False)
    first = decide(no_lesson, HM)
    assert first.target is Gap.DEPTH
    assert decide(no_lesson, HM, asked=(first.key,)).target is Gap.REFLECTION
    assert decide(no_lesson, AA).target is Gap.REFLECTION  # the senior leader asks for it first


def test_a_missing_goal_is_asked_for_only_when_the_story_itself_is_thin() -> None:
    """With the actions and the result told, the goal can be read from the story."""
    told = analysis(["situation", "action", "result"])
    assert decide(told, HM).target is Gap.DEPTH  # not "what were you aiming for?"
    task = next(g for g in find_gaps(told, HM) if g.gap is Gap.TASK)
    assert task.value < BASE_VALUE["reflection"] and "matters less" in task.rationale
    thin = analysis(["situation", "action"], quantified_results=())
    assert next(g for g in find_gaps(thin, HM) if g.gap is Gap.TASK).value == BASE_VALUE["task"]
    assert decide(thin, HM).target is Gap.RESULT


def test_a_goal_probe_is_not_worded_as_what_the_answer_states() -> None:
    """No task sentence, but "we needed to ..." says what it was for: no "what were you aiming for?"."""
    thin = analysis(["situation", "action"], quantified_results=())
    aimed = dataclasses.replace(
        thin, sentences=(*thin.sentences, SentenceLabel(2, "We needed to stop the double charges.", "other", 0.6))
    )
    asked = decide(aimed, HM, asked=("result",))
    assert "aiming for" not in asked.text.lower() and "task: the answer says it (the aim)" in asked.rationale


def said(text: str, **signals: object) -> Analysis:
    """A complete story whose action sentence is ``text``."""
    full = analysis(FULL, **signals)
    sentences = tuple(dataclasses.replace(s, text=text) if s.star == "action" else s for s in full.sentences)
    return dataclasses.replace(full, sentences=sentences)


def test_a_probe_never_asks_for_what_the_answer_already_says() -> None:
    unsure = said("I wasn't sure the cache would hold, so I load-tested it first.", has_reflection=False)
    lines = ("Which part were you least sure about at the time?", "What would you do differently now?")
    assert drop_said(lines, unsure, HM.already_said) == ([lines[1]], ["uncertainty"])
    assert drop_said(lines, said("I load-tested the cache.", has_reflection=True), HM.already_said) == (
        [lines[0]],
        ["the lesson"],
    )
    # "Unsure" as a whole word only: "ensure" says nothing about doubt.
    assert drop_said(lines[:1], said("I made sure to ensure coverage."), HM.already_said) == ([lines[0]], [])
    short = said("I fixed it.", word_count=40)
    assert drop_said(("What was the hardest call in all of that?",), short, HM.already_said)[0] == []


def test_when_the_themes_probes_are_all_said_the_general_ones_are_asked_and_then_none() -> None:
    story = dataclasses.replace(
        said("I wasn't sure at first, so I asked the on-call lead."), themes=(ThemeScore("failure", 0.6, 2),)
    )
    depth = {
        "failure": ("Looking back, what was the earliest sign of trouble?",),
        "general": ("Which part were you least sure about?", "What was it like to work with them?"),
    }
    decision = decide(story, dataclasses.replace(HM, depth=depth))
    assert decision.text == "What was it like to work with them?"
    assert "passed over: depth:failure: the answer says it (the lesson" in decision.rationale
    all_said = dataclasses.replace(HM, depth={"failure": depth["failure"], "general": depth["general"][:1]})
    moved_on = decide(story, all_said)
    assert moved_on.target is None and "uncertainty" in moved_on.rationale


def test_missing_result_comes_first_and_is_personalised() -> None:
    decision = decide(analysis(["situation", "task", "action"], has_reflection=False, quantified_results=()), HM)
    assert decision.target == "result"
    assert decision.text.endswith("?")
    assert "never says how it turned out" in decision.rationale


def test_weak_result_is_still_probed_but_metrics_is_not() -> None:
    targets = [g.target for g in find_gaps(analysis(FULL, weak=("result",), quantified_results=()), HM)]
    assert targets[0] == "result" and "metrics" not in targets


def test_never_the_same_probe_twice_and_budget() -> None:
    a = analysis(["situation", "task", "action"], has_reflection=False)
    first = decide(a, HM)
    second = decide(a, HM, asked=[first.key])
    assert second.target is not None and second.target != first.target
    assert decide(a, HM, asked=[first.key], budget_left=0).target is None


def test_rounds_prefer_their_own_probes() -> None:
    a = analysis(FULL, quantified_results=(), has_reflection=False)
    assert decide(a, HM).target == "metrics"  # the hiring manager wants the size of the result
    assert decide(a, AA).target == "reflection"  # the senior leader wants the lesson
    we = analysis(FULL, i_ratio=0.2, i_count=1, we_count=4)
    assert decide(we, HM).target == decide(we, AA).target == "ownership"  # a real gap beats a preference


def test_question_that_asks_for_the_lesson_gets_reflection() -> None:
    a = analysis(
        FULL,
        question="Tell me about a time you failed and what you learned.",
        has_reflection=False,
        quantified_results=(),
    )
    decision = decide(a, HM)
    assert decision.target == "reflection" and "question asked for it" in decision.rationale


def test_generic_answer_is_pulled_to_one_instance() -> None:
    assert decide(analysis(FULL, specific=False), HM).target == "specificity"


def test_uncovered_target_competency() -> None:
    a = analysis(FULL)
    a = dataclasses.replace(a, competencies=(CompetencyScore("customer_focus", 0.3, 0.02, False, "", 0),))
    decision = decide(a, AA, target_competency="customer_focus", names={"customer_focus": "Customer focus"})
    assert decision.target is Gap.COMPETENCY and decision.key == "competency:customer_focus"


def test_key_phrase_comes_from_the_candidates_words() -> None:
    assert key_phrase(["We shipped the canary rollout last spring."]) == "the canary rollout"
    assert key_phrase(["Yes."]) is None


def test_key_phrase_stops_at_modals_contractions_degree_words_and_counts() -> None:
    assert key_phrase(["I knew the deploy would take hours."]) == "the deploy"
    assert key_phrase(["We moved to a pretty different company."]) is None  # no clean phrase: ask without one
    assert key_phrase(["I asked the people I've worked with."]) == "the people"
    assert key_phrase(["By the quarter five teams used it."]) == "the quarter"
    assert key_phrase(["I fixed the identity team's library."]) == "the identity team's library"
