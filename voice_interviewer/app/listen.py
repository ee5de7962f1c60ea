"""The listening side of ``practice``: endpoint settings from the cues, the story check, the streaming answer source."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..analysis.analyzer import Analyzer
from ..analysis.text import clean_text, rejoin_fragments
from ..audio.answers import StreamingAnswerSource
from ..audio.echo import EchoGate, PlaybackReference
from ..audio.endpointing import EndpointConfig, StoryVerdict, judge_story
from ..audio.heard import ListenStatus
from ..audio.sources import QUIT_WORDS, StdinLines, WavReplay
from ..config import Config
from ..content.content import TurnCues, load_turn_cues
from ..ports import Transcriber
from ..types import ListenContext, Transcript
from .loading import BackgroundLoad, Printer, load_smart_turn


def endpoint_config(cfg: Config, cues: TurnCues | None = None) -> EndpointConfig:
    """The end-of-turn settings: ``[audio]`` waits, and the word lists of prompts/turn_taking.toml."""
    a = cfg.audio
    cues = cues or load_turn_cues(cfg.prompts_dir / "turn_taking.toml")
    return EndpointConfig(
        wait_done_s=a.silence_done_s,
        wait_unsure_s=a.silence_unsure_s,
        wait_likely_s=a.silence_likely_s,
        wait_complete_s=a.silence_complete_s,
        wait_default_s=a.silence_default_s,
        wait_story_s=a.silence_story_s,
        wait_open_s=a.silence_open_s,
        wait_hold_s=a.silence_hold_s,
        # push-to-talk: only a key press (or the time cap) ends the answer
        no_speech_s=a.max_answer_s if a.push_to_talk else a.no_speech_s,
        max_answer_s=a.max_answer_s,
        open_endings=cues.open_endings,
        fillers=cues.fillers,
        dangling=cues.dangling,
        hold_phrases=cues.hold_phrases,
        continuations=cues.continuations,
        push_to_talk=a.push_to_talk,
    )


def story_check(
    analyzer: BackgroundLoad[Analyzer], cues: TurnCues
) -> Callable[[ListenContext, str], StoryVerdict | None]:
    """The listener's question at a pause: does the answer so far read as finished?

    Asks the analyzer's story-end model about the streaming transcript (embedding only the
    sentences new since the last check: ``SentenceCache``); None (no opinion) until the
    analyzer has loaded, so the first seconds of an interview fall back to silence rules.
    """

    def check(context: ListenContext, text: str) -> StoryVerdict | None:
        if not analyzer.ready():
            return None
        model = analyzer.get()
        streamed = model.split(clean_text(text))
        texts = rejoin_fragments(streamed, cues.continuations)
        if context.is_follow_up:
            said = model.analyze(context.question, Transcript(text), "mic", kind=context.kind).sentences
            story = sum(s.star != "other" for s in said)
            return judge_story(texts, 0.0, True, cues.closing_phrases, story_sentences=story)
        finished = model.finished(texts, context.question)
        if finished is None:
            return None  # no story-end model: the silence rules decide
        # The sentences as the analysis after the answer will read them (unjoined): the
        # verdict may weigh them, and their vectors are then cached for that analysis.
        as_streamed = model.finished(streamed, context.question) if texts != streamed else None
        verdict = judge_story(texts, finished, False, cues.closing_phrases, p_as_streamed=as_streamed)
        if verdict.done or verdict.likely:
            # The turn may end at this pause: analyse the words now, while the silence is
            # being waited out, so the reply does not wait for it (``Analyzer.prepare``).
            model.prepare(context.question, text, context.kind)
        return verdict

    return check


def streaming_source(
    cfg: Config,
    mode: str,
    mic: Any,
    wav_files: list[Path],
    transcriber: Callable[[], Transcriber],
    audio_path: Callable[[int], Path],
    lines: StdinLines,
    notify: Printer,
    analyzer: BackgroundLoad[Analyzer] | None = None,
    status: Callable[[ListenStatus | None], None] | None = None,
    playback: PlaybackReference | None = None,
) -> StreamingAnswerSource:
    """Microphone or replayed WAV answers, both through VAD endpointing and streaming transcription.

    The end of each answer is judged from silence, the story so far (``analyzer``), hold
    phrases and the Smart Turn model (loaded here in the background; without it, one warning).
    """
    from ..adapters.audio_file import read_audio
    from ..adapters.vad import SileroSpeechProbability

    cues = load_turn_cues(cfg.prompts_dir / "turn_taking.toml")
    endpointing = endpoint_config(cfg, cues)
    story = story_check(analyzer, cues) if analyzer is not None else None
    smart = BackgroundLoad(lambda: load_smart_turn(cfg, notify), "load-smart-turn")

    def smart_turn() -> Any:
        return smart.get() if smart.ready() else None  # not loaded yet: the other signals decide

    quit_requested = False

    def key_pressed() -> bool:
        """Enter ends the answer at once; '/quit' + Enter also ends the interview after it."""
        nonlocal quit_requested
        line = lines.poll()
        if not isinstance(line, str):
            return False  # nothing typed, or no keyboard at all (stdin closed)
        quit_requested = line.strip().lower() in QUIT_WORDS
        return True

    def ready_for_answer() -> bool:
        if quit_requested:
            return False
        if not cfg.audio.push_to_talk:
            return True
        notify("Press Enter to start your answer (and Enter again to finish); /quit to stop.")
        line = lines.get()
        return line is not None and line.strip().lower() not in QUIT_WORDS

    if mode == "mic":
        return StreamingAnswerSource(
            "mic",
            mic.open,
            SileroSpeechProbability,
            transcriber,
            time.monotonic,
            audio_path,
            endpointing,
            should_stop=key_pressed,
            wait_to_start=ready_for_answer,
            prompt=notify,
            overflows=lambda: mic.overflows,
            story=story,
            smart_turn=smart_turn,
            on_status=status,
            echo=lambda: EchoGate(playback, time.monotonic) if playback is not None and cfg.audio.echo_gate else None,
        )
    replay = WavReplay(wav_files, read_audio, pace=cfg.audio.replay_pace)
    return StreamingAnswerSource(
        "wav",
        replay.open,
        SileroSpeechProbability,
        transcriber,
        time.monotonic,
        audio_path,
        endpointing,
        story=story,
        smart_turn=smart_turn,
        on_status=status,
    )
