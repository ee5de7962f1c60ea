import io
from pathlib import Path

import numpy as np

from voice_interviewer.sources import StdinLines, TextAnswerSource, WavFileAnswerSource


def _source(text: str) -> tuple[TextAnswerSource, list[str]]:
    prompts: list[str] = []
    return TextAnswerSource(StdinLines(io.StringIO(text)), prompts.append), prompts


def test_typed_answer_spans_lines_until_an_empty_line() -> None:
    src, prompts = _source("First line.\nSecond line.\n\nNext answer.\n")
    a = src.capture(0)
    assert a is not None and a.text == "First line. Second line." and a.end_reason == "key"
    b = src.capture(1)
    assert b is not None and b.text == "Next answer."
    assert src.capture(2) is None  # end of input ends the interview
    assert len(prompts) == 3


def test_quit_and_empty_answers() -> None:
    src, _ = _source("\n/quit\n")
    a = src.capture(0)
    assert a is not None and a.text == "" and a.end_reason == "no_speech"
    assert src.capture(1) is None


def test_wav_files_are_answers_in_order(tmp_path: Path) -> None:
    files = [tmp_path / "a.wav", tmp_path / "b.wav"]
    src = WavFileAnswerSource(files, lambda p: np.full(1600, 0.1 if p.name == "a.wav" else 0.2, np.float32))
    first, second = src.capture(0), src.capture(1)
    assert first is not None and first.utterance is not None and first.utterance.samples[0] == np.float32(0.1)
    assert second is not None and second.utterance is not None and second.utterance.audio_file == str(files[1])
    assert src.capture(2) is None
