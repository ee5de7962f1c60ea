"""Small text helpers shared by the analysis modules: tokens and phrase matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def clean_text(text: str) -> str:
    """Drop control and format characters (keeping newlines as spaces) and fold whitespace."""
    kept = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\r\t":
            kept.append(" ")
        elif cat.startswith("C"):
            continue
        else:
            kept.append(ch)
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def tokens(text: str) -> list[str]:
    """Lowercase word tokens; apostrophes kept inside words ("i'm", "we've")."""
    return _TOKEN.findall(text.lower().translate(_APOSTROPHES))


class PhraseSet(tuple[tuple[str, ...], ...]):
    """Tokenised phrases, indexed by first token so matching costs O(tokens), not O(phrases)."""

    by_first: dict[str, tuple[tuple[str, ...], ...]]

    def __new__(cls, phrases: Iterable[tuple[str, ...]]) -> PhraseSet:
        self = super().__new__(cls, tuple(phrases))
        index: dict[str, list[tuple[str, ...]]] = {}
        for phrase in self:
            index.setdefault(phrase[0], []).append(phrase)
        self.by_first = {k: tuple(v) for k, v in index.items()}
        return self


def phrase_tokens(phrases: Iterable[str]) -> PhraseSet:
    return PhraseSet(tuple(tokens(p)) for p in phrases if tokens(p))


def find_phrases(toks: Sequence[str], phrases: PhraseSet, within: int | None = None) -> list[str]:
    """Distinct phrases that occur in ``toks`` (optionally starting within the first ``within`` tokens)."""
    limit = len(toks) if within is None else min(within, len(toks))
    found: dict[str, None] = {}
    for i in range(limit):
        for phrase in phrases.by_first.get(toks[i], ()):
            if tuple(toks[i : i + len(phrase)]) == phrase:
                found[" ".join(phrase)] = None
    return list(found)


def count_phrase(toks: Sequence[str], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    return sum(1 for i in range(len(toks) - n + 1) if tuple(toks[i : i + n]) == phrase)


def word_count(text: str) -> int:
    return len(tokens(text))
