"""Commands ``review list | show | compare | progress | annotate``, ``report``, ``rescore``, ``export``, ``delete``."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InputError
from ..review.stories import VERDICT, Attempt, AttemptFigures, addressed, figures
from .root import _config, app, err, out, review_app


@review_app.command("list")
def review_list(
    candidate: str | None = typer.Option(None, "--candidate", help="Only this candidate."),
    round_: str | None = typer.Option(None, "--round", help="Only this round."),
    since: str | None = typer.Option(None, "--since", help="Only sessions from this date on (YYYY-MM-DD)."),
    sort: str = typer.Option("date", "--sort", help="date (newest first), score, or candidate."),
    fmt: str = typer.Option("table", "--format", help="table, or json (one object per line, for scripts)."),
) -> None:
    """List saved sessions."""
    import json

    from ..review.catalog import filter_sessions, scan

    if fmt not in ("table", "json"):
        raise typer.BadParameter("use table or json", param_hint="--format")
    cfg = _config()
    sessions, unreadable = scan(cfg.transcripts_dir)
    shown = filter_sessions(sessions, candidate, round_, since, sort)
    if fmt == "json":
        for s in shown:
            row = {
                "session_id": s.session_id,
                "candidate": s.candidate,
                "round": s.round,
                "started_at": s.started_at,
                "answers": s.answers,
                "star_score": s.star_score,
                "complete": s.complete,
            }
            print(json.dumps(row))
        for bad in unreadable:
            err.print(f"[yellow]skipped {escape(str(bad.path))}: {escape(bad.reason)}[/]", soft_wrap=True)
        return
    # The id (date, time and round: 20261203-094433-hiring_manager) is what a coach copies into
    # `review show`, so it is never cut; the columns it already says are left out, and none of
    # the others is wider than its header, so no header is cut on an 80-column terminal.
    table = Table("session", "candidate", "answers", "STAR", "status", title=f"{len(shown)} session(s)")
    for column in table.columns:
        column.no_wrap = True
    table.columns[0].min_width = max((len(s.session_id) for s in shown), default=7)
    for s in shown:
        table.add_row(
            s.session_id,
            s.candidate,
            str(s.answers),
            "-" if s.star_score is None else f"{s.star_score:.0f}",
            "complete" if s.complete else "incomplete",
        )
    out.print(table)
    for bad in unreadable:
        err.print(f"[yellow]skipped {escape(str(bad.path))}: {escape(bad.reason)}[/]", soft_wrap=True)


def _shown(value: object) -> str:
    """A table cell: "-" for a figure a session does not have (typed answers have no pace), never "None"."""
    return "-" if value is None else str(value)


@review_app.command("show")
def review_show(
    session: str = typer.Argument(..., help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
) -> None:
    """Show one session: transcripts with STAR labels, evidence, delivery, follow-ups and their rationale."""
    from ..review.catalog import find_session
    from ..store.annotations import load_annotations
    from ..store.codec import read_session
    from .render import render_session

    cfg = _config()
    folder = find_session(cfg.transcripts_dir, session)
    render_session(read_session(folder / "session.json"), out, load_annotations(folder))


@review_app.command("compare")
def review_compare(
    first: str = typer.Argument(
        ..., metavar="SESSION[:TURN]", help="A session (or one turn of it): compare every attempt of its questions."
    ),
    second: str | None = typer.Argument(None, help="Another session: compare the answers to the same questions."),
) -> None:
    """Attempts side by side: rubric level, STAR score, parts, length, time, numbers, I/we, fillers, pace,
    and which feedback of each attempt the next one addressed."""
    from ..review.catalog import attempts_of

    chains = attempts_of(_config().transcripts_dir, first, second)
    if not chains or all(len(c) < 2 for c in chains):
        hint = f"practise again with: voice-interviewer practice --retry {first}"
        out.print(f"Nothing to compare: these answers have no other attempt yet ({hint}).")
        raise typer.Exit(1)
    for chain in chains:
        if len(chain) < 2:
            continue
        out.print(_attempt_table(chain))
        for a in chain:
            out.print(f"  attempt {a.number}: {escape(a.session.session_id)}, turn {a.story.main.index + 1}")
        for before, after in itertools.pairwise(chain):
            for point, fixed in addressed(before, after):
                out.print(
                    f"  feedback on attempt {before.number}: {escape(point.text)} -> "
                    f"attempt {after.number}: {VERDICT[fixed]}"
                )


def _attempt_table(chain: list[Attempt]) -> Table:
    """The attempts of one question side by side, with the change from the first to the last."""
    figs = [figures(a.story) for a in chain]
    table = Table(
        "measure", *[f"attempt {a.number}" for a in chain], "change", title=escape(chain[0].story.main.question)
    )
    table.title_justify = "left"

    def row(name: str, get: Callable[[AttemptFigures], Any], fmt: str | None = None) -> None:
        vals = [get(f) if f is not None else None for f in figs]
        change = ""
        if fmt is not None and vals[0] is not None and vals[-1] is not None:
            change = fmt.format(vals[-1] - vals[0])
        table.add_row(name, *[_shown(v) for v in vals], change)

    row("level", lambda f: f.level)
    row("STAR score", lambda f: f.star_score, "{:+d}")
    row("missing parts", lambda f: ", ".join(f.missing) or "none")
    row("words", lambda f: f.words, "{:+d}")
    row("speaking time s", lambda f: f.seconds, "{:+.0f}")
    row("numbers in result", lambda f: f.numbers, "{:+d}")
    row("I vs we", lambda f: f.i_ratio, "{:+.2f}")
    row("lesson stated", lambda f: "yes" if f.reflection else "no")
    row("fillers / min", lambda f: f.fillers_per_min, "{:+.1f}")
    row("words / min", lambda f: f.wpm, "{:+.0f}")
    return table


@review_app.command("progress")
def review_progress(candidate: str = typer.Argument(..., help="Candidate name.")) -> None:
    """A candidate's sessions over time: STAR score, competencies, fillers, pace, numbers."""
    from ..content.prompts import COMPETENCY_IDS
    from ..review.catalog import load_candidate, progress

    sessions, bad = load_candidate(_config().transcripts_dir, candidate)
    for b in bad:
        err.print(f"[yellow]skipped {escape(str(b.path))}: {escape(b.reason)}[/]", soft_wrap=True)
    points = progress(sessions)
    if not points:
        out.print(f"No sessions for {candidate} yet.")
        return
    # Whole session ids (never cut): the competency table numbers its columns by the "#" here.
    table = Table("#", "session", "STAR", "fillers/min", "wpm", "numbers", title=f"Progress of {candidate}")
    table.columns[1].no_wrap = True
    for n, p in enumerate(points, 1):
        table.add_row(
            str(n),
            p.session_id,
            _shown(p.star_score),
            _shown(p.fillers_per_min),
            _shown(p.wpm),
            _shown(p.numbers_share),
        )
    out.print(table)
    comp = Table(
        "competency", *[f"#{n}" for n in range(1, len(points) + 1)], title="Competency probability per session"
    )
    comp.columns[0].no_wrap = True
    for cid in COMPETENCY_IDS:
        comp.add_row(cid, *[f"{p.competency.get(cid, 0):.2f}" for p in points])
    out.print(comp)


