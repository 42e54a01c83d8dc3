"""Charts drawn by Accord itself, for documents that must print offline: inline SVG, no script, no asset.

A horizontal bar chart: one row per bar, the label on the left, the bar, then its count. The fonts are
those of the print CSS for the chart's language (named on the <svg>, since CSS rules of the page do not
reach inside an SVG in every renderer), so WeasyPrint draws the labels with the same fonts as the text.
"""

from __future__ import annotations

from html import escape

from accord.documents.content import Chart
from accord.documents.wording import needs_cjk

# The same families as static/documents/print.css, per script.
_LATIN = "'Liberation Serif', 'Times New Roman', 'DejaVu Serif', serif"
_CJK = "'Noto Serif CJK SC', 'Noto Sans CJK SC', 'Source Han Serif SC', 'WenQuanYi Zen Hei', serif"

WIDTH = 600  # px: about 159 mm at 96 px per inch, inside the A4 text width of 174 mm
ROW = 22
PAD = 6
LABEL_WIDTH = 200
BAR_WIDTH = 330


def _num(x: float) -> str:
    """A coordinate without float noise ('12', '12.5')."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def bar_chart_svg(chart: Chart) -> str:
    """The chart as an inline <svg> element of HTML (no namespace declaration needed there), texts escaped."""
    height = 2 * PAD + ROW * max(len(chart.bars), 1)
    top = max((bar.value for bar in chart.bars), default=0) or 1
    family = _CJK if needs_cjk(chart.lang) else _LATIN
    caption = escape(chart.caption)
    out = [
        f'<svg class="chart" lang="{escape(chart.lang)}" role="img" '
        f'aria-label="{caption}" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'font-family="{family}" font-size="12">',
        f"<title>{caption}</title>",
    ]
    for i, bar in enumerate(chart.bars):
        y = PAD + i * ROW
        length = BAR_WIDTH * max(bar.value, 0) / top
        baseline = _num(y + ROW / 2 + 4)
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{baseline}" text-anchor="end" fill="#000000">{escape(bar.label)}</text>'
        )
        if length:
            out.append(
                f'<rect x="{LABEL_WIDTH}" y="{_num(y + 4)}" width="{_num(length)}" height="{ROW - 8}" '
                f'fill="{escape(bar.colour)}"/>'
            )
        out.append(f'<text x="{_num(LABEL_WIDTH + length + 6)}" y="{baseline}" fill="#000000">{bar.value}</text>')
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="{PAD}" x2="{LABEL_WIDTH}" y2="{height - PAD}" stroke="#000000" '
        'stroke-width="0.8"/>'
    )
    out.append("</svg>")
    return "".join(out)
