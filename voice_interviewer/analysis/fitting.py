"""The analyzer's models: exemplars embedded once, the classifiers fitted on them, both cached on disk.

What is embedded (``groups``): the STAR exemplars, each competency's exemplars, the
sentences of every labelled training answer, their questions, and each theme's triggers. From those the STAR
classifier (``star.train_star``), the competency classifier and the story-end model
(``story_end.train_story_end``) are fitted. The vectors and fitted weights are saved as one
``.npz`` keyed by everything they depend on (``_cache_key``), so later runs load them.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import numpy as np

from ..content.content import AnalysisContent
from ..errors import InputError
from ..ports import Embedder
from . import competency
from .competency import answer_vector
from .kinds import CUE_WEIGHT, KIND_C
from .plan import OTHER, PLAN_C
from .star import HMM_WEIGHT, LABELS, STAR_C, TRANSITION_PRIOR, CueScorer, Fitter, TrainingAnswer, train_star
from .story_end import END_C, train_story_end
from .text import cue_columns, phrase_sets

CACHE_VERSION = 10
COMPETENCY_C = 4.0


def _cache_key(model_id: str, groups: list[tuple[str, ...]], labels: list[tuple[str, ...]]) -> str:
    """Digest of everything the fitted models depend on: parameters, embedding model, the
    embedded text (``groups``) and what else changes the fit without changing any text
    (``labels``: training answers' STAR labels and competencies, plan labels, the cue lists
    the features are made from)."""
    params = (
        f"{CACHE_VERSION}:{STAR_C}:{HMM_WEIGHT}:{TRANSITION_PRIOR}:{COMPETENCY_C}:{competency.QUESTION_WEIGHT}:{END_C}"
        f":{PLAN_C}:{KIND_C}:{CUE_WEIGHT}"
    )
    digest = hashlib.sha256(f"{params}:{model_id}".encode())
    for group in groups:
        digest.update(b"\x1e" + "\x1f".join(group).encode())
    for group in labels:
        digest.update(b"\x1d" + "\x1f".join(group).encode())
    return digest.hexdigest()[:24]


def _load_cache(path: Path | None, groups: list[tuple[str, ...]]) -> dict[str, np.ndarray] | None:
    if path is None or not path.is_file():
        return None
    try:
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
    except (OSError, ValueError):
        return None  # a damaged cache is rebuilt
    if all(len(arrays.get(f"g{i}", ())) == len(g) for i, g in enumerate(groups)):
        return arrays
    return None


def _save_cache(path: Path | None, arrays: dict[str, np.ndarray]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        np.savez(tmp, **arrays)  # type: ignore[arg-type]
        tmp.replace(path)
    except OSError:
        pass  # caching is an optimisation; a read-only data home still works


def load_or_fit(
    content: AnalysisContent,
    embedder: Embedder,
    cues: CueScorer,
    fit: Fitter | None,
    cache_dir: Path | None,
    model_id: str,
) -> tuple[list[np.ndarray], dict[str, np.ndarray]]:
    """The vectors of each embedded group and the fitted arrays: from the cache, else fitted (and saved)."""
    groups = [content.star_exemplars[label] for label in LABELS]
    groups += [c.exemplars for c in content.competencies]
    groups += [t.sentences for t in content.training]
    groups += [tuple(t.question or "" for t in content.training)]
    groups += [k.examples for k in content.kinds]  # the kind classifier's examples (_kind_and_plan_groups)
    if content.plan:  # the plan classifier's sentences
        groups += [*(e.exemplars for e in content.plan), content.plan_other]
        groups += [tuple(s for a in content.plan_training for s in a.sentences)]
    groups += [t.triggers for t in content.themes]  # last: theme_vectors finds them from the end
    labels = [(*t.labels, "|", *t.competencies) for t in content.training]
    labels += [a.elements for a in content.plan_training]
    labels += [tuple(sorted(getattr(content.cues, f.name))) for f in dataclasses.fields(content.cues)]
    labels += [k.cues for k in content.kinds] + [e.cues for e in content.plan]
    key = _cache_key(model_id, groups, labels)
    path = cache_dir / f"analyzer-{key}.npz" if cache_dir else None
    arrays = _load_cache(path, groups)
    if arrays is None:
        if fit is None:
            raise InputError("the analysis model is not built yet", "run with the default fitter (scikit-learn)")
        arrays = _fit(content, embedder, cues, groups, fit)
        _save_cache(path, arrays)
    return [arrays[f"g{i}"] for i in range(len(groups))], arrays


def _kind_and_plan_groups(content: AnalysisContent) -> tuple[slice, slice]:
    """Where ``load_or_fit`` puts, among its groups, the kinds' example questions (one group a
    kind) and the plan classifier's sentences (each element's exemplars, the [other] sentences,
    the labelled answers' sentences)."""
    start = len(LABELS) + len(content.competencies) + len(content.training) + 1
    kinds = slice(start, start + len(content.kinds))
    return kinds, slice(kinds.stop, kinds.stop + (len(content.plan) + 2 if content.plan else 0))


