"""Judged sets: the follow-ups the interviewer would ask, matched to blind verdicts by exact text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from voice_interviewer.app.judged import Asked, Verdict, judged_figures, load_verdicts, unjudged
from voice_interviewer.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def asked(text: str, answer: str = "dev-01", rnd: str = "aa") -> Asked:
    return Asked(answer, rnd, 1, "reflection", text, "Tell me about a time.", "We shipped it.")


def test_figures_count_only_texts_with_a_verdict_of_the_same_answer_and_round() -> None:
    items = [asked("What did you learn?"), asked("Why that?"), asked("What did you learn?", answer="dev-02")]
    verdicts = {
        ("dev-01", "aa", "What did you learn?"): Verdict("dev-01", "aa", "What did you learn?", "natural", 4),
        ("dev-01", "aa", "Why that?"): Verdict("dev-01", "aa", "Why that?", "broken", 1, "no referent"),
    }
    (fig,) = judged_figures(items, verdicts)
    assert (fig.asked, fig.judged, fig.natural, fig.broken, fig.usefulness) == (3, 2, 0.5, 1, 2.5)
    assert unjudged(items, verdicts) == [items[2]]  # same words after another answer: judged again


def test_a_bad_verdict_file_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "verdicts.toml"
    path.write_text('[[verdict]]\nanswer = "a"\nround = "aa"\ntext = "x"\nverdict = "fine"\nusefulness = 4\n')
    with pytest.raises(InputError, match="verdict #1: verdict must be one of"):
        load_verdicts(path)
    assert load_verdicts(tmp_path / "none.toml") == {}


def test_the_shipped_verdicts_load() -> None:
    verdicts = load_verdicts(ROOT / "eval" / "follow_ups" / "verdicts.toml")
    assert verdicts and all(v.verdict in ("natural", "awkward", "broken") for v in verdicts.values())


def test_eval_follow_ups_prints_the_figures_and_writes_what_is_not_judged(tmp_path: Path) -> None:
    first = (ROOT / "eval" / "dev_set.toml").read_text().split("[[answer]]")[1]
    one = tmp_path / "one.toml"
    # a renamed answer: its follow-ups have no verdicts yet
    one.write_text('version = "1"\n[[answer]]' + first.replace('id = "dev-01"', 'id = "tmp-01"'))
    todo = tmp_path / "todo.jsonl"
    result = run_cli("eval", str(one), "--follow-ups", "--json", "--write-unjudged", str(todo))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)[str(one)]
    rounds = {r["round"]: r for r in report["rounds"]}
    assert set(rounds) == {"hiring_manager", "aa"} and all(
        r["asked"] >= 1 and r["judged"] == 0 for r in rounds.values()
    )
    rows = [json.loads(line) for line in todo.read_text().splitlines()]
    assert len(rows) == len(report["not_judged"]) == sum(r["asked"] for r in rounds.values())
    assert all(r["answer"] == "tmp-01" and r["text"].endswith("?") and "target" not in r for r in rows)
