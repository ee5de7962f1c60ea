"""The evaluation harness's pure parts: the position-only baseline and figures per style."""

from __future__ import annotations

from pathlib import Path

from voice_interviewer.app.evaluation import load_gold, macro_f1, position_labels

TRAINING = [
    (("situation", "task", "action", "action", "result"),),
    (("situation", "action", "action", "action", "result"),),
    (("situation", "situation", "task", "action", "action", "action", "result", "result"),),
]


def test_the_position_baseline_labels_by_place_alone_from_the_training_answers() -> None:
    assert position_labels(TRAINING, 5) == ["situation", "task", "action", "action", "result"]
    assert position_labels(TRAINING, 1) == ["action"]  # the middle of the answer
    assert position_labels([], 3) == ["action"] * 3  # nothing to learn from: the commonest part of a story


def test_macro_f1_of_the_baseline_on_its_own_training_shape_is_perfect_and_drops_when_shuffled() -> None:
    gold = ["situation", "task", "action", "action", "result"]
    assert macro_f1(gold, gold, ("situation", "task", "action", "result"))[0] == 1.0
    assert macro_f1(gold, list(reversed(gold)), ("situation", "task", "action", "result"))[0] < 0.5


def test_a_style_is_read_from_the_evaluation_file(tmp_path: Path) -> None:
    path = tmp_path / "set.toml"
    path.write_text(
        'version = "1"\n[[answer]]\nid = "x-1"\nstyle = "speech_runon"\nquestion = "Tell me."\n'
        'competencies = ["judgment"]\nspecific = true\nhas_reflection = false\nquantified = false\n'
        'ownership = "i"\nsentences = [{ text = "I did it.", star = "action" }]\n'
    )
    [a] = load_gold(path)
    assert a.style == "speech_runon" and a.labels == ("action",)