def theme_vectors(content: AnalysisContent, vecs: list[np.ndarray]) -> list[np.ndarray]:
    """The trigger vectors of each theme (the last groups ``load_or_fit`` embeds)."""
    return vecs[len(vecs) - len(content.themes) :] if content.themes else []


def star_neighbours(content: AnalysisContent, vecs: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Labelled sentence vectors per STAR label: the exemplars plus every training sentence."""
    n = len(LABELS)
    first_training = n + len(content.competencies)
    by_label: dict[str, list[np.ndarray]] = {label: [vecs[i]] for i, label in enumerate(LABELS)}
    for i, item in enumerate(content.training):
        answer_vecs = vecs[first_training + i]
        for label, vec in zip(item.labels, answer_vecs, strict=True):
            by_label[label].append(vec[None, :])
    return {label: np.concatenate(parts) for label, parts in by_label.items()}


def _fit(
    content: AnalysisContent, embedder: Embedder, cues: CueScorer, groups: list[tuple[str, ...]], fit: Fitter
) -> dict[str, np.ndarray]:
    flat = [s for g in groups for s in g]
    all_vecs = embedder.embed(flat)
    vecs, start = [], 0
    for g in groups:
        vecs.append(all_vecs[start : start + len(g)])
        start += len(g)
    n = len(LABELS)
    n_comp = len(content.competencies)
    questions = vecs[n + n_comp + len(content.training)]
    answers = [
        TrainingAnswer(t.sentences, t.labels, vecs[n + n_comp + i], questions[i] if t.question else None)
        for i, t in enumerate(content.training)
    ]
    star = train_star(
        answers,
        {label: vecs[i] for i, label in enumerate(LABELS)},
        {label: groups[i] for i, label in enumerate(LABELS)},
        cues,
        fit,
        neighbours=star_neighbours(content, vecs),
    )
    # Competency classifier: exemplar sentences plus whole training answers (mean vectors).
    xs = [vecs[n + c] for c in range(n_comp)]
    ys = [np.full(len(vecs[n + c]), c) for c in range(n_comp)]
    ids = [c.id for c in content.competencies]
    for t, a in zip(content.training, answers, strict=True):
        story = [lab != "other" for lab in t.labels]
        for rank, cid in enumerate(t.competencies[:2]):
            xs.append(answer_vector(a.vecs, story, a.question_vec)[None, :])
            ys.append(np.array([ids.index(cid)]))
            if rank == 0:  # the main competency counts twice
                xs.append(xs[-1])
                ys.append(ys[-1])
    comp_w, comp_b = fit(np.concatenate(xs), np.concatenate(ys), n_comp, COMPETENCY_C, None)
    said = [(a.sentences, a.labels, a.vecs) for a in answers]
    end = train_story_end(said, cues, fit)
    arrays = {f"g{i}": v for i, v in enumerate(vecs)}
    arrays.update({f"star_{k}": v for k, v in star.arrays().items() if k in ("w", "b")})
    arrays.update(log_trans=star.log_trans, log_start=star.log_start, comp_w=comp_w, comp_b=comp_b)
    if end is not None:
        arrays.update(end_w=end.w, end_b=end.b)
    kind_at, plan_at = _kind_and_plan_groups(content)
    if content.kinds:
        x = cue_columns(
            [q for g in groups[kind_at] for q in g],
            np.concatenate(vecs[kind_at]),
            phrase_sets(k.cues for k in content.kinds),
            CUE_WEIGHT,
        )
        y = np.concatenate([np.full(len(g), i) for i, g in enumerate(groups[kind_at])])
        arrays["kind_w"], arrays["kind_b"] = fit(x, y, len(content.kinds), KIND_C, None)
    if content.plan:
        names = [*(e.id for e in content.plan), OTHER]
        labels = [e.id for e in content.plan for _ in e.exemplars] + [OTHER] * len(content.plan_other)
        labels += [lab for a in content.plan_training for lab in a.elements]
        x = cue_columns(
            [s for g in groups[plan_at] for s in g],
            np.concatenate(vecs[plan_at]),
            phrase_sets(e.cues for e in content.plan),
        )
        y = np.array([names.index(lab) for lab in labels])
        arrays["plan_w"], arrays["plan_b"] = fit(x, y, len(names), PLAN_C, None)
    return arrays
