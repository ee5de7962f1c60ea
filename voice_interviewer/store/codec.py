"""The records <-> JSON codec, both directions: the only place that knows the saved field names.

Writing: ``score_to_json`` is the Score JSON (the stable contract of ``score --format json``,
also each saved turn's ``score``), ``turn_to_json`` a saved turn, ``feedback_to_json`` the
end-of-round feedback. Reading: ``read_session`` loads a ``session.json`` (``schema.load_session``:
newer schemas refused, older ones migrated, the shape checked) and decodes it into a
``SavedSession`` of typed records, which is what every viewer takes. Fields may be added;
existing fields never change meaning (see DESIGN.md).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, cast

from ..saved import Feedback, Point, SavedSession
from ..types import (
    MOVE_ON,
    Analysis,
    Answer,
    CompetencyScore,
    DeliveryMetrics,
    FollowUp,
    Gap,
    Pause,
    PlanElementScore,
    PlanResult,
    PreviousScore,
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
from .schema import load_session

SCORE_SCHEMA_VERSION = 1
"""``schema_version`` of a Score JSON object."""

# ------------------------------------------------------------------ records -> JSON


def _words(words: tuple[Word, ...]) -> list[dict[str, Any]]:
    return [dataclasses.asdict(w) for w in words]


def follow_up_to_json(follow_up: FollowUp | None) -> dict[str, str]:
    """The Score JSON's ``follow_up`` object (moving on when there is no decision yet)."""
    if follow_up is None:
        return {"target": MOVE_ON, "text": "", "rationale": ""}
    return {"target": follow_up.key, "text": follow_up.text, "rationale": follow_up.rationale, "brain": follow_up.brain}


def score_to_json(analysis: Analysis, follow_up: FollowUp | None) -> dict[str, Any]:
    """The Score JSON of one analysed answer and the interviewer's decision after it."""
    tr = analysis.transcript
    delivery = None
    if analysis.delivery is not None:
        d = analysis.delivery
        delivery = {
            "wpm": d.wpm,
            "filler_count": d.filler_count,
            "fillers_per_min": d.fillers_per_min,
            "fillers": d.fillers,
            "hedge_count": d.hedge_count,
            "hedges": d.hedges,
            "long_pauses": [{"start_s": p.start_s, "duration_s": p.duration_s} for p in d.long_pauses],
            "longest_pause_s": d.longest_pause_s,
            "duration_s": d.duration_s,
            "speaking_s": d.speaking_s,
        }
    sig = analysis.signals
    return {
        "schema_version": SCORE_SCHEMA_VERSION,
        "question": analysis.question,
        "source": analysis.source,
        "transcript": {"text": tr.text, "duration_s": tr.duration_s, "words": _words(tr.words)},
        "sentences": [
            {
                "index": s.index,
                "text": s.text,
                "star": s.star,
                "confidence": s.confidence,
                "start_s": s.start_s,
                "end_s": s.end_s,
                "reflection": s.reflection,
            }
            for s in analysis.sentences
        ],
        "star": {
            "score": analysis.star.score,
            "missing": list(analysis.star.missing),
            "weak": list(analysis.star.weak),
            "level": analysis.star.level,
            "share_words": analysis.star.share_words,
            "share_seconds": analysis.star.share_seconds,
        },
        "competencies": [
            {
                "id": c.id,
                "similarity": c.similarity,
                "probability": c.strength,
                "covered": c.covered,
                "evidence": c.evidence,
                "evidence_index": c.evidence_index,
            }
            for c in analysis.competencies
        ],
        "signals": {
            "i_ratio": sig.i_ratio,
            "i_count": sig.i_count,
            "we_count": sig.we_count,
            "quantified_results": list(sig.quantified_results),
            "has_reflection": sig.has_reflection,
            "specific": sig.specific,
            "generic_phrases": list(sig.generic_phrases),
            "word_count": sig.word_count,
            "length_verdict": sig.length_verdict,
        },
        "delivery": delivery,
        "follow_up": follow_up_to_json(follow_up),
        "warnings": list(analysis.warnings),
        "themes": [
            {"id": t.id, "similarity": t.similarity, "evidence_index": t.evidence_index} for t in analysis.themes
        ],
        "kind": {"id": analysis.kind.id, "source": analysis.kind.source, "score": analysis.kind.score},
        "plan": _plan_to_json(analysis.plan),
    }


def _plan_to_json(plan: PlanResult | None) -> dict[str, Any] | None:
    if plan is None:
        return None
    return {
        "score": plan.score,
        "missing": list(plan.missing),
        "told_as_story": plan.told_as_story,
        "sentence_elements": list(plan.sentence_elements),
        "elements": [
            {
                "id": e.id,
                "present": e.present,
                "similarity": e.similarity,
                "evidence": e.evidence,
                "evidence_index": e.evidence_index,
            }
            for e in plan.elements
        ],
    }


