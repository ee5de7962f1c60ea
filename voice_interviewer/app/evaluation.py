"""Evaluation harness: measures the analyzer on labelled answers (eval/*.toml).

Reports sentence-level STAR accuracy and macro-F1, competency top-1/top-2
accuracy, and signal accuracy. Refuses to run if any evaluation sentence also
appears among the exemplars in prompts/ (the two must stay disjoint).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.analyzer import Analyzer
from ..analysis.gaps import STORY_PARTS, Gap, ownership
from ..content.content import AnalysisContent, PlanAnswer
from ..content.prompts import COMPETENCY_IDS, Round, read_toml
from ..errors import InputError
from ..interview.phrases import Parser
from ..interview.policy import decide
from ..types import SENTENCE_LABELS, Transcript


@dataclass(frozen=True)
class GoldAnswer:
    """A labelled answer from an evaluation file (eval/*.toml): its sentences with their STAR labels,
    and its expected competencies, signals and defects.
    """

    id: str
    question: str
    competencies: tuple[str, ...]
    defects: tuple[str, ...]
    specific: bool
    has_reflection: bool
    quantified: bool
    ownership: str
    sentences: tuple[str, ...]
    labels: tuple[str, ...]
    style: str = ""  # how it is written ("speech_runon", "non_native", ...), for figures per style


def load_gold(path: Path) -> list[GoldAnswer]:
    raw = read_toml(path)
    out = []
    for i, a in enumerate(raw.get("answer", [])):
        where = f"{path} answer #{i + 1}"
        try:
            sents = a["sentences"]
            gold = GoldAnswer(
                id=a["id"],
                question=a["question"],
                competencies=tuple(a["competencies"]),
                defects=tuple(a.get("defects", [])),
                specific=bool(a["specific"]),
                has_reflection=bool(a["has_reflection"]),
                quantified=bool(a["quantified"]),
                ownership=a["ownership"],
                sentences=tuple(s["text"] for s in sents),
                labels=tuple(s["star"] for s in sents),
                style=str(a.get("style", "")),
            )
        except (KeyError, TypeError) as exc:
            raise InputError(f"{where}: missing or malformed field {exc}", "see eval/README.md") from exc
        bad = [lab for lab in gold.labels if lab not in SENTENCE_LABELS] + [
            c for c in gold.competencies if c not in COMPETENCY_IDS
        ]
        if bad:
            raise InputError(f"{where}: unknown label or competency '{bad[0]}'", "fix the data")
        out.append(gold)
    if not out:
        raise InputError(f"{path}: no [[answer]] entries", "add labelled answers")
    return out


def check_disjoint(gold: Sequence[GoldAnswer | PlanAnswer], content: AnalysisContent) -> list[str]:
    """Evaluation sentences that also occur among the exemplars (must be none)."""
    exemplars = {s.strip().lower() for s in content.all_exemplar_sentences()}
    return [s for a in gold for s in a.sentences if s.strip().lower() in exemplars]


def macro_f1(
    gold: list[str], pred: list[str], labels: tuple[str, ...] = SENTENCE_LABELS
) -> tuple[float, dict[str, float]]:
    per: dict[str, float] = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label and g != label for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, pred, strict=True))
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        per[label] = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return sum(per.values()) / len(per), per


@dataclass
class EvalReport:
    """The figures ``evaluate`` measures on one evaluation file, as ``eval`` prints them (or gives them as JSON)."""

    answers: int = 0
    sentences: int = 0
    star_accuracy: float = 0.0
    star_macro_f1: float = 0.0
    star_f1: dict[str, float] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)
    competency_top1: float = 0.0
    competency_top2: float = 0.0
    competency_top2_answer_only: float = 0.0
    signal_accuracy: dict[str, float] = field(default_factory=dict)
    split_agreement: float = 0.0
    follow_up_gap_hit: float | None = None  # first probe targets an actual gap (answers labelled with defects)
    follow_up_gap_answers: int = 0
    strong_without_star_probe: float | None = None  # strong answers never get a situation/task/action/result probe
    strong_answers: int = 0
    follow_up_ms_p95: float | None = None
    # A baseline that labels each sentence by its place in the answer alone (``position_labels``),
    # on the same answers: how much the labeller adds over "the start is context, the end the result".
    position_macro_f1: float = 0.0
    # STAR macro-F1 of the labeller and of the position baseline, per style (answers with a "style").
    by_style: dict[str, dict[str, float]] = field(default_factory=dict)
    misses: list[dict[str, Any]] = field(default_factory=list)


POSITION_BINS = 10


def position_labels(training: Sequence[tuple[Sequence[str], ...]], n: int) -> list[str]:
    """The labels of an ``n``-sentence answer by position alone: each sentence takes the label
    most common at its relative place (one of ``POSITION_BINS``) in the ``training`` answers'
    labels (the training answers of prompts/, never the answers evaluated)."""
    counts = [Counter[str]() for _ in range(POSITION_BINS)]
    for (labels,) in training:
        for i, label in enumerate(labels):
            counts[_bin(i, len(labels))][label] += 1
    return [(counts[_bin(i, n)].most_common(1) or [("action", 0)])[0][0] for i in range(n)]


def _bin(i: int, n: int) -> int:
    return min(POSITION_BINS - 1, int((i + 0.5) / n * POSITION_BINS))


def gold_gaps(a: GoldAnswer) -> set[Gap]:
    """The probe targets that address a real gap of a labelled answer.

    The gaps of ``analysis.gaps``, read from the labels themselves: STAR parts with no
    sentence, and the gold signals (no reflection, no numbers in a result, "we"
    ownership, generic talk).
    """
    gaps = {part for part in STORY_PARTS if part not in a.labels}
    if not a.has_reflection:
        gaps.add(Gap.REFLECTION)
    if not a.quantified and "result" in a.labels:
        gaps.add(Gap.METRICS)
    if a.ownership == "we":
        gaps.add(Gap.OWNERSHIP)
    if not a.specific:
        gaps.add(Gap.SPECIFICITY)
    return gaps


def evaluate(
    analyzer: Analyzer, gold: list[GoldAnswer], rnd: Round | None = None, parse: Parser | None = None
) -> EvalReport:
    """Every figure of ``eval`` on labelled answers; ``rnd``: also the round's first follow-up
    (decided and worded with ``parse``, timed as ``follow_up_ms_p95``)."""
    overlap = check_disjoint(gold, analyzer.content)
    if overlap:
        raise InputError(
            f"{len(overlap)} evaluation sentence(s) also appear in prompts/ exemplars, e.g. {overlap[0]!r}",
            "keep exemplars and evaluation answers disjoint",
        )
    g_all: list[str] = []
    p_all: list[str] = []
    top1 = top2 = top2_alone = 0
    gap_total = gap_hits = strong_total = strong_ok = 0
    decide_ms: list[float] = []
    signal_hits: Counter[str] = Counter()
    split_same = 0
    report = EvalReport(answers=len(gold))
    training = [(t.labels,) for t in analyzer.content.training]
    positional: list[str] = []
    styles: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for a in gold:
        text = " ".join(a.sentences)
        split_same += analyzer.split(text) == list(a.sentences)
        result = analyzer.analyze(a.question, Transcript(text), "text", sentences=list(a.sentences))
        pred = [s.star for s in result.sentences]
        g_all += a.labels
        p_all += pred
        by_place = position_labels(training, len(a.labels))
        positional += by_place
        if a.style:
            gold_s, pred_s, place_s = styles.setdefault(a.style, ([], [], []))
            gold_s += a.labels
            pred_s += pred
            place_s += by_place
        ranked = [c.id for c in result.competencies]
        top1 += ranked[0] == a.competencies[0]
        top2 += a.competencies[0] in ranked[:2]
        alone = analyzer.analyze("", Transcript(text), "text", sentences=list(a.sentences))
        top2_alone += a.competencies[0] in [c.id for c in alone.competencies[:2]]
        sig = result.signals
        signal_hits["has_reflection"] += sig.has_reflection == a.has_reflection
        signal_hits["quantified"] += bool(sig.quantified_results) == a.quantified
        signal_hits["specific"] += sig.specific == a.specific
        signal_hits["ownership"] += ownership(sig) == a.ownership
        for i, (g, p) in enumerate(zip(a.labels, pred, strict=True)):
            if g != p:
                report.misses.append({"answer": a.id, "index": i, "gold": g, "pred": p, "text": a.sentences[i]})
        if ranked[0] != a.competencies[0]:
            report.misses.append({"answer": a.id, "gold_competency": a.competencies[0], "ranked": ranked[:3]})
        if rnd is not None:
            t0 = time.perf_counter()
            follow = decide(result, rnd, (), rnd.max_follow_ups, a.competencies[0], parse=parse)
            decide_ms.append((time.perf_counter() - t0) * 1000)
            wanted = gold_gaps(a) if a.defects else set()
            if wanted:
                gap_total += 1
                gap_hits += follow.target in wanted
                if follow.target not in wanted:
                    report.misses.append({"answer": a.id, "defects": list(a.defects), "follow_up": follow.key})
            elif not a.defects:
                strong_total += 1
                strong_ok += follow.target not in STORY_PARTS
                if follow.target in STORY_PARTS:
                    report.misses.append({"answer": a.id, "strong_answer_probe": follow.key})
    n = len(gold)
    report.sentences = len(g_all)
    report.star_accuracy = sum(g == p for g, p in zip(g_all, p_all, strict=True)) / len(g_all)
    report.star_macro_f1, report.star_f1 = macro_f1(g_all, p_all)
    report.position_macro_f1 = macro_f1(g_all, positional)[0]
    for style, (gold_s, pred_s, place_s) in sorted(styles.items()):
        report.by_style[style] = {
            "sentences": len(gold_s),
            "macro_f1": macro_f1(gold_s, pred_s)[0],
            "task_f1": macro_f1(gold_s, pred_s)[1]["task"],
            "position_macro_f1": macro_f1(gold_s, place_s)[0],
        }
    report.confusion = {g: {p: 0 for p in SENTENCE_LABELS} for g in SENTENCE_LABELS}
    for gold_label, predicted in zip(g_all, p_all, strict=True):
        report.confusion[gold_label][predicted] += 1
    report.competency_top1 = top1 / n
    report.competency_top2 = top2 / n
    report.competency_top2_answer_only = top2_alone / n
    report.signal_accuracy = {k: v / n for k, v in signal_hits.items()}
    report.split_agreement = split_same / n
    if rnd is not None:
        report.follow_up_gap_answers, report.strong_answers = gap_total, strong_total
        report.follow_up_gap_hit = gap_hits / gap_total if gap_total else None
        report.strong_without_star_probe = strong_ok / strong_total if strong_total else None
        ordered = sorted(decide_ms)
        report.follow_up_ms_p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return report
