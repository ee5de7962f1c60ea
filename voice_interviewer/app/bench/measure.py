"""``bench turns``, the figures: WER, each answer classified (cut-off, barge-in, dead air), percentiles and groups."""

from __future__ import annotations

import dataclasses
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...types import SAMPLE_RATE
from .scripts import KINDS
from .voices import VOICES, SpokenAnswer

FILLER_WORDS = frozenset(["um", "umm", "uh", "uhh", "er", "erm", "hmm", "hm", "mm", "mmm"])


# ---------------------------------------------------------------- measuring (pure)


def normalise(text: str) -> str:
    """Lower case, "%" as "percent", no punctuation or fillers (Whisper may drop "um"; the script has it)."""
    text = text.lower().replace("%", " percent").replace("-", " ").replace("—", " ")
    words = re.sub(r"[^a-z0-9' ]+", " ", text).split()
    return " ".join(w for w in (w.strip("'") for w in words) if w and w not in FILLER_WORDS)


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp))


@dataclass(frozen=True)
class AnswerResult:
    """What happened to one test answer in practice. Times in seconds; None where not measured."""

    voice: str
    kind: str
    answer_id: str
    route: str  # "wav" (replayed file) or "mic" (PulseAudio virtual microphone)
    duration_s: float
    speech_end_s: float  # true end of speech, from the start of the audio the listener heard
    long_pauses: tuple[tuple[float, float], ...]  # (start_s, seconds), same clock
    endpoint_audio_s: float | None  # the final endpoint, on the same clock
    end_reason: str | None
    end_signals: Any
    resumed: int
    outcome: str  # "clean", "cut_off", "barge_in" or "failed"
    cut_at: str | None  # where a cut-off happened: "pause 3.0 s", "gap 0.4 s" or "speech"
    dead_air_s: float | None  # true end of speech -> the interviewer's next words
    latency_s: float | None  # endpoint -> the interviewer's next words
    transcript_after_endpoint_s: float | None  # endpoint -> final transcript ready (streaming lag)
    wer_practice: float | None
    wer_whole_file: float | None
    heard_s: float | None  # audio captured for the answer
    error: str | None = None
    # Where the latency goes: endpoint -> the analysis ready, and -> the follow-up chosen.
    analysis_after_endpoint_s: float | None = None
    followup_after_endpoint_s: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _where(answer: SpokenAnswer, at_s: float, offset_s: float) -> str:
    at = int((at_s - offset_s) * SAMPLE_RATE)
    for pause in answer.pauses:
        if pause.start <= at <= pause.end + SAMPLE_RATE // 10:
            return f"pause {pause.seconds:.1f} s"
    for a, b in zip(answer.pieces, answer.pieces[1:], strict=False):
        if a.end <= at <= b.start + SAMPLE_RATE // 10:
            return f"gap {(b.start - a.end) / SAMPLE_RATE:.1f} s"
    return "speech"


