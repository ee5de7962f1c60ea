"""Feedback that is true: what it may claim, from what, about which competencies."""

from __future__ import annotations

import dataclasses

from tests.interview.test_policy import FULL, HM, analysis
from voice_interviewer.interview.feedback import TANGENT_SHARE, aimed_at, session_feedback
from voice_interviewer.interview.policy import decide
from voice_interviewer.types import (
    PLAN_ELEMENTS,
    CompetencyScore,
    Gap,
    PlanElementScore,
    PlanResult,
    Question,
    QuestionKind,
    SentenceLabel,
)

NAMES = {"leadership": "Leadership", "customer_focus": "Customer Focus", "judgment": "Judgment"}


def _question(text: str, *competencies: str) -> Question:
    return Question(text.split()[0], text, competencies, ("hiring_manager",), "medium", "t")


def test_not_shown_speaks_only_of_what_the_answered_questions_aimed_at() -> None:
    bank = [
        _question("Tell me about a project you led.", "leadership", "judgment"),
        _question("Tell me about a customer you helped.", "customer_focus"),
    ]
    answered = [analysis(FULL, question="Tell me about a project you led.")]
    assert aimed_at(answered, bank) == ("leadership", "judgment")
    fb = session_feedback(answered, aimed_at(answered, bank), NAMES)
    assert fb.not_shown == ("Judgment",)  # leadership is covered; customer focus was never asked about


def _with_competency_in(label: str) -> object:
    labels = ["situation", "action", "result"]  # no other strength to outrank it: a part missing, "we" and "I" mixed
    a = analysis(labels, i_ratio=None, has_reflection=False)
    index = labels.index(label)
    return dataclasses.replace(
        a, competencies=(CompetencyScore("judgment", 0.7, 0.9, True, a.sentences[index].text, index),)
    )


def test_a_competency_is_credited_from_what_was_done_not_from_the_context() -> None:
    shown = [p.text for p in session_feedback([_with_competency_in("action")], (), NAMES).strengths]  # type: ignore[list-item]
    assert "You showed Judgment clearly." in shown
    context = [p.text for p in session_feedback([_with_competency_in("situation")], (), NAMES).strengths]  # type: ignore[list-item]
    assert "You showed Judgment clearly." not in context


def test_a_wandering_answer_is_named_with_one_of_its_asides() -> None:
    base = analysis(FULL)
    asides = tuple(SentenceLabel(4 + i, f"My cat also likes the office, story {i}.", "other", 0.9) for i in range(3))
    wandering = dataclasses.replace(base, sentences=base.sentences + asides)
    assert len(asides) / len(wandering.sentences) >= TANGENT_SHARE
    points = session_feedback([wandering], (), NAMES).improvements
    said = [p for p in points if p.text.startswith("Stay on the one story")]
    assert said and "3 of the 7 sentences" in said[0].text and said[0].evidence == asides[0].text
    one_aside = dataclasses.replace(base, sentences=base.sentences + asides[:1])
    assert not any(p.text.startswith("Stay on") for p in session_feedback([one_aside], (), NAMES).improvements)


def test_an_answer_told_as_a_habit_is_told_to_give_one_story_not_its_missing_parts() -> None:
    habit = analysis(["other", "other", "action"], specific=False, has_reflection=False, quantified_results=())
    texts = [p.text for p in session_feedback([habit], (), NAMES).improvements]
    assert any(t.startswith("Tell one specific time") for t in texts)
    assert not any(t.startswith(("Finish each story", "End with what you learned", "Put a number")) for t in texts)


def _scored(a: object, *scores: tuple[str, float]) -> object:
    """``a`` scored on these competencies (id, probability), most probable first."""
    ranked = sorted(scores, key=lambda s: -s[1])
    comps = tuple(CompetencyScore(cid, 0.4, p, p >= 0.15, "", 0) for cid, p in ranked)
    return dataclasses.replace(a, competencies=comps)


def test_not_shown_is_said_only_of_a_competency_the_answer_surely_lacks() -> None:
    # a story about leadership that is also about judgment: the probabilities compete, so
    # judgment falls under "covered" (0.15), but it is the second theme, not a missing one
    two_themes = _scored(
        analysis(FULL), ("leadership", 0.8), ("judgment", 0.1), ("customer_focus", 0.01), ("a", 0.05), ("b", 0.04)
    )
    fb = session_feedback([two_themes], ("leadership", "judgment", "customer_focus"), NAMES)  # type: ignore[list-item]
    assert fb.not_shown == ("Customer Focus",)  # far down (4th of 5, p 0.01): surely not shown
    low_but_ranked = _scored(analysis(FULL), ("leadership", 0.97), ("customer_focus", 0.02), ("judgment", 0.01))
    fb = session_feedback([low_but_ranked], ("customer_focus",), NAMES)  # type: ignore[list-item]
    assert fb.not_shown == ()  # among the 3 most probable: not claimed absent


