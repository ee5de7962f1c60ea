"""Signals and delivery metrics: pure functions, exact values."""

from __future__ import annotations

import pytest

from voice_interviewer.analysis.delivery import delivery_metrics
from voice_interviewer.analysis.signals import SignalScorer, length_verdict, quantities
from voice_interviewer.config import default_prompts_dir
from voice_interviewer.content.content import load_cues
from voice_interviewer.types import Word

CUES = load_cues(default_prompts_dir() / "cues.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Latency dropped by 40% in two weeks.", ["40%", "two weeks"]),
        ("We saved $20,000 a month.", ["$20,000"]),
        ("It cut review time from 3 days to 4 hours.", ["3 days", "4 hours"]),
        ("Errors fell by forty percent.", ["forty percent"]),
        ("Sign-ups doubled.", ["doubled"]),
        ("Back in 2019 it went well.", []),
        ("It went well.", []),
    ],
)
def test_quantities(text: str, expected: list[str]) -> None:
    assert quantities(text) == expected


def test_ownership_counts_only_action_sentences() -> None:
    scorer = SignalScorer(CUES)
    sentences = [
        "We had a slow build.",
        "I rewrote the cache and I added tests.",
        "We then shipped it.",
        "Build time fell by 50%.",
    ]
    sig = scorer.score(sentences, ["situation", "action", "action", "result"], [False] * 4)
    assert (sig.i_count, sig.we_count) == (2, 1)
    assert sig.i_ratio == pytest.approx(0.667, abs=1e-3)
    assert sig.quantified_results == ("50%",)
    assert sig.specific is True and sig.has_reflection is False


def test_generic_talk_is_not_specific() -> None:
    scorer = SignalScorer(CUES)
    sentences = [
        "I usually start by listening to everyone.",
        "In general I try to find common ground.",
        "I always follow up in writing.",
    ]
    sig = scorer.score(sentences, ["action"] * 3, [False] * 3)
    assert sig.specific is False
    assert "i usually" in sig.generic_phrases


def test_length_verdicts() -> None:
    assert [length_verdict(n) for n in (10, 150, 300, 450, 900)] == ["too_short", "short", "ok", "long", "too_long"]


def _words(spec: list[tuple[str, float, float]]) -> list[Word]:
    return [Word(t, s, e) for t, s, e in spec]


def test_delivery_pace_pauses_and_fillers() -> None:
    words = _words(
        [
            ("So,", 0.0, 0.3),
            ("um,", 0.4, 0.6),
            ("I", 0.7, 0.8),
            ("like", 0.9, 1.1),
            ("the", 1.2, 1.3),
            ("plan.", 1.4, 1.8),
            # a 3.2 s thinking pause
            ("I'd", 5.0, 5.2),
            ("like", 5.3, 5.5),
            ("to", 5.6, 5.7),
            ("add,", 5.8, 6.0),
            ("you", 6.1, 6.2),
            ("know,", 6.3, 6.5),
            ("kind", 6.6, 6.8),
            ("of", 6.9, 7.0),
            ("a", 7.1, 7.2),
            ("lot.", 7.3, 8.0),
        ]
    )
    d = delivery_metrics(words, duration_s=9.0, cues=CUES)
    assert d.long_pauses and d.long_pauses[0].start_s == 1.8 and d.long_pauses[0].duration_s == 3.2
    assert d.longest_pause_s == 3.2
    assert d.speaking_s == pytest.approx(8.0 - 3.2)
    assert d.wpm == pytest.approx(16 / (4.8 / 60), rel=1e-3)
    # "um", "you know", "kind of"; not "I like the plan" nor "I'd like to"
    assert d.fillers == {"um": 1, "you know": 1, "kind of": 1}
    assert d.filler_count == 3 and d.duration_s == 9.0


def test_delivery_with_no_words() -> None:
    d = delivery_metrics([], 3.0, CUES)
    assert d.wpm == 0 and d.filler_count == 0 and d.speaking_s == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("My next spec was four pages.", ["four pages"]),
        ("I did six production deploys on my own.", ["six production deploys"]),
        ("It cut onboarding from about a month to under a week.", ["from about a month to under a week"]),
        ("I asked two of the engineers to help.", []),  # a count of people helping, not a result
        ("We had two options.", []),
    ],
)
def test_counts_and_spans_in_words_are_numbers(text: str, expected: list[str]) -> None:
    assert quantities(text) == expected
