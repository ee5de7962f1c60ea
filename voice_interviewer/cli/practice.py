"""Commands ``practice``, ``transcribe``, ``score`` and ``eval``: parse, call ``app``, print."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..config import default_eval_set
from ..errors import InputError
from .root import _config, _live_status, _notify, _say, app, err, out


@app.command()
def practice(
    round_: str | None = typer.Option(
        None, "--round", help="Interview round: hiring_manager or aa (or any prompts/rounds/*.toml)."
    ),
    questions: int | None = typer.Option(None, "--questions", min=1, max=50, help="Number of main questions."),
    competency: list[str] | None = typer.Option(
        None, "--competency", help="Only questions on this competency (repeatable)."
    ),
    kind: list[str] | None = typer.Option(
        None,
        "--kind",
        help="Only questions of this kind (repeatable): behavioral (a past story), situational (a plan), why_company.",
    ),
    candidate: str | None = typer.Option(
        None, "--candidate", help="Candidate profile name (folder under transcripts/)."
    ),
    answers: str | None = typer.Option(
        None, "--answers", help="auto (mic if present, else typed), mic, text, or wav:PATH (file or folder)."
    ),
    no_voice: bool = typer.Option(False, "--no-voice", help="Print the interviewer's words instead of speaking them."),
    tts: str | None = typer.Option(
        None, "--tts", help="Voice: auto (hibari, else pyttsx3), hibari, pyttsx3, piper (optional extra) or none."
    ),
    push_to_talk: bool = typer.Option(False, "--push-to-talk", help="Press Enter to start and to end each answer."),
    input_device: str | None = typer.Option(None, "--input-device", help="Microphone index or name (see 'devices')."),
    whisper_model: str | None = typer.Option(None, "--whisper-model", help="Folder of another faster-whisper model."),
    seed: int | None = typer.Option(None, "--seed", help="Fix the question order (for repeatable practice)."),
    no_follow_ups: bool = typer.Option(False, "--no-follow-ups", help="Ask only the main questions."),
    brain: str | None = typer.Option(
        None, "--brain", help="Follow-ups: policy (default) or llm (local model words them)."
    ),
    llm_model: str | None = typer.Option(
        None, "--llm-model", help="Local causal LM folder or .gguf file for --brain llm."
    ),
    llm_url: str | None = typer.Option(
        None, "--llm-url", help="Local OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1."
    ),
    retry: str | None = typer.Option(
        None,
        "--retry",
        metavar="SESSION[:TURN]",
        help="Answer a saved session's questions again (or only turn TURN's question); attempts are linked.",
    ),
    offer_retry: bool = typer.Option(
        False, "--offer-retry", help="After each answer, offer to try the same question again."
    ),
) -> None:
    """Run a mock interview round: questions spoken, answers by voice or typing, saved to transcripts/."""
    from ..app.practice import PracticeOptions, run_practice

    cfg = _config(
        interview={
            "round": round_,
            "questions": questions,
            "candidate": candidate,
            "brain": brain,
            "llm_model": llm_model,
            "llm_url": llm_url,
        },
        audio={"answers": answers, "input_device": input_device, "push_to_talk": push_to_talk or None},
        voice={"tts": tts},
        models={"whisper": whisper_model},
    )
    opts = PracticeOptions(
        no_voice=no_voice,
        no_follow_ups=no_follow_ups,
        competencies=tuple(competency or ()),
        kinds=tuple(kind or ()),
        seed=seed,
        retry=retry,
        offer_retry=offer_retry,
    )
    folder: list[Path] = []
    try:
        status = _live_status if out.is_terminal else None  # plain output when piped
        result, session_dir = run_practice(cfg, opts, _say, _notify, on_session=folder.append, status=status)
    except KeyboardInterrupt:
        where = f" in {folder[0]}" if folder else ""
        err.print(f"Interrupted: the answers so far are saved{where}.")
        raise typer.Exit(130) from None
    ended = "complete" if result.complete else "ended early (marked incomplete)"
    out.print(f"\nSession {ended}: {len(result.turns)} answer(s) saved in {session_dir}")


@app.command()
def transcribe(
    audio: Path = typer.Argument(..., help="Audio file (WAV, FLAC, MP3...)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON with word timings."),
    whisper_model: str | None = typer.Option(None, "--whisper-model", help="Folder of another faster-whisper model."),
) -> None:
    """Transcribe an audio file with the local Whisper model, with word timings."""
    from ..app.scoring import transcribe_file

    cfg = _config(models={"whisper": whisper_model})
    transcript, stats = transcribe_file(cfg, audio)
    if as_json:
        payload = {
            "text": transcript.text,
            "duration_s": transcript.duration_s,
            "language": transcript.language,
            "words": [asdict(w) for w in transcript.words],
            "processing_s": round(stats.processing_s, 3),
            "real_time_factor": round(stats.real_time_factor, 4),
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    out.print(transcript.text or "[dim](no speech recognised)[/]")
    if transcript.words:
        table = Table("start", "end", "word", "p")
        for w in transcript.words:
            table.add_row(f"{w.start_s:.2f}", f"{w.end_s:.2f}", escape(w.text), f"{w.probability:.2f}")
        out.print(table)
    out.print(
        f"[dim]{stats.audio_s:.1f} s of audio in {stats.processing_s:.2f} s "
        f"(real-time factor {stats.real_time_factor:.3f})[/]"
    )


@app.command()
def score(
    text: str | None = typer.Option(None, "--text", help="The answer as text."),
    text_file: Path | None = typer.Option(None, "--text-file", help="A UTF-8 file holding the answer."),
    audio: Path | None = typer.Option(None, "--audio", help="A recorded answer (WAV, FLAC, MP3...)."),
    question: str = typer.Option("", "--question", help="The question that was asked."),
    round_: str = typer.Option("hiring_manager", "--round", help="Round whose follow-up to suggest."),
    kind: str | None = typer.Option(
        None,
        "--kind",
        help="What the question asks for: behavioral, situational, explain, pitch, why_company (default: the"
        " bank's kind of that question, else recognised from its words).",
    ),
    fmt: str = typer.Option("text", "--format", help="text (readable report) or json (Score JSON)."),
    whisper_model: str | None = typer.Option(None, "--whisper-model", help="Folder of another faster-whisper model."),
    embedding_model: str | None = typer.Option(
        None, "--embedding-model", help="Folder of another sentence-transformers model."
    ),
) -> None:
    """Score one answer: STAR structure (or, for a situational question, the plan rubric),
    competencies with evidence, signals, delivery, follow-up."""
    from ..app.scoring import read_text_file, score_answer

    if fmt not in ("text", "json"):
        raise InputError(f"unknown format '{fmt}'", "use --format text or --format json")
    given = [x for x in (text, text_file, audio) if x is not None]
    if len(given) != 1:
        raise InputError("give exactly one answer", "use one of --text, --text-file or --audio")
    cfg = _config(models={"whisper": whisper_model, "embedding": embedding_model})
    if text_file is not None:
        text = read_text_file(text_file)
    analysis, follow_up = score_answer(
        cfg, question, text=text, audio=audio, round_id=round_, warn=err.print, kind=kind
    )
    if fmt == "json":
        from ..store.codec import score_to_json

        sys.stdout.write(json.dumps(score_to_json(analysis, follow_up), ensure_ascii=False) + "\n")
        return
    from .render import render_score

    render_score(analysis, follow_up, out)


@app.command("eval")
def evaluate_cmd(
    data: list[Path] | None = typer.Argument(
        None,
        help="Labelled answer files (default: eval/dev_set.toml); also labelled question kinds"
        " (eval/kinds_holdout.toml) and labelled situational answers (eval/situational_holdout.toml).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    show_misses: bool = typer.Option(False, "--misses", help="List every disagreement with the labels."),
    round_: str = typer.Option("hiring_manager", "--round", help="Round whose first follow-up is checked."),
    follow_ups: bool = typer.Option(
        False,
        "--follow-ups",
        help="The judged follow-ups of both rounds (eval/follow_ups/): natural, broken, usefulness.",
    ),
    feedback: bool = typer.Option(
        False,
        "--feedback",
        help="The judged end-of-round feedback of typed rounds of three answers (eval/feedback/): claims true.",
    ),
    write_unjudged: Path | None = typer.Option(
        None,
        "--write-unjudged",
        help="With --follow-ups or --feedback: write what is not judged yet to this JSON-lines file.",
    ),
) -> None:
    """Measure STAR, competency, signal and follow-up accuracy on labelled answers."""
    from ..app.evaluation import evaluate, load_gold
    from ..app.loading import build_analyzer, shared_parser
    from ..content.prompts import load_round

    cfg = _config()
    rnd = load_round(cfg.prompts_dir, round_)
    paths = data or [default_eval_set()]
    analyzer = build_analyzer(cfg)
    parse = shared_parser(err.print)
    if feedback:
        from .judged import print_judged_feedback

        print_judged_feedback(analyzer, paths, as_json, write_unjudged)
        return
    if follow_ups:
        from .judged import print_judged_follow_ups

        print_judged_follow_ups(cfg, analyzer, paths, parse, as_json, write_unjudged)
        return
    from ..app.plan_eval import file_kind

    kinds = {path: file_kind(path) for path in paths}
    if any(k != "star" for k in kinds.values()):
        from .judged import print_kinds_and_plans

        print_kinds_and_plans(analyzer, [p for p in paths if kinds[p] != "star"], as_json, show_misses)
        paths = [p for p in paths if kinds[p] == "star"]
        if not paths:
            return
    results = {}
    for path in paths:
        results[str(path)] = evaluate(analyzer, load_gold(path), rnd, parse)
    if as_json:
        payload = {k: {f: v for f, v in asdict(r).items() if show_misses or f != "misses"} for k, r in results.items()}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    for name, r in results.items():
        table = Table("measure", "value", title=f"{name} ({r.answers} answers, {r.sentences} sentences)")
        table.add_row("STAR sentence accuracy", f"{r.star_accuracy:.3f}")
        table.add_row("STAR macro-F1", f"{r.star_macro_f1:.3f}")
        table.add_row("  position-only baseline macro-F1", f"{r.position_macro_f1:.3f}")
        for label, f1 in r.star_f1.items():
            table.add_row(f"  F1 {label}", f"{f1:.3f}")
        table.add_row("competency top-1", f"{r.competency_top1:.3f}")
        table.add_row("competency top-2", f"{r.competency_top2:.3f}")
        table.add_row("competency top-2, answer only (no question)", f"{r.competency_top2_answer_only:.3f}")
        for name, acc in r.signal_accuracy.items():
            table.add_row(f"signal {name}", f"{acc:.3f}")
        table.add_row("sentence splits matching labels", f"{r.split_agreement:.3f}")
        if r.follow_up_gap_hit is not None:
            table.add_row(
                f"first follow-up hits a labelled gap ({r.follow_up_gap_answers} answers)", f"{r.follow_up_gap_hit:.3f}"
            )
        if r.strong_without_star_probe is not None:
            table.add_row(
                f"strong answers without a S/T/A/R probe ({r.strong_answers} answers)",
                f"{r.strong_without_star_probe:.3f}",
            )
        if r.follow_up_ms_p95 is not None:
            table.add_row("follow-up decision p95 (ms)", f"{r.follow_up_ms_p95:.2f}")
        for style, f in r.by_style.items():
            table.add_row(
                f"style {style} ({f['sentences']:.0f} sentences): macro-F1 / task F1 / position-only",
                f"{f['macro_f1']:.3f} / {f['task_f1']:.3f} / {f['position_macro_f1']:.3f}",
            )
        out.print(table)
        if show_misses:
            for m in r.misses:
                out.print(escape(json.dumps(m)))
