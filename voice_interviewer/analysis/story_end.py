"""Has the candidate finished the story? P(the answer ends here) for the words said so far.

Pure numpy over sentence vectors. The listener asks this at every pause: a high
probability ends the turn after half a second, a low one waits out a thinking pause.

Why a model of its own and not the STAR labels: the sentence labeller was fitted on
whole answers, where position says a lot, so it calls the last sentence of any text a
result, and an answer cut after an action sentence read as finished (24% of such cuts in
eval/dev_set.toml, even labelled "as if it went on"). This model is fitted on exactly the
question asked at a pause: every prefix of the labelled training answers, ended after a
situation, task or action sentence before the first result (a thinking pause: not
finished) or at the end of the answer (finished). It sees the last two sentences, the
answer so far as a whole, their cue flags and the sentence count, never the position
of a sentence inside an answer it has not heard yet (scripts/story_check_eval.py: on the
held-out answers a cut reads as finished 9% of the time at P >= 0.4, 3% at P >= 0.8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .star import CueScorer, Fitter

END_C = 3.0  # regularisation of the logistic fit (dev set: 1 and 3 alike, 3 a little sharper)


def end_features(sentences: Sequence[str], vecs: np.ndarray, cues: CueScorer) -> np.ndarray:
    """One feature row for the answer ``sentences`` (with their vectors), as said so far."""
    k = len(sentences)
    last = vecs[k - 1]
    prev = vecs[k - 2] if k >= 2 else np.zeros_like(last)
    flags = cues.flags(sentences[k - 1])
    prev_flags = cues.flags(sentences[k - 2]) if k >= 2 else np.zeros_like(flags)
    return np.concatenate([last, prev, vecs[:k].mean(axis=0), flags, prev_flags, [k / 20, min(k, 30) / 30]])


def training_prefixes(labels: Sequence[str]) -> list[tuple[int, int]]:
    """(sentences said, finished 1/0) for one labelled answer: thinking-pause cuts and the whole.

    A cut comes after a story sentence (not an aside) before the first result, from the
    second sentence on; the whole answer counts as finished when its story ends with a result.
    """
    labels = list(labels)
    story = [lab for lab in labels if lab != "other"]
    first = labels.index("result") if "result" in labels else len(labels)
    out = [(k, 0) for k in range(2, first + 1) if labels[k - 1] != "other"]
    if story and story[-1] == "result":
        out.append((len(labels), 1))
    return out


@dataclass(frozen=True)
class StoryEndModel:
    """Logistic weights over ``end_features`` (class 1: finished)."""

    w: np.ndarray  # (2, d)
    b: np.ndarray  # (2,)

    def probability(self, sentences: Sequence[str], vecs: np.ndarray, cues: CueScorer) -> float:
        if not sentences:
            return 0.0
        z = self.w @ end_features(sentences, vecs, cues) + self.b
        z = z - z.max()
        p = np.exp(z)
        return float(p[1] / p.sum())


def train_story_end(
    answers: Sequence[tuple[Sequence[str], Sequence[str], np.ndarray]], cues: CueScorer, fit: Fitter
) -> StoryEndModel | None:
    """Fit on (sentences, labels, sentence vectors) of labelled answers (see ``training_prefixes``).

    None when the answers give no finished example or no cut one (nothing to learn from)."""
    xs, ys = [], []
    for sentences, labels, vecs in answers:
        for k, finished in training_prefixes(labels):
            xs.append(end_features(sentences[:k], vecs[:k], cues))
            ys.append(finished)
    if len(set(ys)) < 2:
        return None
    w, b = fit(np.array(xs), np.array(ys), 2, END_C, None)
    return StoryEndModel(w, b)
