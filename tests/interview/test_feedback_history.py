"""End-of-round feedback and the candidate history used by the AA round."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from tests.interview.test_policy import FULL, analysis
from voice_interviewer.config import default_prompts_dir
from voice_interviewer.content.prompts import load_questions, load_round, pick_questions
from voice_interviewer.interview.feedback import session_feedback
from voice_interviewer.interview.history import read_history
from voice_interviewer.saved import SavedSession
from voice_interviewer.store.codec import feedback_to_json
from voice_interviewer.testing import FakeClock, MemorySink, RecordingSpeaker, ScriptedAnswerSource
from voice_interviewer.types import CompetencyScore, SentenceLabel, Turn

NAMES = {"leadership": "Leadership", "customer_focus": "Customer Focus", "judgment": "Judgment"}


def test_feedback_names_strengths_and_improvements_with_evidence() -> None:
    answers = [
        analysis(["situation", "task", "action"], has_reflection=False, quantified_results=()),
        analysis(["situation", "action"], has_reflection=False, quantified_results=()),
    ]
    fb = session_feedback(answers, ("leadership", "customer_focus"), NAMES)
    assert len(fb.strengths) <= 2 and len(fb.improvements) == 2
    first = fb.improvements[0]
    assert first.text.startswith("Finish each story")
    assert first.evidence  # the sentence where the story stopped
    assert fb.not_shown == ("Customer Focus",)  # leadership was covered in the constructed answers
    spoken = fb.spoken()
    assert "To work on:" in spoken and "Customer Focus" in spoken
    assert feedback_to_json(fb)["improvements"][0]["evidence"] == first.evidence


def test_strong_answers_get_strengths() -> None:
    fb = session_feedback([analysis(FULL), analysis(FULL)], ("leadership",), NAMES)
    texts = [p.text for p in fb.strengths]
    assert "Your answers had all four STAR parts." in texts
    assert fb.not_shown == ()


def _session(started: str, probs: dict[str, tuple[float, bool]], context: str) -> SavedSession:
    main = dataclasses.replace(
        analysis(["situation"]),
        sentences=(SentenceLabel(0, context, "situation", 0.9),),
        competencies=tuple(CompetencyScore(c, p, p, cov, "", -1) for c, (p, cov) in probs.items()),
    )
    follow_up = dataclasses.replace(analysis(FULL), competencies=(CompetencyScore("judgment", 1, 1, True, "", -1),))
    turns = (
        Turn(0, "q1", "Q?", False, None, analysis=main),
        Turn(1, "q1", "And then?", True, None, analysis=follow_up),
    )
    return SavedSession(started, "ana", "aa", started, None, True, turns)


def test_history_orders_competencies_weakest_first_and_keeps_stories() -> None:
    history = read_history(
        [
            _session(
                "2026-01-01T10:00:00",
                {"leadership": (0.6, True), "judgment": (0.05, False)},
                "We ran the fraud model rollout.",
            ),
            _session(
                "2026-02-01T10:00:00",
                {"leadership": (0.5, True), "customer_focus": (0.2, True)},
                "Our team owned the billing migration.",
            ),
        ]
    )
    assert history.sessions == 2 and history.answers == 2  # follow-up answers do not count
    assert history.weakest(("leadership", "judgment", "customer_focus")) == ("judgment", "customer_focus", "leadership")
    assert history.stories[0] == "the billing migration"  # most recent first


def test_aa_questions_follow_the_weakest_competencies() -> None:
    prompts = default_prompts_dir()
    aa = load_round(prompts, "aa")
    assert aa.use_history and aa.recall
    chosen = pick_questions(load_questions(prompts), aa, 2, seed=1, priority=("diversity_and_inclusion", "judgment"))
    assert chosen[0].competencies[0] == "diversity_and_inclusion"


def test_interview_speaks_feedback_then_closing_and_records_it() -> None:
    from tests.interview.test_interview import QUESTIONS, RND, analyzer  # noqa: F401  (fixture import)
    from voice_interviewer.adapters.learn import fit_softmax
    from voice_interviewer.adapters.sentences import PysbdSplitter
    from voice_interviewer.analysis.analyzer import Analyzer
    from voice_interviewer.content.content import load_content
    from voice_interviewer.interview.interview import Interview
    from voice_interviewer.testing import HashEmbedder

    an = Analyzer(load_content(default_prompts_dir()), HashEmbedder(64), PysbdSplitter(), fit_softmax)
    speaker, sink = RecordingSpeaker(), MemorySink()
    Interview(
        RND,
        QUESTIONS[:1],
        speaker,
        ScriptedAnswerSource(["We fixed the build."]),
        sink,
        FakeClock(),
        analyzer=lambda: an,
        feedback=lambda a: session_feedback(a, RND.competencies, {}),
        opening="Last time you told me about the billing migration.",
    ).run()
    assert speaker.said[1].startswith("Last time you told me about the billing migration.")
    assert speaker.said[-2].startswith("Before we finish, some quick feedback.")
    assert speaker.said[-1] == RND.closing
    assert sink.feedback is not None and sink.feedback.improvements


def test_practice_with_history_recalls_an_earlier_story(home: Path) -> None:
    from tests.conftest import practice_typed

    first = (
        "At my last company the fraud model rollout was failing. "
        "I rewrote the pipeline and cut false alarms by 30 percent.\n\n"
    )
    proc = practice_typed("--no-follow-ups", "--candidate", "sam", "--round", "aa", input=first)
    assert proc.returncode == 0, proc.stderr
    proc = practice_typed("--no-follow-ups", "--candidate", "sam", "--round", "aa", input="Another story.\n\n")
    assert proc.returncode == 0, proc.stderr
    assert "Earlier sessions of sam: 1" in proc.stdout
    assert "fraud model rollout" in " ".join(proc.stdout.split())
