"""Small text helpers shared by the analysis modules: tokens and phrase matching."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np

from ..content.content import CONTINUATIONS, continues, join_pieces

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


def phrase_sets(groups: Iterable[Iterable[str]]) -> tuple[PhraseSet, ...]:
    """``phrase_tokens`` of each group of phrases (a classifier's cue lists, one per class)."""
    return tuple(phrase_tokens(g) for g in groups)


def cue_columns(texts: Sequence[str], vecs: np.ndarray, cues: Sequence[PhraseSet], weight: float = 1.0) -> np.ndarray:
    """Classifier features: each text's vector, then one column per cue set, ``weight`` when
    one of its phrases is said in the text (the question kinds, the plan rubric)."""
    said = [tokens(t) for t in texts]
    hits = np.array([[weight if find_phrases(t, c) else 0.0 for c in cues] for t in said], dtype=vecs.dtype)
    return np.hstack([vecs, hits.reshape(len(texts), len(cues))])


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


def rejoin_fragments(sentences: Sequence[str], continuations: frozenset[str] = CONTINUATIONS) -> list[str]:
    """Sentences with the pieces a pause broke off joined back to the sentence they continue.

    Streaming transcription decodes each stretch of speech between pauses on its own, and
    Whisper punctuates every stretch as a whole utterance, so one spoken sentence with a
    comma pause comes out as two: "We agreed to refund the difference. And I wrote the
    script that did it." A sentence that starts in lowercase or with a continuation word
    ("and", "which", "before") is joined to the one before it (unless that one asked or
    exclaimed). The story-end model was fitted on whole sentences; on the labelled answers
    split at their commas like this, the rejoined text halves the thinking pauses it reads
    as a finished answer (scripts/story_check_eval.py, the "streamed" rows).
    """
    out: list[str] = []
    for sentence in sentences:
        if out and continues(sentence, continuations) and not out[-1].rstrip().endswith(("?", "!")):
            out[-1] = join_pieces(out[-1], sentence)
        else:
            out.append(sentence)
    return out
