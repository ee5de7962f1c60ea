"""Hesitation sounds ("um", "uh") put back into a transcript that dropped them.

Whisper keeps "um" and "uh" only when its prompt is disfluent, and that prompt costs words:
on the 12 spoken bench answers (``bench turns``), the whole-answer pass with the disfluent
prompt and without conditioning on the text before scored WER 0.047 against 0.045 for
faster-whisper's own defaults, and it kept 4 of the scripts' 4 "um"s where the defaults kept
1 (2026-12-03). So the saved transcript is decoded the way faster-whisper decodes, and the
hesitations come from a decode that was prompted to keep them (the streaming pass during
practice; a quick greedy pass for ``transcribe``) and are put back at their times.
Delivery counts them; WER ignores them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from ..types import Transcript, Word

__all__ = ["HESITATIONS", "SAME_HESITATION_S", "add_hesitations", "is_hesitation", "with_hesitations"]

HESITATIONS = frozenset({"um", "umm", "uh", "uhh", "er", "erm", "hmm", "hm", "mm"})
# A hesitation of the other decode this close (centre to centre) to one already in the
# transcript is the same sound: word times differ by a few tenths between two decodes.
SAME_HESITATION_S = 1.0


def is_hesitation(text: str) -> bool:
    return text.strip(" ,.;:!?-\"'").lower() in HESITATIONS


def _centre(w: Word) -> float:
    return (w.start_s + w.end_s) / 2


def add_hesitations(words: Sequence[Word], other: Sequence[Word]) -> list[Word]:
    """``words`` plus the hesitations of ``other`` they lack, each placed by its time."""
    have = [_centre(w) for w in words if is_hesitation(w.text)]
    added = [w for w in other if is_hesitation(w.text) and all(abs(_centre(w) - c) > SAME_HESITATION_S for c in have)]
    if not added:
        return list(words)
    # Stable by centre: a hesitation goes before the first word whose middle comes after its own.
    return sorted([*words, *added], key=_centre)


def with_hesitations(transcript: Transcript, other: Transcript | None) -> Transcript:
    """The transcript with the hesitations ``other`` heard in the same audio (None: unchanged)."""
    if other is None or not transcript.words:
        return transcript
    words = add_hesitations(transcript.words, other.words)
    if len(words) == len(transcript.words):
        return transcript
    return dataclasses.replace(transcript, text=" ".join(w.text for w in words), words=tuple(words))
