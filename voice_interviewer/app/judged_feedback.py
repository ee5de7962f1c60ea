"""Judged feedback: the end-of-round feedback the interviewer would give, and a blind reader's
verdict on each of its claims.

``eval --feedback`` makes typed rounds of the labelled answers (three answers in a row of an
evaluation file, as a round of three questions), gives each round its feedback exactly as
``practice`` does (``interview.feedback``: the same gaps and thresholds as the follow-ups,
and the competencies the three questions aimed at), and splits it into claims: each
strength and each improvement with the sentence quoted as its evidence, and each
competency said to be "not shown yet". A coach who has not seen the code judged each claim
true or false against the three answers (``eval/feedback/rubric.md``), and marked a claim
that contradicts another claim of the same round. The verdicts live in
``eval/feedback/verdicts.toml``, keyed by the round, the claim's text and its evidence, so a
changed claim is judged again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..analysis.analyzer import Analyzer
from ..content.prompts import read_toml
from ..errors import InputError
from ..interview.feedback import session_feedback
from ..types import Transcript
from .evaluation import GoldAnswer

ROUND_SIZE = 3  # answers per typed round
KINDS = ("strength", "improvement", "not_shown")


@dataclass(frozen=True)
class Claim:
    """One claim of a round's feedback."""

    group: str  # the round: its answers' ids joined by "+"
    kind: str  # strength | improvement | not_shown
    text: str
    evidence: str  # the sentence quoted for it ("" when none)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.group, self.text, self.evidence)


@dataclass(frozen=True)
class ClaimVerdict:
    """A blind reader's verdict on one claim (eval/feedback/verdicts.toml)."""

    group: str
    text: str
    evidence: str
    true: bool
    contradicts: str = ""  # the text of another claim of the round it contradicts
    note: str = ""


def rounds_of(gold: Sequence[GoldAnswer]) -> list[list[GoldAnswer]]:
    """Consecutive answers, ``ROUND_SIZE`` to a round (a shorter last round is kept)."""
    return [list(gold[i : i + ROUND_SIZE]) for i in range(0, len(gold), ROUND_SIZE)]


def feedback_claims(analyzer: Analyzer, gold: Sequence[GoldAnswer]) -> list[Claim]:
    """Every claim of every typed round's feedback."""
    names = {c.id: c.name for c in analyzer.content.competencies}
    claims: list[Claim] = []
    for answers in rounds_of(gold):
        group = "+".join(a.id for a in answers)
        analyses = [
            analyzer.analyze(a.question, Transcript(" ".join(a.sentences)), "text", sentences=list(a.sentences))
            for a in answers
        ]
        aimed = tuple(dict.fromkeys(c for a in answers for c in a.competencies))
        fb = session_feedback(analyses, aimed, names)
        claims += [Claim(group, "strength", p.text, p.evidence) for p in fb.strengths]
        claims += [Claim(group, "improvement", p.text, p.evidence) for p in fb.improvements]
        claims += [Claim(group, "not_shown", f"Not shown yet: {name}.", "") for name in fb.not_shown]
    return claims


def load_claim_verdicts(path: Path) -> dict[tuple[str, str, str], ClaimVerdict]:
    """The verdicts file, keyed by (round, claim text, evidence); a missing file has none."""
    if not path.is_file():
        return {}
    out = {}
    for i, v in enumerate(read_toml(path).get("claim", [])):
        where = f"{path} claim #{i + 1}"
        try:
            verdict = ClaimVerdict(
                v["group"], v["text"], v.get("evidence", ""), v["verdict"] == "true", v.get("contradicts", ""),
                v.get("note", ""),
            )  # fmt: skip
            if v["verdict"] not in ("true", "false"):
                raise ValueError(v["verdict"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{where}: needs group, text, evidence and verdict true or false", "fix the entry"
            ) from exc
        out[(verdict.group, verdict.text, verdict.evidence)] = verdict
    return out


@dataclass(frozen=True)
class FeedbackFigures:
    """The judged share of the claims of an evaluation file's rounds."""

    rounds: int
    claims: int
    judged: int
    true: float | None  # share of the judged claims
    false: int
    contradictions: int  # rounds with a claim that contradicts another
    by_kind: dict[str, str]  # kind -> "true/judged"


def feedback_figures(claims: Sequence[Claim], verdicts: dict[tuple[str, str, str], ClaimVerdict]) -> FeedbackFigures:
    got = [(c, v) for c in claims if (v := verdicts.get(c.key)) is not None]
    said = {(c.group, c.text) for c in claims}
    by_kind = {}
    for kind in KINDS:
        mine = [v for c, v in got if c.kind == kind]
        by_kind[kind] = f"{sum(v.true for v in mine)}/{len(mine)}"
    return FeedbackFigures(
        rounds=len({c.group for c in claims}),
        claims=len(claims),
        judged=len(got),
        true=round(sum(v.true for _, v in got) / len(got), 3) if got else None,
        false=sum(not v.true for _, v in got),
        # A verdict's contradiction counts while the claim it names is still said in that round.
        contradictions=len({c.group for c, v in got if v.contradicts and (c.group, v.contradicts) in said}),
        by_kind=by_kind,
    )


def unjudged_claims(claims: Sequence[Claim], verdicts: dict[tuple[str, str, str], ClaimVerdict]) -> list[Claim]:
    return [c for c in claims if c.key not in verdicts]


def write_claims_for_judge(
    claims: Sequence[Claim],
    verdicts: dict[tuple[str, str, str], ClaimVerdict],
    gold: Sequence[GoldAnswer],
    definitions: dict[str, str],
    path: Path,
) -> None:
    """One JSON line per round that has unjudged claims: its answers (question and text), all
    its claims (the judge checks contradictions among them; ``judge`` marks the ones without
    a verdict), and the definitions of the competencies."""
    by_id = {a.id: a for a in gold}
    with path.open("w", encoding="utf-8") as f:
        for group in dict.fromkeys(c.group for c in unjudged_claims(claims, verdicts)):
            answers = [by_id[i] for i in group.split("+")]
            row = {
                "round": group,
                "answers": [{"id": a.id, "question": a.question, "text": " ".join(a.sentences)} for a in answers],
                "claims": [
                    {"kind": c.kind, "text": c.text, "evidence": c.evidence, "judge": c.key not in verdicts}
                    for c in claims
                    if c.group == group
                ],
                "competencies": definitions,
            }
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
