"""Load and validate the interview content under ``prompts/``.

Content is data: questions (``questions.toml``) and rounds (``rounds/*.toml``)
are validated here at load, and the checksum of the whole folder is recorded in
every session so a score can be traced to the content that produced it.
"""

from __future__ import annotations

import hashlib
import random
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import PromptError
from ..types import PLAN_ELEMENTS, QUESTION_KINDS, Question

COMPETENCY_IDS: tuple[str, ...] = (
    "collaboration",
    "drive_for_results",
    "customer_focus",
    "influencing_for_impact",
    "judgment",
    "adaptability",
    "growth_mindset",
    "diversity_and_inclusion",
    "one_microsoft",
    "integrity_and_accountability",
    "leadership",
)
DIFFICULTIES = ("easy", "medium", "hard")
# What a story can be about (prompts/themes.toml); a round's [depth] probes are keyed by these.
THEME_IDS = ("decision", "disagreement", "failure", "launch", "people", "scope")
DEPTH_KEYS = (*THEME_IDS, "general")
# A round's [plan] probes: one list per plan element, and "challenge" for a complete plan.
PLAN_KEYS = (*PLAN_ELEMENTS, "challenge")
# What a follow-up line may quote (interview.phrases): the candidate's work, a person or team,
# the problem, their own decision clause, their own clause of dealing with someone; and the
# competency's name.
PLACEHOLDERS = frozenset(("{work}", "{people}", "{problem}", "{decision}", "{moment}", "{competency}"))
FOLLOW_UP_TARGETS = (
    "situation",
    "task",
    "action",
    "result",
    "ownership",
    "metrics",
    "reflection",
    "specificity",
    "competency",
    "depth",
)


@dataclass(frozen=True)
class AlreadySaid:
    """A thing a follow-up can ask for, and how an answer shows it said it (``prompts/already_said.toml``)."""

    id: str
    asks: tuple[str, ...]  # words in a follow-up line that ask for it (lowercase)
    said: tuple[str, ...] = ()  # phrases in an answer that already say it (lowercase)
    lesson: bool = False  # an answer's stated lesson says it
    numbers: bool = False  # a number in the answer's result says it ("how did you know it worked?")
    min_words: int = 0  # the line needs an answer at least this long
    needs_story: bool = False  # the line refers back to a specific story


@dataclass(frozen=True)
class Round:
    """An interview round (persona, pacing, phrasings) from ``prompts/rounds/<id>.toml``."""

    id: str
    name: str
    description: str
    tone: str
    questions: int
    max_follow_ups: int
    time_box_min: float
    competencies: tuple[str, ...]
    prefer_targets: tuple[str, ...]
    greeting: str
    closing: str
    transitions: tuple[str, ...]
    acknowledgements: tuple[str, ...]
    no_speech: str
    time_up: str
    follow_ups: dict[str, tuple[str, ...]]
    depth: dict[str, tuple[str, ...]] = field(default_factory=dict)  # theme (or "general") -> probes
    acknowledge_filled: tuple[str, ...] = ()  # before a follow-up, when the answer gave what was asked
    acknowledge_short: tuple[str, ...] = ()  # before a follow-up, after a short or unsure answer
    use_history: bool = False  # pick questions for the candidate's weakest competencies so far
    recall: tuple[str, ...] = ()  # lines recalling an earlier story, with {phrase}
    go_on: str = "Sorry, go on."  # said when the candidate speaks again while the interviewer replies
    again: tuple[str, ...] = ("Let's take that one again.",)  # before a question asked again (a retry)
    already_said: tuple[AlreadySaid, ...] = ()  # follow-up lines left out when the answer says it
    plan: dict[str, tuple[str, ...]] = field(default_factory=dict)  # plan element (or "challenge") -> probes


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning every failure into a PromptError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"prompt file missing: {path}", "restore it from the repository") from exc
    except UnicodeDecodeError as exc:
        raise PromptError(f"{path}: not UTF-8 text", "save the file as UTF-8") from exc
    except OSError as exc:
        raise PromptError(f"{path}: cannot read ({exc.strerror})", "check file permissions") from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PromptError(f"{path}: invalid TOML: {exc}", "fix the syntax at that line") from exc


