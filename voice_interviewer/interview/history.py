"""A candidate's earlier sessions: which competencies look weakest, which stories were told.

Pure logic over saved sessions (``store.codec`` records). The AA round uses it to
ask about the weakest competencies so far and to recall a story told before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..saved import SavedSession
from .policy import key_phrase


@dataclass(frozen=True)
class CandidateHistory:
    """What a candidate's earlier sessions show: competency strength and coverage in main answers, stories told."""

    sessions: int
    answers: int
    strength: dict[str, float]  # mean competency probability over earlier main answers
    covered: dict[str, int]  # how many earlier main answers covered each competency
    stories: tuple[str, ...]  # short phrases from earlier answers, most recent first

    def weakest(self, ids: Sequence[str]) -> tuple[str, ...]:
        """``ids`` ordered weakest first (least often covered, then lowest mean probability)."""
        return tuple(sorted(ids, key=lambda c: (self.covered.get(c, 0), self.strength.get(c, 0.0))))


def read_history(sessions: Iterable[SavedSession]) -> CandidateHistory:
    """Summarise earlier sessions (oldest to newest order does not matter; started_at sorts them)."""
    ordered = sorted(sessions, key=lambda s: s.started_at, reverse=True)
    totals: dict[str, float] = {}
    covered: dict[str, int] = {}
    stories: list[str] = []
    answers = 0
    for session in ordered:
        for analysis in session.main_analyses():
            answers += 1
            for comp in analysis.competencies:
                totals[comp.id] = totals.get(comp.id, 0.0) + float(comp.strength)
                covered[comp.id] = covered.get(comp.id, 0) + comp.covered
            context = [s.text for s in analysis.sentences if s.star in ("situation", "task")]
            phrase = key_phrase(context) if context else None
            if phrase and phrase not in stories:
                stories.append(phrase)
    strength = {c: v / answers for c, v in totals.items()} if answers else {}
    return CandidateHistory(len(ordered), answers, strength, covered, tuple(stories))
