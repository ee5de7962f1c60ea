"""Judged sets: what the interviewer would say, and a blind reader's verdicts on it.

``eval --follow-ups`` builds every follow-up the interviewer would ask after each labelled
answer of the evaluation files, in each round: the first one (with the acknowledgement
before it, as spoken) and the second one in the thread (as asked when the reply to the
first added nothing new). A reader who has not seen the code judged each text against
``eval/follow_ups/rubric.md``: natural, awkward or broken, and how useful it is as the
next probe (1-5). The verdicts live in ``eval/follow_ups/verdicts.toml``, keyed by the
answer, the round and the exact text, so a changed wording is judged again, never
inherited. Texts not judged yet are listed (and written out for the judge with
``--write-unjudged``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean

from ..analysis.analyzer import Analyzer
from ..content.content import PlanAnswer
from ..content.prompts import Round, read_toml
from ..errors import InputError
from ..interview.phrases import Parser
from ..interview.policy import decide
from ..interview.replies import acknowledgement
from ..types import Analysis, QuestionKind, Transcript
from .evaluation import GoldAnswer

VERDICTS = ("natural", "awkward", "broken")


@dataclass(frozen=True)
class Asked:
    """One follow-up the interviewer would say, and where."""

    answer: str  # the labelled answer's id
    round: str
    position: int  # 1: the first follow-up after the answer, 2: the second in the thread
    target: str  # FollowUp.key
    text: str  # as spoken (the first: with its acknowledgement)
    question: str  # the main question that was answered
    answer_text: str


@dataclass(frozen=True)
class Verdict:
    """A blind reader's verdict on one follow-up text (eval/follow_ups/verdicts.toml)."""

    answer: str
    round: str
    text: str
    verdict: str  # natural | awkward | broken
    usefulness: int  # 1-5
    note: str = ""


def follow_ups_of(
    analyzer: Analyzer, gold: Iterable[GoldAnswer], rounds: Sequence[Round], parse: Parser | None
) -> list[Asked]:
    """Every follow-up the rounds would ask after the labelled answers (both positions)."""
    out: list[Asked] = []
    names = {c.id: c.name for c in analyzer.content.competencies}
    for a in gold:
        text = " ".join(a.sentences)
        analysis = analyzer.analyze(a.question, Transcript(text), "text", sentences=list(a.sentences))
        for rnd in rounds:
            out += _thread(analysis, rnd, a.id, a.competencies[0], names, parse)
    return out


def plan_follow_ups_of(
    analyzer: Analyzer, answers: Iterable[PlanAnswer], rounds: Sequence[Round], parse: Parser | None
) -> list[Asked]:
    """Every follow-up the rounds would ask after labelled situational answers (both positions)."""
    out: list[Asked] = []
    names = {c.id: c.name for c in analyzer.content.competencies}
    situational = QuestionKind("situational", "given", 1.0)
    for a in answers:
        text = Transcript(" ".join(a.sentences))
        analysis = analyzer.analyze(a.question, text, "text", sentences=list(a.sentences), kind=situational)
        for rnd in rounds:
            out += _thread(analysis, rnd, a.id, None, names, parse)
    return out


def _thread(
    analysis: Analysis, rnd: Round, answer_id: str, competency: str | None, names: dict[str, str], parse: Parser | None
) -> list[Asked]:
    asked: list[str] = []
    found = []
    text = analysis.transcript.text
    for position in (1, 2):
        budget = rnd.max_follow_ups - len(asked)
        decision = decide(analysis, rnd, asked, budget, competency, names, parse)
        if decision.target is None:
            break
        spoken = decision.text
        if position == 1:
            spoken = f"{acknowledgement(rnd, text, False, 0)} {decision.text}".strip()
        found.append(Asked(answer_id, rnd.id, position, decision.key, spoken, analysis.question, text))
        asked.append(decision.key)
    return found


def load_verdicts(path: Path) -> dict[tuple[str, str, str], Verdict]:
    """The verdicts file, keyed by (answer, round, exact text); a missing file has none."""
    if not path.is_file():
        return {}
    out = {}
    for i, v in enumerate(read_toml(path).get("verdict", [])):
        where = f"{path} verdict #{i + 1}"
        try:
            verdict = Verdict(v["answer"], v["round"], v["text"], v["verdict"], int(v["usefulness"]), v.get("note", ""))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{where}: needs answer, round, text, verdict, usefulness", "fix the entry") from exc
        if verdict.verdict not in VERDICTS or not 1 <= verdict.usefulness <= 5:
            raise InputError(f"{where}: verdict must be one of {VERDICTS}, usefulness 1-5", "fix the entry")
        out[(verdict.answer, verdict.round, verdict.text)] = verdict
    return out


@dataclass(frozen=True)
class JudgedFigures:
    """The judged share of one round's follow-ups (over the texts that have a verdict)."""

    round: str
    asked: int
    judged: int
    natural: float | None
    awkward: int
    broken: int
    usefulness: float | None


def judged_figures(asked: Sequence[Asked], verdicts: dict[tuple[str, str, str], Verdict]) -> list[JudgedFigures]:
    """Per round: how many follow-ups, how many judged, the share natural, awkward and broken, usefulness."""
    out = []
    for rnd in dict.fromkeys(a.round for a in asked):
        mine = [a for a in asked if a.round == rnd]
        got = [v for a in mine if (v := verdicts.get((a.answer, a.round, a.text))) is not None]
        out.append(
            JudgedFigures(
                round=rnd,
                asked=len(mine),
                judged=len(got),
                natural=round(sum(v.verdict == "natural" for v in got) / len(got), 3) if got else None,
                awkward=sum(v.verdict == "awkward" for v in got),
                broken=sum(v.verdict == "broken" for v in got),
                usefulness=round(mean(v.usefulness for v in got), 2) if got else None,
            )
        )
    return out


def unjudged(asked: Sequence[Asked], verdicts: dict[tuple[str, str, str], Verdict]) -> list[Asked]:
    """The follow-ups with no verdict yet (a new or changed wording)."""
    return [a for a in asked if (a.answer, a.round, a.text) not in verdicts]


def write_for_judge(items: Sequence[Asked], path: Path) -> None:
    """The texts to judge, as JSON lines a judge reads: the question, the answer, what was said
    (the probe's target is left out: the judge sees only what a candidate would hear)."""
    with path.open("w", encoding="utf-8") as f:
        for a in items:
            row = {"answer": a.answer, "round": a.round, "position": a.position}
            row |= {"question": a.question, "answer_text": a.answer_text, "text": a.text}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def strong_star_probes(asked: Sequence[Asked], gold: Iterable[GoldAnswer]) -> list[Asked]:
    """Follow-ups asking a situation/task/action/result question after an answer labelled with no defect."""
    strong = {a.id for a in gold if not a.defects}
    return [a for a in asked if a.answer in strong and a.target in ("situation", "task", "action", "result")]
