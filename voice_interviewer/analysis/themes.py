"""What a story is about (a decision, a disagreement, a failure, a launch, people, scope).

Once the STAR parts are there, an interviewer probes what the story is about: why this
option over the others, what the other side's best argument was, what signal was missed.
Each theme has trigger sentences in ``prompts/themes.toml``, embedded once with the other
exemplars; a theme's similarity is the best match between one of the answer's story
sentences and one of its triggers (the mean of the two closest triggers, as the
competencies do), helped by the question's own words. Pure numpy over the sentence
vectors the analysis already has.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ..types import ThemeScore
from .competency import sentence_scores

# Below this, a story is not clearly about the theme (dev set: a story's best sentence
# scores 0.40-0.55 against its own theme's triggers, and up to ~0.45 against others), so
# the probe falls back to a general one: a wrong theme's probe ("what signal did you miss?"
# after a success) is worse than a general one.
THEME_MIN = 0.5
# A question that names the theme ("Tell me about a mistake...") is strong evidence.
QUESTION_BONUS = 0.1
# The best theme must beat the next by this much to be trusted.
MARGIN = 0.03


class ThemeModel:
    """Scores the themes of ``prompts/themes.toml`` from sentence vectors and the question's words."""

    def __init__(self, ids: Sequence[str], triggers: Sequence[np.ndarray], cues: Sequence[Sequence[str]]) -> None:
        self.ids = tuple(ids)
        self.triggers = tuple(triggers)
        self.cues = tuple(re.compile(r"\b(" + "|".join(map(re.escape, c)) + r")", re.I) if c else None for c in cues)

    def score(self, sent_vecs: np.ndarray, story: Sequence[bool], question: str = "") -> tuple[ThemeScore, ...]:
        """The themes the story is clearly about (at most one today), most similar first.

        A theme's score is the best story sentence's similarity to its triggers (the mean of
        its two closest), plus ``QUESTION_BONUS`` when the question names the theme; it
        counts when it reaches ``THEME_MIN`` and beats the next theme by ``MARGIN``."""
        keep = [i for i, s in enumerate(story) if s]
        if not keep or not self.ids:
            return ()
        vecs = sent_vecs[keep]
        scored = []
        for tid, trig, cue in zip(self.ids, self.triggers, self.cues, strict=True):
            per_sentence = sentence_scores(vecs, trig, k=2)
            best = int(per_sentence.argmax())
            similarity = float(per_sentence[best]) + (QUESTION_BONUS if cue and cue.search(question) else 0.0)
            scored.append(ThemeScore(tid, round(similarity, 3), keep[best]))
        scored.sort(key=lambda t: t.similarity, reverse=True)
        top = scored[0]
        runner_up = scored[1].similarity if len(scored) > 1 else 0.0
        if top.similarity < THEME_MIN or top.similarity - runner_up < MARGIN:
            return ()
        return (top,)
