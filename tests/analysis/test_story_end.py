"""The story-end model: P(the answer ends here) at a pause."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import numpy as np
import pytest

from voice_interviewer.adapters.learn import fit_softmax
from voice_interviewer.analysis.star import CueScorer
from voice_interviewer.analysis.story_end import train_story_end, training_prefixes
from voice_interviewer.content.content import Cues

ROOT = Path(__file__).resolve().parents[2]


def test_training_prefixes_are_thinking_pauses_before_the_result_and_the_whole_answer() -> None:
    labels = ["other", "situation", "task", "action", "other", "action", "result", "result"]
    # Cuts after the task, the first action and the second action (not after the aside, not
    # after the first sentence), then the whole answer as finished.
    assert training_prefixes(labels) == [(2, 0), (3, 0), (4, 0), (6, 0), (8, 1)]
    assert training_prefixes(["situation", "action", "action"]) == [(2, 0), (3, 0)]  # no result: never finished
    assert training_prefixes(["situation", "result", "other"])[-1] == (3, 1)  # a closing aside is fine


def test_the_model_learns_what_a_finished_answer_ends_with(cues: CueScorer) -> None:
    rng = np.random.default_rng(0)
    story, ending = rng.normal(size=16), rng.normal(size=16)
    answers = []
    for _ in range(30):
        n = int(rng.integers(4, 9))
        vecs = np.array([story + rng.normal(scale=0.3, size=16) for _ in range(n - 1)] + [ending])
        answers.append(([f"s{i}" for i in range(n)], ["situation"] + ["action"] * (n - 2) + ["result"], vecs))
    model = train_story_end(answers, cues, fit_softmax)
    assert model is not None
    sentences, _, vecs = answers[0]
    assert model.probability(sentences, vecs, cues) > 0.8
    assert model.probability(sentences[:3], vecs[:3], cues) < 0.2
    # Nothing to learn from: answers that never finish.
    assert train_story_end([(s, ["situation"] * len(s), v) for s, _, v in answers], cues, fit_softmax) is None


@pytest.fixture
def cues() -> CueScorer:
    from voice_interviewer.content.content import load_cues

    loaded: Cues = load_cues(ROOT / "prompts" / "cues.toml")
    return CueScorer(loaded)


@pytest.mark.models
def test_bundled_model_tells_finished_answers_from_thinking_pauses_on_unseen_answers(home: Path) -> None:
    """eval/dev_set.toml never enters training (the model is fitted on prompts/training)."""
    from voice_interviewer.app.loading import shared_analyzer
    from voice_interviewer.audio.endpointing import LIKELY_P
    from voice_interviewer.config import load_config

    analyzer = shared_analyzer(load_config(None, {}))
    whole, cut = [], []
    for answer in tomllib.loads((ROOT / "eval" / "dev_set.toml").read_text())["answer"]:
        texts = [s["text"] for s in answer["sentences"]]
        for k, finished in training_prefixes([s["star"] for s in answer["sentences"]]):
            p = analyzer.finished(analyzer.split(" ".join(texts[:k])))
            assert p is not None
            (whole if finished else cut).append(p >= LIKELY_P)
    # Measured: 95% of whole answers, 6% of cuts (scripts/story_check_eval.py).
    assert np.mean(whole) >= 0.9
    assert np.mean(cut) <= 0.1


@pytest.mark.models
def test_the_listeners_story_check_reads_a_streamed_thinking_pause_as_unfinished(home: Path) -> None:
    """A sentence a pause broke in two ("... automatically. And I wrote the script") reads as a
    fragment that could end a story; the story check joins it back (kept from a bench turns run)."""
    from voice_interviewer.app.listen import story_check
    from voice_interviewer.app.loading import BackgroundLoad, shared_analyzer
    from voice_interviewer.config import load_config
    from voice_interviewer.content.content import load_turn_cues
    from voice_interviewer.types import ListenContext

    cfg = load_config(None, {})
    analyzer = BackgroundLoad(lambda: shared_analyzer(cfg), "analyzer")
    analyzer.get()
    cues = load_turn_cues(cfg.prompts_dir / "turn_taking.toml")
    streamed = (
        "So at a food delivery startup I was working on the ordering back end. And one Friday afternoon I "
        "deployed a change to how we cached restaurant menus. About 20 minutes later, restaurants in two cities "
        "started showing yesterday's prices. And some orders went through at the wrong amount. It was my change, "
        "so I felt it was on me to stop the damage. I rolled the change back myself, and posted in the incident "
        "channel that my deploy was the cause. Before anyone started guessing. I worked with the finance team "
        "that evening to pull every affected order, which came to about 1,100 orders. We agreed to refund the "
        "price difference to customers automatically. And I wrote a script that did it."
    )
    joined = story_check(analyzer, cues)(ListenContext("Tell me about a mistake."), streamed)
    apart = story_check(analyzer, dataclasses.replace(cues, continuations=frozenset()))(
        ListenContext("Tell me about a mistake."), streamed
    )
    assert joined is not None and apart is not None
    assert not joined.done and not joined.likely  # a thinking pause: the listener waits silence_story_s
    assert joined.p_finished is not None and apart.p_finished is not None
    assert joined.p_finished < apart.p_finished
