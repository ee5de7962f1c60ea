"""A situational answer scored against the plan rubric instead of STAR.

"What would you do if two teams both claimed the dataset?" asks for a plan, not a past
story: understand and clarify, lay out options with their trade-offs, decide and say by
what criteria, communicate and follow through, and say how success is measured and which
risks are watched (``prompts/plan_rubric.toml``). Each sentence is labelled with the
element it shows, or "other", by a softmax classifier over its embedding and the rubric's
cue phrases, fitted (``analysis.fitting``) on the rubric's exemplar sentences and the
labelled answers of ``prompts/plan_training.toml``. An element is shown when one sentence
shows it. Pure numpy over the sentence vectors the analysis already has.

Chosen over nearest-exemplar matching on the training answers (answer-level element
macro-F1 in 4-fold cross-validation by answer: 0.89 against 0.76).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..types import PlanElementScore, PlanResult
from .text import cue_columns, phrase_sets

PLAN_C = 1.0  # chosen by the cross-validation above (1 and 4 tried)
# A missing element whose best sentence still has this probability of showing it may be
# said in other words: it is not asked for, nor advised (in 4-fold cross-validation on the
# training answers, 8 of the 36 elements found missing were there; 5 of the 30 below this,
# which still holds 25 of the 28 really missing; 0.2: 5 of 22, 17 of 28).
UNSURE = 0.25
OTHER = "other"
# A sentence told in the past about the candidate's own doing ("At my last job we split the
# table"), not a plan ("I would split it"). Half of the sentences or more: a story.
_PAST = re.compile(
    r"\b(i|we)\s+(\w+ed|was|were|had|did|went|made|took|got|told|ran|wrote|built|found|gave|led|sat|met|saw|set)\b",
    re.I,
)
_PLAN = re.compile(r"\b(would|'d|will|'ll|going to|first step|could|should|might)\b", re.I)
STORY_SHARE = 0.5


class PlanModel:
    """Labels a situational answer's sentences with the plan rubric's elements (or "other")."""

    def __init__(self, ids: Sequence[str], w: np.ndarray, b: np.ndarray, cues: Sequence[Sequence[str]]) -> None:
        self.ids = tuple(ids)  # the elements; class len(ids) is "other"
        self.w, self.b = w, b
        self.cues = phrase_sets(cues)

    def score(self, sentences: Sequence[str], vecs: np.ndarray) -> PlanResult:
        if not sentences:
            none = tuple(PlanElementScore(e, False, 0.0, "", -1) for e in self.ids)
            return PlanResult(0, none, self.ids, ())
        logits = cue_columns(sentences, vecs, self.cues) @ self.w.T + self.b
        logits -= logits.max(axis=1, keepdims=True)
        prob = np.exp(logits)
        prob /= prob.sum(axis=1, keepdims=True)
        names = (*self.ids, OTHER)
        labels = tuple(names[int(i)] for i in prob.argmax(axis=1))
        elements = []
        for j, eid in enumerate(self.ids):
            mine = [i for i, lab in enumerate(labels) if lab == eid]
            best = max(mine, key=lambda i: prob[i, j]) if mine else int(prob[:, j].argmax())
            shown = bool(mine)
            elements.append(
                PlanElementScore(
                    eid, shown, round(float(prob[best, j]), 3), sentences[best] if shown else "", best if shown else -1
                )
            )
        missing = tuple(e.id for e in elements if not e.present)
        score = round(100 * (len(self.ids) - len(missing)) / len(self.ids))
        return PlanResult(score, tuple(elements), missing, labels, told_as_story(sentences))


def surely_missing(plan: PlanResult) -> tuple[str, ...]:
    """The missing elements no sentence comes close to showing (``UNSURE``)."""
    return tuple(e.id for e in plan.elements if not e.present and e.similarity < UNSURE)


def told_as_story(sentences: Sequence[str]) -> bool:
    """Most sentences tell what the candidate did, in the past, and fewer say what they would do."""
    past = sum(1 for s in sentences if _PAST.search(s) and not _PLAN.search(s))
    planned = sum(1 for s in sentences if _PLAN.search(s))
    return bool(sentences) and past / len(sentences) >= STORY_SHARE and planned < past
