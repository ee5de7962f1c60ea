"""Analysis logic with the deterministic hash embedder: invariants and exact pure parts."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_interviewer.adapters.learn import fit_softmax
from voice_interviewer.adapters.sentences import PysbdSplitter
from voice_interviewer.analysis.analyzer import Analyzer, align_words, split_long
from voice_interviewer.analysis.fitting import _cache_key, load_or_fit
from voice_interviewer.analysis.hmm import posteriors, viterbi
from voice_interviewer.analysis.star import CueScorer, expand_hmm, learned_hmm, state_path
from voice_interviewer.analysis.star_score import star_score
from voice_interviewer.config import default_prompts_dir
from voice_interviewer.content.content import load_content
from voice_interviewer.content.prompts import COMPETENCY_IDS
from voice_interviewer.errors import InputError
from voice_interviewer.store.codec import score_to_json
from voice_interviewer.testing import HashEmbedder
from voice_interviewer.types import SENTENCE_LABELS, Transcript, Word

CONTENT = load_content(default_prompts_dir())
ANSWER = (
    "Last year our payments service kept timing out during sales. "
    "I was responsible for fixing it before the holiday launch. "
    "I profiled the checkout path and rewrote the slowest query. "
    "Timeouts dropped by 90 percent and revenue recovered within a week. "
    "I learned to load test before every big launch."
)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(CONTENT, HashEmbedder(dim=256), PysbdSplitter(), fit_softmax)


def test_every_sentence_is_labelled_in_order(analyzer: Analyzer) -> None:
    result = analyzer.analyze("Tell me about a time you fixed something.", Transcript(ANSWER))
    assert [s.text for s in result.sentences] == analyzer.split(ANSWER)
    assert [s.index for s in result.sentences] == list(range(len(result.sentences)))
    assert all(s.star in SENTENCE_LABELS and 0 <= s.confidence <= 1 for s in result.sentences)
    assert math.isclose(sum(result.star.share_words.values()), 1.0, abs_tol=0.01)
    assert [c.id for c in result.competencies] != [] and {c.id for c in result.competencies} == set(COMPETENCY_IDS)
    probs = [c.strength for c in result.competencies]
    assert probs == sorted(probs, reverse=True)
    assert result.delivery is None  # typed answers have no delivery metrics


def test_score_json_matches_the_contract(analyzer: Analyzer) -> None:
    data = score_to_json(analyzer.analyze("Q?", Transcript(ANSWER)), None)
    assert data["schema_version"] == 1
    assert set(data) >= {
        "question",
        "source",
        "transcript",
        "sentences",
        "star",
        "competencies",
        "signals",
        "delivery",
        "follow_up",
        "warnings",
    }
    assert set(data["star"]) >= {"score", "missing", "share_words", "share_seconds"}
    assert set(data["star"]["share_words"]) == set(SENTENCE_LABELS)
    assert set(data["signals"]) >= {
        "i_ratio",
        "quantified_results",
        "has_reflection",
        "specific",
        "word_count",
        "length_verdict",
    }
    assert data["follow_up"]["target"] == "none"
    assert 0 <= data["star"]["score"] <= 100


@pytest.mark.parametrize("text", ["", "   \n\t ", "\x00\x01"])
def test_empty_answer_is_a_clear_error(analyzer: Analyzer, text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        analyzer.analyze("Q", Transcript(text))


def test_degenerate_answers_warn(analyzer: Analyzer) -> None:
    one = analyzer.analyze("Q", Transcript("Yes."))
    assert any("very short" in w for w in one.warnings)
    emoji = analyzer.analyze("Q", Transcript("I shipped it 🚀\x07 and it worked 🎉."))
    assert any("control characters" in w for w in emoji.warnings)
    german = analyzer.analyze(
        "Q",
        Transcript(
            "Ich habe das Projekt geleitet und wir haben es pünktlich geliefert, "
            "weil die Kunden sehr zufrieden waren mit unserer Arbeit."
        ),
    )
    assert any("English" in w for w in german.warnings)
    long = analyzer.analyze("Q", Transcript("I fixed the build and shipped it. " * 400))
    assert any("very long" in w for w in long.warnings)
    assert long.signals.length_verdict == "too_long"


def test_split_long_breaks_run_on_text() -> None:
    run_on = " ".join(["I did a thing and"] * 30)
    pieces = split_long(run_on)
    assert len(pieces) > 1 and " ".join(pieces) == run_on
    assert split_long("Short one.") == ["Short one."]


def test_align_words_gives_sentence_times() -> None:
    words = tuple(Word(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate(["I", "did", "it.", "Then", "it", "worked."]))
    assert align_words(["I did it.", "Then it worked."], words) == [(0.0, 1.4), (1.5, 2.9)]


def test_star_score_formula() -> None:
    ideal = {"situation": 0.15, "task": 0.10, "action": 0.50, "result": 0.25, "other": 0.0}
    assert star_score(ideal, {"situation", "task", "action", "result"}) == 100
    no_result = {"situation": 0.3, "task": 0.2, "action": 0.5, "result": 0.0, "other": 0.0}
    # coverage 50 + balance 20*(1 - (0.15+0.1+0+0.25)/2)=15 + focus 10
    assert star_score(no_result, {"situation", "task", "action"}) == 75
    assert star_score({k: 0.0 for k in ideal} | {"other": 1.0}, {"other"}) == 0


def test_hmm_prefers_story_order_and_keeps_phase_through_asides() -> None:
    phase = np.log(
        np.array([[0.6, 0.3, 0.08, 0.02], [0.05, 0.5, 0.4, 0.05], [0.02, 0.03, 0.6, 0.35], [0.02, 0.02, 0.16, 0.8]])
    )
    trans, start = expand_hmm(phase, np.log(np.array([0.7, 0.1, 0.15, 0.05])), 0.1)
    flat = np.log(np.full((3, 8), 1 / 8))
    assert viterbi(flat, trans, start)[0] == 0  # with no evidence, a story starts with the situation
    post = posteriors(flat, trans, start)
    assert np.allclose(post.sum(axis=1), 1.0)


def test_learned_hmm_counts_aside_runs_and_keeps_forbidden_moves_impossible() -> None:
    phase = np.log(np.full((4, 4), 0.25))
    trans, start = expand_hmm(phase, np.log(np.full(4, 0.25)), 0.1)
    answers = [["other", "situation", "action", "result", "other", "other"]] * 10
    assert state_path(answers[0]) == [4, 0, 2, 3, 7, 7]
    learned, learned_start = learned_hmm(answers, trans, start, prior=5.0)
    assert np.allclose(np.exp(learned).sum(axis=1), 1.0) and np.isclose(np.exp(learned_start).sum(), 1.0)
    assert learned[7, 7] > trans[7, 7]  # asides after the result come in runs
    assert np.isneginf(learned[0, 5]) and np.isneginf(learned[3, 4])  # an aside never changes the phase


def test_cache_key_changes_with_training_labels() -> None:
    groups = [("I led the migration.",)]
    assert _cache_key("m", groups, [("action", "|", "leadership")]) != _cache_key(
        "m", groups, [("result", "|", "leadership")]
    )


def test_a_cue_list_edit_refits_the_cached_models(tmp_path: Path) -> None:
    """The features are made from the cue lists, so a cached fit made with other cues is not reused."""
    embedder, cues = HashEmbedder(dim=32), CueScorer(CONTENT.cues)
    load_or_fit(CONTENT, embedder, cues, fit_softmax, tmp_path, "m")
    decision = next(e for e in CONTENT.plan if e.id == "decision")
    more = dataclasses.replace(decision, cues=(*decision.cues, "my final answer"))
    edited = dataclasses.replace(CONTENT, plan=tuple(more if e.id == "decision" else e for e in CONTENT.plan))
    load_or_fit(edited, embedder, cues, fit_softmax, tmp_path, "m")
    filler = dataclasses.replace(
        CONTENT, cues=dataclasses.replace(CONTENT.cues, fillers=(*CONTENT.cues.fillers, "erm"))
    )
    load_or_fit(filler, embedder, cues, fit_softmax, tmp_path, "m")
    assert len(list(tmp_path.glob("analyzer-*.npz"))) == 3


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=0, max_size=400))
def test_splitter_and_signals_never_crash_on_any_unicode(text: str) -> None:
    analyzer = _SHARED.get("a") or _SHARED.setdefault(
        "a", Analyzer(CONTENT, HashEmbedder(64), PysbdSplitter(), fit_softmax)
    )
    try:
        result = analyzer.analyze("Q", Transcript(text))
    except InputError:
        return  # no words at all: the documented clear error
    assert len(result.sentences) >= 1
    assert result.signals.word_count >= 1
    assert result.signals.i_ratio is None or 0 <= result.signals.i_ratio <= 1
    json_ready = score_to_json(result, None)
    assert json_ready["sentences"][0]["index"] == 0


_SHARED: dict[str, Analyzer] = {}


def test_sentence_cache_embeds_each_sentence_once_and_gives_the_inner_vectors() -> None:
    from voice_interviewer.analysis.analyzer import SentenceCache
    from voice_interviewer.testing import HashEmbedder

    asked: list[list[str]] = []

    class Recording(HashEmbedder):
        def embed(self, sentences: list[str]) -> np.ndarray:
            asked.append(list(sentences))
            return super().embed(sentences)

    inner = HashEmbedder()
    cached = SentenceCache(Recording(), size=3)
    first = cached.embed(["We shipped.", "It worked."])
    grown = cached.embed(["We shipped.", "It worked.", "Then we rolled it out."])
    assert asked == [["We shipped.", "It worked."], ["Then we rolled it out."]]
    assert np.array_equal(grown[:2], first)
    assert np.array_equal(grown, inner.embed(["We shipped.", "It worked.", "Then we rolled it out."]))
    cached.embed(["Another.", "It worked."])  # "We shipped." is now the least recently used: evicted
    cached.embed(["We shipped."])
    assert asked[-2:] == [["Another."], ["We shipped."]]
    grown[0] += 1.0  # callers get copies: the cached vectors stay as embedded
    assert np.array_equal(cached.embed(["It worked."]), inner.embed(["It worked."]))
    assert cached.embed([]).shape[0] == 0
    big = [f"Sentence {i}." for i in range(300)]  # fitting: passes through, caches nothing
    cached.embed(big)
    cached.embed(big[:1])
    assert asked[-1] == big[:1]


def test_the_story_check_embeds_what_the_analysis_after_the_answer_reuses() -> None:
    """The pause checks and the final analysis of the same words embed each sentence once."""
    from voice_interviewer.analysis.analyzer import SentenceCache

    batches: list[list[str]] = []

    class Recording(HashEmbedder):
        def embed(self, sentences: list[str]) -> np.ndarray:
            batches.append(list(sentences))
            return super().embed(sentences)

    model = Analyzer(CONTENT, SentenceCache(Recording(dim=256)), PysbdSplitter(), fit_softmax)
    question = "Tell me about a time you fixed something under pressure."
    sentences = model.split(ANSWER)
    batches.clear()
    p = model.finished(sentences[:-1], question)  # a pause before the last sentence
    assert p is not None and 0.0 <= p <= 1.0
    model.finished(sentences, question)  # the next pause: only the new sentence
    assert batches[-1] == [sentences[-1]]
    model.analyze(question, Transcript(ANSWER), "mic")
    assert len(batches) == 2  # nothing left to embed after the answer ends
    # text the analysis reads differently from the checks costs only the changed sentence
    other = ANSWER.replace("I learned", "And I learned")
    model.analyze(question, Transcript(other), "mic")
    assert len(batches) == 3 and len(batches[-1]) == 1 and batches[-1][0].startswith("And I learned")


def test_prepared_words_give_the_same_analysis_and_only_the_timings_are_added(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``prepare`` at a pause does the text part; the analysis after it adds the word times."""
    import voice_interviewer.analysis.analyzer as analyzer_module

    model = Analyzer(CONTENT, HashEmbedder(dim=256), PysbdSplitter(), fit_softmax)
    fresh = Analyzer(CONTENT, HashEmbedder(dim=256), PysbdSplitter(), fit_softmax)
    question = "Tell me about a time you fixed something under pressure."
    words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(ANSWER.split()))
    transcript = Transcript(ANSWER, words, len(words) * 0.4)
    model.prepare(question, ANSWER)
    labelled: list[list[str]] = []
    labeller = analyzer_module.label_sentences

    def counting(sentences: list[str], *args: Any, **kwargs: Any) -> Any:
        labelled.append(sentences)
        return labeller(sentences, *args, **kwargs)

    monkeypatch.setattr(analyzer_module, "label_sentences", counting)
    prepared = model.analyze(question, transcript, "mic")
    assert labelled == []  # the labels came from the pause
    other = model.analyze(question, Transcript(ANSWER.replace("I learned", "Then I learned")), "mic")
    assert len(labelled) == 1  # different words are labelled afresh
    assert prepared == fresh.analyze(question, transcript, "mic")
    assert prepared.delivery is not None and prepared.sentences[0].start_s == 0.0
    assert other.sentences[-1].text.startswith("Then I learned")
