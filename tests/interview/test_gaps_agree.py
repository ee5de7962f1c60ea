"""One set of gap rules (analysis.gaps): the follow-up policy, the feedback and the evaluation agree."""

from __future__ import annotations

import dataclasses

import pytest

from tests.interview.test_policy import FULL, HM, analysis
from voice_interviewer.analysis.gaps import OWN_I_RATIO, WE_I_RATIO, gaps_of, ownership
from voice_interviewer.interview.feedback import session_feedback
from voice_interviewer.interview.policy import decide, find_gaps
from voice_interviewer.types import Gap

ADVICE = {
    Gap.RESULT: "Finish each story",
    Gap.OWNERSHIP: "Say what you did yourself",
    Gap.SPECIFICITY: "Tell one specific time",
    Gap.METRICS: "Put a number on the result",
    Gap.REFLECTION: "End with what you learned",
}


@pytest.mark.parametrize(
    ("ratio", "expected"), [(None, "mixed"), (WE_I_RATIO, "we"), (0.5, "mixed"), (OWN_I_RATIO, "i"), (0.9, "i")]
)
def test_ownership_bands(ratio: float | None, expected: str) -> None:
    assert ownership(analysis(FULL, i_ratio=ratio).signals) == expected


@pytest.mark.parametrize(
    ("gap", "answer"),
    [
        (Gap.RESULT, analysis(["situation", "task", "action"])),
        (Gap.RESULT, analysis(FULL, weak=("result",), quantified_results=())),
        (Gap.OWNERSHIP, analysis(FULL, i_ratio=WE_I_RATIO, i_count=2, we_count=3)),
        (Gap.SPECIFICITY, analysis(FULL, specific=False)),
        (Gap.METRICS, analysis(FULL, quantified_results=())),
        (Gap.REFLECTION, analysis(FULL, has_reflection=False)),
    ],
)
def test_the_gap_the_follow_up_probes_is_the_gap_the_feedback_names(gap: Gap, answer) -> None:  # type: ignore[no-untyped-def]
    assert gap in gaps_of(answer)
    assert gap in {g.gap for g in find_gaps(answer, HM)}
    assert decide(answer, dataclasses.replace(HM, depth={})).target is gap  # the only gap, so the probe
    feedback = session_feedback([answer], (), {})
    assert any(p.text.startswith(ADVICE[gap]) for p in feedback.improvements)


def test_a_faint_result_is_one_gap_not_two() -> None:
    """No "put a number on it" for a result that is barely there: finishing the story comes first."""
    faint = analysis(FULL, weak=("result",), quantified_results=())
    assert Gap.RESULT in gaps_of(faint) and Gap.METRICS not in gaps_of(faint)
    texts = [p.text for p in session_feedback([faint], (), {}).improvements]
    assert not any(t.startswith(ADVICE[Gap.METRICS]) for t in texts)


def test_one_we_is_not_a_habit() -> None:
    assert Gap.OWNERSHIP not in gaps_of(analysis(FULL, i_ratio=0.0, i_count=0, we_count=1))
    assert ownership(analysis(FULL, i_ratio=0.0, i_count=0, we_count=1).signals) == "we"


def test_a_strength_and_its_opposite_are_never_both_said() -> None:
    """One answer with numbers, one without: "You put numbers on your results" would contradict
    "Put a number on the result" in the same feedback."""
    with_numbers = analysis(FULL)
    without = analysis(FULL, quantified_results=(), has_reflection=False, i_ratio=0.2, i_count=1, we_count=4)
    feedback = session_feedback([with_numbers, without], (), {})
    advice = {g for g, start in ADVICE.items() if any(p.text.startswith(start) for p in feedback.improvements)}
    praise = " ".join(p.text for p in feedback.strengths)
    assert advice, "the weaker answer gets advice"
    if Gap.METRICS in advice:
        assert "numbers on your results" not in praise
    if Gap.OWNERSHIP in advice:
        assert "own part clear" not in praise
    if Gap.REFLECTION in advice:
        assert "what you learned" not in praise


def test_all_four_parts_is_claimed_only_when_true() -> None:
    complete, partial = analysis(FULL), analysis(["situation", "action", "result"])
    assert "Your answer had all four STAR parts." in [p.text for p in session_feedback([complete], (), {}).strengths]
    both = [p.text for p in session_feedback([complete, complete], (), {}).strengths]
    assert "Your answers had all four STAR parts." in both
    texts = [p.text for p in session_feedback([complete, partial], (), {}).strengths]
    assert "Your answers had all four STAR parts." not in texts
    assert all("all four" not in t or t.startswith("One of your 2 answers") for t in texts)
    faint = analysis(FULL, weak=("result",))  # a result only faintly there is not "all four"
    assert not any("all four" in p.text for p in session_feedback([faint, faint], (), {}).strengths)


def test_numbers_are_praised_only_with_a_result_sentence_that_has_them() -> None:
    # No other strength to outrank it: a part missing, mixed ownership, no lesson.
    plain = {"i_ratio": 0.5, "has_reflection": False}
    aside = analysis(["situation", "action", "result"], quantified_results=("14 engineers",), **plain)
    assert not any("numbers" in p.text for p in session_feedback([aside], (), {}).strengths)  # not in a result
    stated = analysis(["situation", "action", "result"], quantified_results=("zero downtime",), **plain)
    assert any("numbers" in p.text for p in session_feedback([stated], (), {}).strengths)


def test_a_number_in_the_result_makes_a_faint_result_no_gap() -> None:
    """ "So how did it turn out?" after "latency fell 40%" asks for what was said."""
    assert Gap.RESULT not in gaps_of(analysis(FULL, weak=("result",), quantified_results=("40%",)))


@pytest.mark.parametrize(
    "said",
    [
        "As the tech lead, I set the plan for the cutover.",
        "I owned the cutover plan end to end.",
        "It was on me to get the cutover done.",
        "My role was to coordinate the cutover.",
    ],
)
def test_a_stated_role_needs_no_ownership_probe(said: str) -> None:
    we = analysis(FULL, i_ratio=0.2, i_count=1, we_count=4)
    assert Gap.OWNERSHIP in gaps_of(we)
    sentences = (*we.sentences[:1], dataclasses.replace(we.sentences[1], text=said), *we.sentences[2:])
    assert Gap.OWNERSHIP not in gaps_of(dataclasses.replace(we, sentences=sentences))
