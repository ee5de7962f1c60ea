"""Readable terminal rendering (rich) of a scored answer and of a saved session."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..review.stories import Story, stories
from ..saved import SavedSession
from ..store.annotations import Annotation, overrides_by_turn
from ..types import Analysis, FollowUp, SentenceLabel

STAR_STYLE = {
    "situation": "bold blue",
    "task": "bold magenta",
    "action": "bold green",
    "result": "bold yellow",
    "other": "dim",
}


def star_text(sentences: Sequence[SentenceLabel], numbered: bool = False) -> Text:
    """The answer with each sentence tagged and coloured by its STAR label (numbered for annotating)."""
    out = Text()
    for n, s in enumerate(sentences, 1):
        style = STAR_STYLE.get(s.star, "")
        tag = s.star[0].upper() if s.star != "other" else "-"
        out.append(f"[{n}{tag}] " if numbered else f"[{tag}] ", style=style)
        out.append(s.text + " ", style=style.replace("bold ", ""))
    return out


PLAN_STYLE = {
    "clarify": "bold blue",
    "options": "bold magenta",
    "decision": "bold green",
    "communication": "bold cyan",
    "measure": "bold yellow",
    "other": "dim",
}


def plan_panel(analysis: Analysis) -> Panel | None:
    """A situational answer's plan rubric: a checklist of the five elements and the answer
    with each sentence tagged by its element (None for other kinds of question)."""
    plan = analysis.plan
    if plan is None:
        return None
    rows = Text.from_markup(f"[bold]Plan score {plan.score}/100[/]   (a situational question: a plan, not a story)\n")
    for e in plan.elements:
        mark = "[green]x[/]" if e.present else "[red] [/]"
        said = f": {escape(e.evidence)}" if e.present else ""
        rows.append_text(Text.from_markup(f"  [{mark}] {e.id}{said}\n"))
    if plan.told_as_story:
        rows.append_text(
            Text.from_markup("[yellow]Told as a past story: the question asks what you would do now.[/]\n")
        )
    tagged = Text()
    for s, element in zip(analysis.sentences, plan.sentence_elements, strict=False):
        style = PLAN_STYLE.get(element, "")
        tagged.append(f"[{element if element != 'other' else '-'}] ", style=style)
        tagged.append(s.text + " ", style=style.replace("bold ", ""))
    return Panel(Group(rows, tagged), title="Plan")


def render_score(analysis: Analysis, follow_up: FollowUp | None, console: Console) -> None:
    """One scored answer, as ``score`` prints it."""
    star = analysis.star
    plan = plan_panel(analysis)
    if plan is not None:
        if analysis.question:
            console.print(f"[dim]Question ({analysis.kind.id}):[/] {escape(analysis.question)}")
        console.print(plan)
    missing = ", ".join(star.missing) or "none"
    shares = "  ".join(f"{k[0].upper()} {v:.0%}" for k, v in star.share_words.items() if k != "other")
    header = f"[bold]STAR score {star.score}/100[/]   missing: {escape(missing)}   words: {shares}"
    if plan is None:
        if analysis.question:
            console.print(f"[dim]Question:[/] {escape(analysis.question)}")
        console.print(Panel(Group(Text.from_markup(header), star_text(analysis.sentences)), title="Structure"))

    table = Table("competency", "prob.", "similarity", "covered", "evidence", title="Competencies (best first)")
    for c in analysis.competencies[:5]:
        table.add_row(
            c.id,
            f"{c.strength:.2f}",
            f"{c.similarity:.2f}",
            "yes" if c.covered else "no",
            escape(c.evidence),
        )
    console.print(table)

    sig = analysis.signals
    i_ratio = "n/a" if sig.i_ratio is None else f"{sig.i_ratio:.0%} I vs we"
    numbers = ", ".join(sig.quantified_results) or "none"
    console.print(
        f"[bold]Signals[/]  ownership: {i_ratio}   numbers in results: {escape(numbers)}   "
        f"reflection: {'yes' if sig.has_reflection else 'no'}   "
        f"specific: {'yes' if sig.specific else 'no (sounds generic)'}   "
        f"length: {sig.word_count} words ({sig.length_verdict})"
    )
    d = analysis.delivery
    if d:
        fillers = ", ".join(f"{k} x{v}" for k, v in d.fillers.items()) or "none"
        console.print(
            f"[bold]Delivery[/]  {d.wpm:.0f} wpm   fillers: {d.filler_count} "
            f"({d.fillers_per_min:.1f}/min: {escape(fillers)})   hedges: {d.hedge_count}   "
            f"long pauses: {len(d.long_pauses)} (longest {d.longest_pause_s:.1f} s)   "
            f"duration {d.duration_s:.0f} s"
        )
    if follow_up is not None and follow_up.target is not None:
        console.print(f"[bold cyan]Follow-up[/] ({follow_up.key}): {escape(follow_up.text)}")
        console.print(f"[dim]why: {escape(follow_up.rationale)}[/]")
    else:
        console.print(f"[bold cyan]Follow-up:[/] none ({escape(follow_up.rationale if follow_up else '')})")
    for w in analysis.warnings:
        console.print(f"[yellow]warning:[/] {escape(w)}")


def _story_line(story: Story | None) -> str:
    """The story's STAR score and rubric level, and why it sits there."""
    if story is None or story.star is None:
        return ""
    star = story.star
    parts = f" (with {len(story.turns) - 1} follow-up answer(s))" if len(story.turns) > 1 else ""
    line = f"[bold]Story STAR {star.score}/100, {star.level}[/]{parts}"
    why = "; ".join(story.reasons) or "all four parts, concrete, with a number, a lesson and your own actions"
    line += f"\n  [dim]why: {escape(why)}[/]"
    return line


