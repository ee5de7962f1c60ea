"""``export --format md``: a session written for a mentor, who reads it without the tool.

Unlike ``transcript.md`` (the plain record next to ``session.json``), it has what a coach
acts on: the summary first, then each story with its STAR score and rubric level, every
sentence with its STAR part (the coach's where relabelled), the competencies shown with
their evidence, delivery, the follow-up and why it was asked, and the coach's notes.
"""

from __future__ import annotations

from ..analysis.star_score import RUBRIC
from ..saved import SavedSession
from ..store.annotations import Annotation, overrides_by_turn
from .stories import coach_labels, overall_level, stories


def _quote(text: str) -> str:
    """Candidate text on one line, so a "#" or "-" it starts with is not read as markdown structure."""
    return " ".join(text.split()).replace("*", "\\*").replace("_", "\\_")


def mentor_markdown(session: SavedSession, annotations: list[Annotation]) -> str:
    coach = overrides_by_turn(annotations)
    told = stories(session, coach_labels(coach))
    story_of = {t.index: s for s in told for t in s.turns}
    level, counts = overall_level(told)
    lines = [
        f"# Practice session {session.session_id}",
        "",
        f"Candidate {session.candidate} · round {session.round} · started {session.started_at}"
        + ("" if session.complete else " · incomplete (interrupted)"),
        "",
        "## Summary",
        "",
    ]
    summary_from = len(lines)
    if level:
        lines.append(f"- Overall: **{level}** (stories by level: {', '.join(f'{lev} {n}' for lev, n in counts)})")
    fb = session.feedback
    for title, points in (("Strength", fb.strengths if fb else ()), ("To work on", fb.improvements if fb else ())):
        for p in points:
            lines.append(f"- {title}: {p.text}" + (f' Evidence: "{_quote(p.evidence)}"' if p.evidence else ""))
    if fb and fb.not_shown:
        lines.append(f"- Competencies not shown yet: {', '.join(fb.not_shown)}")
    if len(lines) == summary_from:
        lines.append("- No scored answers.")
    lines += [
        "",
        "Levels: " + " · ".join(f"{level} ({meaning})" for level, meaning in RUBRIC) + ".",
        "",
    ]
    for turn in session.turns:
        kind = "Follow-up" if turn.is_follow_up else "Question"
        lines += [f"## {turn.index + 1}. {kind}: {_quote(turn.question)}", ""]
        story = story_of.get(turn.index)
        if turn.retry_of is not None:
            lines += [f"_Tries again answer {turn.retry_of.turn + 1} of {turn.retry_of.session_id}._", ""]
        if story is not None and story.main.index != turn.index:
            lines += [f"_Part of the story of answer {story.main.index + 1}, scored there._", ""]
        elif story is not None and story.star is not None:
            why = f" — {'; '.join(story.reasons)}" if story.reasons else ""
            lines += [f"**Story: {story.star.level}, STAR {story.star.score}/100**{why}", ""]
        ov = coach.get(turn.index)
        if ov and ov.star_score:
            note = ov.star_score
            lines += [f"Coach's STAR score: {note.star_score}/100 ({note.by}, {note.at})", ""]
        answer, a = turn.answer, turn.analysis
        if answer is not None:
            lines += [f"Answer ({answer.source}, ended by {answer.end_reason}):", ""]
        if a is not None:
            for i, s in enumerate(a.sentences):
                relabel = ov.labels.get(i) if ov else None
                part = relabel[0] if relabel else s.star
                mark = f" (coach {relabel[1].by}; machine: {s.star})" if relabel else ""
                lines.append(f"{i + 1}. **{part}**{mark}: {_quote(s.text)}")
            lines.append("")
            # Evidence only from a main answer, and only a sentence that tells the story (a follow-up's
            # "It was fine I guess" is no evidence of judgment, whatever its similarity).
            told_story = {x.text for x in a.sentences if x.star != "other"}
            shown = [c for c in a.competencies if c.covered and c.evidence in told_story and not turn.is_follow_up]
            for c in shown[:3]:
                lines.append(f'- Shows {c.id.replace("_", " ")}: "{_quote(c.evidence)}"')
            d = a.delivery
            if d:
                lines.append(
                    f"- Delivery: {d.wpm:.0f} words/min, {d.filler_count} fillers ({d.fillers_per_min:.1f}/min), "
                    f"{len(d.long_pauses)} long pauses, {d.duration_s:.0f} s"
                )
            if shown or d:
                lines.append("")
        elif answer is not None:
            lines += [_quote(answer.transcript.text) or "_(nothing heard)_", ""]
        if turn.error:
            lines += [f"> Error in this turn: {turn.error}", ""]
        fu = turn.follow_up
        if fu is not None:
            asked = f': "{fu.text}"' if fu.target is not None else ""
            lines += [f"Next: {fu.key}{asked} (why: {fu.rationale})", ""]
        for n in ov.notes if ov else []:
            lines += [f"> Coach note ({n.by}, {n.at}): {n.note}", ""]
    return "\n".join(lines).rstrip() + "\n"
