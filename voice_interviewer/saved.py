"""Records of a saved session that only the end of a round and the readers need: the
end-of-round feedback and a whole session as read back
(``store.codec`` writes and reads them). The per-turn records are in ``types``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .types import Analysis, Turn


@dataclass(frozen=True)
class Point:
    """One piece of feedback; ``evidence`` is a sentence from the candidate's answers (or "")."""

    text: str
    evidence: str = ""
    # What the point is about: a gap ("result", "ownership", "specificity", "metrics",
    # "reflection") or "length", "tangent", "fillers", "competency"; "" when saved before kinds.
    kind: str = ""


@dataclass(frozen=True)
class Feedback:
    """The end-of-round feedback: strengths, improvements, competencies not shown; spoken and saved in the session."""

    strengths: tuple[Point, ...]
    improvements: tuple[Point, ...]
    not_shown: tuple[str, ...]  # competency names

    def spoken(self) -> str:
        """The feedback as the interviewer says it."""
        parts = ["Before we finish, some quick feedback."]
        if self.strengths:
            parts.append("What worked: " + " ".join(p.text for p in self.strengths))
        if self.improvements:
            parts.append("To work on: " + " ".join(p.text for p in self.improvements))
        if self.not_shown:
            parts.append("Not shown yet: " + ", ".join(self.not_shown) + ".")
        return " ".join(parts)


@dataclass(frozen=True)
class SavedSession:
    """A session as read back from ``session.json`` (``store.codec.session_from_json``).

    folder: the session folder it was read from (None when decoded from data alone).
    """

    session_id: str
    candidate: str
    round: str
    started_at: str
    ended_at: str | None
    complete: bool
    turns: tuple[Turn, ...]
    feedback: Feedback | None = None
    config: dict[str, object] = field(default_factory=dict)
    models: dict[str, object] = field(default_factory=dict)
    prompts_sha256: str = ""
    folder: Path | None = None

    def main_analyses(self) -> list[Analysis]:
        """The analyses of the main answers (not follow-ups), in order."""
        return [t.analysis for t in self.turns if t.analysis is not None and not t.is_follow_up]
