"""The endpointing state machine, driven by scripted probability streams (pure, exact)."""

from __future__ import annotations

from voice_interviewer.audio.endpointing import (
    OPEN_ENDINGS,
    WINDOW_S,
    EndDecision,
    EndpointConfig,
    Endpointer,
    EndpointEvent,
    State,
    StoryVerdict,
    TurnSignals,
    decide_wait,
    has_phrase,
    judge_story,
    open_clause,
)


def windows(seconds: float) -> int:
    return round(seconds / WINDOW_S)


def drive(ep: Endpointer, script: list[tuple[float, float]]) -> list[EndpointEvent]:
    """script: (probability, seconds) runs; stops at the first end event."""
    events: list[EndpointEvent] = []
    for prob, seconds in script:
        for _ in range(windows(seconds)):
            new = ep.update(prob)
            events += new
            if any(e.kind == "end" for e in new):
                return events
    return events


def test_a_two_second_thinking_pause_does_not_end_the_answer() -> None:
    ep = Endpointer()
    events = drive(ep, [(0.0, 1.0), (0.9, 5.0), (0.1, 2.0), (0.9, 4.0), (0.05, 10.0)])
    kinds = [e.kind for e in events]
    assert kinds.count("end") == 1 and events[-1].reason == "silence"
    assert kinds[0] == "speech_start" and events[0].sample == windows(1.0) * 512
    # ended by the default wait (3 s) after the last speech, not at the 2 s pause
    assert ep.windows * WINDOW_S >= 1 + 5 + 2 + 4 + 3 - 0.05
    assert "segment" in kinds  # the 2 s pause closed a segment for streaming transcription


def test_wait_adapts_to_the_transcript_tail() -> None:
    ep = Endpointer()
    ep.set_tail("and that is how we shipped it.")
    assert ep.required_wait_s() == 2.4  # complete sentence, no story verdict yet
    ep.set_tail("we rewrote the cache and")
    assert ep.required_wait_s() == 6.0
    ep.set_tail("so, um,")
    assert ep.required_wait_s() == 6.0
    ep.set_tail("and then, um.")  # Whisper often writes a trailing "um," as "um."
    assert ep.required_wait_s() == 6.0
    ep.set_tail("we rewrote the cache")
    assert ep.required_wait_s() == 3.0
    assert min(EndpointConfig().wait_complete_s, EndpointConfig().wait_default_s) > 2.0


def decision(tail: str, story: StoryVerdict | None, smart: float | None = None, current: bool = True) -> EndDecision:
    return decide_wait(TurnSignals(tail, current, story, smart), EndpointConfig())


DONE = StoryVerdict(True, "result last")
UNFINISHED = StoryVerdict(False, "no result yet")


def test_a_finished_story_ends_soon_and_an_unfinished_one_waits_past_a_long_thinking_pause() -> None:
    assert decision("Latency fell by 40 percent.", DONE) == EndDecision(0.5, "done")
    assert decision("Then I rewrote the parser.", UNFINISHED) == EndDecision(5.0, "story")
    assert decision("Then I rewrote the parser.", UNFINISHED).wait_s > 4.0  # a 4 s pause mid-story survives


def test_the_acoustic_model_and_open_words_make_a_finished_story_unsure() -> None:
    assert decision("Latency fell by 40 percent.", DONE, smart=0.2) == EndDecision(1.2, "unsure")
    assert decision("Latency fell by 40 percent.", DONE, smart=0.9).rule == "done"
    assert decision("Latency fell by 40 percent", DONE).rule == "unsure"  # no full stop
    assert decision("Latency fell and then we", DONE).rule == "open"  # open clause beats the story
    # Whisper left the full stop off a word a sentence may end on: after a finished story that
    # is no open clause (it was 6 s of dead air); mid-story, or on "and"/"um", it still is.
    cfg = EndpointConfig(open_endings=OPEN_ENDINGS | {"about"})
    cared = "which was the number the CTO actually cared about"
    assert decide_wait(TurnSignals(cared, True, DONE), cfg).rule == "unsure"
    # ... unless the acoustic model is sure the turn is complete (bench turns: 1.36 s of dead air).
    assert decide_wait(TurnSignals(cared, True, DONE, 0.86), cfg).rule == "done"
    assert decide_wait(TurnSignals(cared, True, DONE, 0.6), cfg).rule == "unsure"
    assert decide_wait(TurnSignals(cared, True, UNFINISHED, 0.95), cfg).rule == "open"
    assert decision("Latency fell and then we", DONE, smart=0.95).rule == "open"
    assert decide_wait(TurnSignals(cared, True, UNFINISHED), cfg).rule == "open"
    assert decide_wait(TurnSignals(cared, False, DONE), cfg).rule == "open"  # the story verdict is stale
    assert decision("and the latency fell and", DONE).rule == "open"
    assert decision("and the latency fell, um", DONE).rule == "open"
    assert not open_clause(cared, cfg.open_endings, story_done=True)  # "about": a sentence may end there
    assert open_clause("fell and", story_done=True) and open_clause("fell, um", story_done=True)


def test_a_hold_phrase_waits_longest_and_stale_words_never_end_quickly() -> None:
    assert decision("Hmm, give me a second to think.", None) == EndDecision(10.0, "hold")
    assert decision("Good question. Let me think.", DONE).rule == "hold"
    assert decision("Latency fell by 40 percent.", DONE, current=False) == EndDecision(5.0, "pending")


