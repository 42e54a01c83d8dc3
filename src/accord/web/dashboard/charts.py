"""Charts drawn by Accord itself as inline SVG on the server: no script, no CDN, readable offline.

Each builder returns a Chart: the <svg> (role="img", with <title> and <desc> it is labelled by), and the
same figures as a Table that the page shows under the chart, for screen readers and for copying. Colours
come from PALETTE, each at least 4.5:1 against white so bars and lines stay visible (WCAG asks 3:1 for
graphics); neighbouring shapes are separated by a white stroke so they do not depend on telling colours
apart. Texts are escaped here; callers pass display texts already localized.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
INK = "#1d2330"
MUTED = "#555e6e"
GRID = "#d7dce4"
# Dark enough against white for every colour (contrast >= 4.5:1), distinct in hue for the legend.
PALETTE = ("#0b5cab", "#b54a00", "#1c6b3a", "#7b3294", "#a8201a", "#00707a", "#5c5c5c", "#8a6d00")
FONT_SIZE = 12
WIDTH = 640


@dataclass(frozen=True)
class Table:
    """The data behind a chart: column headers, then rows whose first cell names the row."""

    headers: list[str]
    rows: list[list[str]]

    def body(self) -> SafeString:
        """The rows as <tr> elements (built here: a template loop per cell costs more than the queries)."""
        out = []
        for row in self.rows:
            head, *cells = row
            out.append(f'<tr><th scope="row">{escape(head)}</th>' + "".join(f"<td>{escape(c)}</td>" for c in cells))
        return mark_safe("</tr>".join(out) + ("</tr>" if out else ""))  # every cell escaped above


@dataclass(frozen=True)
class Chart:
    key: str  # unique on the page: the ids of the <title> and <desc>
    title: str
    description: str
    svg: SafeString
    table: Table


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    colour: str = PALETTE[0]


@dataclass(frozen=True)
class Series:
    """One layer of a stacked bar chart: its name and a value per category."""

    name: str
    values: list[float]
    colour: str = PALETTE[0]


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date
    label: str
    colour: str = PALETTE[0]
    status: str = ""


@dataclass(frozen=True)
class Lane:
    label: str
    spans: list[Span] = field(default_factory=list)


@dataclass(frozen=True)
class Node:
    key: int
    label: str
    weight: int  # drawn as the area of the circle
    group: str  # e.g. the party's code: nodes of a group sit together
    colour: str = PALETTE[0]


@dataclass(frozen=True)
class Edge:
    a: int
    b: int
    weight: int


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def number(value: float) -> str:
    """A figure as the interface language writes numbers (whole numbers without decimals)."""
    if float(value).is_integer():
        return number_format(int(value), use_l10n=True, force_grouping=True)
    return number_format(round(float(value), 2), decimal_pos=2, use_l10n=True, force_grouping=True)


def _n(x: float) -> str:
    """A coordinate without float noise ('12', '12.5')."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An estimate of the drawn width: CJK characters are about square, Latin and Cyrillic about half."""
    return sum(size * (1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.6) for ch in text)


def fit(text: str, width: float, size: float = FONT_SIZE) -> str:
    """`text` shortened with an ellipsis to fit `width` (the full text stays in the row's <title>)."""
    if text_width(text, size) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…", size) > width:
            break
        out += ch
    return out.rstrip() + "…"


def _open(key: str, title: str, description: str, width: float, height: float) -> list[str]:
    return [
        f'<svg xmlns="{SVG_NS}" class="chart" role="img" aria-labelledby="{key}-title {key}-desc" '
        f'width="{_n(width)}" height="{_n(height)}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'font-size="{FONT_SIZE}" fill="{INK}">',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(description)}</desc>',
    ]


def _close(parts: list[str]) -> SafeString:
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text inside was escaped above


