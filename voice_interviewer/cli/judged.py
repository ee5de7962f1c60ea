"""``eval --follow-ups`` and ``eval --feedback``: the judged follow-ups and feedback claims,
printed (the figures live in ``app.judged`` and ``app.judged_feedback``)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from rich.markup import escape
from rich.table import Table

from ..analysis.analyzer import Analyzer
from ..app.evaluation import load_gold
from ..app.judged import (
    follow_ups_of,
    judged_figures,
    load_verdicts,
    plan_follow_ups_of,
    strong_star_probes,
    unjudged,
    write_for_judge,
)
from ..app.judged_feedback import (
    KINDS,
    feedback_claims,
    feedback_figures,
    load_claim_verdicts,
    unjudged_claims,
    write_claims_for_judge,
)
from ..app.plan_eval import file_kind
from ..config import Config, default_eval_set
from ..content.content import load_plan_answers
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
        if file_kind(path) == "plan":  # situational answers: the plan probes
            gold = []
            asked = plan_follow_ups_of(analyzer, load_plan_answers(path), rounds, parse)
        else:
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


def print_judged_feedback(analyzer: Analyzer, paths: list[Path], as_json: bool, write_to: Path | None) -> None:
    """Figures over every claim of the feedback the interviewer would give after typed rounds
    of ``paths``' answers (three in a row)."""
    verdicts = load_claim_verdicts(default_eval_set().parent / "feedback" / "verdicts.toml")
    definitions = {c.name: c.definition for c in analyzer.content.competencies}
    report: dict[str, dict[str, Any]] = {}
    for path in paths:
        gold = load_gold(path)
        claims = feedback_claims(analyzer, gold)
        missing = unjudged_claims(claims, verdicts)
        report[str(path)] = {
            **asdict(feedback_figures(claims, verdicts)),
            "false_claims": [
                f"{c.group}: {c.text} [{c.evidence}] ({v.note})"
                for c in claims
                if (v := verdicts.get(c.key)) is not None and not v.true
            ],
            "not_judged": [f"{c.group} {c.kind}: {c.text} [{c.evidence}]" for c in missing],
        }
        if write_to is not None and missing:
            target = write_to if len(paths) == 1 else write_to.with_suffix(f".{path.stem}.jsonl")
            write_claims_for_judge(claims, verdicts, gold, definitions, target)
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    for name, r in report.items():
        table = Table(title=f"{name}: feedback of typed rounds of three answers")
        for column in ("rounds", "claims", "judged", "true", "false", "contradictions", *KINDS):
            table.add_column(column, justify="right", no_wrap=True)
        true = "-" if r["true"] is None else f"{r['true']:.0%}"
        table.add_row(
            str(r["rounds"]), str(r["claims"]), str(r["judged"]), true, str(r["false"]), str(r["contradictions"]),
            *(r["by_kind"][k] for k in KINDS),
        )  # fmt: skip
        out.print(table)
        for heading, key in (("judged false", "false_claims"), ("not judged yet", "not_judged")):
            if r[key]:
                out.print(f"{heading} ({len(r[key])}):", markup=False)
                for line in r[key]:
                    out.print(f"  {line}", markup=False)


def print_kinds_and_plans(analyzer: Analyzer, paths: list[Path], as_json: bool, show_misses: bool) -> None:
    """Figures for labelled question kinds and labelled situational answers (``app.plan_eval``)."""
    from ..app.plan_eval import evaluate_kinds, evaluate_plan, file_kind

    report: dict[str, dict[str, Any]] = {}
    for path in paths:
        found = evaluate_kinds(analyzer, path) if file_kind(path) == "kinds" else evaluate_plan(analyzer, path)
        report[str(path)] = {k: v for k, v in asdict(found).items() if show_misses or k != "misses"}
    if as_json:
        sys.stdout.write(json.dumps(report, indent=2) + "\n")
        return
    for name, r in report.items():
        if "questions" in r:
            table = Table("measure", "value", title=f"{name} ({r['questions']} questions)")
            table.add_row("question kind recognised", f"{r['accuracy']:.3f}")
            for kind, acc in r["per_kind"].items():
                table.add_row(f"  {kind}", f"{acc:.3f}")
        else:
            table = Table(
                "measure", "value", title=f"{name} ({r['answers']} situational answers, {r['sentences']} sentences)"
            )
            table.add_row("plan element shown, macro-F1 (per answer)", f"{r['element_macro_f1']:.3f}")
            for element, f1 in r["element_f1"].items():
                table.add_row(f"  F1 {element}", f"{f1:.3f}")
            table.add_row("sentence element macro-F1", f"{r['sentence_macro_f1']:.3f}")
            table.add_row("sentence element accuracy", f"{r['sentence_accuracy']:.3f}")
            table.add_row("questions recognised as situational", f"{r['recognised_situational']:.3f}")
            table.add_row("told as a past story", ", ".join(r["told_as_story"]) or "none")
        out.print(table)
        for m in r.get("misses", []):
            out.print(escape(json.dumps(m)))
