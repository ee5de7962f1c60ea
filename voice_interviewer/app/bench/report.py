"""``bench turns``, the printed report: one table per voice and kind of pause, then one line per answer."""

from __future__ import annotations

from typing import Any

# ---------------------------------------------------------------- text report


def _num(value: float | None, fmt: str = "{:.2f}") -> str:
    return "-" if value is None else fmt.format(value)


def _table(groups: dict[str, dict[str, Any]]) -> list[str]:
    head = (
        f"{'voice':<7} {'kind':<7} {'n':>3} {'cut-offs':>8} {'barge-ins':>9} {'dead air p50/p95 s':>18} "
        f"{'latency p50/p95 s':>17} {'WER practice':>12} {'whole file':>10} {'diff':>7}"
    )
    lines = [head]
    previous = ""
    for key, g in groups.items():
        voice, kind = key.split("/")
        if previous and (voice != previous or key == "all/all"):
            lines.append("")  # one block per voice, then all voices, then the total
        previous = voice
        dead = f"{_num(g['dead_air_s']['p50'])}/{_num(g['dead_air_s']['p95'])}"
        lat = f"{_num(g['latency_s']['p50'])}/{_num(g['latency_s']['p95'])}"
        lines.append(
            f"{voice:<7} {kind:<7} {g['n']:>3} {g['cut_offs']:>8} {g['barge_ins']:>9} {dead:>18} {lat:>17} "
            f"{_num(g['wer_practice'], '{:.3f}'):>12} {_num(g['wer_whole_file'], '{:.3f}'):>10} "
            f"{_num(g['wer_difference'], '{:+.3f}'):>7}"
        )
    return lines


def _answer_line(r: dict[str, Any]) -> str:
    pauses = ", ".join(f"{s:.1f} s at {at:.1f} s" for at, s in r["long_pauses"]) or "no long pause"
    verdict = {"clean": "ok", "cut_off": f"CUT OFF ({r['cut_at']})", "barge_in": f"barge-in x{r['resumed']}"}
    said = verdict.get(r["outcome"], f"FAILED: {r['error']}")
    signals = _signals(r["end_signals"])
    return (
        f"  {r['voice']:<7} {r['kind']:<7} {r['answer_id']}: {r['duration_s']:.1f} s, speech ends "
        f"{r['speech_end_s']:.1f} s, {pauses}; endpoint {_num(r['endpoint_audio_s'], '{:.1f}')} s: {said}; "
        f"end {r['end_reason']}, signals {signals}; dead air {_num(r['dead_air_s'])} s, "
        f"latency {_num(r['latency_s'], '{:.3f}')} s "
        f"(transcript {_num(r.get('transcript_after_endpoint_s'), '{:.3f}')}, "
        f"analysis {_num(r.get('analysis_after_endpoint_s'), '{:.3f}')}, "
        f"follow-up {_num(r.get('followup_after_endpoint_s'), '{:.3f}')} s); "
        f"WER {_num(r['wer_practice'], '{:.3f}')} "
        f"vs {_num(r['wer_whole_file'], '{:.3f}')}"
    )


def _signals(signals: Any) -> str:
    """The deciding parts of ``answer.end_signals`` (all of it is in --json)."""
    if not signals:
        return "-"
    if not isinstance(signals, dict):
        return str(signals)
    keys: tuple[str, ...] = ("reason", "rule", "wait_s", "story_done", "hold_phrase", "open_clause", "smart_turn")
    keys += ("story_ms", "transcript_wait_ms")
    parts = [f"{k}={signals[k]}" for k in keys if signals.get(k) not in (None, False, "")]
    earlier = signals.get("resumed_after")
    if isinstance(earlier, list) and earlier:
        parts.append(f"resumed after {len(earlier)} earlier end(s)")
    return " ".join(parts) or "-"


def format_report(result: dict[str, Any]) -> list[str]:
    """The figures of ``bench_turns`` as plain text lines."""
    rp = result["replay"]
    cores = rp["cores"] or 1
    lines = [
        f"Turn-taking through practice: {rp['answers']} answers ({', '.join(result['voices'])} x "
        f"{', '.join(result['kinds'])}) replayed at {rp['pace']:g}x real time, "
        f"{'voice on' if rp['voice'] else '--no-voice'}, {rp['load_processes']} busy processes, {cores} cores, "
        + ("models loaded first" if rp.get("models_preloaded", True) else "models loading in the background (--cold)"),
        "cut-off: the final endpoint came before the true end of speech; barge-in: the answer resumed after an "
        "early end and went on to the true end.",
        "dead air: true end of speech -> interviewer's next words; latency: endpoint -> next words; "
        "WER: saved transcript and whole-file faster-whisper (vad_filter) vs the script of what was heard.",
        "",
        *_table(rp["groups"]),
        "",
        f"CPU share of the practice process while listening: {_num(rp['cpu_share_listening'], '{:.1%}')} "
        f"of {cores} cores",
    ]
    lag = rp["groups"].get("all/all", {}).get("endpoint_stamp_after_decision_s")
    if lag and lag["p50"] is not None and rp["pace"] == 1:
        lines.append(
            f"endpoint_s is stamped after the decision (the end of the answer's WAV) by p50 {lag['p50']:.2f} s, "
            f"p95 {lag['p95']:.2f} s: dead air counts it, latency does not"
        )
    la = result.get("load_average_1min")
    if la:
        lines.append(
            f"machine load average (1 min) {la['before']:.1f} before, {la['after']:.1f} after; "
            f"{result['wall_s'] / 60:.0f} min in real time"
        )
    if rp["pace"] != 1:
        lines.append(
            "(pace is not 1: endpoints are judged in audio time, dead air only at pace > 0; at pace 0 latency and "
            "CPU share include catching up on decoding)"
        )
    if result.get("short"):
        lines.append("(--short: only the sentences around each pause; a smoke run, not the benchmark)")
    for voice, why in result["skipped_voices"].items():
        lines.append(f"skipped voice {voice}: {why}")
    lines += ["", "answers:", *(_answer_line(r) for r in rp["results"])]
    mic = result["mic"]
    if mic["answers"]:
        lines += [
            "",
            f"PulseAudio virtual microphone (practice --answers mic in a child process, real time; models "
            f"load in the background as practice does): {mic['answers']} answers",
            *_table(mic["groups"]),
            f"CPU share of the practice process while listening (after the first answer): "
            f"{_num(mic['cpu_share_listening'], '{:.1%}')} of {cores} cores",
            *(_answer_line(r) for r in mic["results"]),
        ]
    return lines
