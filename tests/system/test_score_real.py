"""`score` and `eval` with the real bundled models, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import espeak_wav, run_cli

pytestmark = pytest.mark.models

STRONG = (
    "Last year our payments API kept timing out during peak sales, and checkout failures cost us real money. "
    "I was responsible for the reliability roadmap, so fixing it before the holiday launch was on me. "
    "I pulled a week of traces and found that one database join caused most of the latency. "
    "I rewrote the query, added an index, and rolled it out behind a feature flag to ten percent of traffic first. "
    "Timeouts dropped by 90 percent and we saved about 20,000 dollars a month in servers. "
    "I learned to measure before proposing a fix."
)
NO_RESULT = (
    "Last spring our data pipeline kept failing every night. "
    "My goal was to make it reliable before the quarterly report. "
    "I added retries to the loader. "
    "I also wrote alerts for the on-call engineer and documented the runbook."
)


def _score(*args: str) -> dict:
    proc = run_cli("score", "--format", "json", *args)
    assert proc.returncode == 0, proc.stderr
    lines = [line for line in proc.stdout.splitlines() if line.strip()]
    assert len(lines) == 1  # exactly one JSON object on stdout
    return json.loads(lines[0])


def test_strong_answer_scores_high_with_no_result_probe(home: Path) -> None:
    data = _score("--text", STRONG, "--question", "Tell me about a time you improved a system's reliability.")
    assert data["star"]["missing"] == []
    assert data["star"]["score"] >= 80
    labels = [s["star"] for s in data["sentences"]]
    assert labels[0] == "situation" and labels[-1] == "result"
    assert "action" in labels
    assert len(data["competencies"]) == 11
    assert data["signals"]["has_reflection"] is True
    assert any("90" in q for q in data["signals"]["quantified_results"])
    assert data["follow_up"]["target"] not in ("result", "action", "situation", "task")


def test_answer_without_result_gets_a_result_probe(home: Path) -> None:
    data = _score("--text", NO_RESULT, "--question", "Tell me about a time you fixed a recurring problem.")
    assert "result" in data["star"]["missing"]
    assert data["follow_up"]["target"] == "result"
    assert data["follow_up"]["text"].endswith("?")
    assert data["follow_up"]["rationale"]


def test_aa_round_prefers_reflection(home: Path) -> None:
    text = STRONG.replace(" I learned to measure before proposing a fix.", "")
    data = _score("--text", text, "--round", "aa")
    assert data["follow_up"]["target"] == "reflection"


def test_audio_answer_has_delivery_and_timed_sentences(home: Path, tmp_path: Path) -> None:
    wav = espeak_wav(
        "So, um, last year I was, uh, leading the billing team. Um, we had, like, a lot of outages. "
        "I, uh, basically rewrote the retry logic, and outages dropped by half.",
        tmp_path / "answer.wav",
    )
    data = _score("--audio", str(wav), "--question", "Tell me about a time you improved reliability.")
    d = data["delivery"]
    assert 90 <= d["wpm"] <= 220
    assert d["fillers"].get("um", 0) >= 2 and d["fillers"].get("uh", 0) >= 1  # disfluencies kept
    assert d["duration_s"] > 5
    assert all(s["start_s"] is not None and s["end_s"] >= s["start_s"] for s in data["sentences"])
    assert data["star"]["share_seconds"] is not None
    assert data["source"] == "wav"


def test_text_file_and_bad_inputs(home: Path, tmp_path: Path) -> None:
    good = tmp_path / "answer.txt"
    good.write_text(STRONG, encoding="utf-8")
    assert _score("--text-file", str(good))["transcript"]["text"].startswith("Last year")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 r\xe9sum\xe9 answer".encode("latin-1"))
    for args, needle in [
        (["--text-file", str(bad)], "is not UTF-8"),
        (["--text", "   "], "the answer is empty"),
        ([], "give exactly one answer"),
        (["--text", "x", "--format", "yaml"], "unknown format"),
    ]:
        proc = run_cli("score", *args)
        assert proc.returncode == 2, proc.stderr
        assert needle in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1


def test_silent_wav_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    import numpy as np

    from voice_interviewer.adapters.audio_file import write_wav

    wav = tmp_path / "silence.wav"
    write_wav(wav, np.zeros(16000 * 3, np.float32))
    proc = run_cli("score", "--audio", str(wav))
    assert proc.returncode == 2
    assert "no speech was recognised" in proc.stderr


def test_eval_meets_floors_on_both_sets(home: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    proc = run_cli("eval", str(root / "eval" / "dev_set.toml"), str(root / "eval" / "holdout_set.toml"), "--json")
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    dev = next(r for name, r in results.items() if name.endswith("dev_set.toml"))
    # The first hiring-manager probe hits a labelled gap 0.73 on the dev set (0.96 when a missing
    # goal is asked first). Lower than the old 0.85 target on purpose: once the actions and the
    # result are told, the goal is asked after the depth probe (policy.TOLD_STORY_FACTOR),
    # because blind readers judged the goal probes there awkward or broken 17 times of 20
    # ("the problem is stated outright"), while the labels count the depth probe a miss.
    assert dev["follow_up_gap_hit"] >= 0.7
    assert dev["follow_up_ms_p95"] > 0  # timed, and printed by eval; its target is a benchmark figure, not a test
    for name, r in results.items():
        assert r["strong_without_star_probe"] >= 0.9, name
        # Regression floors a little under the measured figures (see README "Benchmarks").
        assert r["star_macro_f1"] >= 0.78, (name, r["star_macro_f1"])
        assert r["competency_top2"] >= 0.85, (name, r["competency_top2"])
        assert r["signal_accuracy"]["specific"] >= 0.9
        assert r["follow_up_gap_hit"] >= 0.55, name  # held-out 0.60, as above
