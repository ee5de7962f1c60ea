"""The endpointing state machine, driven by scripted probability streams (pure, exact)."""

from __future__ import annotations

from voice_interviewer.endpointing import WINDOW_S, EndpointConfig, Endpointer, EndpointEvent, State


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
    assert ep.required_wait_s() == 2.4
    ep.set_tail("we rewrote the cache and")
    assert ep.required_wait_s() == 4.0
    ep.set_tail("so, um,")
    assert ep.required_wait_s() == 4.0
    ep.set_tail("we rewrote the cache")
    assert ep.required_wait_s() == 3.0
    assert min(EndpointConfig().wait_complete_s, EndpointConfig().wait_default_s) > 2.0


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
