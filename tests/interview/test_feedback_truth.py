"""Feedback that is true: what it may claim, from what, about which competencies."""

from __future__ import annotations

import dataclasses

from tests.interview.test_policy import FULL, analysis
from voice_interviewer.interview.feedback import TANGENT_SHARE, aimed_at, session_feedback
from voice_interviewer.types import CompetencyScore, Question, SentenceLabel

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
