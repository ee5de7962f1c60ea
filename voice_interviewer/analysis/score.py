"""The Score JSON: the stable contract of ``voice-interviewer score --format json``.

Fields may be added; existing fields never change meaning (see DESIGN.md).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ..types import MOVE_ON, Analysis, FollowUp

SCHEMA_VERSION = 1


def score_json(analysis: Analysis, follow_up: FollowUp | None) -> dict[str, Any]:
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
        "schema_version": SCHEMA_VERSION,
        "question": analysis.question,
        "source": analysis.source,
        "transcript": {
            "text": tr.text,
            "duration_s": tr.duration_s,
            "words": [dataclasses.asdict(w) for w in tr.words],
        },
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
        "follow_up": follow_up.to_dict() if follow_up else {"target": MOVE_ON, "text": "", "rationale": ""},
        "warnings": list(analysis.warnings),
    }
