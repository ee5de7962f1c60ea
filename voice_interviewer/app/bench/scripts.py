"""``bench turns``, the scripts: which labelled answer is spoken with which kind of pause, and where.

Test answers come from ``eval/dev_set.toml``: per-sentence STAR labels say where a pause belongs
(see ``turnbench`` for the kinds of pause).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from ...errors import InputError
from ..evaluation import GoldAnswer

KINDS = ("mid3", "mid4", "um", "hold", "lesson", "none")
PICK_ORDER = ("lesson", "um", "mid3", "mid4", "hold", "none")  # the most constrained kinds choose an answer first
PAUSE_S = {"mid3": 3.0, "mid4": 4.0, "um": 3.5, "hold": 6.0, "lesson": 1.8}
HOLD_PHRASE = "Hmm, give me a second to think."
MIN_WORDS, MAX_WORDS = 200, 270  # dev-set answers that come out at 60-120 s in every voice
_CONNECTORS = frozenset(["and", "so", "then", "but", "because", "which", "while"])


# ---------------------------------------------------------------- scripts (pure)


@dataclass(frozen=True)
class Piece:
    """One synthesised stretch of speech: a sentence, half of one, or the hold phrase.

    ``pause_after_s``: the kind's long pause after this piece (None: a natural gap).
    """

    text: str
    label: str  # STAR label of the sentence it comes from ("other" for the hold phrase)
    sentence: int  # index of that sentence in the dev-set answer (-1: the hold phrase)
    pause_after_s: float | None = None


@dataclass(frozen=True)
class Script:
    """A ``bench turns`` test answer: a dev-set answer as pieces to speak, with the kind's long pause (if any)."""

    kind: str
    answer_id: str
    question: str
    pieces: tuple[Piece, ...]

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)


def _is_reflection(sentence: str, phrases: Sequence[str]) -> bool:
    low = sentence.lower()
    return any(p in low for p in phrases)


def _first_result(labels: Sequence[str]) -> int | None:
    return labels.index("result") if "result" in labels else None


def _mid_action(labels: Sequence[str]) -> int | None:
    """A middle action sentence of the story, before its first result (None if the answer has none)."""
    first = _first_result(labels)
    if first is None:
        return None
    actions = [i for i in range(first) if labels[i] == "action"]
    return actions[len(actions) // 2] if len(actions) >= 3 else None


def um_split(sentence: str) -> tuple[str, str] | None:
    """Split a sentence in its middle third after a comma or a connector, adding "um," to the first half."""
    words = sentence.split()
    if len(words) < 12:
        return None
    lo, hi = len(words) * 3 // 10, len(words) * 7 // 10
    middle = sorted(range(max(lo, 2), min(hi, len(words) - 3) + 1), key=lambda j: abs(j - len(words) / 2))
    cut = next((j for j in middle if words[j].endswith(",")), None)
    if cut is None:
        cut = next((j for j in middle if words[j].lower() in _CONNECTORS), None)
    if cut is None:
        return None
    return " ".join(words[: cut + 1]) + " um,", " ".join(words[cut + 1 :])


def _plain(answer: GoldAnswer) -> list[Piece]:
    return [Piece(s, lab, i) for i, (s, lab) in enumerate(zip(answer.sentences, answer.labels, strict=True))]


def _with_pause(pieces: list[Piece], index: int, seconds: float) -> list[Piece]:
    return [dataclasses.replace(p, pause_after_s=seconds) if i == index else p for i, p in enumerate(pieces)]


def script_for(kind: str, answer: GoldAnswer, reflection_phrases: Sequence[str]) -> Script | None:
    """The kind's script made from this answer, or None when the answer does not suit the kind."""
    labels = answer.labels
    pieces = _plain(answer)
    first = _first_result(labels)
    if kind in ("mid3", "mid4"):
        at = _mid_action(labels)
        if at is None:
            return None
        pieces = _with_pause(pieces, at, PAUSE_S[kind])
    elif kind == "um":
        first_at = first if first is not None else 0
        actions = [i for i in range(first_at) if labels[i] == "action"]
        # Middle action sentences first; the first one that splits well.
        for i in sorted(actions, key=lambda i: abs(i - actions[len(actions) // 2])) if len(actions) >= 3 else []:
            split = um_split(answer.sentences[i])
            if split is not None:
                head = Piece(split[0], labels[i], i, PAUSE_S["um"])
                pieces = [*pieces[:i], head, Piece(split[1], labels[i], i), *pieces[i + 1 :]]
                break
        else:
            return None
    elif kind == "lesson":
        if first is None or first + 1 >= len(labels) or labels[first + 1] != "result":
            return None
        if not (_is_reflection(answer.sentences[first + 1], reflection_phrases) or answer.has_reflection):
            return None
        pieces = _with_pause(pieces, first, PAUSE_S["lesson"])
    elif kind == "hold":
        if first is None:
            return None
        pieces = [Piece(HOLD_PHRASE, "other", -1, PAUSE_S["hold"]), *pieces]
    elif kind == "none":
        if labels[-1] != "result":  # a finished story: the interviewer should answer promptly
            return None
    else:
        raise InputError(f"unknown kind of pause {kind!r}", f"use some of: {', '.join(KINDS)}")
    return Script(kind, answer.id, answer.question, tuple(pieces))


def _lesson_rank(answer: GoldAnswer, phrases: Sequence[str]) -> int:
    """0 when the sentence right after the first result is a worded reflection ("what I learned..."), else 1."""
    first = _first_result(answer.labels)
    if first is not None and first + 1 < len(answer.sentences):
        return 0 if _is_reflection(answer.sentences[first + 1], phrases) else 1
    return 1


def shorten(script: Script) -> Script:
    """A quick version: one sentence before the long pause and two after it (the first three without one)."""
    at = next((i for i, p in enumerate(script.pieces) if p.pause_after_s is not None), None)
    lo, hi = (0, 3) if at is None else (max(0, at - 1), at + 3)
    return dataclasses.replace(script, pieces=script.pieces[lo:hi])


def choose_scripts(
    gold: Sequence[GoldAnswer], kinds: Sequence[str], reflection_phrases: Sequence[str], short: bool = False
) -> list[Script]:
    """One script per kind, each from a different dev-set answer of 200-270 words, deterministically.

    The choice is made for every kind, the most constrained first (lesson, um, mid3, mid4, hold,
    none), so a kind gets the same answer whichever kinds are asked for.
    """
    eligible = [a for a in gold if MIN_WORDS <= sum(len(s.split()) for s in a.sentences) <= MAX_WORDS]
    used: set[str] = set()
    chosen: dict[str, Script] = {}
    for kind in PICK_ORDER:
        pool = eligible
        if kind == "lesson":
            pool = sorted(eligible, key=lambda a: (_lesson_rank(a, reflection_phrases), a.id))
        for answer in pool:
            if answer.id in used:
                continue
            script = script_for(kind, answer, reflection_phrases)
            if script is not None:
                chosen[kind] = script
                used.add(answer.id)
                break
        else:
            if kind in kinds:
                raise InputError(f"no dev-set answer suits the '{kind}' pause", "check eval/dev_set.toml")
    return [shorten(chosen[k]) if short else chosen[k] for k in kinds]
