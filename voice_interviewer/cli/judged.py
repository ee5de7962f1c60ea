"""``eval --follow-ups``: the judged follow-ups, printed (the figures live in ``app.judged``)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.table import Table

from ..analysis.analyzer import Analyzer
from ..app.evaluation import load_gold
from ..app.judged import follow_ups_of, judged_figures, load_verdicts, strong_star_probes, unjudged, write_for_judge
from ..config import Config, default_eval_set
from ..content.prompts import load_round
from ..interview.phrases import Parser
from .root import out

ROUNDS = ("hiring_manager", "aa")


def print_judged_follow_ups(
    cfg: Config, analyzer: Analyzer, paths: list[Path], parse: Parser | None, as_json: bool, write_to: Path | None
) -> None:
    """Figures per round over every follow-up the interviewer would ask after ``paths``' answers."""
    rounds = [load_round(cfg.prompts_dir, r) for r in ROUNDS]
    verdicts = load_verdicts(default_eval_set().parent / "follow_ups" / "verdicts.toml")
    report: dict[str, dict[str, Any]] = {}
    for path in paths:
        gold = load_gold(path)
        asked = follow_ups_of(analyzer, gold, rounds, parse)
        missing = unjudged(asked, verdicts)
        report[str(path)] = {
            "rounds": [asdict(f) for f in judged_figures(asked, verdicts)],
            "strong_answers_with_star_probe": [
                f"{a.answer} {a.round}: {a.target}" for a in strong_star_probes(asked, gold)
            ],
            "not_judged": [f"{a.answer} {a.round} #{a.position}: {a.text}" for a in missing],
        }
        if write_to is not None and missing:
            write_for_judge(missing, write_to if len(paths) == 1 else write_to.with_suffix(f".{path.stem}.jsonl"))
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    for name, r in report.items():
        table = Table(title=name)
        table.add_column("round", no_wrap=True)
        for column in ("follow-ups", "judged", "natural", "awkward", "broken", "usefulness"):
            table.add_column(column, justify="right", no_wrap=True)
        for f in r["rounds"]:
            natural = "-" if f["natural"] is None else f"{f['natural']:.0%}"
            useful = "-" if f["usefulness"] is None else f"{f['usefulness']:.2f}"
            table.add_row(
                f["round"], str(f["asked"]), str(f["judged"]), natural, str(f["awkward"]), str(f["broken"]), useful
            )
        out.print(table)
        out.print(f"strong answers given a S/T/A/R probe: {len(r['strong_answers_with_star_probe'])}")
        if r["not_judged"]:
            out.print(f"not judged yet ({len(r['not_judged'])}):", markup=False)
            for line in r["not_judged"]:
                out.print(f"  {line}", markup=False)