def _plan_from_json(plan: dict[str, Any] | None) -> PlanResult | None:
    if not plan:
        return None
    return PlanResult(
        score=plan["score"],
        elements=tuple(
            PlanElementScore(e["id"], e["present"], e["similarity"], e["evidence"], e["evidence_index"])
            for e in plan["elements"]
        ),
        missing=tuple(plan["missing"]),
        sentence_elements=tuple(plan.get("sentence_elements", ())),
        told_as_story=plan.get("told_as_story", False),
    )


def turn_to_json(turn: Turn) -> dict[str, Any]:
    """A turn as ``session.json`` keeps it (``previous_scores`` is written by a rescore, not here)."""
    answer = None
    if turn.answer is not None:
        tr = turn.answer.transcript
        answer = {
            "source": turn.answer.source,
            "audio_file": turn.answer.audio_file,
            "end_reason": turn.answer.end_reason,
            "text": tr.text,
            "duration_s": tr.duration_s,
            "words": _words(tr.words),
            "overflows": turn.answer.overflows,
            "resumed": turn.answer.resumed,
            "final_pass": turn.answer.final_pass,
            "end_signals": turn.answer.end_signals,
        }
    return {
        "index": turn.index,
        "question_id": turn.question_id,
        "question": turn.question,
        "is_follow_up": turn.is_follow_up,
        "answer": answer,
        "score": score_to_json(turn.analysis, turn.follow_up) if turn.analysis is not None else None,
        "follow_up": follow_up_to_json(turn.follow_up) if turn.follow_up else None,
        "timings": dataclasses.asdict(turn.timings),
        "error": turn.error,
        "retry_of": dataclasses.asdict(turn.retry_of) if turn.retry_of else None,
    }


def feedback_to_json(feedback: Feedback) -> dict[str, Any]:
    """The session's ``feedback`` object."""
    return {
        "strengths": [{"text": p.text, "evidence": p.evidence, "kind": p.kind} for p in feedback.strengths],
        "improvements": [{"text": p.text, "evidence": p.evidence, "kind": p.kind} for p in feedback.improvements],
        "not_shown": list(feedback.not_shown),
    }


# ------------------------------------------------------------------ JSON -> records
# The input has passed ``schema.load_session``'s shape check, which covers every field read
# here (optional ones when present), so a missing optional field takes its default and no
# field has the wrong type.


def _word_records(items: list[dict[str, Any]]) -> tuple[Word, ...]:
    return tuple(Word(w["text"], w["start_s"], w["end_s"], w.get("probability", 1.0)) for w in items)


def analysis_from_json(score: dict[str, Any], fallback_text: str = "", words: bool = True) -> Analysis:
    """The ``Analysis`` a Score JSON object was written from (``fallback_text``: the answer's
    text, for early sessions whose score has no ``transcript``; ``words=False``: no word timings)."""
    tr = score.get("transcript") or {"text": fallback_text}
    star, sig, d = score["star"], score["signals"], score.get("delivery")
    signals = Signals(
        i_ratio=sig["i_ratio"],
        i_count=sig.get("i_count", 0),
        we_count=sig.get("we_count", 0),
        quantified_results=tuple(sig["quantified_results"]),
        has_reflection=sig["has_reflection"],
        specific=sig.get("specific", True),
        generic_phrases=tuple(sig.get("generic_phrases", ())),
        word_count=sig["word_count"],
        length_verdict=sig["length_verdict"],
    )
    delivery = None
    if d is not None:
        delivery = DeliveryMetrics(
            wpm=d["wpm"],
            filler_count=d["filler_count"],
            fillers_per_min=d["fillers_per_min"],
            fillers=d["fillers"],
            hedge_count=d.get("hedge_count", 0),
            hedges=d.get("hedges", {}),
            long_pauses=tuple(Pause(p["start_s"], p["duration_s"]) for p in d["long_pauses"]),
            longest_pause_s=d["longest_pause_s"],
            duration_s=d["duration_s"],
            speaking_s=d.get("speaking_s", d["duration_s"]),
        )
    return Analysis(
        question=score.get("question", ""),
        source=cast(Any, score.get("source", "text")),
        transcript=Transcript(tr["text"], _word_records(tr.get("words", [])) if words else (), tr.get("duration_s")),
        sentences=tuple(
            SentenceLabel(
                index=s.get("index", i),
                text=s["text"],
                star=s["star"],
                confidence=s.get("confidence", 0.0),
                start_s=s.get("start_s"),
                end_s=s.get("end_s"),
                reflection=s.get("reflection", False),
            )
            for i, s in enumerate(score["sentences"])
        ),
        star=_star(star),
        competencies=tuple(
            CompetencyScore(
                id=c["id"],
                similarity=c["similarity"],
                strength=c["probability"],
                covered=c["covered"],
                evidence=c["evidence"],
                evidence_index=c.get("evidence_index", -1),
            )
            for c in score["competencies"]
        ),
        signals=signals,
        delivery=delivery,
        warnings=tuple(score["warnings"]),
        themes=tuple(ThemeScore(t["id"], t["similarity"], t["evidence_index"]) for t in score.get("themes", [])),
        kind=QuestionKind(**score["kind"]) if score.get("kind") else QuestionKind(),
        plan=_plan_from_json(score.get("plan")),
    )


