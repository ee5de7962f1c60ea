"""Hesitations one decode heard, put back into a transcript that dropped them."""

from voice_interviewer.audio.fillers import add_hesitations, is_hesitation, with_hesitations
from voice_interviewer.types import Transcript, Word


def words(*spec: tuple[str, float]) -> tuple[Word, ...]:
    return tuple(Word(text, at, at + 0.3, 0.9) for text, at in spec)


FINAL = words(("We", 0.0), ("shipped", 0.4), ("it", 0.8), ("on", 3.0), ("Friday.", 3.4))


def test_a_dropped_um_goes_back_at_its_time():
    streamed = words(("We", 0.1), ("shipped", 0.5), ("it,", 0.9), ("um,", 1.8), ("on", 3.1), ("Friday.", 3.5))
    merged = add_hesitations(FINAL, streamed)
    assert [w.text for w in merged] == ["We", "shipped", "it", "um,", "on", "Friday."]
    assert merged[3].start_s == 1.8


def test_only_hesitations_are_taken_from_the_other_decode():
    streamed = words(("We", 0.1), ("basically", 0.5), ("shipped", 0.9), ("it", 1.2))
    assert add_hesitations(FINAL, streamed) == list(FINAL)


def test_an_um_both_decodes_heard_is_not_doubled():
    final = words(("Um,", 0.0), ("we", 0.5), ("shipped", 0.9))
    streamed = words(("um", 0.4), ("we", 0.9), ("shipped", 1.3), ("uh", 6.0))
    merged = add_hesitations(final, streamed)
    assert [w.text for w in merged] == ["Um,", "we", "shipped", "uh"]


def test_hesitation_words_and_not_words_that_contain_them():
    assert is_hesitation("Um,") and is_hesitation("uh.") and is_hesitation("hmm")
    assert not is_hesitation("umbrella") and not is_hesitation("like") and not is_hesitation("er-ror")


def test_the_transcript_text_follows_the_words():
    final = Transcript("We shipped it on Friday.", FINAL, duration_s=4.0, language="en")
    merged = with_hesitations(final, Transcript("", words(("uh,", 1.8))))
    assert merged.text == "We shipped it uh, on Friday."
    assert merged.duration_s == 4.0 and merged.language == "en"
    assert with_hesitations(final, None) is final
    assert with_hesitations(final, Transcript("We shipped it", FINAL[:3])) is final