@review_app.command("annotate")
def review_annotate(
    session: str = typer.Argument(..., help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    turn: int = typer.Option(..., "--turn", min=1, help="Turn number, as numbered by 'review show'."),
    note: str | None = typer.Option(None, "--note", help="A note for the candidate on this turn."),
    score: int | None = typer.Option(None, "--score", help="Your STAR score for this answer (0-100)."),
    label: list[str] | None = typer.Option(
        None, "--label", help="Relabel a sentence: SENTENCE=PART, e.g. 3=result (repeatable)."
    ),
    by: str | None = typer.Option(None, "--by", help="Who is annotating (default: your user name)."),
) -> None:
    """Add a coach note, score or STAR-label override to a turn (kept apart from the machine scores)."""
    import getpass

    from ..app.coach import annotate
    from ..store.annotations import parse_label

    labels = dict(parse_label(v) for v in label or ())
    folder, ann = annotate(_config(), session, turn - 1, by or getpass.getuser(), note, score, labels)
    out.print(f"annotation by {escape(ann.by)} at {ann.at} saved in {folder / 'annotations.json'}")


@app.command("report")
def report_cmd(
    session: str | None = typer.Argument(None, help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    html: bool = typer.Option(True, "--html", help="Write a self-contained HTML file (the only format)."),
    progress_of: str | None = typer.Option(None, "--progress", help="A progress report for this candidate instead."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here instead of the session folder."),
) -> None:
    """Write an HTML report: one session (report.html in its folder) or a candidate's progress."""
    from ..app.coach import write_progress_report, write_session_report

    cfg = _config()
    if (session is None) == (progress_of is None):
        raise InputError("give a SESSION or --progress CANDIDATE", "e.g. voice-interviewer report SESSION_ID")
    if progress_of is not None:
        path, skipped = write_progress_report(cfg, progress_of, output)
        for line in skipped:
            err.print(f"[yellow]skipped {escape(line)}[/]", soft_wrap=True)
    else:
        assert session is not None
        path = write_session_report(cfg, session, output)
    out.print(f"wrote {path}")


@app.command("rescore")
def rescore_cmd(
    session: str | None = typer.Argument(None, help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    all_sessions: bool = typer.Option(False, "--all", help="Rescore every saved session."),
) -> None:
    """Re-run the analysis with the current models and prompts; old scores are kept for comparison."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from ..app.coach import rescore, rescore_targets

    cfg = _config()
    folders = rescore_targets(cfg, session, all_sessions)
    failed = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err) as bar:
        task = bar.add_task("rescoring sessions", total=len(folders))
        for folder, problem in rescore(cfg, folders):
            bar.advance(task)
            if problem:
                failed += 1
                err.print(f"[yellow]skipped {escape(str(folder))}: {escape(problem)}[/]", soft_wrap=True)
    out.print(f"rescored {len(folders) - failed} session(s); previous scores kept in turns[].previous_scores")
    if failed:
        raise typer.Exit(1)


@app.command("export")
def export_cmd(
    session: str = typer.Argument(..., help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    fmt: str = typer.Option("json", "--format", help="json (the session schema), csv (one row per turn) or md."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
) -> None:
    """Export a session for sharing with a mentor."""
    from ..review.catalog import export, find_session
    from ..store.annotations import load_annotations
    from ..store.schema import load_session

    cfg = _config()
    folder = find_session(cfg.transcripts_dir, session)
    text = export(load_session(folder / "session.json"), fmt, load_annotations(folder))
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}", "choose a writable path") from exc
    out.print(f"wrote {output}")


@app.command("delete")
def delete_cmd(
    session: str | None = typer.Argument(None, help="SESSION_ID, CANDIDATE/SESSION_ID or a session folder."),
    candidate: str | None = typer.Option(None, "--candidate", help="Delete every session of this candidate."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Delete a session (or all of a candidate's): audio, transcripts, annotations and reports together."""
    from ..app.coach import delete, plan_delete

    plan = plan_delete(_config(), session, candidate)
    what = (
        f"{plan.audio} audio file(s), {plan.sessions} session transcript(s), {plan.annotations} annotation file(s), "
        f"{plan.reports} report(s)"
        + (f", {plan.other} other file(s)" if plan.other else "")
        + f"; {plan.bytes / 1e6:.1f} MB in {', '.join(str(f) for f in plan.folders)}"
    )
    if not yes and not typer.confirm(f"Delete {what}?", default=False, err=True):
        out.print("Nothing deleted.")
        raise typer.Exit(1)
    delete(plan)
    out.print(f"Deleted {what}")