def classify(
    answer: SpokenAnswer,
    turn: dict[str, Any],
    pace: float,
    heard_samples: int | None,
    route: str = "wav",
    offset_samples: int = 0,
) -> AnswerResult:
    """Judge one saved turn against the answer's true end of speech.

    A replay (route "wav") starts when its stream opens (``audio_start_s``: after the capture
    starts by the time it takes to create the listener and read the file), so on the turn's
    clock the true end of speech is ``audio_start_s + speech_end / pace`` and the final
    endpoint is ``endpoint_s``. At ``pace`` 0 the wall clock means nothing: the endpoint is then the length
    of the captured audio (the answer's WAV ends at its final endpoint) and dead air is not
    measured.

    Through the microphone (route "mic") the stream opens a little after capture starts, by
    an amount no timing records, so both ends are taken on the captured audio's own clock:
    the answer file began ``offset_samples`` into it, the endpoint is its length, and dead
    air is (endpoint - true end) + (endpoint -> next words).

    A turn whose answer resumed after a barge-in (``answer.resumed`` > 0) and then went on to the
    true end of speech is a barge-in, not a cut-off; one whose final endpoint still came before
    the true end lost the rest of the answer all the same, and is a cut-off ("after barge-in").
    """
    t = turn.get("timings") or {}
    ans = turn.get("answer") or {}
    ep, tts = t.get("endpoint_s"), t.get("tts_start_s")
    # The replay starts when its stream opens, a moment after the capture (sessions saved before
    # audio_start_s existed: the capture start).
    zero = t.get("audio_start_s") if t.get("audio_start_s") is not None else t.get("question_spoken_s")
    offset_s = offset_samples / SAMPLE_RATE
    true_end = offset_s + answer.speech_end_s
    resumed = int(ans.get("resumed") or 0)
    endpoint: float | None = None
    turn_clock = route == "wav" and pace > 0
    if turn_clock and zero is not None and ep is not None:
        endpoint = (ep - zero) * pace
    elif not turn_clock and heard_samples is not None:
        endpoint = heard_samples / SAMPLE_RATE
    error = turn.get("error")
    # The captured WAV ends where the listener stopped (in audio time): endpoint_s is stamped a
    # moment after that decision, so the earlier of the two judges a cut-off.
    heard_end = heard_samples / SAMPLE_RATE if heard_samples is not None else None
    stopped = min(endpoint, heard_end) if endpoint is not None and heard_end is not None else endpoint
    if endpoint is None or stopped is None:
        outcome, cut_at = "failed", None
    elif stopped < true_end:
        outcome, cut_at = "cut_off", _where(answer, stopped, offset_s) + (" after barge-in" if resumed else "")
    elif resumed > 0:
        outcome, cut_at = "barge_in", None
    else:
        outcome, cut_at = "clean", None
    latency = round(tts - ep, 4) if tts is not None and ep is not None else None
    ready = t.get("transcript_ready_s")
    transcript_lag = round(ready - ep, 4) if ready is not None and ep is not None else None
    analysed, chosen = t.get("analysis_ready_s"), t.get("followup_ready_s")
    dead_air = None
    if pace > 0 and endpoint is not None and outcome != "cut_off":
        if turn_clock and zero is not None and tts is not None:
            dead_air = round(tts - (zero + true_end / pace), 4)
        elif not turn_clock and latency is not None:
            dead_air = round(endpoint - true_end + latency, 4)
    return AnswerResult(
        voice=answer.voice,
        kind=answer.kind,
        answer_id=answer.answer_id,
        route=route,
        duration_s=round(answer.duration_s, 3),
        speech_end_s=round(true_end, 3),
        long_pauses=tuple((round(offset_s + p.start / SAMPLE_RATE, 3), round(p.seconds, 3)) for p in answer.pauses),
        endpoint_audio_s=round(endpoint, 3) if endpoint is not None else None,
        end_reason=ans.get("end_reason"),
        end_signals=ans.get("end_signals"),
        resumed=resumed,
        outcome=outcome,
        cut_at=cut_at,
        dead_air_s=dead_air,
        latency_s=latency,
        transcript_after_endpoint_s=transcript_lag,
        wer_practice=None,
        wer_whole_file=None,
        heard_s=round(heard_samples / SAMPLE_RATE, 3) if heard_samples is not None else None,
        error=error,
        analysis_after_endpoint_s=round(analysed - ep, 4) if analysed is not None and ep is not None else None,
        followup_after_endpoint_s=round(chosen - ep, 4) if chosen is not None and ep is not None else None,
    )


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50 (median) and p95 (nearest rank) of the values; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return {"p50": None, "p95": None}
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"p50": round(statistics.median(ordered), 4), "p95": round(p95, 4)}


def summarise(results: Sequence[AnswerResult]) -> dict[str, Any]:
    """Counts (they add up to ``n``), dead air and latency p50/p95, mean WERs and their difference."""
    counts = {k: sum(r.outcome == k for r in results) for k in ("clean", "cut_off", "barge_in", "failed")}
    pairs = [(r.wer_practice, r.wer_whole_file) for r in results if r.wer_practice is not None]
    both = [(a, b) for a, b in pairs if b is not None]
    practice = statistics.mean(a for a, _ in both) if both else None
    whole = statistics.mean(b for _, b in both) if both else None
    return {
        "n": len(results),
        "clean": counts["clean"],
        "cut_offs": counts["cut_off"],
        "barge_ins": counts["barge_in"],
        "failed": counts["failed"],
        "dead_air_s": percentiles([r.dead_air_s for r in results if r.dead_air_s is not None]),
        "latency_s": percentiles([r.latency_s for r in results if r.latency_s is not None]),
        # endpoint_s - the end of the captured audio (where the listener decided): how late the stamp is
        "endpoint_stamp_after_decision_s": percentiles(
            [
                r.endpoint_audio_s - r.heard_s
                for r in results
                if r.route == "wav" and r.resumed == 0 and r.endpoint_audio_s is not None and r.heard_s is not None
            ]
        ),
        "wer_practice": round(practice, 4) if practice is not None else None,
        "wer_whole_file": round(whole, 4) if whole is not None else None,
        "wer_difference": round(practice - whole, 4) if practice is not None and whole is not None else None,
    }


def group(results: Sequence[AnswerResult]) -> dict[str, dict[str, Any]]:
    """Summaries keyed "voice/kind", "voice/all", "all/kind" and "all/all", in a stable order."""
    voices = [v for v in VOICES if any(r.voice == v for r in results)]
    kinds = [k for k in KINDS if any(r.kind == k for r in results)]
    out: dict[str, dict[str, Any]] = {}
    for v in voices:
        for k in kinds:
            cell = [r for r in results if r.voice == v and r.kind == k]
            if cell:
                out[f"{v}/{k}"] = summarise(cell)
        out[f"{v}/all"] = summarise([r for r in results if r.voice == v])
    for k in kinds:
        out[f"all/{k}"] = summarise([r for r in results if r.kind == k])
    out["all/all"] = summarise(results)
    return out
