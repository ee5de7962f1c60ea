"""Readable terminal rendering (rich) of a Score JSON object."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..store.annotations import Annotation, overrides_by_turn

STAR_STYLE = {
    "situation": "bold blue",
    "task": "bold magenta",
    "action": "bold green",
    "result": "bold yellow",
    "other": "dim",
}


def star_text(sentences: list[dict[str, Any]], numbered: bool = False) -> Text:
    """The answer with each sentence tagged and coloured by its STAR label (numbered for annotating)."""
    out = Text()
    for n, s in enumerate(sentences, 1):
        style = STAR_STYLE.get(s["star"], "")
        tag = s["star"][0].upper() if s["star"] != "other" else "-"
        out.append(f"[{n}{tag}] " if numbered else f"[{tag}] ", style=style)
        out.append(s["text"] + " ", style=style.replace("bold ", ""))
    return out


def render_score(score: dict[str, Any], console: Console) -> None:
    star = score["star"]
    missing = ", ".join(star["missing"]) or "none"
    shares = "  ".join(f"{k[0].upper()} {v:.0%}" for k, v in star["share_words"].items() if k != "other")
    header = f"[bold]STAR score {star['score']}/100[/]   missing: {escape(missing)}   words: {shares}"
    if score["question"]:
        console.print(f"[dim]Question:[/] {escape(score['question'])}")
    console.print(Panel(Group(Text.from_markup(header), star_text(score["sentences"])), title="Structure"))

    table = Table("competency", "prob.", "similarity", "covered", "evidence", title="Competencies (best first)")
    for c in score["competencies"][:5]:
        table.add_row(
            c["id"],
            f"{c['probability']:.2f}",
            f"{c['similarity']:.2f}",
            "yes" if c["covered"] else "no",
            escape(c["evidence"][:90]),
        )
    console.print(table)

    sig = score["signals"]
    i_ratio = "n/a" if sig["i_ratio"] is None else f"{sig['i_ratio']:.0%} I vs we"
    numbers = ", ".join(sig["quantified_results"]) or "none"
    console.print(
        f"[bold]Signals[/]  ownership: {i_ratio}   numbers in results: {escape(numbers)}   "
        f"reflection: {'yes' if sig['has_reflection'] else 'no'}   "
        f"specific: {'yes' if sig['specific'] else 'no (sounds generic)'}   "
        f"length: {sig['word_count']} words ({sig['length_verdict']})"
    )
    d = score.get("delivery")
    if d:
        fillers = ", ".join(f"{k} x{v}" for k, v in d["fillers"].items()) or "none"
        console.print(
            f"[bold]Delivery[/]  {d['wpm']:.0f} wpm   fillers: {d['filler_count']} "
            f"({d['fillers_per_min']:.1f}/min: {escape(fillers)})   hedges: {d['hedge_count']}   "
            f"long pauses: {len(d['long_pauses'])} (longest {d['longest_pause_s']:.1f} s)   "
            f"duration {d['duration_s']:.0f} s"
        )
    fu = score["follow_up"]
    if fu["target"] != "none":
        console.print(f"[bold cyan]Follow-up[/] ({fu['target']}): {escape(fu['text'])}")
        console.print(f"[dim]why: {escape(fu['rationale'])}[/]")
    else:
        console.print(f"[bold cyan]Follow-up:[/] none ({escape(fu['rationale'])})")
    for w in score["warnings"]:
        console.print(f"[yellow]warning:[/] {escape(w)}")


def render_session(data: dict[str, Any], console: Console, annotations: list[Annotation] | None = None) -> None:
    """One session for a coach: each turn with STAR spans, evidence, delivery, follow-up rationale, coach notes."""
    coach = overrides_by_turn(annotations or [])
    status = "complete" if data.get("complete") else "incomplete (interrupted)"
    console.print(
        f"[bold]{escape(data['session_id'])}[/]  candidate {escape(data['candidate'])}  round {escape(data['round'])}  "
        f"started {escape(str(data['started_at']))}  {status}"
    )
    for turn in data.get("turns", []):
        kind = "follow-up" if turn.get("is_follow_up") else "question"
        console.print(f"\n[bold cyan]{turn['index'] + 1}. {kind}:[/] {escape(turn['question'])}")
        answer = turn.get("answer") or {}
        score = turn.get("score")
        if answer.get("audio_file"):
            console.print(f"[dim]audio: {escape(answer['audio_file'])}, ended by {answer.get('end_reason')}[/]")
        ov = coach.get(turn["index"])
        if score:
            star = score["star"]
            line = f"STAR {star['score']}/100, missing: {escape(', '.join(star['missing']) or 'none')}"
            earlier = [str(p["score"]["star"]["score"]) for p in turn.get("previous_scores", []) if p.get("score")]
            if earlier:
                line += f"  [dim](before rescoring: {', '.join(earlier)})[/]"
            if ov and ov.star_score:
                a = ov.star_score
                line += f"  [bold yellow]coach: {a.star_score}/100[/] [dim]({escape(a.by)}, {a.at})[/]"
            console.print(line)
            console.print(star_text(score["sentences"], numbered=True))
            for index, (part, a) in sorted((ov.labels if ov else {}).items()):
                machine = score["sentences"][index]["star"] if index < len(score["sentences"]) else "?"
                who = f"[dim]({escape(a.by)}, {a.at})[/]"
                console.print(f"  [yellow]coach relabelled sentence {index + 1}: {machine} -> {part}[/] {who}")
            for c in score["competencies"][:3]:
                mark = "covered" if c["covered"] else "weak"
                console.print(f"  [dim]{c['id']} ({mark}, p={c['probability']:.2f}):[/] {escape(c['evidence'][:110])}")
            d = score.get("delivery")
            if d:
                console.print(
                    f"  delivery: {d['wpm']:.0f} wpm, {d['filler_count']} fillers ({d['fillers_per_min']:.1f}/min), "
                    f"{len(d['long_pauses'])} long pauses"
                )
        elif answer:
            console.print(escape(answer.get("text") or "(nothing heard)"))
        if turn.get("error"):
            console.print(f"[red]error:[/] {escape(turn['error'])}")
        for a in ov.notes if ov else []:
            console.print(f"  [yellow]coach note:[/] {escape(a.note or '')} [dim]({escape(a.by)}, {a.at})[/]")
        fu = turn.get("follow_up")
        if fu:
            console.print(
                f"  [magenta]next: {fu['target']}[/] ({escape(fu.get('brain', 'policy'))}): {escape(fu['rationale'])}"
            )
    feedback = data.get("feedback")
    if feedback:
        console.print("\n[bold]Feedback[/]")
        for p in feedback.get("strengths", []):
            console.print(f"  + {escape(p['text'])} [dim]{escape(p.get('evidence', ''))}[/]")
        for p in feedback.get("improvements", []):
            console.print(f"  - {escape(p['text'])} [dim]{escape(p.get('evidence', ''))}[/]")
