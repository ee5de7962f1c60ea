"""The records <-> JSON codec: what is written reads back as the same records, and the JSON
written is the published schema's (every key the codec writes is documented there)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from voice_interviewer.content.prompts import COMPETENCY_IDS
from voice_interviewer.errors import SessionError
from voice_interviewer.saved import Feedback, Point
from voice_interviewer.store.codec import (
    analysis_from_json,
    feedback_from_json,
    feedback_to_json,
    read_session,
    score_to_json,
    turn_from_json,
    turn_to_json,
)
from voice_interviewer.store.session import SessionStore
from voice_interviewer.types import (
    Analysis,
    Answer,
    CompetencyScore,
    DeliveryMetrics,
    FollowUp,
    Gap,
    Pause,
    PlanElementScore,
    PlanResult,
    QuestionKind,
    RetryOf,
    SentenceLabel,
    Signals,
    StarResult,
    ThemeScore,
    Transcript,
    Turn,
    TurnTimings,
    Word,
)

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "session.schema.json").read_text())

# Every field has a value unlike its default, so a field one direction drops fails the round trip.
WORDS = (Word("We", 0.0, 0.2, 0.9), Word("shipped", 0.2, 0.7, 0.8), Word("it.", 0.7, 1.0, 0.95))
ANALYSIS = Analysis(
    question="Tell me about a launch.",
    source="wav",
    transcript=Transcript("We shipped it. I owned the rollback plan.", WORDS, 4.5),
    sentences=(
        SentenceLabel(0, "We shipped it.", "result", 0.62, 0.0, 1.0),
        SentenceLabel(1, "I owned the rollback plan.", "task", 0.91, 1.2, 2.4, reflection=True),
    ),
    star=StarResult(
        55,
        ("situation", "action"),
        {"result": 0.4, "task": 0.6},
        {"result": 1.0, "task": 1.2},
        ("task",),
        "missing parts",
    ),
    competencies=(
        CompetencyScore("drive_for_results", 0.71, 0.64, True, "We shipped it.", 0),
        CompetencyScore("leadership", 0.33, 0.12, False, "I owned the rollback plan.", 1),
        *(  # the Score JSON lists every competency
            CompetencyScore(c, 0.2, 0.01, False, "", -1)
            for c in COMPETENCY_IDS
            if c not in ("drive_for_results", "leadership")
        ),
    ),
    signals=Signals(0.75, 3, 1, ("40%",), True, False, ("team player",), 9, "too short"),
    delivery=DeliveryMetrics(
        wpm=131.5,
        filler_count=2,
        fillers_per_min=4.2,
        fillers={"um": 2},
        hedge_count=1,
        hedges={"maybe": 1},
        long_pauses=(Pause(2.4, 2.1),),
        longest_pause_s=2.1,
        duration_s=4.5,
        speaking_s=2.4,
    ),
    warnings=("short answer",),
    themes=(ThemeScore("decision", 0.61, 1),),
    kind=QuestionKind("situational", "given", 0.97),
    plan=PlanResult(
        40,
        (
            PlanElementScore("clarify", True, 0.8, "I owned the rollback plan.", 1),
            *(PlanElementScore(e, e == "decision", 0.3, "", -1) for e in ("options", "decision")),
            *(PlanElementScore(e, False, 0.2, "", -1) for e in ("communication", "measure")),
        ),
        ("options", "communication", "measure"),
        ("other", "clarify"),
        told_as_story=True,
    ),
)
FOLLOW_UP = FollowUp(Gap.COMPETENCY, "How did you lead it?", "leadership not shown", "llm", "leadership")
ANSWER = Answer(
    source="wav",
    transcript=ANALYSIS.transcript,
    end_reason="silence",
    audio_file="answer-00.wav",
    overflows=1,
    end_signals={"rule": "done", "wait_s": 0.6},
    resumed=1,
    final_pass=True,
)
TURN = Turn(
    index=0,
    question_id="hm-launch",
    question="Tell me about a launch.",
    is_follow_up=False,
    answer=ANSWER,
    timings=TurnTimings(*(0.1 * (i + 1) for i in range(len(dataclasses.fields(TurnTimings))))),
    analysis=ANALYSIS,
    follow_up=FOLLOW_UP,
    error="the second pass failed",
    retry_of=RetryOf("20261201-101500-hiring_manager", 2),
)
FEEDBACK = Feedback(
    (Point("Clear result.", "We shipped it.", "result"),),
    (Point("Say what you did.", "", "ownership"),),
    ("Leadership",),
)


def test_a_turn_reads_back_as_the_same_record() -> None:
    data = json.loads(json.dumps(turn_to_json(TURN)))  # through real JSON text
    assert turn_from_json(data) == TURN


@pytest.mark.parametrize(
    "follow_up",
    [
        None,
        FollowUp(None, "", "complete answer"),
        FollowUp(Gap.METRICS, "How much?", "no numbers"),
        FollowUp(Gap.DEPTH, "Why that option?", "going deeper", competency="decision"),
        FollowUp(Gap.PLAN, "What would you decide?", "no decision", competency="decision"),
        FollowUp(Gap.CHALLENGE, "What if they refuse?", "the plan is complete"),
    ],
)
def test_every_kind_of_follow_up_reads_back(follow_up: FollowUp | None) -> None:
    turn = dataclasses.replace(TURN, follow_up=follow_up)
    assert turn_from_json(json.loads(json.dumps(turn_to_json(turn)))) == turn


def test_an_unanswered_turn_and_typed_answer_read_back() -> None:
    typed = dataclasses.replace(ANALYSIS, source="text", transcript=Transcript("We shipped it."), delivery=None)
    for turn in (
        dataclasses.replace(TURN, answer=None, analysis=None, follow_up=None, error=None),
        dataclasses.replace(TURN, answer=dataclasses.replace(ANSWER, source="text", audio_file=None), analysis=typed),
    ):
        assert turn_from_json(json.loads(json.dumps(turn_to_json(turn)))) == turn


def test_the_score_json_keeps_every_field_of_the_analysis() -> None:
    """A field added to a record must be added to the codec: each sub-record's fields are in its JSON."""
    score = score_to_json(ANALYSIS, FOLLOW_UP)
    renamed = {"strength": "probability"}  # CompetencyScore.strength is saved as "probability"
    for name, record, obj in (
        ("analysis", ANALYSIS, score),
        ("star", ANALYSIS.star, score["star"]),
        ("signals", ANALYSIS.signals, score["signals"]),
        ("delivery", ANALYSIS.delivery, score["delivery"]),
        ("sentence", ANALYSIS.sentences[0], score["sentences"][0]),
        ("competency", ANALYSIS.competencies[0], score["competencies"][0]),
        ("theme", ANALYSIS.themes[0], score["themes"][0]),
        ("kind", ANALYSIS.kind, score["kind"]),
        ("plan", ANALYSIS.plan, score["plan"]),
        ("plan element", ANALYSIS.plan.elements[0], score["plan"]["elements"][0]),  # type: ignore[union-attr]
        ("transcript", ANALYSIS.transcript, score["transcript"]),
    ):
        fields = {renamed.get(f.name, f.name) for f in dataclasses.fields(record)} - {"language"}
        assert fields <= set(obj), f"{name}: {sorted(fields - set(obj))} not saved"
    assert analysis_from_json(score) == ANALYSIS
    assert feedback_from_json(feedback_to_json(FEEDBACK)) == FEEDBACK


