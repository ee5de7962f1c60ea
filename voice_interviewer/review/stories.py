"""Stories (threads): a main question, its answer and the follow-ups that went on with it,
scored as one story; and the attempts of one question across retried sessions.

A follow-up answer of two sentences is not a story of its own: "35/100, missing situation,
task, action" told a coach nothing. Its sentences join the main answer's, and the story gets
one STAR score and one rubric level (``analysis.star_score.rubric``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..analysis.star_score import LEVELS, level_reasons, rubric, summarise
from ..analysis.text import tokens
from ..saved import Point, SavedSession
from ..store.annotations import TurnOverrides
from ..types import Analysis, Signals, StarLabel, StarResult, Turn


@dataclass(frozen=True)
class Story:
    """One thread of a session and its score as a whole story (None when nothing was analysed)."""

    main: Turn
    turns: tuple[Turn, ...]  # the main turn, then its follow-ups
    star: StarResult | None
    signals: Signals | None
    reasons: tuple[str, ...]  # why the story sits at its level

    @property
    def question_id(self) -> str:
        return self.main.question_id

    @property
    def level(self) -> str:
        return self.star.level if self.star else ""


def threads(turns: Sequence[Turn]) -> list[tuple[Turn, ...]]:
    """The turns grouped by main question: each main turn with the follow-ups after it.

    A main question asked again because nothing was heard is the same thread."""
    groups: list[list[Turn]] = []
    for turn in turns:
        if (turn.is_follow_up and groups) or (
            groups and groups[-1][0].question_id == turn.question_id and groups[-1][-1].analysis is None
        ):
            groups[-1].append(turn)
        else:
            groups.append([turn])
    return [tuple(g) for g in groups]


def combined_signals(analyses: Sequence[Analysis]) -> Signals:
    """The coaching signals of several answers told as one story."""
    sig = [a.signals for a in analyses]
    i_count, we_count = sum(s.i_count for s in sig), sum(s.we_count for s in sig)
    words = sum(s.word_count for s in sig)
    return Signals(
        i_ratio=round(i_count / (i_count + we_count), 3) if i_count + we_count else None,
        i_count=i_count,
        we_count=we_count,
        quantified_results=tuple(q for s in sig for q in s.quantified_results),
        has_reflection=any(s.has_reflection for s in sig),
        specific=any(s.specific for s in sig),
        generic_phrases=tuple(dict.fromkeys(p for s in sig for p in s.generic_phrases)),
        word_count=words,
        length_verdict=sig[0].length_verdict if len(sig) == 1 else "",
    )


def story_star(analyses: Sequence[Analysis], labels: Mapping[int, Mapping[int, str]] | None = None) -> StarResult:
    """The STAR summary of the answers of one thread, read as one story, with its rubric level.

    ``labels``: the coach's relabelled sentences (turn index -> sentence index -> part),
    keyed by position in ``analyses``."""
    parts: list[StarLabel] = []
    counts: list[int] = []
    confidence: list[float] = []
    for n, a in enumerate(analyses):
        mine = (labels or {}).get(n, {})
        for i, s in enumerate(a.sentences):
            parts.append(mine.get(i, s.star))  # type: ignore[arg-type]
            counts.append(len(tokens(s.text)))  # the analyzer's word count (its shares)
            confidence.append(1.0 if i in mine else s.confidence)
    if len(analyses) == 1 and not labels:
        a = analyses[0]
        return a.star if a.star.level else rubric(a.star, a.signals)
    return rubric(summarise(parts, counts, None, confidence), combined_signals(analyses))


def stories(session: SavedSession, coach_labels: Mapping[int, Mapping[int, str]] | None = None) -> list[Story]:
    """The session's stories, in order. ``coach_labels``: turn index -> sentence index -> part."""
    out = []
    for group in threads(session.turns):
        scored = [t for t in group if t.analysis is not None]
        main = next((t for t in group if not t.is_follow_up and t.analysis is not None), group[0])
        if not scored:
            out.append(Story(main, group, None, None, ()))
            continue
        analyses = [t.analysis for t in scored if t.analysis is not None]
        relabelled = {
            n: coach_labels[t.index] for n, t in enumerate(scored) if coach_labels and t.index in coach_labels
        }
        star = story_star(analyses, relabelled or None)
        signals = combined_signals(analyses)
        out.append(Story(main, group, star, signals, level_reasons(star, signals)))
    return out