def _field(raw: dict[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in raw:
        raise PromptError(f"{where}: missing field '{key}'", "add it (see prompts/README.md)")
    value = raw[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise PromptError(f"{where}: field '{key}' must be a {kind.__name__}", "fix its type")
    if isinstance(value, str) and not value.strip():
        raise PromptError(f"{where}: field '{key}' is empty", "write some text")
    return value


def _str_list(raw: dict[str, Any], key: str, where: str, allow_empty: bool = False) -> tuple[str, ...]:
    value = _field(raw, key, list, where)
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise PromptError(f"{where}: '{key}' must be a list of non-empty strings", "fix the list")
    if not value and not allow_empty:
        raise PromptError(f"{where}: '{key}' is empty", "add at least one entry")
    return tuple(value)


def _competencies(values: tuple[str, ...], where: str) -> tuple[str, ...]:
    unknown = [c for c in values if c not in COMPETENCY_IDS]
    if unknown:
        raise PromptError(
            f"{where}: unknown competency id {unknown[0]!r}",
            f"use one of: {', '.join(COMPETENCY_IDS)}",
        )
    return values


def load_questions(prompts_dir: Path) -> list[Question]:
    path = prompts_dir / "questions.toml"
    raw = read_toml(path)
    entries = raw.get("question")
    if not isinstance(entries, list) or not entries:
        raise PromptError(f"{path}: no [[question]] entries", "add questions to the bank")
    seen: set[str] = set()
    questions = []
    for i, entry in enumerate(entries):
        where = f"{path} question #{i + 1}"
        if not isinstance(entry, dict):
            raise PromptError(f"{where}: must be a table", "use [[question]] tables")
        qid = _field(entry, "id", str, where)
        where = f"{path} question {qid!r}"
        if qid in seen:
            raise PromptError(f"{where}: duplicate id", "give each question a unique id")
        seen.add(qid)
        difficulty = _field(entry, "difficulty", str, where)
        if difficulty not in DIFFICULTIES:
            raise PromptError(f"{where}: difficulty {difficulty!r}", f"use one of {DIFFICULTIES}")
        kind = entry.get("kind", "behavioral")
        if kind not in QUESTION_KINDS:
            raise PromptError(f"{where}: field 'kind' is {kind!r}", f"use one of {', '.join(QUESTION_KINDS)}")
        questions.append(
            Question(
                id=qid,
                text=_field(entry, "text", str, where).strip(),
                competencies=_competencies(_str_list(entry, "competencies", where), where),
                rounds=_str_list(entry, "rounds", where),
                difficulty=difficulty,
                topic=str(entry.get("topic", "")),
                kind=kind,
            )
        )
    return questions


def load_already_said(prompts_dir: Path) -> tuple[AlreadySaid, ...]:
    """``prompts/already_said.toml``: what follow-up lines ask for that an answer may already say."""
    path = prompts_dir / "already_said.toml"
    raw = read_toml(path)
    entries = _field(raw, "said", list, str(path))
    found = []
    for n, entry in enumerate(entries, 1):
        where = f"{path} [[said]] #{n}"
        if not isinstance(entry, dict):
            raise PromptError(f"{where}: must be a table", "see the comment at the top of the file")
        lesson, story = entry.get("lesson", False), entry.get("needs_story", False)
        numbers, min_words = entry.get("numbers", False), entry.get("min_words", 0)
        if not all(isinstance(flag, bool) for flag in (lesson, story, numbers)):
            raise PromptError(f"{where}: lesson, numbers and needs_story must be true or false", "fix the value")
        if not isinstance(min_words, int) or isinstance(min_words, bool) or min_words < 0:
            raise PromptError(f"{where}: min_words must be a whole number >= 0", "fix the value")
        said = _str_list(entry, "said", where) if "said" in entry else ()
        if not (said or lesson or numbers or min_words or story):
            raise PromptError(
                f"{where}: says nothing about the answer", "add said, lesson, numbers, min_words or needs_story"
            )
        found.append(
            AlreadySaid(
                id=_field(entry, "id", str, where),
                asks=tuple(a.lower() for a in _str_list(entry, "asks", where)),
                said=tuple(s.lower() for s in said),
                lesson=lesson,
                numbers=numbers,
                min_words=min_words,
                needs_story=story,
            )
        )
    return tuple(found)


def list_rounds(prompts_dir: Path) -> list[str]:
    return sorted(p.stem for p in (prompts_dir / "rounds").glob("*.toml"))


def _line_table(
    raw: dict[str, Any], table: str, what: str, keys: tuple[str, ...], where: str
) -> dict[str, tuple[str, ...]]:
    """A round's optional table of key = [lines] ([depth], [plan]), each key one of ``keys``."""
    found = raw.get(table, {})
    if not isinstance(found, dict):
        raise PromptError(f"{where}: [{table}] must be a table of {what} = [lines]", "see prompts/README.md")
    unknown = [k for k in found if k not in keys]
    if unknown:
        raise PromptError(f"{where}: unknown [{table}] {what} {unknown[0]!r}", f"use {', '.join(keys)}")
    return {k: _str_list(found, k, f"{where} [{table}]") for k in found}


def load_round(prompts_dir: Path, round_id: str) -> Round:
    available = list_rounds(prompts_dir)
    if round_id not in available:
        raise PromptError(
            f"unknown round {round_id!r}",
            f"available rounds: {', '.join(available) or 'none (prompts/rounds/ is empty)'}",
        )
    path = prompts_dir / "rounds" / f"{round_id}.toml"
    raw = read_toml(path)
    where = str(path)
    if raw.get("id", round_id) != round_id:
        raise PromptError(f"{where}: id {raw.get('id')!r} differs from the file name", "make them equal")
    fu_raw = _field(raw, "follow_ups", dict, where)
    follow_ups: dict[str, tuple[str, ...]] = {}
    for target in fu_raw:
        if target not in FOLLOW_UP_TARGETS:
            raise PromptError(f"{where}: unknown follow-up target {target!r}", f"use {FOLLOW_UP_TARGETS}")
        follow_ups[target] = _str_list(fu_raw, target, f"{where} [follow_ups]")
    depth = _line_table(raw, "depth", "theme", DEPTH_KEYS, where)
    plan = _line_table(raw, "plan", "key", PLAN_KEYS, where)
    for key, lines in [*follow_ups.items(), *depth.items(), *plan.items()]:
        for line in lines:
            unknown = set(re.findall(r"\{[^}]*\}", line)) - PLACEHOLDERS
            if unknown:
                raise PromptError(
                    f"{where}: unknown placeholder {sorted(unknown)[0]} in a {key} line",
                    f"use {', '.join(sorted(PLACEHOLDERS))}",
                )
    prefer = _str_list(raw, "prefer_targets", where, allow_empty=True)
    bad = [t for t in prefer if t not in FOLLOW_UP_TARGETS]
    if bad:
        raise PromptError(f"{where}: unknown target {bad[0]!r} in prefer_targets", f"use {FOLLOW_UP_TARGETS}")
    questions = _field(raw, "questions", int, where)
    max_fu = _field(raw, "max_follow_ups", int, where)
    if questions < 1 or max_fu < 0:
        raise PromptError(f"{where}: questions must be >= 1 and max_follow_ups >= 0", "fix the numbers")
    return Round(
        id=round_id,
        name=_field(raw, "name", str, where),
        description=_field(raw, "description", str, where),
        tone=_field(raw, "tone", str, where),
        questions=questions,
        max_follow_ups=max_fu,
        time_box_min=_field(raw, "time_box_min", float, where),
        competencies=_competencies(_str_list(raw, "competencies", where), where),
        prefer_targets=prefer,
        greeting=_field(raw, "greeting", str, where),
        closing=_field(raw, "closing", str, where),
        transitions=_str_list(raw, "transitions", where),
        acknowledgements=_str_list(raw, "acknowledgements", where),
        no_speech=_field(raw, "no_speech", str, where),
        time_up=_field(raw, "time_up", str, where),
        follow_ups=follow_ups,
        depth=depth,
        acknowledge_filled=_str_list(raw, "acknowledge_filled", where) if "acknowledge_filled" in raw else (),
        acknowledge_short=_str_list(raw, "acknowledge_short", where) if "acknowledge_short" in raw else (),
        use_history=bool(raw.get("use_history", False)),
        recall=_str_list(raw, "recall", where) if "recall" in raw else (),
        go_on=_field(raw, "go_on", str, where) if "go_on" in raw else "Sorry, go on.",
        again=_str_list(raw, "again", where) if "again" in raw else ("Let's take that one again.",),
        already_said=load_already_said(prompts_dir),
        plan=plan,
    )


def pick_questions(
    bank: list[Question],
    rnd: Round,
    count: int,
    competencies: tuple[str, ...] = (),
    seed: int | None = None,
    priority: tuple[str, ...] = (),
) -> list[Question]:
    """Choose ``count`` questions for a round, covering its competencies in priority order.

    With ``competencies`` given, only questions tagged with one of them are used.
    ``priority`` (e.g. the candidate's weakest competencies) overrides the round's order.
    The order is deterministic for a given seed.
    """
    _competencies(competencies, "--competency")
    pool = [q for q in bank if rnd.id in q.rounds]
    if competencies:
        pool = [q for q in pool if set(q.competencies) & set(competencies)]
    if not pool:
        wanted = f" and competencies {', '.join(competencies)}" if competencies else ""
        raise PromptError(
            f"no question in the bank suits round '{rnd.id}'{wanted}",
            "drop a --competency filter or add questions to prompts/questions.toml",
        )
    rng = random.Random(seed)
    rng.shuffle(pool)
    priority = competencies or priority or rnd.competencies
    chosen: list[Question] = []
    covered: set[str] = set()
    # First pass: one question per priority competency not yet covered.
    for comp in priority:
        if len(chosen) >= count:
            break
        if comp in covered:
            continue
        for q in pool:
            if q not in chosen and q.competencies[0] == comp:
                chosen.append(q)
                covered.update(q.competencies)
                break
    for q in pool:
        if len(chosen) >= count:
            break
        if q not in chosen:
            chosen.append(q)
    return chosen


def prompts_checksum(prompts_dir: Path) -> str:
    """SHA-256 over every file under prompts/ (path and content), recorded in sessions."""
    digest = hashlib.sha256()
    for path in sorted(p for p in prompts_dir.rglob("*") if p.is_file()):
        digest.update(path.relative_to(prompts_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()
