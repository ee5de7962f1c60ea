"""Answer analysis: one call turns a transcript into an ``Analysis``.

Pipeline: clean text -> sentences (injected splitter) -> one embedding batch ->
STAR labels (``star``) -> competencies (``competency``) -> signals (``signals``)
-> delivery metrics for audio (``delivery``). Exemplar embeddings are computed
once and cached on disk, keyed by the embedding model and the exemplar text.
"""

from __future__ import annotations

import functools
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..content.content import AnalysisContent
from ..errors import InputError
from ..ports import Embedder
from ..types import Analysis, AnswerSourceKind, SentenceLabel, Transcript, Word
from . import competency
from .competency import CompetencyModel, answer_vector
from .delivery import delivery_metrics
from .signals import SignalScorer
from .star import (
    HMM_WEIGHT,
    LABELS,
    STAR_C,
    TRANSITION_PRIOR,
    CueScorer,
    Fitter,
    StarModel,
    TrainingAnswer,
    label_sentences,
    train_star,
)
from .star_score import summarise
from .story_end import END_C, StoryEndModel, train_story_end
from .text import clean_text, tokens

Splitter = Callable[[str], list[str]]
MAX_SENTENCE_WORDS = 45
CACHE_VERSION = 8
COMPETENCY_C = 4.0
_ENGLISH_COMMON = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "so",
        "i",
        "we",
        "you",
        "he",
        "she",
        "they",
        "it",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "at",
        "by",
        "from",
        "was",
        "were",
        "is",
        "are",
        "had",
        "have",
        "has",
        "did",
        "do",
        "my",
        "our",
        "their",
        "this",
        "that",
        "then",
        "when",
        "as",
        "not",
        "be",
        "been",
    ]
)


def split_long(sentence: str, limit: int = MAX_SENTENCE_WORDS) -> list[str]:
    """Break run-on text (typed without punctuation, or a breathless transcript) into clauses.

    Splits before ' and ', ' so ', ' but ', ' then ' or after commas, aiming for pieces of
    about ``limit`` / 2 words; sentences within the limit are returned unchanged.
    """
    words = sentence.split()
    if len(words) <= limit:
        return [sentence]
    pieces: list[list[str]] = [[]]
    for w in words:
        current = pieces[-1]
        boundary = w.lower() in ("and", "so", "but", "then", "because") or (current and current[-1].endswith(","))
        if boundary and len(current) >= limit // 2:
            pieces.append([])
        pieces[-1].append(w)
    return [" ".join(p) for p in pieces if p]


def align_words(sentences: list[str], words: tuple[Word, ...]) -> list[tuple[float, float] | None]:
    """Start/end seconds of each sentence, by walking the word list in order."""
    spans: list[tuple[float, float] | None] = []
    i = 0
    for sentence in sentences:
        n = len(sentence.split())
        chunk = words[i : i + n]
        spans.append((chunk[0].start_s, chunk[-1].end_s) if chunk else None)
        i += n
    return spans