def _star(star: dict[str, Any]) -> StarResult:
    """The saved STAR summary (level "" when saved before rubric levels: ``review.stories`` gives it one)."""
    return StarResult(
        score=star["score"],
        missing=tuple(star["missing"]),
        share_words=star.get("share_words", {}),
        share_seconds=star.get("share_seconds"),
        weak=tuple(star.get("weak", ())),
        level=star.get("level") or "",
    )


def follow_up_from_json(data: dict[str, Any]) -> FollowUp:
    """A saved ``follow_up`` object; ValueError for a target this build does not know."""
    key = data["target"]
    target: Gap | None
    competency = ""
    if key == MOVE_ON:
        target = None
    elif key.startswith((f"{Gap.COMPETENCY}:", f"{Gap.DEPTH}:", f"{Gap.PLAN}:")):
        name, competency = key.split(":", 1)
        target = Gap(name)
    elif key in {g.value for g in Gap if g not in (Gap.COMPETENCY, Gap.DEPTH, Gap.PLAN)}:
        target = Gap(key)
    else:
        raise ValueError(f"follow_up.target {key!r} is not a known target")
    return FollowUp(target, data["text"], data["rationale"], data.get("brain", "policy"), competency)


def _answer(data: dict[str, Any], words: bool) -> Answer:
    transcript = Transcript(data["text"] or "", _word_records(data["words"]) if words else (), data["duration_s"])
    return Answer(
        source=cast(Any, data["source"]),
        transcript=transcript,
        end_reason=cast(Any, data["end_reason"]),
        audio_file=data["audio_file"],
        overflows=data["overflows"],
        end_signals=data.get("end_signals"),
        resumed=data.get("resumed", 0),
        final_pass=data.get("final_pass", False),
    )


def turn_from_json(data: dict[str, Any], words: bool = True) -> Turn:
    """A saved turn as a record (``words=False``: without word timings)."""
    answer = _answer(data["answer"], words) if data["answer"] is not None else None
    score = data["score"]
    fallback = answer.transcript.text if answer is not None else ""
    return Turn(
        index=data["index"],
        question_id=data["question_id"],
        question=data["question"],
        is_follow_up=data["is_follow_up"],
        answer=answer,
        timings=TurnTimings(**{f.name: data["timings"][f.name] for f in dataclasses.fields(TurnTimings)}),
        analysis=analysis_from_json(score, fallback, words) if score is not None else None,
        follow_up=follow_up_from_json(data["follow_up"]) if data["follow_up"] is not None else None,
        error=data["error"],
        previous_scores=tuple(
            PreviousScore(p.get("replaced_at", ""), (p.get("score") or {"star": {"score": None}})["star"]["score"])
            for p in data.get("previous_scores", [])
        ),
        retry_of=RetryOf(**data["retry_of"]) if data.get("retry_of") else None,
    )


def feedback_from_json(data: dict[str, Any]) -> Feedback:
    """The session's ``feedback`` object as a record."""
    return Feedback(
        strengths=tuple(Point(p["text"], p["evidence"], p.get("kind", "")) for p in data["strengths"]),
        improvements=tuple(Point(p["text"], p["evidence"], p.get("kind", "")) for p in data["improvements"]),
        not_shown=tuple(data["not_shown"]),
    )


def session_from_json(data: dict[str, Any], folder: Path | None = None, words: bool = True) -> SavedSession:
    """A session that ``schema.load_session`` loaded (migrated, shape-checked), as records;
    ``words=False`` leaves every transcript's word timings empty (see ``read_session``)."""
    return SavedSession(
        session_id=data["session_id"],
        candidate=data["candidate"],
        round=data["round"],
        started_at=data["started_at"],
        ended_at=data["ended_at"],
        complete=data["complete"],
        turns=tuple(turn_from_json(t, words) for t in data["turns"]),
        feedback=feedback_from_json(data["feedback"]) if data.get("feedback") is not None else None,
        config=data["config"],
        models=data["models"],
        prompts_sha256=data["prompts_sha256"],
        folder=folder,
    )


def read_session(path: Path, words: bool = True) -> SavedSession:
    """Load ``session.json`` at ``path`` and decode it; every problem is a SessionError with a fix.

    ``words=False`` is for listings and trends (``review list``/``progress``, the AA round's
    history): word timings, most of a long session's size, are neither checked nor decoded,
    and every ``Transcript.words`` is empty. Texts, scores and delivery figures are all there.
    """
    return session_from_json(load_session(path, words), path.parent, words)
