"""The acknowledgement before a follow-up fits what was just said, and never repeats itself."""

from __future__ import annotations

from tests.interview.test_policy import FULL, HM, analysis
from voice_interviewer.interview.replies import acknowledgement, gave_what_was_asked, is_short

STORY = "We moved the nightly export to a streaming job, and I ran the cutover over two weekends with the finance team."


def test_a_short_or_unsure_answer_gets_no_makes_sense() -> None:
    for said in (
        "Um, not really, I guess.",
        "No idea, honestly.",
        "I don't remember the numbers, it was a while ago now.",
    ):
        assert is_short(said)
        assert acknowledgement(HM, said, False, 0) in HM.acknowledge_short
    assert not is_short(STORY)
    assert all("makes sense" not in line.lower() for line in (*HM.acknowledgements, *HM.acknowledge_short))


def test_the_answer_that_gave_what_was_asked_is_acknowledged_as_such() -> None:
    assert acknowledgement(HM, STORY, True, 0) in HM.acknowledge_filled
    assert acknowledgement(HM, STORY, False, 0) in HM.acknowledgements


def test_never_the_same_opener_twice_running() -> None:
    said = ""
    for turn in range(12):
        ack = acknowledgement(HM, STORY, False, turn, said)
        assert ack != said
        said = ack


def test_a_probe_is_filled_when_the_thread_no_longer_has_its_gap() -> None:
    no_result = analysis(["situation", "task", "action"], quantified_results=())
    assert not gave_what_was_asked("result", no_result)
    assert gave_what_was_asked("result", analysis(FULL))
    assert not gave_what_was_asked("depth:decision", analysis(FULL))
    assert not gave_what_was_asked(None, analysis(FULL))
