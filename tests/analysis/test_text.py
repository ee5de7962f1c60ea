"""Text helpers: rejoining the sentence pieces streaming transcription breaks off at a pause."""

from __future__ import annotations

from voice_interviewer.analysis.text import rejoin_fragments


def test_a_piece_starting_with_a_continuation_word_or_lowercase_joins_the_sentence_before() -> None:
    streamed = [
        "We agreed to refund the price difference.",
        "And I wrote the script that did it.",
        "which saved a lot of rework.",
        "It worked.",
    ]
    assert rejoin_fragments(streamed) == [
        "We agreed to refund the price difference, and I wrote the script that did it, which saved a lot of rework.",
        "It worked.",
    ]


def test_questions_first_sentences_and_plain_sentences_stay_apart() -> None:
    assert rejoin_fragments(["And so it began.", "Did it work?", "But only just.", "We shipped."]) == [
        "And so it began.",
        "Did it work?",
        "But only just.",
        "We shipped.",
    ]
    assert rejoin_fragments([]) == []


def test_the_word_list_decides_what_continues() -> None:
    pieces = ["We moved the meeting.", "Before anyone could object, I sent the invite."]
    assert len(rejoin_fragments(pieces, frozenset({"before"}))) == 1
    assert rejoin_fragments(pieces, frozenset()) == pieces
