"""Stories (a main answer with its follow-ups) scored as one, the rubric level, and the
attempts of a retried question: pure logic over hand-built records."""

from __future__ import annotations

import dataclasses

from tests.store.test_codec import ANALYSIS, TURN
from voice_interviewer.analysis.star_score import VAGUE_CAP, rubric
from voice_interviewer.review.stories import addressed, attempt_chain, parse_turn_ref, stories, threads
from voice_interviewer.saved import Feedback, Point, SavedSession
from voice_interviewer.types import Analysis, RetryOf, SentenceLabel, Signals, StarResult, Turn

SIGNALS = Signals(0.8, 4, 1, ("30%",), True, True, (), 250, "good")
COMPLETE = StarResult(85, (), {"situation": 0.15, "task": 0.1, "action": 0.5, "result": 0.25, "other": 0.0}, None)


def test_rubric_levels() -> None:
    assert rubric(COMPLETE, SIGNALS).level == "strong"
    assert rubric(COMPLETE, dataclasses.replace(SIGNALS, quantified_results=())).level == "complete"
    assert rubric(dataclasses.replace(COMPLETE, missing=("result",)), SIGNALS).level == "missing parts"
    assert rubric(dataclasses.replace(COMPLETE, weak=("result",)), SIGNALS).level == "partial"
    vague = rubric(COMPLETE, dataclasses.replace(SIGNALS, specific=False))
    assert vague.level == "partial" and vague.score == VAGUE_CAP  # a vague answer cannot score high


def _analysis(*parts: tuple[str, str], specific: bool = True) -> Analysis:
    sentences = tuple(SentenceLabel(i, text, star, 0.95) for i, (star, text) in enumerate(parts))
    missing = tuple(p for p in ("situation", "task", "action", "result") if p not in {s for s, _ in parts})
    star = StarResult(60, missing, {}, None)
    signals = dataclasses.replace(SIGNALS, specific=specific, quantified_results=(), has_reflection=False)
    return dataclasses.replace(ANALYSIS, sentences=sentences, star=star, signals=signals, delivery=None)


def _turn(index: int, analysis: Analysis | None, follow_up: bool = False, qid: str = "hm-launch") -> Turn:
    return dataclasses.replace(
        TURN, index=index, is_follow_up=follow_up, analysis=analysis, question_id=qid, retry_of=None
    )


def _session(sid: str, started: str, turns: list[Turn], feedback: Feedback | None = None) -> SavedSession:
    return SavedSession(sid, "ana", "hiring_manager", started, None, True, tuple(turns), feedback)


MAIN = _analysis(
    ("situation", "Our release took two days."), ("task", "I had to cut it."), ("action", "I automated it.")
)
FOLLOW = _analysis(("result", "Releases now take two hours."))


def test_a_follow_up_answer_completes_the_story_it_belongs_to() -> None:
    session = _session("s1", "2026-12-01T10:00", [_turn(0, MAIN), _turn(1, FOLLOW, True), _turn(2, MAIN, qid="other")])
    assert [len(g) for g in threads(session.turns)] == [2, 1]
    first, second = stories(session)
    assert first.star is not None and first.star.missing == ()  # the result came in the follow-up
    assert second.star is not None and second.star.missing == ("result",)
    assert first.level != "missing parts" and second.level == "missing parts"


def test_attempts_are_found_from_any_link_and_say_what_was_addressed() -> None:
    fb = Feedback((), (Point("Finish each story with how it turned out.", "", "result"),), ())
    one = _session("s1", "2026-12-01T10:00", [_turn(0, MAIN)], fb)
    two = _session("s2", "2026-12-02T10:00", [dataclasses.replace(_turn(0, MAIN), retry_of=RetryOf("s1", 0))], fb)
    three_turn = dataclasses.replace(_turn(0, MAIN), retry_of=RetryOf("s2", 0))
    three = _session("s3", "2026-12-03T10:00", [three_turn, _turn(1, FOLLOW, True)])
    unrelated = _session("s4", "2026-12-04T10:00", [_turn(0, MAIN)])
    for sid in ("s1", "s2", "s3"):
        chain = attempt_chain([three, unrelated, one, two], sid, 0)
        assert [(a.number, a.session.session_id) for a in chain] == [(1, "s1"), (2, "s2"), (3, "s3")]
    assert [fixed for _, fixed in addressed(chain[0], chain[1])] == [False]  # still no result
    assert [fixed for _, fixed in addressed(chain[1], chain[2])] == [True]  # the follow-up gave it
    assert len(attempt_chain([unrelated], "s4", 0)) == 1


def test_a_cycle_of_links_ends() -> None:
    a = _session("a", "2026-12-01T10:00", [dataclasses.replace(_turn(0, MAIN), retry_of=RetryOf("b", 0))])
    b = _session("b", "2026-12-02T10:00", [dataclasses.replace(_turn(0, MAIN), retry_of=RetryOf("a", 0))])
    assert {x.session.session_id for x in attempt_chain([a, b], "a", 0)} == {"a", "b"}


def test_turn_references() -> None:
    assert parse_turn_ref("ana/20261201-101500-aa:3") == ("ana/20261201-101500-aa", 2)
    assert parse_turn_ref("20261201-101500-aa") == ("20261201-101500-aa", None)
    assert parse_turn_ref("x:0") == ("x:0", None)
