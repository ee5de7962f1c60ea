"""Judged feedback: the claims of typed rounds' feedback, matched to blind verdicts by exact text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from voice_interviewer.app.judged_feedback import (
    Claim,
    ClaimVerdict,
    feedback_figures,
    load_claim_verdicts,
    rounds_of,
    unjudged_claims,
)
from voice_interviewer.errors import InputError

ROOT = Path(__file__).resolve().parents[2]


def test_rounds_are_three_answers_in_a_row() -> None:
    assert [len(r) for r in rounds_of(list(range(7)))] == [3, 3, 1]  # type: ignore[arg-type]


def test_figures_count_true_claims_by_kind_and_rounds_with_a_contradiction() -> None:
    claims = [
        Claim("a+b+c", "strength", "You put numbers on your results.", "It fell 40%."),
        Claim("a+b+c", "improvement", "Put a number on the result.", "It went well."),
        Claim("a+b+c", "not_shown", "Not shown yet: Judgment.", ""),
        Claim("d+e+f", "strength", "You put numbers on your results.", "It fell 40%."),  # another round: unjudged
    ]
    verdicts = {
        c.key: ClaimVerdict(c.group, c.text, c.evidence, ok, contra)
        for c, ok, contra in [
            (claims[0], True, ""),
            (claims[1], False, "You put numbers on your results."),
            (claims[2], True, ""),
        ]
    }
    fig = feedback_figures(claims, verdicts)
    assert (fig.rounds, fig.claims, fig.judged, fig.true, fig.false, fig.contradictions) == (2, 4, 3, 0.667, 1, 1)
    assert fig.by_kind == {"strength": "1/1", "improvement": "0/1", "not_shown": "1/1"}
    assert unjudged_claims(claims, verdicts) == [claims[3]]
    # Once the contradicted claim is no longer said, the round has no contradiction left.
    without = [c for c in claims if c is not claims[0]]
    assert feedback_figures(without, verdicts).contradictions == 0


def test_a_bad_claim_verdict_names_the_entry(tmp_path: Path) -> None:
    path = tmp_path / "verdicts.toml"
    path.write_text('[[claim]]\ngroup = "a"\ntext = "x"\nevidence = ""\nverdict = "mostly"\n')
    with pytest.raises(InputError, match="claim #1: needs group, text, evidence and verdict true or false"):
        load_claim_verdicts(path)
    assert load_claim_verdicts(tmp_path / "none.toml") == {}


def test_eval_feedback_prints_the_figures_and_writes_the_rounds_to_judge(tmp_path: Path) -> None:
    first = (ROOT / "eval" / "dev_set.toml").read_text().split("[[answer]]")[1:4]
    three = tmp_path / "three.toml"
    renamed = [a.replace('id = "dev-0', 'id = "tmp-0') for a in first]  # new ids: nothing judged yet
    three.write_text('version = "1"\n' + "".join("[[answer]]" + a for a in renamed))
    todo = tmp_path / "todo.jsonl"
    result = run_cli("eval", str(three), "--feedback", "--json", "--write-unjudged", str(todo))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)[str(three)]
    assert report["rounds"] == 1 and report["claims"] >= 2 and report["judged"] == 0
    (row,) = [json.loads(line) for line in todo.read_text().splitlines()]
    assert row["round"] == "tmp-01+tmp-02+tmp-03" and len(row["answers"]) == 3
    assert len(row["claims"]) == report["claims"] and all(c["judge"] for c in row["claims"])
    assert "Collaboration" in row["competencies"]
