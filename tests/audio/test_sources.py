import io

from voice_interviewer.audio.sources import StdinLines, TextAnswerSource


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
