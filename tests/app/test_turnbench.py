"""``bench turns``: where the pauses go, how answers are rendered and judged, and one real run."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.conftest import ROOT, run_cli
from voice_interviewer.app.bench.measure import AnswerResult, classify, group, normalise, percentiles
from voice_interviewer.app.bench.replay import CpuSampler, busy_load
from voice_interviewer.app.bench.scripts import (
    HOLD_PHRASE,
    KINDS,
    PAUSE_S,
    Piece,
    Script,
    choose_scripts,
    shorten,
    um_split,
)
from voice_interviewer.app.bench.voices import GAP_S, LEAD_S, Pause, PieceSpan, SpokenAnswer, render, speech_edges
from voice_interviewer.app.evaluation import load_gold
from voice_interviewer.content.content import load_cues

GOLD = load_gold(ROOT / "eval" / "dev_set.toml")
PHRASES = load_cues(ROOT / "prompts" / "cues.toml").reflection_phrases


def _pause_at(script: Script) -> int:
    (at,) = [i for i, p in enumerate(script.pieces) if p.pause_after_s is not None]
    return at


def test_each_kind_puts_its_pause_where_it_says() -> None:
    scripts = {s.kind: s for s in choose_scripts(GOLD, KINDS, PHRASES)}
    assert list(scripts) == list(KINDS)
    assert len({s.answer_id for s in scripts.values()}) == len(KINDS)  # a different answer for each kind
    for kind in ("mid3", "mid4"):
        s = scripts[kind]
        at = _pause_at(s)
        assert s.pieces[at].pause_after_s == PAUSE_S[kind]
        assert s.pieces[at].label == "action" and s.pieces[at].text.endswith(".")
        assert all(p.label != "result" for p in s.pieces[: at + 1])  # mid-story: no result yet
        assert any(p.label == "result" for p in s.pieces[at + 1 :])
    um = scripts["um"]
    at = _pause_at(um)
    head, tail = um.pieces[at], um.pieces[at + 1]
    assert head.text.endswith(" um,") and head.label == "action" and head.sentence == tail.sentence
    original = next(a for a in GOLD if a.id == um.answer_id).sentences[head.sentence]
    assert f"{head.text[: -len(' um,')]} {tail.text}" == original
    hold = scripts["hold"]
    assert hold.pieces[0].text == HOLD_PHRASE and hold.pieces[0].pause_after_s == 6.0 and _pause_at(hold) == 0
    lesson = scripts["lesson"]
    at = _pause_at(lesson)
    assert lesson.pieces[at].pause_after_s == 1.8
    assert [p.label for p in lesson.pieces].index("result") == at  # after the first result sentence...
    assert lesson.pieces[at + 1].label == "result"  # ...before the reflection that follows it
    assert all(p.pause_after_s is None for p in scripts["none"].pieces)
    assert scripts["none"].pieces[-1].label == "result"


def test_a_kind_gets_the_same_answer_whichever_kinds_are_asked_for() -> None:
    full = {s.kind: s.answer_id for s in choose_scripts(GOLD, KINDS, PHRASES)}
    for kind in KINDS:
        (only,) = choose_scripts(GOLD, [kind], PHRASES)
        assert only.answer_id == full[kind]


def test_short_scripts_keep_the_pause_and_two_sentences_after_it() -> None:
    for s in choose_scripts(GOLD, KINDS, PHRASES):
        short = shorten(s)
        pauses = [p for p in short.pieces if p.pause_after_s is not None]
        assert len(pauses) == (0 if s.kind == "none" else 1)
        assert 2 <= len(short.pieces) <= 4
        if pauses:
            after = len(short.pieces) - 1 - short.pieces.index(pauses[0])
            assert 1 <= after <= 2


def test_um_split_needs_a_long_sentence_with_a_middle_break() -> None:
    assert um_split("I fixed it.") is None
    split = um_split("I went through the thirty failing tests one by one and rewrote the shared fixtures twice.")
    assert split == ("I went through the thirty failing tests one by one and um,", "rewrote the shared fixtures twice.")


def _tone_synth(text: str) -> tuple[np.ndarray, int]:
    """A fake voice at 22.05 kHz: silence, a tone as long as the text, silence (like a real engine)."""
    rate = 22050
    n = int(rate * 0.02 * len(text))
    tone = 0.5 * np.sin(np.arange(n) * 2 * np.pi * 220 / rate).astype(np.float32)
    return np.concatenate([np.zeros(rate // 5, np.float32), tone, np.zeros(rate // 3, np.float32)]), rate


def test_render_trims_pieces_joins_them_with_natural_gaps_and_keeps_the_pause_exact() -> None:
    pieces = (
        Piece("First sentence here.", "situation", 0),
        Piece("Then I did the thing.", "action", 1, 3.0),
        Piece("And another thing after.", "action", 2),
        Piece("It worked in the end.", "result", 3),
    )
    samples, spans, pauses = render(Script("mid3", "x", "q", pieces), _tone_synth, seed="t")
    assert samples.dtype == np.float32 and np.abs(samples).max() == pytest.approx(0.7, abs=1e-3)
    assert spans[0].start == pytest.approx(LEAD_S * 16000, abs=160)
    for a, b in itertools.pairwise(spans):
        gap = (b.start - a.end) / 16000
        if a.text == "Then I did the thing.":
            assert gap == pytest.approx(3.0, abs=1e-3)
        else:
            assert GAP_S[0] - 0.011 <= gap <= GAP_S[1] + 0.011
        assert np.abs(samples[a.end + 160 : b.start - 160]).max() == 0  # true silence in between
    assert [(p.after_piece, round(p.seconds, 3)) for p in pauses] == [(1, 3.0)]
    # Each span holds its tone (at 16 kHz: 0.02 s per character), trimmed to within a frame.
    for span, piece in zip(spans, pieces, strict=True):
        assert (span.end - span.start) / 16000 == pytest.approx(0.02 * len(piece.text), abs=0.011)
    lo, hi = speech_edges(samples)
    assert abs(hi - spans[-1].end) <= 160 and abs(lo - spans[0].start) <= 160
    assert np.abs(samples[spans[-1].end + 160 :]).max() == 0  # nothing after the true end of speech


def _answer(pause: tuple[float, float] | None = (40.0, 3.0), end_s: float = 80.0) -> SpokenAnswer:
    sr = 16000
    pauses = (Pause(3, int(pause[0] * sr), int((pause[0] + pause[1]) * sr)),) if pause else ()
    pieces = (
        PieceSpan("one.", "situation", int(0.6 * sr), int(40.0 * sr)),
        PieceSpan("two.", "action", int(43.0 * sr), int(end_s * sr)),
    )
    return SpokenAnswer(
        "espeak", "mid3", "dev-x", "q", "one. two.", Path("x.wav"), int((end_s + 0.3) * sr), pieces[0].start,
        pieces[-1].end, pieces, pauses,
    )  # fmt: skip


def _turn(q: float | None, ep: float | None, tts: float | None, resumed: int | None = None) -> dict[str, Any]:
    answer: dict[str, Any] = {"end_reason": "silence", "text": "one two"}
    if resumed is not None:
        answer["resumed"] = resumed
    return {"timings": {"question_spoken_s": q, "endpoint_s": ep, "tts_start_s": tts}, "answer": answer}


def test_an_endpoint_in_the_pause_is_a_cut_off_and_dead_air_is_not_measured() -> None:
    r = classify(_answer(), _turn(0.5, 0.5 + 42.5, 0.5 + 42.6), pace=1.0, heard_samples=None)
    assert r.outcome == "cut_off" and r.cut_at == "pause 3.0 s"
    assert r.endpoint_audio_s == pytest.approx(42.5) and r.speech_end_s == pytest.approx(80.0)
    assert r.dead_air_s is None and r.latency_s == pytest.approx(0.1)


def test_an_endpoint_after_the_end_is_clean_with_dead_air_from_the_true_end() -> None:
    r = classify(_answer(), _turn(0.5, 0.5 + 82.4, 0.5 + 82.5), pace=1.0, heard_samples=None)
    assert r.outcome == "clean" and r.cut_at is None
    assert r.dead_air_s == pytest.approx(2.5) and r.latency_s == pytest.approx(0.1)


def test_dead_air_counts_from_when_the_replay_began_not_from_the_capture_start() -> None:
    # The replay's stream opened 0.25 s after the capture started (listener set up, file read):
    # the true end of speech is 0.25 s later on the turn's clock than the capture start implies.
    turn = _turn(0.5, 0.5 + 0.25 + 80.9, 0.5 + 0.25 + 81.0)
    turn["timings"]["audio_start_s"] = 0.5 + 0.25
    r = classify(_answer(), turn, pace=1.0, heard_samples=None)
    assert r.outcome == "clean" and r.endpoint_audio_s == pytest.approx(80.9)
    assert r.dead_air_s == pytest.approx(1.0) and r.latency_s == pytest.approx(0.1)
    old = classify(_answer(), _turn(0.5, 0.5 + 0.25 + 80.9, 0.5 + 0.25 + 81.0), pace=1.0, heard_samples=None)
    assert old.dead_air_s == pytest.approx(1.25)  # a session from before audio_start_s: the capture start


def test_a_resumed_answer_that_goes_on_to_the_end_is_a_barge_in_not_a_cut_off() -> None:
    r = classify(_answer(), _turn(0.5, 0.5 + 82.4, 0.5 + 82.5, resumed=1), pace=1.0, heard_samples=None)
    assert r.outcome == "barge_in" and r.resumed == 1 and r.dead_air_s == pytest.approx(2.5)


def test_a_resumed_answer_whose_final_endpoint_is_still_early_lost_its_end() -> None:
    early = classify(_answer(), _turn(0.5, 0.5 + 42.5, 0.5 + 42.6, resumed=1), pace=1.0, heard_samples=None)
    assert early.outcome == "cut_off" and early.cut_at == "pause 3.0 s after barge-in"


def test_a_listener_that_stopped_before_the_end_cut_off_even_if_the_stamp_came_later() -> None:
    # Decided at 80.0 - 0.3 s in the audio (the WAV ends there); endpoint_s stamped 0.5 s later.
    r = classify(_answer(), _turn(0.5, 0.5 + 80.2, 0.5 + 80.3), 1.0, int(79.7 * 16000))
    assert r.outcome == "cut_off" and r.dead_air_s is None and r.cut_at == "speech"


def test_at_pace_zero_the_endpoint_comes_from_the_captured_audio() -> None:
    cut = classify(_answer(), _turn(0.0, 0.01, 0.02), pace=0.0, heard_samples=int(42.5 * 16000))
    assert cut.outcome == "cut_off" and cut.endpoint_audio_s == pytest.approx(42.5) and cut.dead_air_s is None
    ok = classify(_answer(), _turn(0.0, 0.01, 0.02), pace=0.0, heard_samples=83 * 16000)
    assert ok.outcome == "clean" and ok.heard_s == pytest.approx(83.0)


def test_through_the_microphone_both_ends_are_on_the_captured_audio() -> None:
    # The answer began 0.7 s into the captured audio: its speech ends at 80.7 s there.
    offset = int(0.7 * 16000)
    cut = classify(_answer(), _turn(0.5, 0.5 + 81.0, 0.5 + 81.1), 1.0, int(80.5 * 16000), "mic", offset)
    assert cut.route == "mic" and cut.outcome == "cut_off" and cut.speech_end_s == pytest.approx(80.7)
    assert cut.endpoint_audio_s == pytest.approx(80.5)  # not endpoint_s - question_spoken_s (81.0)
    ok = classify(_answer(), _turn(0.5, 0.5 + 83.4, 0.5 + 83.5), 1.0, int(83.2 * 16000), "mic", offset)
    assert ok.outcome == "clean" and ok.dead_air_s == pytest.approx(83.2 - 80.7 + 0.1)


def test_a_turn_without_an_endpoint_failed() -> None:
    r = classify(_answer(), {"timings": {}, "answer": None, "error": "boom"}, pace=1.0, heard_samples=None)
    assert r.outcome == "failed" and r.error == "boom" and r.latency_s is None


def _result(
    voice: str, kind: str, outcome: str, dead: float | None, lat: float, w: tuple[float, float]
) -> AnswerResult:
    return AnswerResult(
        voice=voice, kind=kind, answer_id="a", route="wav", duration_s=80.0, speech_end_s=79.0, long_pauses=(),
        endpoint_audio_s=81.0, end_reason="silence", end_signals=None, resumed=0, outcome=outcome, cut_at=None,
        dead_air_s=dead, latency_s=lat, transcript_after_endpoint_s=0.01, wer_practice=w[0], wer_whole_file=w[1],
        heard_s=81.0,
    )  # fmt: skip


def test_groups_count_every_answer_once_and_summarise_percentiles() -> None:
    results = [
        _result("espeak", "mid3", "cut_off", None, 0.1, (0.5, 0.4)),
        _result("espeak", "none", "clean", 2.5, 0.2, (0.1, 0.1)),
        _result("hibari", "mid3", "barge_in", 3.0, 0.3, (0.2, 0.1)),
        _result("hibari", "none", "clean", 2.6, 0.4, (0.1, 0.0)),
        _result("hibari", "none", "failed", None, 0.5, (0.3, 0.3)),
    ]
    groups = group(results)
    assert list(groups) == [
        "espeak/mid3", "espeak/none", "espeak/all", "hibari/mid3", "hibari/none", "hibari/all",
        "all/mid3", "all/none", "all/all",
    ]  # fmt: skip
    for g in groups.values():
        assert g["clean"] + g["cut_offs"] + g["barge_ins"] + g["failed"] == g["n"]
    total = groups["all/all"]
    assert (total["n"], total["cut_offs"], total["barge_ins"], total["failed"]) == (5, 1, 1, 1)
    assert total["dead_air_s"] == {"p50": 2.6, "p95": 3.0}
    assert total["latency_s"] == {"p50": 0.3, "p95": 0.5}
    assert total["wer_practice"] == pytest.approx(0.24) and total["wer_whole_file"] == pytest.approx(0.18)
    assert total["wer_difference"] == pytest.approx(0.06)
    assert groups["hibari/none"]["n"] == 2 and groups["all/mid3"]["cut_offs"] == 1
    assert percentiles([]) == {"p50": None, "p95": None}


def test_normalise_drops_fillers_punctuation_and_spells_percent() -> None:
    assert normalise("Um, we cut it by 40%, uh... to ten-minute runs.") == "we cut it by 40 percent to ten minute runs"
    assert normalise("Hmm, give me a second to think.") == "give me a second to think"


def test_cpu_share_counts_only_the_listening_intervals() -> None:
    sampler = CpuSampler(lambda: 0.0)
    # 0-10 s: one core busy; 10-20 s: idle.
    sampler.samples = [(0.0, 0.0), (10.0, 10.0), (20.0, 10.0)]
    assert sampler.share([(0.0, 10.0)], cores=2) == pytest.approx(0.5)
    assert sampler.share([(10.0, 20.0)], cores=2) == pytest.approx(0.0)
    assert sampler.share([(5.0, 15.0)], cores=1) == pytest.approx(0.5)
    assert sampler.share([], cores=2) is None


def test_busy_load_processes_are_killed_at_the_end() -> None:
    with busy_load(2) as procs:
        assert len(procs) == 2 and all(p.poll() is None for p in procs)
        pids = [p.pid for p in procs]
    assert all(p.returncode is not None for p in procs)  # killed and reaped
    assert not any(Path(f"/proc/{pid}").exists() for pid in pids)


@pytest.mark.models
@pytest.mark.audio
def test_bench_turns_runs_end_to_end_on_a_tiny_subset(home: Path) -> None:
    """Two short espeak answers replayed as fast as possible through practice; the figures are sane."""
    proc = run_cli(
        "bench", "turns", "--voices", "espeak", "--kinds", "none,mid4", "--pace", "0", "--mic", "0", "--short",
        "--json", timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    rp = data["replay"]
    assert rp["answers"] == 2 and data["voices"] == ["espeak"] and data["short"] is True
    results = {r["kind"]: r for r in rp["results"]}
    assert set(results) == {"none", "mid4"}
    for g in rp["groups"].values():
        assert g["clean"] + g["cut_offs"] + g["barge_ins"] + g["failed"] == g["n"]
    assert rp["groups"]["all/all"]["n"] == rp["groups"]["espeak/all"]["n"] == 2
    for r in results.values():
        assert r["outcome"] != "failed" and r["end_reason"] in ("silence", "source_end")
        assert 0 < r["speech_end_s"] < r["duration_s"] and r["heard_s"] > 0
        assert r["latency_s"] is not None and 0 <= r["latency_s"] < 60
        if r["outcome"] == "cut_off":
            assert r["endpoint_audio_s"] < r["speech_end_s"] and r["resumed"] == 0
        if r["outcome"] == "clean":
            assert r["endpoint_audio_s"] >= r["speech_end_s"]
    for r in results.values():
        if r["outcome"] == "barge_in":
            assert r["resumed"] > 0
        if r["outcome"] == "clean":
            assert r["resumed"] == 0
    clean = results["none"]
    assert clean["outcome"] != "cut_off"  # 0.3-0.5 s gaps between sentences never lose the rest of an answer
    assert clean["wer_practice"] < 0.2 and clean["wer_whole_file"] < 0.2
    g = rp["groups"]["all/none"]
    assert g["wer_difference"] == pytest.approx(g["wer_practice"] - g["wer_whole_file"], abs=1e-3)
    assert results["mid4"]["long_pauses"] and results["mid4"]["long_pauses"][0][1] == pytest.approx(4.0)
    # The answers are cached in the data home, with their sidecars, for the next run.
    files = {f["kind"]: f for f in data["answer_files"]}
    for f in files.values():
        wav = Path(f["wav"])
        assert wav.is_file() and wav.with_suffix(".json").is_file()
        assert wav.is_relative_to(home / "cache" / "bench" / "turns" / "espeak")
    assert data["mic"]["answers"] == 0


@pytest.mark.models
@pytest.mark.audio
def test_bench_turns_through_the_virtual_microphone(home: Path) -> None:
    """One short answer also through PulseAudio's virtual microphone, in a practice child process."""
    proc = run_cli(
        "bench", "turns", "--voices", "espeak", "--kinds", "none", "--pace", "0", "--mic", "1", "--short", "--json",
        timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(proc.stdout)
    mic = data["mic"]
    assert mic["answers"] == 1
    (r,) = mic["results"]
    assert r["route"] == "mic" and r["outcome"] == "clean" and r["heard_s"] >= r["speech_end_s"]
    # Found in the captured audio: the file is fed after 1 s of silence from when practice says it
    # listens (a moment before the stream opens), so its speech ends that much later than in the file.
    (f,) = data["answer_files"]
    assert 0.05 <= r["speech_end_s"] - f["speech_end_s"] <= 3.0
    assert r["dead_air_s"] is not None and 0 < r["dead_air_s"] < 15
    assert r["wer_practice"] < 0.25 and r["wer_whole_file"] < 0.25
