"""Answer analysis: one call turns a transcript into an ``Analysis``.

Pipeline: clean text -> sentences (injected splitter) -> one embedding batch ->
STAR labels (``star``) -> competencies (``competency``) -> signals (``signals``)
-> themes (``themes``) -> delivery metrics for audio (``delivery``). Exemplar embeddings are computed
once and cached on disk with the classifiers fitted on them (``fitting``), keyed by
the embedding model and the exemplar text.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..content.content import AnalysisContent
from ..errors import InputError
from ..ports import Embedder
from ..types import (
    Analysis,
    AnswerSourceKind,
    CompetencyScore,
    PlanResult,
    QuestionKind,
    SentenceLabel,
    Signals,
    ThemeScore,
    Transcript,
    Word,
)
from .competency import CompetencyModel
from .delivery import delivery_metrics
from .fitting import load_or_fit, star_neighbours, theme_vectors
from .kinds import KindModel
from .plan import PlanModel
from .signals import SignalScorer
from .star import LABELS, CueScorer, Fitter, Labelled, StarModel, label_sentences
from .star_score import rubric, summarise
from .story_end import StoryEndModel
from .text import clean_text, tokens
from .themes import ThemeModel

Splitter = Callable[[str], list[str]]
MAX_SENTENCE_WORDS = 45
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


def looks_english(toks: list[str]) -> bool:
    if len(toks) < 8:
        return True
    return sum(t in _ENGLISH_COMMON for t in toks) / len(toks) >= 0.12


def _batch(sentences: list[str], question: str) -> list[str]:
    """What one embedding call gets for an answer: its sentences, then the question if any."""
    return [*sentences, question] if question else sentences


TEXT_PARTS_KEPT = 8  # a few answers' text parts (a thread's checks and its analysis)


@dataclass(frozen=True)
class _TextPart:
    """What an answer's words alone decide, before the word timings are added."""

    labelled: Labelled
    signals: Signals
    competencies: tuple[CompetencyScore, ...]
    themes: tuple[ThemeScore, ...]
    kind: QuestionKind
    plan: PlanResult | None


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
        vecs, arrays = load_or_fit(content, embedder, self.cues, fit, cache_dir, model_id or embedder.name)
        neighbours = star_neighbours(content, vecs)
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
        self.themes = ThemeModel(
            [t.id for t in content.themes], theme_vectors(content, vecs), [t.question_cues for t in content.themes]
        )
        self.kinds = KindModel(
            [k.id for k in content.kinds], arrays.get("kind_w"), arrays.get("kind_b"), [k.cues for k in content.kinds]
        )
        # A situational answer's plan rubric (none without prompts/plan_rubric.toml).
        self.plan = (
            PlanModel([e.id for e in content.plan], arrays["plan_w"], arrays["plan_b"], [e.cues for e in content.plan])
            if "plan_w" in arrays
            else None
        )
        # pysbd takes ~5 ms an answer; the listener's story check and the analysis after the
        # answer split the same transcript.
        self._split = functools.lru_cache(maxsize=32)(self._split_uncached)
        # What the words alone decide (labels, signals, competencies, themes), by question and
        # sentences: the listener prepares it at a pause that reads as the end (``prepare``),
        # so the analysis after the decision only adds the word timings. On a busy CPU the
        # whole analysis takes 50-80 ms there, the timing part a few.
        self._parts: OrderedDict[tuple[str, tuple[str, ...], QuestionKind | None], _TextPart] = OrderedDict()
        self._parts_lock = threading.Lock()

    def split(self, text: str) -> list[str]:
        """The sentences of ``text`` (the same text is split once: the story check and analysis share it)."""
        return list(self._split(text))

    def _split_uncached(self, text: str) -> tuple[str, ...]:
        sentences: list[str] = []
        for s in self.splitter(text):
            sentences.extend(split_long(s))
        return tuple(s for s in sentences if tokens(s)) or ((text,) if tokens(text) else ())

    def prepare(self, question: str, text: str, kind: QuestionKind | None = None) -> None:
        """Do the text part of ``analyze(question, Transcript(text), kind=kind)`` now, ahead of the call.

        The listener calls this at a pause that reads as the end of the answer: if the
        candidate has finished, the analysis after the decision finds it done."""
        sentences = self.split(clean_text(text))
        if sentences:
            self._text_part(clean_text(question), sentences, kind)

    def recognise_kind(self, question: str) -> QuestionKind:
        """What ``question`` asks for, from its words alone (``analysis.kinds``)."""
        question = clean_text(question)
        vec = self.embedder.embed([question])[0] if tokens(question) else None
        return self.kinds.recognise(question, vec)

    def _text_part(self, question: str, sentences: list[str], kind: QuestionKind | None = None) -> _TextPart:
        key = (question, tuple(sentences), kind)
        with self._parts_lock:
            part = self._parts.get(key)
            if part is not None:
                self._parts.move_to_end(key)
                return part
        batch = self.embedder.embed(_batch(sentences, question))
        vecs = batch[: len(sentences)]
        question_vec = batch[len(sentences)] if question else None
        labelled = label_sentences(sentences, vecs, self.star_model, self.cues, question_vec)
        story = [lab != "other" for lab in labelled.labels]
        known = kind or self.kinds.recognise(question, question_vec)
        part = _TextPart(
            labelled,
            self.signals.score(sentences, labelled.labels, labelled.reflection),
            self.competencies.score(sentences, vecs, story, question_vec),
            self.themes.score(vecs, story, question),
            known,
            self.plan.score(sentences, vecs) if self.plan is not None and known.id == "situational" else None,
        )
        with self._parts_lock:
            self._parts[key] = part
            while len(self._parts) > TEXT_PARTS_KEPT:
                self._parts.popitem(last=False)
        return part

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
        kind: QuestionKind | None = None,
    ) -> Analysis:
        """Analyse one answer. ``sentences`` overrides splitting (the evaluation uses gold sentences);
        ``kind``: what the question asks for, when known (the bank's or ``--kind``); else it is recognised
        from the question's words. A situational answer is also scored against the plan rubric."""
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
        part = self._text_part(question, sentences, kind)
        labelled = part.labelled
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
        signals = part.signals
        star = rubric(summarise(labelled.labels, word_counts, durations, labelled.confidence), signals)
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
            competencies=part.competencies,
            signals=signals,
            delivery=delivery,
            warnings=tuple(warnings),
            themes=part.themes,
            kind=part.kind,
            plan=part.plan,
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
