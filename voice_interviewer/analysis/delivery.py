"""Delivery metrics from word timestamps: pace, fillers, hedges, pauses.

Pure standard library. Speaking time excludes pauses longer than LONG_PAUSE_S,
so thinking silences do not make a fast speaker look slow.

Some filler words are also ordinary words, so context decides:
- "like" is a filler unless it follows a word that makes it a verb or a
  comparison ("I'd like", "looks like", "something like");
- "right" and "well" are fillers only at the start of a sentence or as "right?";
- "kind of" / "sort of" are fillers unless they follow "what/this/that/the/a/any/some/which".
"""

from __future__ import annotations

from collections import Counter

from ..content.content import Cues
from ..types import DeliveryMetrics, Pause, Word
from .text import phrase_tokens, tokens

LONG_PAUSE_S = 2.0
_LIKE_NOT_FILLER_AFTER = {
    "i",
    "you",
    "we",
    "they",
    "would",
    "i'd",
    "we'd",
    "you'd",
    "they'd",
    "looks",
    "look",
    "looked",
    "feel",
    "felt",
    "feels",
    "seems",
    "seemed",
    "sounds",
    "sounded",
    "something",
    "anything",
    "nothing",
    "just",
    "much",
    "more",
    "is",
    "was",
    "things",
    "don't",
    "didn't",
    "really",
}
_KIND_NOT_FILLER_AFTER = {"what", "this", "that", "the", "a", "any", "some", "which", "same", "every", "one", "two"}
_SENTENCE_INITIAL_ONLY = {("right",), ("well",), ("okay", "so"), ("anyway",)}


def _sentence_starts(words: list[Word]) -> set[int]:
    starts = {0}
    for i, w in enumerate(words[:-1]):
        if w.text.rstrip().endswith((".", "?", "!", ",")):
            starts.add(i + 1)
    return starts


def count_cues(words: list[Word], phrases: tuple[tuple[str, ...], ...], filler_rules: bool) -> Counter[str]:
    toks = [(tokens(w.text) or [""])[0] for w in words]
    starts = _sentence_starts(words)
    counts: Counter[str] = Counter()
    for phrase in sorted(phrases, key=len, reverse=True):
        n = len(phrase)
        i = 0
        while i <= len(toks) - n:
            if tuple(toks[i : i + n]) == phrase and _is_cue(phrase, i, toks, words, starts, filler_rules):
                counts[" ".join(phrase)] += 1
                for j in range(i, i + n):
                    toks[j] = ""  # a word counts once (longest phrase first)
                i += n
            else:
                i += 1
    return counts


def _is_cue(phrase: tuple[str, ...], i: int, toks: list[str], words: list[Word], starts: set[int], rules: bool) -> bool:
    if not rules:
        return True
    prev = toks[i - 1] if i > 0 else ""
    if phrase == ("like",):
        return prev not in _LIKE_NOT_FILLER_AFTER
    if phrase in (("kind", "of"), ("sort", "of")):
        return prev not in _KIND_NOT_FILLER_AFTER
    if phrase in _SENTENCE_INITIAL_ONLY:
        return i in starts or words[i].text.strip().endswith("?")
    return True


def delivery_metrics(words: list[Word], duration_s: float, cues: Cues) -> DeliveryMetrics:
    pauses: list[Pause] = []
    previous_end = None
    for w in words:
        if previous_end is not None and w.start_s - previous_end > LONG_PAUSE_S:
            pauses.append(Pause(round(previous_end, 2), round(w.start_s - previous_end, 2)))
        previous_end = w.end_s
    if words:
        span = words[-1].end_s - words[0].start_s
        speaking = max(0.0, span - sum(p.duration_s for p in pauses))
    else:
        speaking = 0.0
    word_total = sum(len(tokens(w.text)) > 0 for w in words)
    fillers = count_cues(words, phrase_tokens(cues.fillers), filler_rules=True)
    hedges = count_cues(words, phrase_tokens(cues.hedges), filler_rules=False)
    minutes = speaking / 60
    return DeliveryMetrics(
        wpm=round(word_total / minutes, 1) if minutes > 0 else 0.0,
        filler_count=sum(fillers.values()),
        fillers_per_min=round(sum(fillers.values()) / minutes, 2) if minutes > 0 else 0.0,
        fillers=dict(fillers.most_common()),
        hedge_count=sum(hedges.values()),
        hedges=dict(hedges.most_common()),
        long_pauses=tuple(pauses),
        longest_pause_s=max((p.duration_s for p in pauses), default=0.0),
        duration_s=round(duration_s, 2),
        speaking_s=round(speaking, 2),
    )
