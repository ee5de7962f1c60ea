"""``score`` and ``transcribe``: one answer (typed, a text file or an audio file) scored or transcribed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from ..analysis.analyzer import Analyzer
from ..config import Config
from ..content.prompts import load_questions, load_round
from ..errors import InputError
from ..interview.policy import decide
from ..types import (
    QUESTION_KINDS,
    Analysis,
    AnswerSourceKind,
    FollowUp,
    Question,
    QuestionKind,
    Transcript,
    TranscriptionStats,
)
from .loading import build_analyzer, load_transcriber, shared_parser


def whole_answer_config(cfg: Config) -> Config:
    """Whisper settings for decoding a whole recording (``final_beam_size``): nobody waits on it."""
    beam = cfg.models.final_beam_size
    return dataclasses.replace(cfg, models=dataclasses.replace(cfg.models, beam_size=beam)) if beam > 0 else cfg


def transcribe_file(cfg: Config, path: Path) -> tuple[Transcript, TranscriptionStats]:
    from ..adapters.audio_file import read_audio

    samples = read_audio(path)
    return load_transcriber(whole_answer_config(cfg)).transcribe(samples)


def read_text_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"text file not found: {path}", "check the path") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text", "save it as UTF-8 (e.g. iconv -t utf-8)") from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        raise InputError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}", "check the file") from exc


def score_answer(
    cfg: Config,
    question: str,
    text: str | None = None,
    audio: Path | None = None,
    round_id: str = "hiring_manager",
    analyzer: Analyzer | None = None,
    warn: Callable[[str], None] | None = None,
    kind: str | None = None,
) -> tuple[Analysis, FollowUp]:
    """Score one answer (text or audio): its analysis and the follow-up the round would ask
    (``store.codec.score_to_json`` makes them the Score JSON). ``warn`` gets the one line
    saying the follow-up is asked without quotes when the parser is missing. ``kind``: what
    the question asks for (``--kind``); else the bank's kind of that question, else recognised."""
    if kind is not None and kind not in QUESTION_KINDS:
        raise InputError(f"unknown kind {kind!r}", f"use one of: {', '.join(QUESTION_KINDS)}")
    if (text is None) == (audio is None):
        raise InputError("give exactly one of a text answer or an audio file", "use --text, --text-file or --audio")
    rnd = load_round(cfg.prompts_dir, round_id)
    if audio is not None:
        transcript, _ = transcribe_file(cfg, audio)
        source: AnswerSourceKind = "wav"
        if not transcript.text.strip():
            raise InputError(f"no speech was recognised in {audio}", "check the recording (is it silent?)")
    else:
        transcript, source = Transcript(text or ""), "text"
    analyzer = analyzer or build_analyzer(cfg)
    bank = bank_question(cfg, question)
    known = QuestionKind(kind, "given", 1.0) if kind else QuestionKind(bank.kind, "bank", 1.0) if bank else None
    analysis = analyzer.analyze(question, transcript, source, kind=known)
    names = {c.id: c.name for c in analyzer.content.competencies}
    target = bank.competencies[0] if bank else None
    follow = decide(analysis, rnd, target_competency=target, names=names, parse=shared_parser(warn))
    return analysis, follow


def bank_question(cfg: Config, question: str) -> Question | None:
    """The bank question with this exact text (case and spacing aside), if any."""
    wanted = " ".join(question.lower().split())
    for q in load_questions(cfg.prompts_dir):
        if " ".join(q.text.lower().split()) == wanted:
            return q
    return None