def _legend(names: Sequence[tuple[str, str]], y: float, width: float) -> tuple[list[str], float]:
    """Swatches and names in rows across the width; returns the parts and the height used."""
    parts = ['<g class="legend">']
    x, row = 0.0, 0
    for name, fill in names:
        w = 18 + text_width(name) + 16
        if x and x + w > width:
            x, row = 0.0, row + 1
        top = y + row * 18
        parts.append(
            f'<rect x="{_n(x)}" y="{_n(top)}" width="12" height="12" fill="{fill}"/>'
            f'<text x="{_n(x + 16)}" y="{_n(top + 10)}">{escape(name)}</text>'
        )
        x += w
    parts.append("</g>")
    return parts, (row + 1) * 18 if names else 0


# --- bars ------------------------------------------------------------------------------------------------


def bar_chart(
    key: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    *,
    label_header: str,
    value_header: str,
    horizontal: bool = True,
) -> Chart:
    """One bar per label: rows (horizontal, for long labels) or columns (vertical, for a few short ones)."""
    table = Table([label_header, value_header], [[b.label, number(b.value)] for b in bars])
    top = max((b.value for b in bars), default=0) or 1
    if horizontal:
        row, label_w = 24, min(260.0, max((text_width(b.label) for b in bars), default=0) + 12)
        plot = WIDTH - label_w - 60
        height = 8 + row * max(len(bars), 1)
        parts = _open(key, title, description, WIDTH, height)
        for i, b in enumerate(bars):
            y = 4 + i * row
            length = plot * max(b.value, 0) / top
            parts.append(
                f"<g><title>{escape(b.label)}: {escape(number(b.value))}</title>"
                f'<text x="{_n(label_w - 8)}" y="{_n(y + 16)}" text-anchor="end">{escape(fit(b.label, label_w - 12))}'
                "</text>"
                f'<rect x="{_n(label_w)}" y="{_n(y + 4)}" width="{_n(max(length, 0.5))}" height="{row - 8}" '
                f'fill="{b.colour}"/>'
                f'<text x="{_n(label_w + length + 6)}" y="{_n(y + 16)}">{escape(number(b.value))}</text></g>'
            )
        parts.append(f'<line x1="{_n(label_w)}" y1="0" x2="{_n(label_w)}" y2="{height}" stroke="{INK}"/>')
        return Chart(key, title, description, _close(parts), table)
    column = max(48.0, min(120.0, (WIDTH - 20) / max(len(bars), 1)))
    width = max(WIDTH, 20 + column * len(bars))
    plot_h, base = 180.0, 200.0
    parts = _open(key, title, description, width, base + 44)
    for i, b in enumerate(bars):
        x = 10 + i * column
        h = plot_h * max(b.value, 0) / top
        centre = x + column / 2
        parts.append(
            f"<g><title>{escape(b.label)}: {escape(number(b.value))}</title>"
            f'<rect x="{_n(x + 8)}" y="{_n(base - h)}" width="{_n(column - 16)}" height="{_n(max(h, 0.5))}" '
            f'fill="{b.colour}"/>'
            f'<text x="{_n(centre)}" y="{_n(base - h - 4)}" text-anchor="middle">{escape(number(b.value))}</text>'
            f'<text x="{_n(centre)}" y="{_n(base + 16)}" text-anchor="middle">{escape(fit(b.label, column - 4))}'
            "</text></g>"
        )
    parts.append(f'<line x1="0" y1="{_n(base)}" x2="{_n(width)}" y2="{_n(base)}" stroke="{INK}"/>')
    return Chart(key, title, description, _close(parts), table)


