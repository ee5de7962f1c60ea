"""What a question asks for: a past story, a plan, an explanation, a pitch or "why us".

The bank says what kind each of its questions is; a question typed with ``score`` (or any
question not in the bank) is recognised from its words by a softmax classifier over the
question's embedding and the kinds' cue phrases ("tell me about a time", "imagine",
"explain to"), fitted (``analysis.fitting``) on the example questions of
``prompts/question_kinds.toml``. Chosen over nearest-example matching, which scored 0.87
against 0.97 in 5-fold cross-validation on the examples (C and the cue weight were chosen
there too). Pure numpy over the question vector.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..types import QuestionKind
from .text import cue_columns, phrase_sets, tokens

KIND_C = 16.0
CUE_WEIGHT = 0.5  # a cue phrase's column in the features (``cue_columns``; the embedding is unit-scale)
FALLBACK = "behavioral"


class KindModel:
    """Recognises the kind of a question from its vector and words."""

    def __init__(self, ids: Sequence[str], w: np.ndarray | None, b: np.ndarray | None, cues: Sequence[Sequence[str]]):
        self.ids = tuple(ids)
        self.w, self.b = w, b
        self.cues = phrase_sets(cues)

    def recognise(self, question: str, question_vec: np.ndarray | None) -> QuestionKind:
        """The most likely kind and its probability; behavioral when nothing can be told."""
        if self.w is None or self.b is None or question_vec is None or not tokens(question):
            return QuestionKind(FALLBACK, "recognised", 0.0)
        logits = cue_columns([question], question_vec[None, :], self.cues, CUE_WEIGHT)[0] @ self.w.T + self.b
        prob = np.exp(logits - logits.max())
        prob /= prob.sum()
        best = int(prob.argmax())
        return QuestionKind(self.ids[best], "recognised", round(float(prob[best]), 3))
