"""Server-rendered SVG charts: each a figure with a titled image, a one-sentence summary and its data table.

The SVG is for the eye (role="img", named by its <title> and <desc>); the table next to it carries the same
numbers for screen readers and print. Colours come from classes in hall.css (the CSP forbids inline styles).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from markupsafe import Markup, escape

WIDTH = 400
BAR_LEFT = 0
BAR_RIGHT = WIDTH - 60     # room for the value after the longest bar
ROW = 54                   # each row: its label on one line, the bar below (labels of any length fit)
BAR = 20
FONT = 15


@dataclass(frozen=True)
class Bar:
    """One row of a chart: its label, its value (None when there is nothing to show) and an optional target."""

    label: str
    value: float | int | None
    target: float | None = None


def _number(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _shown(value, unit: str) -> str:
    return "—" if value is None else f"{_number(value)}{unit}"


def chart(chart_id: str, title: str, summary: str, bars: list[Bar], unit: str = "", scale: float | None = None,
          value_heading: str | None = None) -> Markup:
    """A horizontal bar chart; `scale` fixes the full length (100 for rates), else the largest value is full."""
    top = max([b.value for b in bars if b.value is not None] + [b.target or 0 for b in bars] + [0])
    scale = scale or top or 1
    span = BAR_RIGHT - BAR_LEFT
    height = ROW * len(bars) + 8
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    shapes = []
    for n, bar in enumerate(bars):
        y = 4 + n * ROW
        bar_y = y + FONT + 8
        middle = bar_y + BAR / 2
        shapes.append(f'<text x="0" y="{y + FONT:g}" font-size="{FONT}" class="chart-label">{escape(bar.label)}</text>')
        shapes.append(f'<rect x="{BAR_LEFT}" y="{bar_y:g}" width="{span}" height="{BAR}" class="chart-track"/>')
        length = 0.0
        if bar.value is not None:
            length = span * min(float(bar.value), scale) / scale
            below = " chart-below" if bar.target is not None and bar.value < bar.target else ""
            shapes.append(f'<rect x="{BAR_LEFT}" y="{bar_y:g}" width="{length:.1f}" height="{BAR}" '
                          f'class="chart-bar{below}"/>')
        if bar.target is not None:
            x = BAR_LEFT + span * min(bar.target, scale) / scale
            shapes.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{bar_y - 4:g}" y2="{bar_y + BAR + 4:g}" '
                          f'stroke-width="3" class="chart-target"/>')
        shapes.append(f'<text x="{BAR_RIGHT + 8}" y="{middle:g}" dominant-baseline="middle" font-size="{FONT}" '
                      f'class="chart-value">{escape(_shown(bar.value, unit))}</text>')
    # gettext outside the f-strings below, where the message extractor would not see it
    figure_label, value_label, target_label = _("Figure"), value_heading or _("Value"), _("Target")
    caption = _("The figures of this chart")
    has_target = any(b.target is not None for b in bars)
    rows = "".join(
        f'<tr><th scope="row">{escape(b.label)}</th><td>{escape(_shown(b.value, unit))}</td>'
        + (f'<td>{escape(_shown(b.target, unit))}</td>' if has_target else "") + "</tr>" for b in bars)
    head = (f'<tr><th scope="col">{escape(figure_label)}</th><th scope="col">{escape(value_label)}</th>'
            + (f'<th scope="col">{escape(target_label)}</th>' if has_target else "") + "</tr>")
    # Every text interpolated below is escaped; ids and numbers come from code.
    return Markup(  # nosec B704
        f'<figure class="chart" id="{chart_id}">'
        f'<figcaption class="chart-title">{escape(title)}</figcaption>'
        f'<div class="chart-body">'
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{title_id}">{escape(title)}</title><desc id="{desc_id}">{escape(summary)}</desc>'
        + "".join(shapes) +
        f'</svg>'
        f'<table class="data chart-table"><caption>{escape(caption)}</caption>'
        f'<thead>{head}</thead><tbody>{rows}</tbody></table>'
        f'</div><p class="chart-summary">{escape(summary)}</p></figure>')
