"""``eval`` on the new kinds of question: recognising a question's kind, and the plan rubric
of situational answers.

Two kinds of evaluation file (told apart by their shape): questions labelled with their
kind (``[[question]]`` id, kind, text: ``eval/kinds_holdout.toml``), and situational
answers whose sentences are labelled with plan elements (``[[answer]]`` id, question,
sentences of {text, element}: ``eval/situational_holdout.toml``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..analysis.analyzer import Analyzer
from ..content.content import load_plan_answers
from ..content.prompts import read_toml
from ..errors import InputError
from ..types import PLAN_ELEMENTS, QUESTION_KINDS, QuestionKind, Transcript
from .evaluation import check_disjoint, macro_f1


def file_kind(path: Path) -> str:
    """ "kinds" (labelled questions), "plan" (labelled situational answers) or "star" (the rest)."""
    raw = read_toml(path)
    if isinstance(raw.get("question"), list) and raw["question"] and isinstance(raw["question"][0], dict):
        return "kinds" if "kind" in raw["question"][0] else "star"
    answers = raw.get("answer")
    if isinstance(answers, list) and answers and isinstance(answers[0], dict):
        sentences = answers[0].get("sentences")
        if isinstance(sentences, list) and sentences and isinstance(sentences[0], dict) and "element" in sentences[0]:
            return "plan"
    return "star"


@dataclass
class KindReport:
    """How often the recognised kind of a question is its labelled kind."""

    questions: int = 0
    accuracy: float = 0.0
    per_kind: dict[str, float] = field(default_factory=dict)  # accuracy on the questions of each kind
    misses: list[dict[str, str]] = field(default_factory=list)


def evaluate_kinds(analyzer: Analyzer, path: Path) -> KindReport:
    raw = read_toml(path)
    items = []
    for i, q in enumerate(raw.get("question", [])):
        kind, text = q.get("kind"), q.get("text")
        if kind not in QUESTION_KINDS or not isinstance(text, str) or not text.strip():
            raise InputError(f"{path} question #{i + 1}: needs kind (one of {QUESTION_KINDS}) and text", "fix it")
        items.append((str(q.get("id", i + 1)), kind, text))
    if not items:
        raise InputError(f"{path}: no [[question]] entries", "add labelled questions")
    right: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    report = KindReport(questions=len(items))
    for qid, kind, text in items:
        got = analyzer.recognise_kind(text).id
        seen[kind] += 1
        if got == kind:
            right[kind] += 1
        else:
            report.misses.append({"id": qid, "kind": kind, "recognised": got, "text": text})
    report.accuracy = sum(right.values()) / len(items)
    report.per_kind = {k: right[k] / seen[k] for k in QUESTION_KINDS if seen[k]}
    return report


@dataclass
class PlanReport:
    """The plan rubric on labelled situational answers."""

    answers: int = 0
    sentences: int = 0
    element_macro_f1: float = 0.0  # per answer: is each element shown (the rubric's checklist)
    element_f1: dict[str, float] = field(default_factory=dict)
    sentence_macro_f1: float = 0.0  # per sentence, over the five elements and "other"
    sentence_accuracy: float = 0.0
    recognised_situational: float = 0.0  # share of the answers' questions recognised as situational
    told_as_story: list[str] = field(default_factory=list)
    misses: list[dict[str, str]] = field(default_factory=list)


def evaluate_plan(analyzer: Analyzer, path: Path) -> PlanReport:
    answers = load_plan_answers(path)
    if not answers:
        raise InputError(f"{path}: no labelled situational answers", "add [[answer]] entries")
    copied = check_disjoint(answers, analyzer.content)
    if copied:
        raise InputError(f"{path}: {len(copied)} sentences are also in prompts/ ({copied[0][:60]})", "keep them apart")
    report = PlanReport(answers=len(answers))
    gold_s: list[str] = []
    pred_s: list[str] = []
    shown: dict[str, tuple[list[str], list[str]]] = {e: ([], []) for e in PLAN_ELEMENTS}
    situational = 0
    for a in answers:
        situational += analyzer.recognise_kind(a.question).id == "situational"
        given = QuestionKind("situational", "given", 1.0)
        result = analyzer.analyze(
            a.question, Transcript(" ".join(a.sentences)), "text", sentences=list(a.sentences), kind=given
        ).plan
        if result is None:
            raise InputError("the plan rubric is not loaded", "restore prompts/plan_rubric.toml")
        gold_s += a.elements
        pred_s += result.sentence_elements
        for e in result.elements:
            gold, pred = shown[e.id]
            gold.append("yes" if e.id in a.elements else "no")
            pred.append("yes" if e.present else "no")
            if gold[-1] != pred[-1]:
                report.misses.append({"answer": a.id, "element": e.id, "labelled": gold[-1], "found": pred[-1]})
        if result.told_as_story:
            report.told_as_story.append(a.id)
    report.sentences = len(gold_s)
    report.element_f1 = {e: macro_f1(g, p, ("yes",))[0] for e, (g, p) in shown.items()}
    report.element_macro_f1 = sum(report.element_f1.values()) / len(PLAN_ELEMENTS)
    report.sentence_macro_f1 = macro_f1(gold_s, pred_s, (*PLAN_ELEMENTS, "other"))[0]
    report.sentence_accuracy = sum(g == p for g, p in zip(gold_s, pred_s, strict=True)) / len(gold_s)
    report.recognised_situational = situational / len(answers)
    return report