def stacked_bars(
    key: str,
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    category_header: str,
) -> Chart:
    """One column per category (e.g. a year), each stacked from the series' values, with a legend."""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    headers = [category_header, *(s.name for s in series)]
    table = Table(headers, [[c, *(number(s.values[i]) for s in series)] for i, c in enumerate(categories)])
    top = max(totals, default=0) or 1
    column = max(28.0, min(80.0, (WIDTH - 50) / max(len(categories), 1)))
    width = max(WIDTH, 50 + column * len(categories))
    legend, legend_h = _legend([(s.name, s.colour) for s in series], 0, width)
    plot_top = legend_h + 18
    plot_h = 180.0
    base = plot_top + plot_h
    every = max(1, math.ceil(len(categories) * 44 / (width - 50)))  # label every n-th column so labels fit
    parts = _open(key, title, description, width, base + 26)
    parts += legend
    for i, category in enumerate(categories):
        x = 44 + i * column
        y = base
        for s in series:
            value = s.values[i]
            if value <= 0:
                continue
            h = plot_h * value / top
            y -= h
            parts.append(
                f'<rect x="{_n(x + 3)}" y="{_n(y)}" width="{_n(column - 6)}" height="{_n(h)}" '
                f'fill="{s.colour}" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(category)}, {escape(s.name)}: {escape(number(value))}</title></rect>"
            )
        if totals[i]:
            parts.append(
                f'<text x="{_n(x + column / 2)}" y="{_n(y - 4)}" text-anchor="middle" font-size="10">'
                f"{escape(number(totals[i]))}</text>"
            )
        if i % every == 0:
            parts.append(
                f'<text x="{_n(x + column / 2)}" y="{_n(base + 16)}" text-anchor="middle">{escape(category)}</text>'
            )
    parts.append(f'<line x1="40" y1="{_n(base)}" x2="{_n(width)}" y2="{_n(base)}" stroke="{INK}"/>')
    parts.append(
        f'<text x="36" y="{_n(plot_top + 10)}" text-anchor="end" fill="{MUTED}" font-size="10">{escape(number(top))}'
        "</text>"
    )
    return Chart(key, title, description, _close(parts), table)


# --- timeline --------------------------------------------------------------------------------------------


def timeline(
    key: str,
    title: str,
    description: str,
    lanes: Sequence[Lane],
    legend: Sequence[tuple[str, str]],
    *,
    lane_header: str,
    span_headers: tuple[str, str, str],
) -> Chart:
    """One lane per row (e.g. an agreement) with its spans (e.g. plans) along a common axis of years."""
    table = Table(
        [lane_header, *span_headers],
        [
            [lane.label, s.label, f"{s.start.isoformat()} – {s.end.isoformat()}", s.status]
            for lane in lanes
            for s in lane.spans
        ],
    )
    spans = [s for lane in lanes for s in lane.spans]
    first = min((s.start.year for s in spans), default=dt.date.today().year)
    last = max((s.end.year for s in spans), default=first) + 1
    label_w = min(220.0, max((text_width(lane.label) for lane in lanes), default=0) + 12)
    plot_w = WIDTH - label_w - 10
    legend_parts, legend_h = _legend(legend, 0, WIDTH)
    top = legend_h + 24
    lane_h = 26

    def x_of(day: dt.date) -> float:
        start = dt.date(first, 1, 1)
        span = (dt.date(last, 1, 1) - start).days or 1
        return label_w + plot_w * (day - start).days / span

    height = top + lane_h * max(len(lanes), 1) + 4
    parts = _open(key, title, description, WIDTH, height)
    parts += legend_parts
    every = max(1, math.ceil((last - first) * 36 / plot_w))
    for year in range(first, last + 1):
        x = x_of(dt.date(year, 1, 1))
        parts.append(f'<line x1="{_n(x)}" y1="{_n(top - 4)}" x2="{_n(x)}" y2="{_n(height)}" stroke="{GRID}"/>')
        if (year - first) % every == 0 and year < last:
            parts.append(f'<text x="{_n(x + 2)}" y="{_n(top - 8)}" fill="{MUTED}" font-size="10">{year}</text>')
    for i, lane in enumerate(lanes):
        y = top + i * lane_h
        parts.append(
            f"<g><title>{escape(lane.label)}</title>"
            f'<text x="{_n(label_w - 8)}" y="{_n(y + 17)}" text-anchor="end">{escape(fit(lane.label, label_w - 12))}'
            "</text></g>"
        )
        for s in lane.spans:
            x0, x1 = x_of(s.start), x_of(s.end + dt.timedelta(days=1))
            parts.append(
                f'<rect x="{_n(x0)}" y="{_n(y + 4)}" width="{_n(max(x1 - x0, 2))}" height="{lane_h - 8}" '
                f'fill="{s.colour}" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(s.label)} ({s.start.isoformat()} – {s.end.isoformat()})</title></rect>"
            )
    return Chart(key, title, description, _close(parts), table)


