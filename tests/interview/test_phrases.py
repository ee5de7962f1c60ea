"""Quoting the candidate by role, with the bundled English parser (spaCy en_core_web_sm 3.8.0)."""

from __future__ import annotations

import pytest

from tests.interview.test_policy import FULL, HM, analysis
from voice_interviewer.adapters.parser import SpacyParser
from voice_interviewer.interview.phrases import answer_phrases, kinds_in
from voice_interviewer.interview.policy import choose_wording, decide, fill


@pytest.fixture(scope="module")
def parse() -> SpacyParser:
    return SpacyParser()


def phrases(parse: SpacyParser, *said: tuple[str, str]) -> dict[str, str]:
    return dict(answer_phrases(list(said), parse))


def test_each_kind_of_phrase_comes_from_where_it_belongs(parse: SpacyParser) -> None:
    found = phrases(
        parse,
        ("The nightly memory leak kept paging the on-call engineers.", "situation"),
        ("I rewrote the reconciliation job so it streamed the ledger.", "action"),
        ("I convinced the platform team to move the cron window.", "action"),
        ("I decided to roll back the release.", "action"),
    )
    assert found["work"] == "the reconciliation job"
    assert found["people"] == "the platform team"
    assert found["problem"] == "the nightly memory leak"
    assert found["decision"] == "to roll back the release"


@pytest.mark.parametrize(
    "sentence",
    [
        "We cut the failure rate from twelve percent to under one percent.",  # a number, not a thing
        "The biggest thing was the real problem with our process.",  # judgements, not things
        "I set up a dashboard tracking chargebacks and false declines.",  # half of a list
        "I fixed the identity team's library.",  # a possessive cut in two reads badly
        "I reviewed the code reviews mostly.",  # not a verb of making or changing
        "I ran the meeting.",  # a bare noun: too thin to name the work
    ],
)
def test_no_fragment_number_or_judgement_is_quoted_as_work(parse: SpacyParser, sentence: str) -> None:
    assert "work" not in phrases(parse, (sentence, "action"))


def test_the_main_thread_wins_and_the_closing_lesson_is_never_quoted(parse: SpacyParser) -> None:
    found = phrases(
        parse,
        ("I rebuilt the billing export for the finance team.", "action"),
        ("Then I rebuilt the billing export scheduler as well.", "action"),
        ("I also redesigned the office seating chart.", "action"),
        ("I learned to document the reporting pipeline first.", "other"),
    )
    assert found["work"] == "the billing export"
    assert "pipeline" not in " ".join(found.values())


def test_a_person_is_never_quoted_as_work_and_my_team_becomes_your_team(parse: SpacyParser) -> None:
    found = phrases(parse, ("I coached my team through the platform migration.", "action"))
    assert found.get("people") == "your team"
    assert found.get("work") != "your team"


@pytest.mark.parametrize(
    ("sentence", "moment"),
    [
        ("I pushed back on the PM and wrote a one-page plan.", "pushed back on the PM"),  # the second clause is not
        ("So I talked to my manager about it.", "talked to your manager about it"),
        ("I told the VP that we would slip by a week.", "told the VP"),
        ("I negotiated a two week extension with the customer.", "negotiated a two week extension with the customer"),
        ("I called him the next morning.", None),  # whom? the question could not say
        ("We went to production on Monday.", None),  # a date is not a person
        ("I rewrote the export job for the finance team.", None),  # building, not dealing with someone
        ("We usually talk to the customer first.", None),  # a habit, not a moment
        ("I didn't tell my manager.", None),
        ("I told my manager right away.", "told your manager"),  # not parroting the adverb
        ("I talked to a few of the quieter engineers privately.", "talked to a few of the quieter engineers"),
        ("I sat with the compliance lead for two mornings.", "sat with the compliance lead"),  # when, not who
        ("I met with two charge nurses from the pilot ward.", "met with the two charge nurses from the pilot ward"),
        ("I called a senior engineer on the other team.", "called the senior engineer on the other team"),
        ("I told my manager and the retention lead straight away.", "told your manager and the retention lead"),
        ("I met each team lead one on one.", None),  # "lead" parsed as a verb: the quote would cut it
    ],
)
def test_a_moment_is_the_candidates_own_clause_of_dealing_with_someone(
    parse: SpacyParser, sentence: str, moment: str | None
) -> None:
    assert phrases(parse, (sentence, "action")).get("moment") == moment


def test_persuading_someone_is_the_moment_before_asking_someone(parse: SpacyParser) -> None:
    found = phrases(
        parse,
        ("I asked the data team for the raw logs.", "action"),
        ("Then I pushed back on the VP about the launch date.", "action"),
    )
    assert found["moment"] == "pushed back on the VP about the launch date"


def test_a_template_is_used_only_when_its_phrase_was_found() -> None:
    assert fill("What did you do on {work}?", {"people": "the VP"}) is None
    assert (
        fill("What did you do on {work}?", {"work": "the billing export"}) == "What did you do on the billing export?"
    )
    assert kinds_in("How did {people} take {decision}?") == {"people", "decision"}
    options = ("How did {people} react?", "So how did it turn out?")
    assert choose_wording(options, {}, "seed") == "So how did it turn out?"
    assert choose_wording(options, {"people": "the VP"}, "seed") == "How did the VP react?"


def test_the_policy_quotes_the_answer_through_the_parser(parse: SpacyParser) -> None:
    a = analysis(["situation", "task", "action"], has_reflection=False, quantified_results=())
    decision = decide(a, HM, parse=parse)
    assert decision.target == "result" and "{" not in decision.text
    assert decide(a, HM).text in HM.follow_ups["result"]  # no parser: a line without a quote


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Yes.",
        "Wir haben das System neu geschrieben und die Kosten gesenkt.",
        "we we we we we and then we did it and we shipped it",
        "Quickly! Slowly, carefully... done.",
        'I said "ship it 🚀" and the team\'s "war room" 😅 agreed.',
        "I rewrote the export job. " * 1500,
    ],
)
def test_odd_answers_get_a_whole_question_or_none(parse: SpacyParser, text: str) -> None:
    labels = FULL if text else ["other"]
    base = analysis(labels, has_reflection=False)
    said = tuple(s.__class__(s.index, text or "-", s.star, s.confidence) for s in base.sentences)
    decision = decide(base.__class__(**{**base.__dict__, "sentences": said}), HM, parse=parse)
    assert decision.target is None or (decision.text.endswith("?") and "{" not in decision.text)
