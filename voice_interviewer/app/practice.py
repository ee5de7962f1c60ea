"""``practice``: the composition root of an interview round.

Builds the adapters from config (microphone or typed answers, the voice, Whisper, the
analyzer, the optional LLM brain), wires them into ``interview.Interview`` and runs the round.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..audio.echo import PlaybackReference
from ..audio.heard import ListenStatus
from ..audio.sources import StdinLines, TextAnswerSource
from ..config import Config
from ..content.content import load_content
from ..content.prompts import Round, load_questions, load_round, pick_questions, prompts_checksum
from ..errors import InputError, VoiceInterviewerError
from ..interview.feedback import aimed_at, session_feedback
from ..interview.final_pass import FinalPass
from ..interview.history import CandidateHistory, read_history
from ..interview.interview import Interview, InterviewResult
from ..interview.llm_brain import LlmBrain
from ..interview.policy import FollowUpBrain, decide
from ..ports import AnswerSource, Transcriber
from ..review.catalog import load_candidate
from ..store.session import SessionStore, validate_name
from ..types import Analysis, FollowUp
from .listen import streaming_source
from .loading import (
    BackgroundLoad,
    Printer,
    load_transcriber,
    resolve_model,
    session_models,
    shared_analyzer,
    shared_parser,
    shared_transcriber,
)
from .scoring import whole_answer_config
from .voices import build_speaker

# ---------------------------------------------------------------- practice


@dataclass(frozen=True)
class PracticeOptions:
    """Choices for one practice run beyond the config: no voice, no follow-ups, competencies to ask about, seed."""

    no_voice: bool = False
    no_follow_ups: bool = False
    competencies: tuple[str, ...] = ()
    seed: int | None = None


def choose_answer_mode(cfg: Config, notify: Printer) -> str:
    """'auto' means the microphone when one exists, otherwise typed answers (said plainly)."""
    mode = cfg.audio.answers
    if mode == "auto":
        from ..adapters.sound import has_input_device

        available, reason = has_input_device()
        if available:
            return "mic"
        notify(f"No microphone available ({reason}): this interview will take typed answers.")
        return "text"
    if mode in ("mic", "text") or mode.startswith("wav:"):
        return mode
    raise InputError(f"unknown answer source '{mode}'", "use auto, mic, text or wav:PATH")


def wav_answer_files(spec: str) -> list[Path]:
    path = Path(spec).expanduser()
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in (".wav", ".flac", ".mp3", ".ogg"))
        if not files:
            raise InputError(f"no audio files in {path}", "put one WAV per answer in the folder")
        return files
    if path.is_file():
        return [path]
    raise InputError(f"answer audio not found: {path}", "give a WAV file or a folder of WAVs")


def run_practice(
    cfg: Config,
    opts: PracticeOptions,
    say: Printer,
    notify: Printer,
    lines: StdinLines | None = None,
    on_session: Callable[[Path], None] = lambda _p: None,
    status: Callable[[ListenStatus | None], None] | None = None,
) -> tuple[InterviewResult, Path]:
    """Run one mock interview round and save it; returns the result and the session folder."""
    rnd = load_round(cfg.prompts_dir, cfg.interview.round)
    bank = load_questions(cfg.prompts_dir)
    count = cfg.interview.questions or rnd.questions
    validate_name(cfg.interview.candidate, "candidate name")
    history = candidate_history(cfg, cfg.interview.candidate) if rnd.use_history else None
    priority: tuple[str, ...] = ()
    recall = ""
    if history is not None and history.answers:
        priority = history.weakest(rnd.competencies)
        notify(
            f"Earlier sessions of {cfg.interview.candidate}: {history.sessions}; "
            f"focusing on {', '.join(c.replace('_', ' ') for c in priority[:count])}."
        )
        if rnd.recall and history.stories:
            recall = rnd.recall[len(history.stories) % len(rnd.recall)].replace("{phrase}", history.stories[0])
    questions = pick_questions(bank, rnd, count, opts.competencies, opts.seed, priority)
    mode = choose_answer_mode(cfg, notify)
    speaker = build_speaker(cfg, opts.no_voice, say, notify)
    # The microphone stays open while the interviewer replies (barge-in); what the voice plays
    # is kept so that its echo through speakers is not taken for the candidate (echo.py).
    playback = PlaybackReference()
    tap = getattr(speaker, "tap", None)
    if tap is not None:
        tap(playback.played)

    wav_files = wav_answer_files(mode[4:]) if mode.startswith("wav:") else []
    mic = None
    if mode == "mic":
        from ..adapters.sound import MicStream

        mic = MicStream(cfg.audio.input_device)

    # A model folder the user named is checked now, before the first question: the models
    # load in the background, and a wrong path found there would cost the first answer.
    for kind, named in (("whisper", cfg.models.whisper if mode != "text" else ""), ("embedding", cfg.models.embedding)):
        if named:
            resolve_model(cfg, kind)

    store = SessionStore(
        cfg.transcripts_dir,
        cfg.interview.candidate,
        rnd.id,
        config={**cfg.to_dict(), "answers": mode, "no_voice": opts.no_voice},
        models=session_models(cfg, with_whisper=mode != "text"),
        prompts_sha256=prompts_checksum(cfg.prompts_dir),
    )
    on_session(store.folder)
    lines = lines or StdinLines()

    # Everything the user gave is checked; now the models load in the background while
    # the interviewer greets the candidate and asks the first question.
    loaders: list[BackgroundLoad[Any]] = []
    transcriber: BackgroundLoad[Transcriber] | None = None
    if mode != "text":
        transcriber = BackgroundLoad(lambda: shared_transcriber(cfg), "load-whisper")
        loaders.append(transcriber)
    analyzer = BackgroundLoad(lambda: shared_analyzer(cfg), "load-analyzer")
    loaders.append(analyzer)
    parser = BackgroundLoad(lambda: shared_parser(notify), "load-parser")  # quotes in follow-ups
    loaders.append(parser)

    source: AnswerSource
    if transcriber is None:
        source = TextAnswerSource(lines, notify)
    else:
        source = streaming_source(
            cfg, mode, mic, wav_files, transcriber.get, store.audio_path, lines, notify, analyzer, status, playback
        )

    def brain(
        analysis: Analysis,
        rnd: Round,
        asked: Sequence[str],
        budget_left: int | None,
        target_competency: str | None,
    ) -> FollowUp:
        names = {c.id: c.name for c in analyzer.get().content.competencies}
        return decide(analysis, rnd, asked, budget_left, target_competency, names, parser.get())

    follow_up_brain: FollowUpBrain | None = None if opts.no_follow_ups else brain
    if follow_up_brain is not None and cfg.interview.brain == "llm":
        names = {c.id: c.name for c in load_content(cfg.prompts_dir).competencies}
        follow_up_brain = build_llm_brain(cfg, lambda: names, notify) or brain
    final = None
    if transcriber is not None and cfg.models.final_beam_size > 0:
        final = FinalPass(lambda: load_transcriber(whole_answer_config(cfg)))
    interview = Interview(
        rnd,
        questions,
        speaker,
        source,
        store,
        clock=time.monotonic,
        transcriber=transcriber.get if transcriber else None,
        analyzer=analyzer.get,
        brain=follow_up_brain,
        notify=notify,
        feedback=lambda analyses: session_feedback(
            analyses, aimed_at(analyses, questions), {c.id: c.name for c in analyzer.get().content.competencies}
        ),
        opening=recall,
        final_pass=final,
    )
    try:
        return interview.run(), store.folder
    finally:
        if final is not None:
            final.close()
        for loader in loaders:
            loader.settle()


def build_llm_brain(cfg: Config, names: Callable[[], dict[str, str]], notify: Printer) -> FollowUpBrain | None:
    """The LLM brain, or None (with a plain message) when its model or endpoint is unusable."""
    from ..adapters.llm import ChatEndpointGenerator, TransformersGenerator

    iv = cfg.interview
    try:
        if iv.llm_url:
            generator: Any = ChatEndpointGenerator(iv.llm_url)
        elif iv.llm_model:
            generator = TransformersGenerator(iv.llm_model)
        else:
            raise InputError("--brain llm needs --llm-model PATH or --llm-url URL", "give one, or use --brain policy")
    except VoiceInterviewerError as exc:
        notify(f"LLM follow-ups are off: {exc.one_line()}. Using the deterministic policy.")
        return None
    return LlmBrain(generator, generator.name, names)


def candidate_history(cfg: Config, candidate: str) -> CandidateHistory:
    """Earlier sessions of a candidate (unreadable ones are skipped: they never block practice)."""
    sessions, _ = load_candidate(cfg.transcripts_dir, candidate)
    return read_history(sessions)