# --- network ---------------------------------------------------------------------------------------------


def layout(nodes: Sequence[Node], cx: float, cy: float, radius: float) -> dict[int, tuple[float, float]]:
    """A deterministic circular layout: groups (sides) take consecutive arcs, each ordered by weight, so
    the links between sides cross the middle and links within a side run along its arc."""
    ordered = sorted(nodes, key=lambda n: (n.group, -n.weight, n.key))
    count = max(len(ordered), 1)
    out = {}
    for i, node in enumerate(ordered):
        # From the bottom, clockwise through the left and the top: the first side on the left, the next on
        # the right. Half a step off, so no node sits exactly at the bottom or top where labels collide.
        angle = -math.pi / 2 - 2 * math.pi * (i + 0.5) / count
        out[node.key] = (cx + radius * math.cos(angle), cy - radius * math.sin(angle))
    return out


def network(
    key: str,
    title: str,
    description: str,
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    legend: Sequence[tuple[str, str]],
    *,
    headers: tuple[str, str, str],
) -> Chart:
    """Organisations as circles around a ring (area by weight), links as lines (width by weight), names outside."""
    label = {n.key: n.label for n in nodes}
    table = Table(
        list(headers),
        [[label[e.a], label[e.b], number(e.weight)] for e in sorted(edges, key=lambda e: (-e.weight, e.a, e.b))],
    )
    size = 560.0
    label_room = 200.0
    width = size + 2 * label_room
    legend_parts, legend_h = _legend(legend, 0, width)
    cx, cy, radius = width / 2, legend_h + size / 2, size / 2 - 30
    pos = layout(nodes, cx, cy, radius)
    heaviest = max((e.weight for e in edges), default=1)
    biggest = max((n.weight for n in nodes), default=1) or 1
    parts = _open(key, title, description, width, legend_h + size)
    parts += legend_parts
    parts.append('<g class="links">')
    for e in sorted(edges, key=lambda e: (e.weight, e.a, e.b)):  # heavy links drawn last, on top
        (x1, y1), (x2, y2) = pos[e.a], pos[e.b]
        parts.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{MUTED}" '
            f'stroke-opacity="0.55" stroke-width="{_n(1 + 5 * e.weight / heaviest)}">'
            f"<title>{escape(label[e.a])} – {escape(label[e.b])}: {escape(number(e.weight))}</title></line>"
        )
    parts.append("</g>")
    for n in sorted(nodes, key=lambda n: n.key):  # the same drawing whatever order the nodes came in
        x, y = pos[n.key]
        r = 4 + 12 * math.sqrt(max(n.weight, 0) / biggest)
        right = x >= cx
        tx = x + (r + 4 if right else -(r + 4))
        parts.append(
            f"<g><title>{escape(n.label)}: {escape(number(n.weight))}</title>"
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{n.colour}" stroke="#ffffff" stroke-width="1.5"/>'
            f'<text x="{_n(tx)}" y="{_n(y + 4)}" text-anchor="{"start" if right else "end"}" font-size="11">'
            f"{escape(fit(n.label, label_room - 10, 11))}</text></g>"
        )
    return Chart(key, title, description, _close(parts), table)
