"""``transcript.md``: the readable copy of a session, written next to ``session.json``."""

from __future__ import annotations

from typing import Any


def render_markdown(data: dict[str, Any]) -> str:
    lines = [
        f"# Practice session {data['session_id']}",
        "",
        f"- Candidate: {data['candidate']}",
        f"- Round: {data['round']}",
        f"- Started: {data['started_at']}",
        f"- Ended: {data['ended_at'] or '(in progress or interrupted)'}",
        f"- Complete: {'yes' if data['complete'] else 'no'}",
        "",
    ]
    for turn in data["turns"]:
        kind = "Follow-up" if turn["is_follow_up"] else "Question"
        lines += [f"## {turn['index'] + 1}. {kind}: {turn['question']}", ""]
        answer = turn.get("answer")
        if answer:
            src = answer["source"] + (f", audio: {answer['audio_file']}" if answer["audio_file"] else "")
            lines += [
                f"*Answer ({src}; ended by {answer['end_reason']}):*",
                "",
                answer["text"] or "_(nothing heard)_",
                "",
            ]
        if turn.get("error"):
            lines += [f"> Error in this turn: {turn['error']}", ""]
    feedback = data.get("feedback")
    if feedback:
        lines += ["## Feedback", ""]
        for title, key in (("Strength", "strengths"), ("To improve", "improvements")):
            for p in feedback.get(key, []):
                lines.append(f"- {title}: {p['text']}" + (f' Evidence: "{p["evidence"]}"' if p.get("evidence") else ""))
        if feedback.get("not_shown"):
            lines.append(f"- Competencies not shown yet: {', '.join(feedback['not_shown'])}")
        lines.append("")
    return "\n".join(lines) + "\n"