def test_hold_phrases_and_open_clauses_match_whole_words() -> None:
    assert has_phrase("OK, let me   think about that")
    assert not has_phrase("I let me thinking")  # "let me thinking" is not "let me think"
    assert open_clause("and then we")
    assert not open_clause("we did it.")
    assert not open_clause("")
    assert open_clause("the result was, ")
    assert open_clause("So, um.")  # Whisper's full stop after a filler
    assert open_clause("and then we went and.")  # no sentence ends on "and"
    # A full stop after a word a sentence may end on: finished ("cared about" ends this one).
    endings = OPEN_ENDINGS | {"about"}
    assert not open_clause("which was the number the CTO actually cared about.", endings)
    assert open_clause("which was the number the CTO actually cared about", endings)  # no stop: maybe more


def test_story_verdicts_from_the_story_end_probability() -> None:
    words = ["word " * 30, "word " * 30]
    assert judge_story(words, 0.9).done
    likely = judge_story(words, 0.5)
    assert not likely.done and likely.likely  # reads as finished, not surely: a slightly longer wait
    unfinished = judge_story(words, 0.2)
    assert not unfinished.done and not unfinished.likely
    assert judge_story(words, 0.5, done_p=0.5).done  # the bands are parameters
    assert not judge_story(["We won."], 0.99).done  # too short to be a story, whatever the model says
    assert judge_story(["And that's about it."], 0.1, closing_phrases=("that's about it",)).done
    # A reply to a follow-up: done with one substantive sentence, the probability aside.
    assert judge_story(["I wrote the migration script myself."], 0.0, True, story_sentences=1).done
    assert not judge_story(["Um, yes."], 0.0, True, story_sentences=0).done
    assert judge_story(words, 0.42).p_finished == 0.42  # saved with the end decision


def test_a_story_surely_finished_as_streamed_and_likely_once_joined_is_done() -> None:
    """Joining a broken-off piece back can blur a real last sentence; it may not undo a sure ending."""
    words = ["word " * 30, "word " * 30]
    assert judge_story(words, 0.6, p_as_streamed=0.95).done
    assert "0.95 as streamed" in judge_story(words, 0.6, p_as_streamed=0.95).summary
    assert not judge_story(words, 0.3, p_as_streamed=0.95).done  # once joined, a thinking pause: wait
    assert not judge_story(words, 0.3, p_as_streamed=0.95).likely
    assert not judge_story(words, 0.6, p_as_streamed=0.7).done  # neither reading is sure


def test_a_likely_finished_story_waits_a_little_longer_than_a_sure_one() -> None:
    likely = StoryVerdict(False, "not sure", likely=True)
    assert decision("It mostly worked out.", likely) == EndDecision(1.0, "likely")
    assert decision("It mostly worked out.", likely).wait_s < decision("It mostly worked out.", UNFINISHED).wait_s


def test_after_the_end_sustained_speech_resumes_the_same_answer() -> None:
    ep = Endpointer(EndpointConfig(wait_done_s=0.5))
    ep.set_signals(TurnSignals("We shipped it.", True, DONE))
    events = drive(ep, [(0.9, 2.0), (0.0, 1.0)])
    assert events[-1].kind == "end" and ep.state is State.WATCHING
    assert ep.decision == EndDecision(0.5, "done")
    later = [e for _ in range(windows(0.1)) for e in ep.update(0.9)]
    assert later == [] and ep.state is State.WATCHING  # a 0.1 s blip is not the candidate going on
    drive(ep, [(0.0, 0.5)])
    resumed = [e for _ in range(windows(0.4)) for e in ep.update(0.9)]
    assert [e.kind for e in resumed] == ["resume"] and ep.state is State.SPEAKING
    assert ep.open_segment() is not None  # the new speech is a segment of the same answer


def test_complete_sentence_ends_sooner_than_open_clause() -> None:
    def silence_until_end(tail: str) -> float:
        ep = Endpointer()
        drive(ep, [(0.9, 2.0)])
        ep.set_tail(tail)
        before = ep.windows
        drive(ep, [(0.0, 10.0)])
        return (ep.windows - before) * WINDOW_S

    assert silence_until_end("It worked.") < silence_until_end("It worked and")


def test_no_speech_and_max_duration_and_blips() -> None:
    ep = Endpointer(EndpointConfig(no_speech_s=3.0))
    events = drive(ep, [(0.9, 0.04), (0.0, 5.0)])  # a 40 ms click is not speech
    assert events[-1].reason == "no_speech" and ep.speech_start is None
    ep = Endpointer(EndpointConfig(max_answer_s=4.0))
    events = drive(ep, [(0.9, 10.0)])
    assert events[-1].reason == "max_duration"
    assert abs(ep.windows * WINDOW_S - 4.0) < 0.05


def test_states_are_explicit() -> None:
    ep = Endpointer()
    assert ep.state is State.QUIET
    ep.update(0.9)
    assert ep.state is State.STARTING
    drive(ep, [(0.9, 0.2)])
    assert ep.state is State.SPEAKING
    ep.update(0.1)
    assert ep.state is State.STOPPING
    ep.update(0.9)
    assert ep.state is State.SPEAKING