def _undocumented(value: Any, schema: dict[str, Any], where: str) -> list[str]:
    """Keys in ``value`` that ``schema`` neither requires nor describes (following $ref, arrays, oneOf)."""
    if "$ref" in schema:
        schema = SCHEMA["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    for option in schema.get("oneOf", []):
        if value is not None and option.get("type") != "null":
            return _undocumented(value, option, where)
    out: list[str] = []
    if isinstance(value, dict) and ("properties" in schema or "required" in schema):
        props = schema.get("properties", {})
        known = set(props) | set(schema.get("required", ()))
        extra = schema.get("additionalProperties")
        for key, sub in value.items():
            if key in props:
                out += _undocumented(sub, props[key], f"{where}.{key}")
            elif key not in known and not isinstance(extra, dict):
                out.append(f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value[:1]):
            out += _undocumented(item, schema["items"], f"{where}[{i}]")
    return out


def test_what_the_codec_writes_is_the_published_schema(tmp_path: Path) -> None:
    store = SessionStore(tmp_path, "ana", "hiring_manager", {}, {}, "sha256:" + "0" * 64)
    store.record_turn(TURN)
    store.record_turn(dataclasses.replace(TURN, index=1, is_follow_up=True, analysis=None, follow_up=None))
    store.record_feedback(FEEDBACK)
    store.finish(True)
    data = json.loads((store.folder / "session.json").read_text())
    errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(data))
    assert not errors, errors[0].message
    assert _undocumented(data, SCHEMA, "session") == []

    saved = read_session(store.folder / "session.json")
    assert saved.turns == (TURN, dataclasses.replace(TURN, index=1, is_follow_up=True, analysis=None, follow_up=None))
    assert saved.feedback == FEEDBACK and saved.complete and saved.folder == store.folder
    assert saved.main_analyses() == [ANALYSIS]


def test_the_undocumented_key_check_finds_a_key_the_schema_lacks() -> None:
    data = turn_to_json(TURN)
    data["score"]["star"]["invented"] = 1
    assert _undocumented(data, {"$ref": "#/$defs/turn"}, "turn") == ["turn.score.star.invented"]


def _no_words(turn: Turn) -> Turn:
    """``turn`` as a listing reads it: every transcript without word timings."""
    answer = turn.answer and dataclasses.replace(
        turn.answer, transcript=dataclasses.replace(turn.answer.transcript, words=())
    )
    analysis = turn.analysis and dataclasses.replace(
        turn.analysis, transcript=dataclasses.replace(turn.analysis.transcript, words=())
    )
    return dataclasses.replace(turn, answer=answer, analysis=analysis)


def test_a_listing_read_skips_only_the_word_timings(tmp_path: Path) -> None:
    store = SessionStore(tmp_path, "ana", "hiring_manager", {}, {}, "sha256:" + "0" * 64)
    store.record_turn(TURN)
    store.finish(True)
    path = store.folder / "session.json"
    listed, full = read_session(path, words=False), read_session(path)
    assert listed.turns == (_no_words(TURN),) and full.turns == (TURN,)
    assert dataclasses.replace(listed, turns=full.turns) == full

    # a broken word is still refused by the full read (review show, report, export) ...
    data = json.loads(path.read_text())
    data["turns"][0]["answer"]["words"][1]["start_s"] = "soon"
    path.write_text(json.dumps(data))
    with pytest.raises(SessionError, match=r"words\[1\]\.start_s has the wrong type"):
        read_session(path)
    assert read_session(path, words=False).turns == (_no_words(TURN),)  # ... while the listing still shows the session
    # and every other field is still checked by the listing read
    data["turns"][0]["score"]["star"]["score"] = "high"
    path.write_text(json.dumps(data))
    with pytest.raises(SessionError, match=r"star\.score has the wrong type"):
        read_session(path, words=False)
