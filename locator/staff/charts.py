"""The dashboard's charts, drawn on the server as inline SVG: no chart library, no script, nothing to
vendor, and they print. Pure: numbers and already translated, formatted texts in, markup out.

Each chart is an image with a name and a description (``role="img"``, ``<title>``, ``<desc>``);
the page shows the same numbers in a table beside it. Colours and fonts come from classes
(staff.css): the Content-Security-Policy forbids inline styles, not SVG's own attributes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup, escape

# Drawn at the size they are shown (a unit is a CSS pixel, up to the width of the panel: staff.css
# only shrinks them), so their text stays the page's size: a bar chart fits half the page, days the whole.
BAR_WIDTH = 560
LINE_WIDTH = 1200
BAR_ROW = 24
LABEL_WIDTH = 200
MAX_LABEL = 28  # characters: longer labels are cut (the table beside the chart has them whole)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    text: str  # the value as the page writes it ("1,234")


@dataclass(frozen=True)
class Series:
    name: str
    css_class: str
    values: list[int]


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1] + "…"


def _frame(chart_id: str, title: str, desc: str, width: int, height: float, body: list[str]) -> Markup:
    head = (f'<svg class="chart" id="{escape(chart_id)}" role="img" width="{width}" height="{height:g}" '
            f'viewBox="0 0 {width} {height:g}" '
            f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" preserveAspectRatio="xMinYMin meet">'
            f'<title id="{escape(chart_id)}-title">{escape(title)}</title><desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar]) -> Markup:
    """Horizontal bars, one row each, largest scale = the largest value."""
    top = max((bar.value for bar in bars), default=0) or 1
    span = BAR_WIDTH - LABEL_WIDTH - 70  # room for the value after the longest bar
    body = []
    for row, bar in enumerate(bars):
        y = row * BAR_ROW + 4
        width = max(bar.value / top * span, 1 if bar.value else 0)
        body.append(f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">{escape(_short(bar.label))}</text>'
                    f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR_ROW - 7}" rx="2"/>'
                    f'<text class="chart-value" x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 13}">{escape(bar.text)}</text>')
    return _frame(chart_id, title, desc, BAR_WIDTH, len(bars) * BAR_ROW + 8, body)


def nice_top(value: float) -> int:
    """The axis' top: four equal whole steps (1, 2, 2.5 or 5 times a power of ten) that reach ``value``."""
    quarter = max(value, 1) / 4
    magnitude = 10 ** math.floor(math.log10(quarter)) if quarter >= 1 else 1
    step = next(factor * magnitude for factor in (1, 2, 2.5, 5, 10)
                if factor * magnitude >= quarter and float(factor * magnitude).is_integer())
    return int(step * 4)


def line_chart(chart_id: str, title: str, desc: str, labels: list[str], series: list[Series],
               number: Callable[[int], str] = str, height: int = 260) -> Markup:
    """Lines over days (``labels``: each point's name as the axis writes it, a handful of them shown)."""
    left, right, top_margin, bottom = 64, 16, 12, 34
    plot_w, plot_h = LINE_WIDTH - left - right, height - top_margin - bottom
    top = nice_top(max((max(s.values, default=0) for s in series), default=0))
    count = len(labels)

    def x(index: int) -> float:
        return left + (plot_w / 2 if count == 1 else index * plot_w / (count - 1))

    def y(value: int) -> float:
        return top_margin + plot_h - value / top * plot_h

    body = []
    for tick in range(5):
        value = top * tick // 4
        body.append(f'<line class="chart-grid" x1="{left}" x2="{LINE_WIDTH - right}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
                    f'<text class="chart-axis" x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end">{escape(number(value))}</text>')
    every = max(1, math.ceil(count / 12))
    for index in range(0, count, every):
        body.append(f'<text class="chart-axis" x="{x(index):.1f}" y="{height - 10}" text-anchor="middle">{escape(labels[index])}</text>')
    for line in series:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(line.values))
        body.append(f'<polyline class="chart-line {escape(line.css_class)}" points="{points}"/>')
        if count <= 62:  # a dot per day while they stay apart
            body.extend(f'<circle class="chart-dot {escape(line.css_class)}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="2.5"/>'
                        for i, v in enumerate(line.values))
    return _frame(chart_id, title, desc, LINE_WIDTH, height, body)
