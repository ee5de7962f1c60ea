"""Commands ``review list | show | compare | progress | annotate``, ``report``, ``rescore``, ``export``, ``delete``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import InputError
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
    table = Table(
        "session", "candidate", "round", "started", "answers", "STAR", "status", title=f"{len(shown)} session(s)"
    )
    # The id is what a coach copies into `review show`: never cut, whatever the width.
    table.columns[0].no_wrap = True
    table.columns[0].min_width = max((len(s.session_id) for s in shown), default=7)
    for s in shown:
        table.add_row(
            s.session_id,
            s.candidate,
            s.round,
            s.started_at[:16],
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
    first: str = typer.Argument(..., help="The earlier attempt (session)."),
    second: str = typer.Argument(..., help="The later attempt (session)."),
) -> None:
    """Compare two attempts at the same questions: STAR score, parts, numbers, fillers, pace, length."""
    from ..review.catalog import compare, find_session
    from ..store.codec import read_session

    cfg = _config()
    a = read_session(find_session(cfg.transcripts_dir, first) / "session.json")
    b = read_session(find_session(cfg.transcripts_dir, second) / "session.json")
    pairs = compare(a, b)
    if not pairs:
        out.print("These sessions have no scored answers to the same question.")
        raise typer.Exit(1)

    def delta(x: float | None, y: float | None, fmt: str = "{:+.0f}") -> str:
        return "-" if x is None or y is None else fmt.format(y - x)

    for ma, mb in pairs:
        table = Table("measure", "first", "second", "change", title=escape(ma.question[:90]))
        table.add_row("STAR score", _shown(ma.star_score), _shown(mb.star_score), delta(ma.star_score, mb.star_score))
        table.add_row("missing parts", ", ".join(ma.missing) or "none", ", ".join(mb.missing) or "none", "")
        table.add_row("words", str(ma.words), str(mb.words), delta(ma.words, mb.words))
        table.add_row("I vs we", _shown(ma.i_ratio), _shown(mb.i_ratio), delta(ma.i_ratio, mb.i_ratio, "{:+.2f}"))
        table.add_row("numbers in result", str(ma.numbers), str(mb.numbers), delta(ma.numbers, mb.numbers))
        table.add_row("reflection", str(ma.reflection), str(mb.reflection), "")
        table.add_row(
            "fillers / min",
            _shown(ma.fillers_per_min),
            _shown(mb.fillers_per_min),
            delta(ma.fillers_per_min, mb.fillers_per_min, "{:+.1f}"),
        )
        table.add_row("words / min", _shown(ma.wpm), _shown(mb.wpm), delta(ma.wpm, mb.wpm))
        table.add_row("competencies shown", ", ".join(ma.covered), ", ".join(mb.covered), "")
        out.print(table)


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
