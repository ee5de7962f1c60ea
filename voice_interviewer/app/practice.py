"""``practice``: the composition root of an interview round.

Builds the adapters from config (microphone or typed answers, the voice, Whisper, the
analyzer, the optional LLM brain), wires them into ``interview.Interview`` and runs the round.
"""

from __future__ import annotations

import dataclasses
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
from ..review.catalog import find_session, load_candidate, stories_at
from ..review.stories import parse_turn_ref
from ..saved import SavedSession
from ..store.codec import read_session
from ..store.session import SessionStore, validate_name
from ..types import QUESTION_KINDS, Analysis, FollowUp, Question, RetryOf
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
    kinds: tuple[str, ...] = ()  # only questions of these kinds (QUESTION_KINDS); empty: any
    seed: int | None = None
    retry: str | None = None  # SESSION[:TURN]: ask that session's questions (or that turn's) again
    offer_retry: bool = False  # after each story, offer to take the same question again


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


@dataclass(frozen=True)
class RetryPlan:
    """What ``practice --retry SESSION[:TURN]`` asks again: the earlier session and its questions."""

    session: SavedSession
    questions: list[Question]


def retry_plan(cfg: Config, spec: str, bank: list[Question]) -> RetryPlan:
    """The main questions of SESSION (or of the story that holds TURN, counted from 1 as
    ``review show`` does), each linked to the turn it tries again."""
    ref, turn = parse_turn_ref(spec)
    session = read_session(find_session(cfg.transcripts_dir, ref) / "session.json")
    told = [s for s in stories_at(session, turn, ref) if not s.main.is_follow_up]
    if not told:
        raise InputError(f"session {session.session_id} has no main question to retry", "pick another session")
    by_id = {q.id: q for q in bank}
    questions = []
    for story in told:
        main = story.main
        base = by_id.get(main.question_id) or Question(main.question_id, main.question, (), (session.round,), "", "")
        questions.append(
            dataclasses.replace(base, text=main.question, retry_of=RetryOf(session.session_id, main.index))
        )
    return RetryPlan(session, questions)


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
    bank = load_questions(cfg.prompts_dir)
    unknown = [k for k in opts.kinds if k not in QUESTION_KINDS]
    if unknown:
        raise InputError(f"unknown --kind {unknown[0]!r}", f"use one of: {', '.join(QUESTION_KINDS)}")
    plan = retry_plan(cfg, opts.retry, bank) if opts.retry else None
    if plan is not None:  # the same candidate and round as the attempt taken again
        cfg = dataclasses.replace(
            cfg,
            interview=dataclasses.replace(cfg.interview, round=plan.session.round, candidate=plan.session.candidate),
        )
    rnd = load_round(cfg.prompts_dir, cfg.interview.round)
    count = cfg.interview.questions or rnd.questions
    validate_name(cfg.interview.candidate, "candidate name")
    history = candidate_history(cfg, cfg.interview.candidate) if rnd.use_history and plan is None else None
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
    if plan is not None:
        questions = plan.questions
        recall = rnd.again[0]
        notify(
            f"Trying {len(questions)} question(s) of {plan.session.session_id} again; "
            "'voice-interviewer review compare' shows the attempts side by side afterwards."
        )
    else:
        of_kind = [q for q in bank if q.kind in opts.kinds] if opts.kinds else bank
        questions = pick_questions(of_kind, rnd, count, opts.competencies, opts.seed, priority)
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
        # The streaming transcript heard the "um"s; the interview puts them into the final one.
        final = FinalPass(lambda: load_transcriber(whole_answer_config(cfg), hesitations=False))
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
        again=offer_again(store.session_id, lines, notify) if opts.offer_retry else None,
    )
    try:
        return interview.run(), store.folder
    finally:
        if final is not None:
            final.close()
        for loader in loaders:
            loader.settle()


def offer_again(session_id: str, lines: StdinLines, notify: Printer) -> Callable[[Question, int], Question | None]:
    """After each story: Enter goes on, "r" then Enter asks the same question again (a new attempt)."""

    def again(question: Question, turn: int) -> Question | None:
        notify("Press Enter for the next question, or type r and Enter to try that one again.")
        line = lines.get()
        if line is None or line.strip().lower() not in ("r", "retry", "again", "try again"):
            return None
        return dataclasses.replace(question, retry_of=RetryOf(session_id, turn))

    return again


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
