"""What a story is about: the best story sentence against each theme's triggers, the question's words."""

from __future__ import annotations

import numpy as np

from voice_interviewer.analysis.themes import MARGIN, QUESTION_BONUS, THEME_MIN, ThemeModel


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


MODEL = ThemeModel(
    ["failure", "decision"],
    [np.stack([unit(1, 0, 0), unit(1, 0.1, 0)]), np.stack([unit(0, 1, 0), unit(0.1, 1, 0)])],
    [["mistake", "fail"], ["decision"]],
)


def test_the_story_sentence_closest_to_a_theme_names_it() -> None:
    vecs = np.stack([unit(0, 0, 1), unit(1, 0.05, 0.3), unit(0.2, 0.2, 1)])
    (theme,) = MODEL.score(vecs, [True, True, True])
    assert theme.id == "failure" and theme.evidence_index == 1 and theme.similarity >= THEME_MIN


def test_asides_do_not_count_and_a_tie_is_no_theme() -> None:
    vecs = np.stack([unit(1, 0, 0), unit(0, 0, 1)])
    assert MODEL.score(vecs, [False, True]) == ()  # the failure sentence was an aside
    both = np.stack([unit(1, 1, 0.2)])
    assert MODEL.score(both, [True]) == ()  # as close to both: within MARGIN, no theme
    assert MARGIN > 0


def test_the_question_naming_the_theme_tips_a_close_call() -> None:
    vecs = np.stack([unit(1, 0, 1.96)])  # ~0.45 to the failure triggers: not clear enough alone
    assert MODEL.score(vecs, [True]) == ()
    (asked,) = MODEL.score(vecs, [True], "Tell me about a mistake you made.")
    assert asked.id == "failure" and abs(asked.similarity - (0.45 + QUESTION_BONUS)) < 0.01
