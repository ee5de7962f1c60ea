"""Analysis content from ``prompts/``: STAR exemplars, competencies, cue lists.

Validated at load with messages that name the file and field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import PromptError
from ..types import PLAN_ELEMENTS, QUESTION_KINDS, SENTENCE_LABELS
from .prompts import COMPETENCY_IDS, THEME_IDS, read_toml

REFLECTION_MARK = "reflection"


@dataclass(frozen=True)
class Competency:
    """A competency from prompts/competencies.toml: name, definition, what to look for, red flags, exemplars."""

    id: str
    name: str
    definition: str
    look_for: tuple[str, ...]
    red_flags: tuple[str, ...]
    exemplars: tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    """A theme of prompts/themes.toml: what a story can be about, and sentences that say so."""

    id: str
    name: str
    triggers: tuple[str, ...]
    question_cues: tuple[str, ...] = ()  # words of a question that asks for such a story ("mistake")


@dataclass(frozen=True)
class KindExamples:
    """A kind of question (prompts/question_kinds.toml): cue phrases and example questions."""

    id: str
    name: str
    cues: tuple[str, ...]
    examples: tuple[str, ...]


@dataclass(frozen=True)
class PlanElement:
    """An element of the plan rubric (prompts/plan_rubric.toml) for situational answers."""

    id: str
    name: str
    description: str
    tip: str
    cues: tuple[str, ...]
    exemplars: tuple[str, ...]


@dataclass(frozen=True)
class PlanAnswer:
    """A situational answer whose sentences are labelled with plan elements (or "other")."""

    id: str
    question: str
    sentences: tuple[str, ...]
    elements: tuple[str, ...]


@dataclass(frozen=True)
class Cues:
    """Lowercase cue phrases (see prompts/cues.toml)."""

    fillers: tuple[str, ...]
    hedges: tuple[str, ...]
    situation_openers: tuple[str, ...]
    task_phrases: tuple[str, ...]
    action_verbs: frozenset[str]
    result_phrases: tuple[str, ...]
    reflection_phrases: tuple[str, ...]
    generic_phrases: tuple[str, ...]
    trailing_continuations: frozenset[str]
    we_words: tuple[str, ...]
    i_words: tuple[str, ...]
    aside_phrases: tuple[str, ...] = ()
    lesson_phrases: tuple[str, ...] = ()  # more lesson markers, not a labelling feature (cues.toml)


@dataclass(frozen=True)
class TrainingItem:
    """A labelled example answer from prompts/training/*.toml (used to fit the classifiers)."""

    id: str
    question: str
    competencies: tuple[str, ...]
    sentences: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class AnalysisContent:
    """Everything the analyzer needs from prompts/.

    star_exemplars: label -> exemplar sentences; result exemplars that are
    reflections are also listed in ``reflection_exemplars``.
    """

    star_exemplars: dict[str, tuple[str, ...]]
    reflection_exemplars: tuple[str, ...]
    competencies: tuple[Competency, ...]
    cues: Cues
    training: tuple[TrainingItem, ...] = ()
    themes: tuple[Theme, ...] = ()
    kinds: tuple[KindExamples, ...] = ()
    plan: tuple[PlanElement, ...] = ()
    plan_other: tuple[str, ...] = ()  # sentences of a situational answer that show no element
    plan_training: tuple[PlanAnswer, ...] = ()  # labelled situational answers (prompts/plan_training.toml)

    def all_exemplar_sentences(self) -> set[str]:
        out = {s for group in self.star_exemplars.values() for s in group}
        out.update(s for c in self.competencies for s in c.exemplars)
        out.update(s for t in self.training for s in t.sentences)
        out.update(s for t in self.themes for s in t.triggers)
        out.update(s for e in self.plan for s in e.exemplars)
        out.update(self.plan_other)
        out.update(s for a in self.plan_training for s in a.sentences)
        return out


def _strings(raw: Any, where: str, minimum: int = 1) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, str) and s.strip() for s in raw):
        raise PromptError(f"{where}: must be a list of non-empty strings", "fix the list")
    if len(raw) < minimum:
        raise PromptError(f"{where}: needs at least {minimum} entries, has {len(raw)}", "add more")
    return tuple(s.strip() for s in raw)


def load_star_exemplars(path: Path) -> tuple[dict[str, tuple[str, ...]], tuple[str, ...]]:
    raw = read_toml(path)
    out: dict[str, tuple[str, ...]] = {}
    for label in SENTENCE_LABELS:
        section = raw.get(label)
        if not isinstance(section, dict):
            raise PromptError(f"{path}: missing section [{label}]", "add it with a 'sentences' list")
        out[label] = _strings(section.get("sentences"), f"{path} [{label}].sentences", minimum=5)
    refl = raw.get("result", {}).get(REFLECTION_MARK, [])
    reflections = _strings(refl, f"{path} [result].{REFLECTION_MARK}", minimum=0) if refl else ()
    out["result"] = out["result"] + reflections
    return out, reflections


def load_competencies(path: Path) -> tuple[Competency, ...]:
    raw = read_toml(path)
    entries = raw.get("competency")
    if not isinstance(entries, list):
        raise PromptError(f"{path}: no [[competency]] entries", "add them")
    found: dict[str, Competency] = {}
    for i, entry in enumerate(entries):
        where = f"{path} competency #{i + 1}"
        cid = entry.get("id") if isinstance(entry, dict) else None
        if cid not in COMPETENCY_IDS:
            raise PromptError(f"{where}: unknown competency id {cid!r}", f"use one of: {', '.join(COMPETENCY_IDS)}")
        where = f"{path} competency '{cid}'"
        for key in ("name", "definition"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise PromptError(f"{where}: missing field '{key}'", "add it")
        found[cid] = Competency(
            id=cid,
            name=entry["name"],
            definition=entry["definition"],
            look_for=_strings(entry.get("look_for", []), f"{where}.look_for"),
            red_flags=_strings(entry.get("red_flags", []), f"{where}.red_flags"),
            exemplars=_strings(entry.get("exemplars"), f"{where}.exemplars", minimum=5),
        )
    missing = [c for c in COMPETENCY_IDS if c not in found]
    if missing:
        raise PromptError(f"{path}: competency '{missing[0]}' is not defined", "add a [[competency]] for it")
    return tuple(found[c] for c in COMPETENCY_IDS)


def load_themes(path: Path) -> tuple[Theme, ...]:
    """prompts/themes.toml; a missing file means no themes (depth probes fall back to "general")."""
    if not path.is_file():
        return ()
    raw = read_toml(path).get("theme")
    if not isinstance(raw, dict):
        raise PromptError(f"{path}: no [theme.<id>] tables", "add them (see prompts/README.md)")
    themes = []
    for tid, entry in raw.items():
        where = f"{path} theme '{tid}'"
        if tid not in THEME_IDS:
            raise PromptError(f"{where}: unknown theme id", f"use one of: {', '.join(THEME_IDS)}")
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise PromptError(f"{where}: missing field 'name'", "add it")
        cues = _strings(entry["question_cues"], f"{where}.question_cues") if "question_cues" in entry else ()
        triggers = _strings(entry.get("triggers"), f"{where}.triggers", minimum=3)
        themes.append(Theme(tid, entry["name"], triggers, tuple(c.lower() for c in cues)))
    return tuple(themes)


def load_kinds(path: Path) -> tuple[KindExamples, ...]:
    """prompts/question_kinds.toml; a missing file means every question is taken as behavioral."""
    if not path.is_file():
        return ()
    raw = read_toml(path).get("kind")
    if not isinstance(raw, dict):
        raise PromptError(f"{path}: no [kind.<id>] tables", "add them (see prompts/README.md)")
    kinds = []
    for kid, entry in raw.items():
        where = f"{path} kind '{kid}'"
        if kid not in QUESTION_KINDS:
            raise PromptError(f"{where}: unknown kind id", f"use one of: {', '.join(QUESTION_KINDS)}")
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise PromptError(f"{where}: missing field 'name'", "add it")
        cues = tuple(c.lower() for c in _strings(entry.get("cues"), f"{where}.cues"))
        kinds.append(KindExamples(kid, entry["name"], cues, _strings(entry.get("examples"), f"{where}.examples", 5)))
    if "behavioral" not in {k.id for k in kinds}:
        raise PromptError(f"{path}: no [kind.behavioral]", "add it: the kind a question falls back to")
    return tuple(kinds)


def load_plan_rubric(path: Path) -> tuple[tuple[PlanElement, ...], tuple[str, ...]]:
    """prompts/plan_rubric.toml: the elements (in PLAN_ELEMENTS order) and the [other] sentences;
    a missing file means no plan rubric (situational answers are scored for STAR only)."""
    if not path.is_file():
        return (), ()
    raw = read_toml(path)
    table = raw.get("element")
    if not isinstance(table, dict):
        raise PromptError(f"{path}: no [element.<id>] tables", "add them (see prompts/README.md)")
    unknown = [k for k in table if k not in PLAN_ELEMENTS]
    if unknown:
        raise PromptError(f"{path} element '{unknown[0]}': unknown element id", f"use {', '.join(PLAN_ELEMENTS)}")
    elements = []
    for eid in PLAN_ELEMENTS:
        entry = table.get(eid)
        where = f"{path} element '{eid}'"
        if not isinstance(entry, dict):
            raise PromptError(f"{where}: missing", "add the table")
        text = {}
        for key in ("name", "description", "tip"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                raise PromptError(f"{where}: missing field '{key}'", "add it")
            text[key] = entry[key].strip()
        cues = tuple(c.lower() for c in _strings(entry.get("cues"), f"{where}.cues"))
        exemplars = _strings(entry.get("exemplars"), f"{where}.exemplars", minimum=5)
        elements.append(PlanElement(eid, text["name"], text["description"], text["tip"], cues, exemplars))
    other = raw.get("other", {})
    if not isinstance(other, dict):
        raise PromptError(f"{path} [other]: must be a table", "use [other] with an 'exemplars' list")
    return tuple(elements), _strings(other.get("exemplars"), f"{path} [other].exemplars", minimum=3)


def load_plan_answers(path: Path) -> tuple[PlanAnswer, ...]:
    """Situational answers with per-sentence plan labels: [[answer]] id, question, sentences
    ({text, element}); a missing file means none."""
    if not path.is_file():
        return ()
    answers = read_toml(path).get("answer", [])
    if not isinstance(answers, list):
        raise PromptError(f"{path}: 'answer' must be a list of [[answer]] tables", "see prompts/README.md")
    labels = (*PLAN_ELEMENTS, "other")
    out = []
    for i, entry in enumerate(answers):
        where = f"{path} answer #{i + 1}"
        sents = entry.get("sentences") if isinstance(entry, dict) else None
        if not isinstance(sents, list) or not sents:
            raise PromptError(f"{where}: needs a non-empty 'sentences' list", "see prompts/README.md")
        if not all(isinstance(x, dict) and isinstance(x.get("text"), str) and x["text"].strip() for x in sents):
            raise PromptError(f"{where}: each sentence needs 'text' and 'element'", "fix the entry")
        bad = [x.get("element") for x in sents if x.get("element") not in labels]
        if bad:
            raise PromptError(f"{where}: unknown plan element {bad[0]!r}", f"use one of {', '.join(labels)}")
        out.append(
            PlanAnswer(
                str(entry.get("id", f"{path.stem}-{i + 1}")),
                str(entry.get("question", "")),
                tuple(x["text"].strip() for x in sents),
                tuple(x["element"] for x in sents),
            )
        )
    return tuple(out)


def load_cues(path: Path) -> Cues:
    raw = read_toml(path)

    def get(key: str) -> tuple[str, ...]:
        return tuple(s.lower() for s in _strings(raw.get(key), f"{path} {key}"))

    return Cues(
        fillers=get("fillers"),
        hedges=get("hedges"),
        situation_openers=get("situation_openers"),
        task_phrases=get("task_phrases"),
        action_verbs=frozenset(get("action_verbs")),
        result_phrases=get("result_phrases"),
        reflection_phrases=get("reflection_phrases"),
        generic_phrases=get("generic_phrases"),
        trailing_continuations=frozenset(get("trailing_continuations")),
        we_words=get("we_words"),
        i_words=get("i_words"),
        aside_phrases=get("aside_phrases"),
        lesson_phrases=get("lesson_phrases"),
    )


# The built-in continuation words, for a prompts folder written before the list existed
# (prompts/turn_taking.toml has the full list).
CONTINUATIONS = frozenset({"and", "but", "or", "so", "because", "which", "who", "where", "while", "before", "without"})
_FIRST_WORD = re.compile(r"\W*(\w+)")


def continues(piece: str, continuations: frozenset[str] = CONTINUATIONS) -> bool:
    """Does this piece carry on the sentence before it? It starts in lowercase or with a continuation word.

    Whisper writes each stretch it decodes alone as a whole utterance, so the rest of a
    sentence after a pause comes out as a sentence of its own ("And I wrote the script.").
    """
    first = _FIRST_WORD.match(piece)
    return piece[:1].islower() or (first is not None and first.group(1).lower() in continuations)


def join_pieces(head: str, piece: str) -> str:
    """``head`` and the ``piece`` that continues it as one sentence: "... automatically, and I wrote it"."""
    head = head.rstrip()
    head = head[:-1] if head.endswith(".") else head
    piece = piece.strip()
    return f"{head}, {piece[:1].lower()}{piece[1:]}"


@dataclass(frozen=True)
class TurnCues:
    """Words that tell a thinking pause from a finished answer (prompts/turn_taking.toml)."""

    open_endings: frozenset[str]
    fillers: frozenset[str]
    hold_phrases: tuple[str, ...]
    closing_phrases: tuple[str, ...]
    dangling: frozenset[str] = frozenset()  # open even after a full stop ("and.")
    continuations: frozenset[str] = CONTINUATIONS  # start the rest of a sentence a pause broke off


def load_turn_cues(path: Path) -> TurnCues:
    raw = read_toml(path)

    def get(key: str) -> tuple[str, ...]:
        return tuple(" ".join(s.lower().split()) for s in _strings(raw.get(key), f"{path} {key}"))

    return TurnCues(
        frozenset(get("open_endings")),
        frozenset(get("fillers")),
        get("hold_phrases"),
        get("closing_phrases"),
        frozenset(get("dangling_endings")),
        # Added later than the other lists: a prompts folder without it keeps the built-in words.
        frozenset(get("continuations")) if "continuations" in raw else CONTINUATIONS,
    )


def load_labelled_answers(path: Path) -> tuple[TrainingItem, ...]:
    """Answers with per-sentence STAR labels: [[answer]] id, question, competencies, sentences."""
    raw = read_toml(path)
    answers = raw.get("answer", [])
    if not isinstance(answers, list):
        raise PromptError(f"{path}: 'answer' must be a list of [[answer]] tables", "see prompts/README.md")
    items = []
    for i, entry in enumerate(answers):
        where = f"{path} answer #{i + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("sentences"), list) or not entry["sentences"]:
            raise PromptError(f"{where}: needs a non-empty 'sentences' list", "see prompts/README.md")
        sents = entry["sentences"]
        if not all(isinstance(x, dict) and isinstance(x.get("text"), str) for x in sents):
            raise PromptError(f"{where}: each sentence needs 'text' and 'star'", "fix the entry")
        labels = tuple(x.get("star") for x in sents)
        bad = [lab for lab in labels if lab not in SENTENCE_LABELS]
        if bad:
            raise PromptError(f"{where}: unknown STAR label {bad[0]!r}", f"use one of {SENTENCE_LABELS}")
        comps = entry.get("competencies", [])
        if not isinstance(comps, list) or not comps or any(c not in COMPETENCY_IDS for c in comps):
            raise PromptError(f"{where}: competencies {comps!r} invalid", f"use ids from {', '.join(COMPETENCY_IDS)}")
        items.append(
            TrainingItem(
                id=str(entry.get("id", f"{path.stem}-{i + 1}")),
                question=str(entry.get("question", "")),
                competencies=tuple(comps),
                sentences=tuple(x["text"].strip() for x in sents),
                labels=labels,
            )
        )
    return tuple(items)


def load_content(prompts_dir: Path) -> AnalysisContent:
    star, reflections = load_star_exemplars(prompts_dir / "star_exemplars.toml")
    plan, plan_other = load_plan_rubric(prompts_dir / "plan_rubric.toml")
    training: tuple[TrainingItem, ...] = ()
    for path in sorted((prompts_dir / "training").glob("*.toml")):
        training += load_labelled_answers(path)
    return AnalysisContent(
        star_exemplars=star,
        reflection_exemplars=reflections,
        competencies=load_competencies(prompts_dir / "competencies.toml"),
        cues=load_cues(prompts_dir / "cues.toml"),
        training=training,
        themes=load_themes(prompts_dir / "themes.toml"),
        kinds=load_kinds(prompts_dir / "question_kinds.toml"),
        plan=plan,
        plan_other=plan_other,
        plan_training=load_plan_answers(prompts_dir / "plan_training.toml") if plan else (),
    )
