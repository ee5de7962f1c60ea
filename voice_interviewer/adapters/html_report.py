"""Self-contained HTML reports: a Jinja2 template with inline CSS and pygal SVG charts.

Why these libraries: Jinja2 escapes everything the candidate said by default (no string
concatenation of HTML), and pygal writes plain SVG with no JavaScript or fonts to fetch
once its tooltip script is switched off (``js=[]``), so the file opens with no network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pygal
from pygal.style import Style

from ..analysis.star_score import RUBRIC
from ..review.report import STAR_PARTS, ProgressReport, SessionReport, TurnView

STAR_COLOURS = {
    "situation": "#3b6fd8",
    "task": "#9b51c9",
    "action": "#2e9e4f",
    "result": "#d99a00",
    "other": "#9aa0a6",
}
GAP_COLOUR = "#eceff1"
LINE_COLOURS = (
    "#3b6fd8", "#d99a00", "#2e9e4f", "#9b51c9", "#e8453c", "#00838f",
    "#6d4c41", "#5c6bc0", "#c0ca33", "#8e24aa", "#f4511e",
)  # fmt: skip
_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES),
    autoescape=jinja2.select_autoescape(["html", "j2"]),
    undefined=jinja2.StrictUndefined,  # a typo in the template fails the tests, not silently
    trim_blocks=True,
    lstrip_blocks=True,
)


def _style(colours: tuple[str, ...] = ("#3b6fd8", "#d99a00", "#2e9e4f", "#9b51c9")) -> Style:
    return Style(
        colors=colours,
        background="white",
        plot_background="white",
        font_family="system-ui, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
        title_font_size=14,
    )


def _render(chart: Any) -> str:
    return str(chart.render(is_unicode=True))


def _common() -> dict[str, Any]:
    # js=[]: no tooltip script from a CDN; the page must open with no network.
    return {"js": [], "disable_xml_declaration": True, "explicit_size": False, "pretty_print": False}


def timeline_svg(turn: TurnView) -> str:
    """One coloured bar over the answer's seconds (or words), a piece per sentence, grey for silences."""
    pieces: list[tuple[str, float, str]] = []
    pos = 0.0
    for seg in turn.timeline:
        if seg.start > pos + 0.05:
            pieces.append(("pause", seg.start - pos, GAP_COLOUR))
        pieces.append((seg.star, max(seg.end - seg.start, 0.01), STAR_COLOURS[seg.star]))
        pos = max(pos, seg.end)
    chart = pygal.HorizontalStackedBar(
        **_common(),
        style=_style(tuple(c for _, _, c in pieces) or ("#ffffff",)),
        show_legend=False,
        height=110,
        width=900,
        show_y_labels=False,
        x_title="seconds" if turn.timeline_unit == "s" else "words",
        margin=6,
        spacing=0,
    )
    for label, length, _ in pieces:
        chart.add(label, [round(length, 2)])
    return _render(chart)


def coverage_svg(report: SessionReport) -> str:
    chart = pygal.HorizontalBar(
        **_common(),
        style=_style(),
        show_legend=False,
        height=40 + 28 * max(len(report.coverage), 1),
        width=900,
        range=(0, 1),
        title="Competency coverage (best answer; darker = covered)",
    )
    chart.x_labels = [cid for cid, _, _ in reversed(report.coverage)]
    chart.add(
        "probability",
        [
            {"value": round(p, 3), "color": "#2e9e4f" if covered else "#b7d7c0"}
            for _, p, covered in reversed(report.coverage)
        ],
    )
    return _render(chart)


def delivery_svg(report: SessionReport) -> str | None:
    rows = [(t, t.delivery) for t in report.turns if t.delivery]
    if not rows:
        return None
    chart = pygal.Bar(
        **_common(),
        style=_style(("#3b6fd8", "#d99a00", "#9b51c9")),
        height=320,
        width=900,
        title="Delivery per answer: words per minute (left), fillers per minute and longest pause (right)",
        legend_at_bottom=True,
    )
    chart.x_labels = [f"{t.number}{' (follow-up)' if t.is_follow_up else ''}" for t, _ in rows]
    chart.add("words per minute", [round(d.wpm, 1) for _, d in rows])
    chart.add("fillers per minute", [round(d.fillers_per_min, 2) for _, d in rows], secondary=True)
    chart.add("longest pause (s)", [round(d.longest_pause_s, 2) for _, d in rows], secondary=True)
    return _render(chart)


def render_session_html(report: SessionReport) -> str:
    charts = {
        "timelines": {t.number: timeline_svg(t) for t in report.turns if t.timeline},
        "coverage": coverage_svg(report) if report.coverage else None,
        "delivery": delivery_svg(report),
    }
    return _ENV.get_template("session.html.j2").render(
        r=report, charts=charts, colours=STAR_COLOURS, parts=STAR_PARTS, rubric=RUBRIC
    )


def _line(
    title: str,
    labels: list[str],
    series: dict[str, list[float | None]],
    height: int = 320,
    value_range: tuple[float, float] | None = None,
) -> str:
    chart = pygal.Line(
        **_common(),
        style=_style(LINE_COLOURS),
        height=height,
        width=900,
        title=title,
        legend_at_bottom=True,
        x_label_rotation=20,
        allow_interruptions=True,
        range=value_range,
    )
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return _render(chart)


def _has_data(values: list[float | None]) -> bool:
    return any(v is not None for v in values)


def render_progress_html(report: ProgressReport) -> str:
    """Trends only for what has data (no empty "No data" charts), and one small chart per
    competency with data, on the same 0-1 scale, instead of one chart of eleven lines."""
    labels = [p.started_at[:16].replace("T", " ") for p in report.points]
    pts = report.points
    star = [p.star_score for p in pts]
    delivery = {"words per minute": [p.wpm for p in pts], "fillers per minute": [p.fillers_per_min for p in pts]}
    delivery = {k: v for k, v in delivery.items() if _has_data(v)}
    charts: dict[str, Any] = {
        "star": _line("Mean STAR score per session", labels, {"STAR score": star}, value_range=(0, 100))
        if _has_data(star)
        else None,
        "delivery": _line("Delivery per session", labels, delivery) if delivery else None,
        "competencies": [],
    }
    for cid in report.competency_ids:
        values = [p.competency.get(cid) for p in pts]
        if _has_data(values):
            charts["competencies"].append(
                (cid, _small_line(cid.replace("_", " "), [str(n) for n in range(1, len(pts) + 1)], values))
            )
    return _ENV.get_template("progress.html.j2").render(r=report, charts=charts)


def _small_line(title: str, labels: list[str], values: list[float | None]) -> str:
    """One competency's probability per session (sessions numbered as in the table below)."""
    chart = pygal.Line(
        **_common(),
        style=_style(LINE_COLOURS),
        height=200,
        width=300,
        title=title,
        show_legend=False,
        allow_interruptions=True,
        range=(0, 1),
        show_y_guides=True,
    )
    chart.x_labels = labels
    chart.add(title, values)
    return _render(chart)