def render_session(session: SavedSession, console: Console, annotations: list[Annotation] | None = None) -> None:
    """One session for a coach: each turn with STAR spans, evidence, delivery, follow-up rationale, coach notes."""
    coach = overrides_by_turn(annotations or [])
    status = "complete" if session.complete else "incomplete (interrupted)"
    console.print(
        f"[bold]{escape(session.session_id)}[/]  candidate {escape(session.candidate)}  "
        f"round {escape(session.round)}  started {escape(session.started_at)}  {status}"
    )
    story_of = {t.index: story for story in stories(session) for t in story.turns}  # the machine's scores
    for turn in session.turns:
        kind = "follow-up" if turn.is_follow_up else "question"
        console.print(f"\n[bold cyan]{turn.index + 1}. {kind}:[/] {escape(turn.question)}")
        if turn.retry_of is not None:
            console.print(f"[dim]tries again turn {turn.retry_of.turn + 1} of {escape(turn.retry_of.session_id)}[/]")
        answer, a = turn.answer, turn.analysis
        if answer is not None and answer.audio_file:
            console.print(f"[dim]audio: {escape(answer.audio_file)}, ended by {escape(answer.end_reason)}[/]")
        ov = coach.get(turn.index)
        story = story_of.get(turn.index)
        if a is not None:
            if story is not None and story.main.index != turn.index:
                line = f"[dim]part of the story of turn {story.main.index + 1} (scored there as one story)[/]"
            else:
                line = _story_line(story)
            earlier = [str(p.star_score) for p in turn.previous_scores if p.star_score is not None]
            if earlier:
                line += f"  [dim](before rescoring: {', '.join(earlier)})[/]"
            if ov and ov.star_score:
                note = ov.star_score
                line += f"  [bold yellow]coach: {note.star_score}/100[/] [dim]({escape(note.by)}, {note.at})[/]"
            console.print(line)
            console.print(star_text(a.sentences, numbered=True))
            for index, (part, note) in sorted((ov.labels if ov else {}).items()):
                machine = a.sentences[index].star if index < len(a.sentences) else "?"
                who = f"[dim]({escape(note.by)}, {note.at})[/]"
                console.print(f"  [yellow]coach relabelled sentence {index + 1}: {machine} -> {part}[/] {who}")
            for c in a.competencies[:3]:
                mark = "covered" if c.covered else "weak"
                console.print(f"  [dim]{c.id} ({mark}, p={c.strength:.2f}):[/] {escape(c.evidence)}")
            d = a.delivery
            if d:
                console.print(
                    f"  delivery: {d.wpm:.0f} wpm, {d.filler_count} fillers ({d.fillers_per_min:.1f}/min), "
                    f"{len(d.long_pauses)} long pauses"
                )
        elif answer is not None:
            console.print(escape(answer.transcript.text or "(nothing heard)"))
        if turn.error:
            console.print(f"[red]error:[/] {escape(turn.error)}")
        for note in ov.notes if ov else []:
            console.print(f"  [yellow]coach note:[/] {escape(note.note or '')} [dim]({escape(note.by)}, {note.at})[/]")
        fu = turn.follow_up
        if fu:
            console.print(f"  [magenta]next: {fu.key}[/] ({escape(fu.brain)}): {escape(fu.rationale)}")
    feedback = session.feedback
    if feedback:
        console.print("\n[bold]Feedback[/]")
        for p in feedback.strengths:
            console.print(f"  + {escape(p.text)} [dim]{escape(p.evidence)}[/]")
        for p in feedback.improvements:
            console.print(f"  - {escape(p.text)} [dim]{escape(p.evidence)}[/]")