def test_own_part_is_credited_only_with_an_action_told_with_i() -> None:
    labels = ["situation", "task", "action", "result"]
    a = analysis(labels)
    we_only = dataclasses.replace(
        a,
        sentences=tuple(
            dataclasses.replace(s, text="We rebuilt the job and we tested it.") if s.star == "action" else s
            for s in a.sentences
        ),
    )
    texts = [p.text for p in session_feedback([we_only], (), NAMES).strengths]
    assert "You made your own part clear." not in texts
    said = [p for p in session_feedback([a], (), NAMES).strengths if p.text == "You made your own part clear."]
    assert said and "I tested" in said[0].evidence


def test_a_number_in_a_step_the_story_goes_on_from_is_no_result() -> None:
    sentences = (
        SentenceLabel(0, "Checkout errors were climbing.", "situation", 0.9),
        SentenceLabel(1, "I had to fix it before the sale.", "task", 0.9),
        SentenceLabel(2, "We rolled the fix out to 5% of traffic first.", "result", 0.6),
        SentenceLabel(3, "I watched the dashboards and widened it.", "action", 0.9),
        SentenceLabel(4, "It held up fine.", "result", 0.9),
    )
    # no other strength to outrank it (the feedback names two): "I" and "we" mixed, no lesson
    only_numbers = analysis(FULL, quantified_results=("5%",), i_ratio=None, has_reflection=False)
    a = dataclasses.replace(
        only_numbers, star=dataclasses.replace(only_numbers.star, missing=("task",)), sentences=sentences
    )
    texts = [p.text for p in session_feedback([a], (), NAMES).strengths]
    assert "You put numbers on your results." not in texts
    ending = (*sentences[:4], SentenceLabel(4, "Errors fell by 5% within a day.", "result", 0.9))
    b = dataclasses.replace(a, sentences=ending)
    said = [p for p in session_feedback([b], (), NAMES).strengths if p.text == "You put numbers on your results."]
    assert said and said[0].evidence == "Errors fell by 5% within a day."


def _planned(missing: tuple[str, ...], story: bool = False) -> object:
    """A situational answer (as ``analysis``, with a plan) lacking ``missing``."""
    base = analysis(FULL)
    elements = tuple(
        PlanElementScore(
            e, e not in missing, 0.05 if e in missing else 0.9, base.sentences[0].text if e not in missing else "", 0
        )
        for e in PLAN_ELEMENTS
    )
    plan = PlanResult(100 - 20 * len(missing), elements, missing, ("decision",) * len(base.sentences), story)
    return dataclasses.replace(base, plan=plan, kind=QuestionKind("situational", "bank", 1.0))


def test_a_plan_is_judged_by_the_plan_rubric_and_never_both_ways() -> None:
    story = analysis(FULL)
    lacking = session_feedback([story, _planned(("decision", "measure"))], [], {})  # type: ignore[list-item]
    assert lacking.improvements[0].kind == "plan:decision"
    assert "decide" in lacking.improvements[0].text
    assert not any(p.kind.startswith("plan") for p in lacking.strengths)  # no decision strength beside it
    assert not any("STAR" in p.text for p in (*lacking.strengths, *lacking.improvements) if p.kind.startswith("plan"))
    whole = session_feedback([_planned(())], [], {})  # type: ignore[list-item]
    assert whole.strengths[0].kind == "plan" and whole.improvements == ()
    told = session_feedback([_planned((), story=True)], [], {})  # type: ignore[list-item]
    assert told.improvements[0].kind == "plan" and "plan first" in told.improvements[0].text
    assert told.strengths == ()


def test_a_plan_part_the_classifier_is_unsure_of_is_neither_advised_nor_asked_for() -> None:
    unsure = _planned(("measure",))
    plan = unsure.plan  # type: ignore[attr-defined]
    elements = tuple(dataclasses.replace(e, similarity=0.3) if e.id == "measure" else e for e in plan.elements)
    unsure = dataclasses.replace(unsure, plan=dataclasses.replace(plan, elements=elements))  # type: ignore[type-var]
    feedback = session_feedback([unsure], [], {})  # type: ignore[list-item]
    assert not any(p.kind == "plan:measure" for p in feedback.improvements)
    assert not any(p.kind == "plan" for p in feedback.strengths)  # not called complete either
    assert decide(unsure, HM).target is not Gap.PLAN  # type: ignore[arg-type]
