"""End of turn: an explicit state machine over counted VAD windows, told what was said.

Pure logic. Each VAD window (512 samples = 32 ms at 16 kHz) brings a speech
probability. States:

    quiet ──(prob >= start_threshold)──▶ starting ──(start_windows in a row)──▶ speaking
      ▲                                     │ (a quiet window)                    │
      └─────────────────────────────────────┘                                     │ prob < stop_threshold
                                                                                  ▼
                        speaking ◀──(prob >= start_threshold)── stopping ──(silence >= wait)──▶ ended
                            ▲                                                                     │
                            └──────────────(sustained speech again: the candidate resumes)──── watching

Silence alone cannot tell a thinking pause from a finished answer, so the wait in
``stopping`` is chosen by ``decide_wait`` from what the listener knows at that
moment (``TurnSignals``): the last words of the streaming transcript, whether the
story so far is finished (the analyzer's verdict), a hold phrase ("give me a
second"), and the acoustic end-of-turn model's probability. A finished story ends
the turn after about half a second; an unfinished one, an open clause ("and then
we", "um,") or a hold phrase waits far longer than any thinking pause.

After the end the endpointer keeps counting windows (``watching``): sustained
speech within the barge-in window means the candidate was not done, and the same
answer goes on (``resume`` event). The answer also ends on a hard maximum length,
when no speech starts within ``no_speech_s``, or on a key press (the caller's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from ..content.content import CONTINUATIONS
from ..types import SAMPLE_RATE, VAD_WINDOW

WINDOW = VAD_WINDOW  # samples per VAD window at 16 kHz (32 ms)
WINDOW_S = WINDOW / SAMPLE_RATE

# Defaults for tests of pure logic; the interviewer loads its lists from prompts/turn_taking.toml.
OPEN_ENDINGS = frozenset({"and", "so", "but", "because", "then", "which", "or", "the", "a", "to", "of", "we"})
FILLERS = frozenset({"um", "uh", "er", "erm", "hmm"})
DANGLING = frozenset({"and", "but", "or", "because", "the", "a", "an", "of", "we", "i", "when", "if"})
HOLD_PHRASES = ("give me a second", "let me think", "good question")


class State(Enum):
    """Where the endpointer is in the answer (see the state diagram in the module docstring)."""

    QUIET = "quiet"
    STARTING = "starting"
    SPEAKING = "speaking"
    STOPPING = "stopping"
    WATCHING = "watching"  # the answer ended; listening for the candidate resuming it


@dataclass(frozen=True)
class EndpointConfig:
    """All durations in seconds (`[audio] silence_*_s` in the config file)."""

    start_threshold: float = 0.5
    stop_threshold: float = 0.35
    start_s: float = 0.1  # sustained speech needed to count as the answer starting
    wait_done_s: float = 0.5  # the story is finished and the last sentence complete: reply soon
    wait_unsure_s: float = 1.2  # finished story, but the acoustic model (or the words) hear more coming
    wait_likely_s: float = 1.0  # the story reads as finished, though not confidently
    wait_complete_s: float = 2.4  # complete sentence, story not judged (no analyzer yet)
    wait_default_s: float = 3.0  # no transcript to judge
    wait_story_s: float = 5.0  # complete sentence but the story has no result yet: a thinking pause
    wait_open_s: float = 6.0  # the last words leave the clause open ("and then we", "um,")
    wait_hold_s: float = 10.0  # a hold phrase: "give me a second to think"
    # P(turn complete) below this makes a finished story "unsure". Low: on synthetic voices Smart
    # Turn often scores finished answers 0.4-0.6 (bench turns), and the text signals lead here.
    smart_turn_threshold: float = 0.3
    # P(turn complete) at or above this, with a finished story, outweighs a missing full stop:
    # Whisper often leaves it off an answer's last words when the audio stops after them.
    smart_turn_sure: float = 0.8
    no_speech_s: float = 12.0
    max_answer_s: float = 300.0
    barge_in_s: float = 0.25  # sustained speech after the end that counts as resuming the answer
    # A pause this long closes a segment for streaming transcription (0.3 s made segments so short
    # that Whisper lost the context of their first words: WER 0.094 vs 0.086, scripts/wer_check.py).
    segment_pause_s: float = 0.5
    # ... or this long once the segment is long_segment_s or more. The last segment is decoded
    # while the candidate waits for a reply (0.4 s for 2-4 s of speech, 0.65 s for 12 s), so
    # a long stretch is closed at the first short dip (the moment it would be decoded ahead
    # anyway, listener.SPECULATE_AT_S). The saved transcript comes from the second pass over
    # the whole answer, so shorter streaming segments no longer cost its words.
    segment_pause_long_s: float = 0.15
    long_segment_s: float = 4.0
    open_endings: frozenset[str] = OPEN_ENDINGS
    fillers: frozenset[str] = FILLERS
    dangling: frozenset[str] = DANGLING
    hold_phrases: tuple[str, ...] = HOLD_PHRASES
    continuations: frozenset[str] = CONTINUATIONS  # a piece starting so carries on the sentence before
    push_to_talk: bool = False  # only a key press (or the cap) ends the answer


@dataclass(frozen=True)
class StoryVerdict:
    """The analyzer's reading of the answer so far: is it a finished answer?

    done: finished (for a story: a result is present and the last story sentence is a
    result or lesson; for a reply to a follow-up: a complete substantive sentence).
    summary: a few words saying why, saved with the decision.
    """

    done: bool
    summary: str = ""
    likely: bool = False  # not sure, but it reads as finished: reply after a shorter pause
    p_finished: float | None = None  # the story-end model's probability, when it was asked


@dataclass(frozen=True)
class TurnSignals:
    """What the listener knows at a pause (each may be missing)."""

    tail: str = ""  # the last words transcribed (the segment just before this pause)
    transcript_current: bool = True  # every stretch of speech before the pause is transcribed
    story: StoryVerdict | None = None
    smart_turn: float | None = None  # acoustic P(turn complete) at this pause


@dataclass(frozen=True)
class EndDecision:
    """How long the current pause must last to end the turn, and which rule said so.

    rule: done | unsure | likely | complete | default | story | open | hold | pending | push_to_talk
    """

    wait_s: float
    rule: str


def _normalise(text: str) -> str:
    return re.sub(r"[^a-z' ]+", " ", text.lower().replace("\u2019", "'")).strip()


def has_phrase(text: str, phrases: tuple[str, ...] = HOLD_PHRASES) -> bool:
    padded = f" {' '.join(_normalise(text).split())} "
    return any(f" {p} " in padded for p in phrases)


def open_clause(
    tail: str,
    endings: frozenset[str] = OPEN_ENDINGS,
    fillers: frozenset[str] = FILLERS,
    dangling: frozenset[str] = DANGLING,
    story_done: bool = False,
) -> bool:
    """Do the last words leave a clause open? ("... and then we", "so, um," "um.")

    After a full stop (Whisper punctuates from the voice) an ending word leaves the clause
    open only when no sentence can end on it (``dangling``: "and.", "the."): "the number
    the CTO cared about." is finished. ``story_done``: the answer reads as finished, so a
    word a sentence can end on is no sign of more to come even without the full stop, which
    Whisper sometimes leaves off an answer's last words ("... cared about").
    """
    stripped = tail.strip()
    if not stripped:
        return False
    if stripped.endswith((",", "-", "—", "...", "…", ";", ":")):
        return True
    last = _normalise(stripped).split()
    if not last:
        return False
    word = last[-1]
    if word in fillers:
        return True  # Whisper writes a trailing "um," as "um." too
    if stripped.endswith((".", "?", "!")):
        return word in dangling and not stripped.endswith(("?", "!"))
    return word in endings and (word in dangling or not story_done)


def decide_wait(signals: TurnSignals, cfg: EndpointConfig) -> EndDecision:
    """The silence that ends the turn, given what is known now (pure; re-evaluated each window)."""
    if cfg.push_to_talk:
        return EndDecision(cfg.max_answer_s, "push_to_talk")
    tail = signals.tail
    if has_phrase(tail, cfg.hold_phrases):
        return EndDecision(cfg.wait_hold_s, "hold")
    finished = signals.transcript_current and signals.story is not None and signals.story.done
    if open_clause(tail, cfg.open_endings, cfg.fillers, cfg.dangling, story_done=finished):
        return EndDecision(cfg.wait_open_s, "open")  # a finished story on "about" (no stop): "unsure" below
    if not signals.transcript_current:
        # The last words are not transcribed yet (a busy CPU): without them, assume a thinking pause.
        return EndDecision(cfg.wait_story_s, "pending")
    if not tail.strip():
        return EndDecision(cfg.wait_default_s, "default")
    sentence_done = tail.rstrip().endswith((".", "?", "!"))
    story = signals.story
    if story is None:
        return EndDecision(cfg.wait_complete_s if sentence_done else cfg.wait_default_s, "complete")
    if not story.done and story.likely:
        # If this was only a pause, the candidate going on resumes the same answer (barge-in).
        return EndDecision(cfg.wait_likely_s, "likely")
    if not story.done:
        return EndDecision(cfg.wait_story_s, "story")
    heard_more = signals.smart_turn is not None and signals.smart_turn < cfg.smart_turn_threshold
    heard_end = signals.smart_turn is not None and signals.smart_turn >= cfg.smart_turn_sure
    if heard_more or not (sentence_done or heard_end):
        return EndDecision(cfg.wait_unsure_s, "unsure")
    return EndDecision(cfg.wait_done_s, "done")


# P(finished) bands of the story-end model, chosen on eval/dev_set.toml (scripts/story_check_eval.py):
# at 0.8, 74% of whole answers and 2% of thinking-pause cuts; at 0.4, 95% and 7%.
DONE_P = 0.8
LIKELY_P = 0.4
STORY_MIN_WORDS = 40  # a story shorter than this is not finished, whatever its labels
REPLY_MIN_WORDS = 6  # a reply to a follow-up needs at least one real sentence


def judge_story(
    texts: list[str],
    p_finished: float,
    is_follow_up: bool = False,
    closing_phrases: tuple[str, ...] = (),
    story_sentences: int = 0,
    done_p: float = DONE_P,
    likely_p: float = LIKELY_P,
    p_as_streamed: float | None = None,
) -> StoryVerdict:
    """Is the answer so far finished? (pure)

    ``p_finished`` is the story-end model's P(the answer ends here) for ``texts`` (see
    ``story_end``): at ``done_p`` or above the story is *done*, at ``likely_p`` or above
    *likely* finished. A reply to a follow-up is done once it has a substantive sentence
    (``story_sentences``: sentences that are not asides); a closing phrase ("that's about
    it") finishes either.

    ``p_as_streamed``: the probability for the sentences as streamed, before the pieces a
    pause broke off were joined back (``texts`` are joined). Joining is what tells a
    thinking pause ("... automatically. And I wrote the script") from an ending, but it
    also blurs a real last sentence ("... because it came from hallway stories."), so a
    story that reads as surely finished as streamed and at least likely once joined is done.
    """
    words = sum(len(t.split()) for t in texts)
    if texts and closing_phrases and has_phrase(texts[-1], closing_phrases):
        return StoryVerdict(True, "closing phrase", p_finished=p_finished)
    if is_follow_up:
        done = story_sentences > 0 and words >= REPLY_MIN_WORDS
        return StoryVerdict(done, f"reply: {story_sentences} story sentence(s), {words} words")
    if words < STORY_MIN_WORDS:
        return StoryVerdict(False, f"{words} words", p_finished=p_finished)
    summary = f"P(finished) {p_finished:.2f}"
    if p_as_streamed is not None:
        summary += f" ({p_as_streamed:.2f} as streamed)"
    if p_finished >= done_p or (p_as_streamed is not None and p_as_streamed >= done_p and p_finished >= likely_p):
        return StoryVerdict(True, summary, p_finished=p_finished)
    return StoryVerdict(False, summary, likely=p_finished >= likely_p, p_finished=p_finished)


@dataclass(frozen=True)
class EndpointEvent:
    """Something the listener must act on.

    kind: "speech_start", "segment" (a pause closed the segment [start, end) in
    samples), "end" (reason in ``reason``), or "resume" (speech again after the end,
    starting at ``start``).
    """

    kind: str
    sample: int
    start: int = 0
    end: int = 0
    reason: str = ""


@dataclass
class Endpointer:
    """Feed one probability per window with ``update``; read events; ``set_signals`` as they change."""

    cfg: EndpointConfig = field(default_factory=EndpointConfig)
    state: State = State.QUIET
    windows: int = 0
    speech_start: int | None = None  # sample where speech started
    speech_end: int | None = None  # sample after the last voiced window
    signals: TurnSignals = field(default_factory=TurnSignals)
    decision: EndDecision | None = None  # the decision that ended the turn (or applies now)
    ended_pause_s: float = 0.0  # the silence that ended the turn
    _run: int = 0  # consecutive windows supporting the next transition
    _silence: int = 0  # consecutive quiet windows while stopping
    _segment_start: int | None = None
    _segment_closed: bool = False

    def set_signals(self, signals: TurnSignals) -> None:
        self.signals = signals

    def set_tail(self, text: str) -> None:
        """The latest words of the streaming transcript (other signals unchanged)."""
        self.signals = TurnSignals(text, self.signals.transcript_current, self.signals.story, self.signals.smart_turn)

    def current_decision(self) -> EndDecision:
        return decide_wait(self.signals, self.cfg)

    def required_wait_s(self) -> float:
        return self.current_decision().wait_s

    @property
    def pause_s(self) -> float:
        """How long the candidate has been silent in the current pause (0 while speaking)."""
        return self._silence * WINDOW_S if self.state is State.STOPPING else 0.0

    def update(self, prob: float) -> list[EndpointEvent]:
        cfg = self.cfg
        sample = self.windows * WINDOW
        self.windows += 1
        events: list[EndpointEvent] = []
        voiced = prob >= cfg.start_threshold
        if self.state is State.QUIET:
            if voiced:
                self.state, self._run = State.STARTING, 1
            elif self.windows * WINDOW_S >= cfg.no_speech_s:
                events.append(self._end(sample, "no_speech"))
        elif self.state is State.STARTING:
            if voiced:
                self._run += 1
                if self._run * WINDOW_S >= cfg.start_s:
                    self.state = State.SPEAKING
                    start = sample - (self._run - 1) * WINDOW
                    self.speech_start = start if self.speech_start is None else self.speech_start
                    self._segment_start = start if self._segment_start is None else self._segment_start
                    events.append(EndpointEvent("speech_start", start))
            else:
                self.state, self._run = State.QUIET, 0
        elif self.state is State.SPEAKING:
            if prob < cfg.stop_threshold:
                self.state, self._silence = State.STOPPING, 1
                self.speech_end = sample
                self._segment_closed = False
        elif self.state is State.STOPPING:
            if voiced:
                self.state, self._silence = State.SPEAKING, 0
            else:
                self._silence += 1
                silence_s = self._silence * WINDOW_S
                seg_s = ((self.speech_end or 0) - (self._segment_start or 0)) / SAMPLE_RATE
                pause_needed = cfg.segment_pause_long_s if seg_s >= cfg.long_segment_s else cfg.segment_pause_s
                if not self._segment_closed and silence_s >= pause_needed and self._segment_start is not None:
                    assert self.speech_end is not None
                    events.append(EndpointEvent("segment", sample, self._segment_start, self.speech_end))
                    self._segment_start = None
                    self._segment_closed = True
                decision = self.current_decision()
                if silence_s >= decision.wait_s:
                    self.decision = decision
                    events.append(self._end(sample, "silence"))
        elif self.state is State.WATCHING:
            self._run = self._run + 1 if voiced else 0
            if self._run * WINDOW_S >= cfg.barge_in_s:
                start = sample - (self._run - 1) * WINDOW
                self.state, self._run, self._silence = State.SPEAKING, 0, 0
                self._segment_start, self._segment_closed = start, False
                self.decision = None
                events.append(EndpointEvent("resume", sample, start))
            return events
        if self.state is State.SPEAKING and self._segment_start is None:
            self._segment_start = sample  # speech resumed after a closed segment
        if not any(e.kind == "end" for e in events) and self.windows * WINDOW_S >= cfg.max_answer_s:
            events.append(self._end(sample, "max_duration"))
        return events

    def _end(self, sample: int, reason: str) -> EndpointEvent:
        self.ended_pause_s = self._silence * WINDOW_S if self.state is State.STOPPING else 0.0
        self.state, self._run = State.WATCHING, 0
        return EndpointEvent("end", sample, reason=reason)

    def end_now(self) -> None:
        """The caller ended the answer (a key press, the source ran out): start watching."""
        self.state, self._run = State.WATCHING, 0

    def cut_segment(self, at_sample: int) -> None:
        """The open segment was handed out up to ``at_sample``; the next one starts there."""
        self._segment_start = at_sample

    def open_segment(self) -> tuple[int, int] | None:
        """The speech not yet handed out as a segment: (start, end) in samples."""
        if self._segment_start is None:
            return None
        stopped = self.state in (State.STOPPING, State.WATCHING) and self.speech_end is not None
        end = self.speech_end if stopped and self.speech_end is not None else self.windows * WINDOW
        return (self._segment_start, max(end, self._segment_start))

    def take_open_segment(self) -> tuple[int, int] | None:
        """Hand out the open segment (at the end of the answer) so a resume starts afresh."""
        seg = self.open_segment()
        self._segment_start = None
        self._segment_closed = True
        return seg