def overall_level(told: Sequence[Story]) -> tuple[str, tuple[tuple[str, int], ...]]:
    """The level at least half of the stories reached ("" when none was scored), and the count at each level."""
    levels = [s.level for s in told if s.level and not s.main.is_follow_up]
    counts = tuple((lev, levels.count(lev)) for lev in LEVELS if lev in levels)
    ranked = sorted(levels, key=LEVELS.index, reverse=True)
    return (ranked[(len(ranked) - 1) // 2] if ranked else ""), counts


def coach_labels(overrides: Mapping[int, TurnOverrides]) -> dict[int, dict[int, str]]:
    """The coach's relabelled sentences (turn index -> sentence index -> part), for ``stories``."""
    return {turn: {i: part for i, (part, _) in ov.labels.items()} for turn, ov in overrides.items() if ov.labels}


# ---------------------------------------------------------------- attempts of one question


@dataclass(frozen=True)
class Attempt:
    """One attempt at a question: the session, the story told, and its place in the chain."""

    number: int  # 1 for the first attempt
    session: SavedSession
    story: Story


class Attempts:
    """The attempts of every question among some sessions, linked by ``retry_of``; built once.

    An attempt and the turn it tried again are the same question, so the attempts of a
    question are the stories connected by links (followed both ways, so a chain 1 -> 2 -> 3
    is found from any of them; a cycle of links is just a connected group)."""

    def __init__(self, sessions: Iterable[SavedSession]) -> None:
        self._by_id = {s.session_id: s for s in sessions}
        self._story: dict[tuple[str, int], Story] = {}  # (session, any turn of a story) -> the story
        for s in self._by_id.values():
            for story in stories(s):
                for t in story.turns:
                    self._story[(s.session_id, t.index)] = story
        parent: dict[tuple[str, int], tuple[str, int]] = {}

        def root(key: tuple[str, int]) -> tuple[str, int]:
            while parent.get(key, key) != key:
                key = parent[key]
            return key

        mains = {(sid, story.main.index) for (sid, _), story in self._story.items()}
        for sid, index in mains:
            link = self._story[(sid, index)].main.retry_of
            earlier = self._main(link.session_id, link.turn) if link is not None else None
            if earlier is not None and root(earlier) != root((sid, index)):
                parent[root((sid, index))] = root(earlier)
        self._group: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for key in sorted(mains, key=lambda k: (self._by_id[k[0]].started_at, k[1])):
            self._group.setdefault(root(key), []).append(key)
        self._root = {key: root(key) for key in mains}

    def _main(self, session_id: str, turn: int) -> tuple[str, int] | None:
        story = self._story.get((session_id, turn))
        return (session_id, story.main.index) if story is not None else None

    def chain(self, session_id: str, turn_index: int) -> list[Attempt]:
        """Every attempt of the question asked at ``turn_index`` of ``session_id``, oldest first."""
        key = self._main(session_id, turn_index)
        if key is None:
            return []
        group = self._group[self._root[key]]
        return [Attempt(n, self._by_id[sid], self._story[(sid, i)]) for n, (sid, i) in enumerate(group, 1)]


def attempt_chain(sessions: Iterable[SavedSession], session_id: str, turn_index: int) -> list[Attempt]:
    """``Attempts(sessions).chain(...)``, for one question (several: build ``Attempts`` once)."""
    return Attempts(sessions).chain(session_id, turn_index)


# ---------------------------------------------------------------- what an attempt changed


@dataclass(frozen=True)
class AttemptFigures:
    """The figures of one attempt that ``review compare`` and the reports set side by side."""

    level: str
    star_score: int
    missing: tuple[str, ...]
    words: int
    seconds: float | None  # speaking time of the main answer (typed answers: None)
    numbers: int
    i_ratio: float | None
    reflection: bool
    fillers_per_min: float | None
    wpm: float | None


def figures(story: Story) -> AttemptFigures | None:
    """An attempt's figures (None when nothing in its story was analysed)."""
    if story.star is None or story.signals is None:
        return None
    d = story.main.analysis.delivery if story.main.analysis else None
    return AttemptFigures(
        level=story.star.level,
        star_score=story.star.score,
        missing=story.star.missing,
        words=story.signals.word_count,
        seconds=round(d.duration_s, 1) if d else None,
        numbers=len(story.signals.quantified_results),
        i_ratio=story.signals.i_ratio,
        reflection=story.signals.has_reflection,
        fillers_per_min=d.fillers_per_min if d else None,
        wpm=round(d.wpm) if d else None,
    )


# Feedback saved before points had a kind: the kind from the words each point starts with.
_KIND_BY_TEXT = (
    ("Finish each story", "result"),
    ("Say what you did yourself", "ownership"),
    ("Tell one specific time", "specificity"),
    ("Put a number on the result", "metrics"),
    ("End with what you learned", "reflection"),
    ("Keep answers near", "length"),
    ("Stay on the one story", "tangent"),
    ("Cut filler", "fillers"),
)
MAX_WORDS = 350  # the feedback's "keep answers near 250-350 words"
TANGENT_SHARE = 0.3  # the feedback's share of sentences off the story, here as a share of words
FILLERS_PER_MIN = 6.0  # the feedback's "many fillers" rate


def point_kind(point: Point) -> str:
    return point.kind or next((k for t, k in _KIND_BY_TEXT if point.text.startswith(t)), "")


def _fixed(kind: str, story: Story) -> bool | None:
    """Whether ``story`` no longer has what an improvement of ``kind`` asked to fix (None: not checkable)."""
    star, sig = story.star, story.signals
    if star is None or sig is None:
        return None
    d = story.main.analysis.delivery if story.main.analysis else None
    checks: dict[str, bool | None] = {
        "result": "result" not in star.missing and "result" not in star.weak,
        "ownership": sig.i_ratio is None or sig.i_ratio >= 0.5,
        "specificity": sig.specific,
        "metrics": bool(sig.quantified_results),
        "reflection": sig.has_reflection,
        "length": sig.word_count <= MAX_WORDS,
        "tangent": star.share_words.get("other", 0.0) < TANGENT_SHARE,
        "fillers": d.fillers_per_min < FILLERS_PER_MIN if d else None,
    }
    return checks.get(kind)


def feedback_for(story: Story, session: SavedSession) -> list[Point]:
    """The improvements of ``session``'s feedback that are about ``story``: those quoting one of its
    sentences, those with no quote, and every one when the session told only this story."""
    if session.feedback is None:
        return []
    own = {s.text for t in story.turns if t.analysis for s in t.analysis.sentences}
    single = sum(1 for g in threads(session.turns) if not g[0].is_follow_up) <= 1
    return [p for p in session.feedback.improvements if single or not p.evidence or p.evidence in own]


VERDICT = {True: "addressed", False: "not yet", None: "not measurable"}  # words for what ``addressed`` says


def addressed(before: Attempt, after: Attempt) -> list[tuple[Point, bool | None]]:
    """Each improvement the earlier attempt was given, and whether the later one addressed it.

    Attempts in one session (a question taken again in the round) share the feedback given
    after both: there is no feedback of the earlier attempt alone to check."""
    if before.session.session_id == after.session.session_id:
        return []
    return [(p, _fixed(point_kind(p), after.story)) for p in feedback_for(before.story, before.session)]


def parse_turn_ref(spec: str) -> tuple[str, int | None]:
    """``SESSION[:TURN]`` -> (SESSION, turn index from 0, or None). TURN counts from 1, as ``review show``."""
    ref, _, turn = spec.rpartition(":")
    if ref and turn.isdigit() and int(turn) >= 1:
        return ref, int(turn) - 1
    return spec, None


def story_at(session: SavedSession, turn: int) -> Story | None:
    """The story that holds turn ``turn`` (an index from 0)."""
    return next((s for s in stories(session) if any(t.index == turn for t in s.turns)), None)