def _cache_key(model_id: str, groups: list[tuple[str, ...]], labels: list[tuple[str, ...]]) -> str:
    """Digest of everything the fitted models depend on: parameters, embedding model, the
    embedded text (``groups``) and the labels fitted on it (``labels``: training answers'
    STAR labels and competencies, which change the fit without changing any text)."""
    params = (
        f"{CACHE_VERSION}:{STAR_C}:{HMM_WEIGHT}:{TRANSITION_PRIOR}:{COMPETENCY_C}:{competency.QUESTION_WEIGHT}:{END_C}"
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


def looks_english(toks: list[str]) -> bool:
    if len(toks) < 8:
        return True
    return sum(t in _ENGLISH_COMMON for t in toks) / len(toks) >= 0.12


def _batch(sentences: list[str], question: str) -> list[str]:
    """What one embedding call gets for an answer: its sentences, then the question if any."""
    return [*sentences, question] if question else sentences


class Analyzer:
    """Scores answers. Build once (embeds exemplars, fits or loads the classifiers), then ``analyze``."""

    def __init__(
        self,
        content: AnalysisContent,
        embedder: Embedder,
        splitter: Splitter,
        fit: Fitter | None = None,
        cache_dir: Path | None = None,
        model_id: str = "",
    ) -> None:
        self.content = content
        self.embedder = embedder
        self.splitter = splitter
        self.cues = CueScorer(content.cues)
        self.signals = SignalScorer(content.cues)
        groups = [content.star_exemplars[label] for label in LABELS]
        groups += [c.exemplars for c in content.competencies]
        groups += [t.sentences for t in content.training]
        groups += [tuple(t.question or "" for t in content.training)]
        labels = [(*t.labels, "|", *t.competencies) for t in content.training]
        key = _cache_key(model_id or embedder.name, groups, labels)
        path = cache_dir / f"analyzer-{key}.npz" if cache_dir else None
        arrays = _load_cache(path, groups)
        if arrays is None:
            if fit is None:
                raise InputError("the analysis model is not built yet", "run with the default fitter (scikit-learn)")
            arrays = self._build(groups, fit)
            _save_cache(path, arrays)
        neighbours = self._neighbours([arrays[f"g{i}"] for i in range(len(groups))])
        self.star_model = StarModel(
            arrays["star_w"], arrays["star_b"], arrays["log_trans"], arrays["log_start"], neighbours
        )
        n = len(LABELS)
        comp_vecs = tuple(arrays[f"g{n + i}"] for i in range(len(content.competencies)))
        ids = tuple(c.id for c in content.competencies)
        self.competencies = CompetencyModel(ids, comp_vecs, arrays["comp_w"], arrays["comp_b"])
        # No labelled training answers (a bare prompts folder): no story-end model, and the
        # listener falls back to its silence rules.
        self.story_end = StoryEndModel(arrays["end_w"], arrays["end_b"]) if "end_w" in arrays else None
        # pysbd takes ~5 ms an answer; the listener's story check and the analysis after the
        # answer split the same transcript.
        self._split = functools.lru_cache(maxsize=32)(self._split_uncached)

    def _neighbours(self, vecs: list[np.ndarray]) -> dict[str, np.ndarray]:
        """Labelled sentence vectors per STAR label: the exemplars plus every training sentence."""
        n = len(LABELS)
        first_training = n + len(self.content.competencies)
        by_label: dict[str, list[np.ndarray]] = {label: [vecs[i]] for i, label in enumerate(LABELS)}
        for i, item in enumerate(self.content.training):
            answer_vecs = vecs[first_training + i]
            for label, vec in zip(item.labels, answer_vecs, strict=True):
                by_label[label].append(vec[None, :])
        return {label: np.concatenate(parts) for label, parts in by_label.items()}

    def _build(self, groups: list[tuple[str, ...]], fit: Fitter) -> dict[str, np.ndarray]:
        flat = [s for g in groups for s in g]
        all_vecs = self.embedder.embed(flat)
        vecs, start = [], 0
        for g in groups:
            vecs.append(all_vecs[start : start + len(g)])
            start += len(g)
        n = len(LABELS)
        n_comp = len(self.content.competencies)
        questions = vecs[-1]
        answers = [
            TrainingAnswer(t.sentences, t.labels, vecs[n + n_comp + i], questions[i] if t.question else None)
            for i, t in enumerate(self.content.training)
        ]
        star = train_star(
            answers,
            {label: vecs[i] for i, label in enumerate(LABELS)},
            {label: groups[i] for i, label in enumerate(LABELS)},
            self.cues,
            fit,
            neighbours=self._neighbours(vecs),
        )
        # Competency classifier: exemplar sentences plus whole training answers (mean vectors).
        xs = [vecs[n + c] for c in range(n_comp)]
        ys = [np.full(len(vecs[n + c]), c) for c in range(n_comp)]
        ids = [c.id for c in self.content.competencies]
        for t, a in zip(self.content.training, answers, strict=True):
            story = [lab != "other" for lab in t.labels]
            for rank, cid in enumerate(t.competencies[:2]):
                xs.append(answer_vector(a.vecs, story, a.question_vec)[None, :])
                ys.append(np.array([ids.index(cid)]))
                if rank == 0:  # the main competency counts twice
                    xs.append(xs[-1])
                    ys.append(ys[-1])
        comp_w, comp_b = fit(np.concatenate(xs), np.concatenate(ys), n_comp, COMPETENCY_C, None)
        said = [(a.sentences, a.labels, a.vecs) for a in answers]
        end = train_story_end(said, self.cues, fit)
        arrays = {f"g{i}": v for i, v in enumerate(vecs)}
        arrays.update({f"star_{k}": v for k, v in star.arrays().items() if k in ("w", "b")})
        arrays.update(log_trans=star.log_trans, log_start=star.log_start, comp_w=comp_w, comp_b=comp_b)
        if end is not None:
            arrays.update(end_w=end.w, end_b=end.b)
        return arrays

    def split(self, text: str) -> list[str]:
        """The sentences of ``text`` (the same text is split once: the story check and analysis share it)."""
        return list(self._split(text))

    def _split_uncached(self, text: str) -> tuple[str, ...]:
        sentences: list[str] = []
        for s in self.splitter(text):
            sentences.extend(split_long(s))
        return tuple(s for s in sentences if tokens(s)) or ((text,) if tokens(text) else ())

    def finished(self, sentences: list[str], question: str = "") -> float | None:
        """P(the answer ends here) for the sentences said so far (``split``; see ``story_end``).

        With a ``SentenceCache`` embedder, the analysis after the answer ends reuses these
        vectors (and the question's). None without a story-end model (no labelled training answers)."""
        if self.story_end is None:
            return None
        if not sentences:
            return 0.0
        vecs = self.embedder.embed(_batch(sentences, clean_text(question)))[: len(sentences)]
        return self.story_end.probability(sentences, vecs, self.cues)

    def analyze(
        self,
        question: str,
        transcript: Transcript,
        source: AnswerSourceKind = "text",
        sentences: list[str] | None = None,
    ) -> Analysis:
        """Analyse one answer. ``sentences`` overrides splitting (the evaluation uses gold sentences)."""
        text = clean_text(transcript.text)
        warnings: list[str] = []
        if text != transcript.text.strip():
            warnings.append("control characters or extra whitespace were removed from the answer")
        toks = tokens(text)
        if not toks:
            raise InputError(
                "the answer is empty (no words to analyse)",
                "give the answer text with --text/--text-file, or speak louder/closer for --audio",
            )
        sentences = [clean_text(s) for s in sentences] if sentences else self.split(text)
        question = clean_text(question)
        batch = self.embedder.embed(_batch(sentences, question))
        vecs = batch[: len(sentences)]
        question_vec = batch[len(sentences)] if question else None
        labelled = label_sentences(sentences, vecs, self.star_model, self.cues, question_vec)
        spans = align_words(sentences, transcript.words) if transcript.words else [None] * len(sentences)
        labels = [
            SentenceLabel(
                index=i,
                text=s,
                star=labelled.labels[i],
                confidence=labelled.confidence[i],
                start_s=span[0] if span else None,
                end_s=span[1] if span else None,
                reflection=labelled.reflection[i],
            )
            for i, (s, span) in enumerate(zip(sentences, spans, strict=True))
        ]
        word_counts = [len(tokens(s)) for s in sentences]
        durations = None
        if transcript.words and all(sp is not None for sp in spans):
            durations = [max(0.0, sp[1] - sp[0]) for sp in spans if sp is not None]
        star = summarise(labelled.labels, word_counts, durations, labelled.confidence)
        signals = self.signals.score(sentences, labelled.labels, labelled.reflection)
        delivery = None
        if transcript.words and transcript.duration_s:
            delivery = delivery_metrics(list(transcript.words), transcript.duration_s, self.content.cues)
        if len(toks) < 20:
            warnings.append(f"the answer is very short ({len(toks)} words); scores are unreliable")
        if len(toks) > 2000:
            warnings.append(f"the answer is very long ({len(toks)} words); aim for 250-350")
        if not looks_english(toks) or re.search(r"[^\x00-\u024f\s\u2000-\u206f\u20a0-\u20cf]{4,}", text):
            warnings.append("the answer does not look like English; the scores assume English")
        return Analysis(
            question=question,
            source=source,
            transcript=Transcript(text, transcript.words, transcript.duration_s, transcript.language),
            sentences=tuple(labels),
            star=star,
            competencies=self.competencies.score(
                sentences, vecs, [lab != "other" for lab in labelled.labels], question_vec
            ),
            signals=signals,
            delivery=delivery,
            warnings=tuple(warnings),
        )


class SentenceCache:
    """An Embedder that remembers the vectors of the sentences it embedded last (LRU).

    While an answer is spoken the listener reads the transcript at each pause to judge
    whether the story is finished; each check then embeds only the sentences that are new
    since the last one, and the analysis after the answer ends embeds only what the checks
    have not seen (a sentence the check read joined to the one before, say), which keeps the
    time from the end of the answer to the reply short on a busy CPU. Exact only for an
    embedder whose vectors do not depend on the rest of the batch (``OnnxEmbedder`` embeds
    int8 sentences one at a time for this; fp32 and torch are batch-independent). Large
    batches (fitting on the exemplars) pass through without filling the cache.
    """

    def __init__(self, inner: Embedder, size: int = 4096, passthrough: int = 256) -> None:
        self.inner = inner
        self.name = inner.name
        self._size = size
        self._passthrough = passthrough
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed(self, sentences: list[str]) -> np.ndarray:
        if not sentences or len(sentences) > self._passthrough:
            return self.inner.embed(sentences)
        with self._lock:
            known = {s: v for s in sentences if (v := self._vectors.get(s)) is not None}
            for s in known:
                self._vectors.move_to_end(s)
        missing = list(dict.fromkeys(s for s in sentences if s not in known))
        if missing:
            fresh = self.inner.embed(missing)
            found = dict(zip(missing, fresh, strict=True))
            with self._lock:
                self._vectors.update(found)
                while len(self._vectors) > self._size:
                    self._vectors.popitem(last=False)
            known.update(found)
        return np.stack([known[s] for s in sentences]).astype(np.float32, copy=True)
