"""What a generated document says, before it is written out as HTML, PDF or DOCX.

A builder (communiqué, plan text, ...) reads the records once and returns a `Content`: a list of simple
blocks, each in one language. The HTML writer (and PDF, from that HTML) and the DOCX writer both walk the
same blocks, so the formats cannot drift apart, and the plain text of each language (stored and hashed
as the document's text) is read off the same blocks too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from accord.core.text import strip_unsafe
from accord.documents.wording import label_sep, primary


def _carried(block: object, *names: str) -> None:
    """Strip from a block's texts what XML (so DOCX, and the HTML a PDF is printed from) cannot carry: the
    validation refuses such characters on the way in, and text stored before that rule must not make a
    document fail (core.text)."""
    for name in names:
        value = getattr(block, name)
        cleaned = strip_unsafe(value)
        if cleaned is not value:
            object.__setattr__(block, name, cleaned)


@dataclass(frozen=True)
class Heading:
    """A title line. Level 1 is the document's title, 2 a section, 3 an item."""

    text: str
    lang: str
    level: int = 1
    kind: ClassVar[str] = "heading"

    def __post_init__(self) -> None:
        _carried(self, "text")


@dataclass(frozen=True)
class Paragraph:
    """Running text, optionally led by a bold label ('Objectives: ...').

    Style: '', 'dateline', 'note', 'center', 'strong' (bold: a subtotal in a table of figures), 'bar' (a chart's
    bar drawn in text).
    """

    text: str
    lang: str
    label: str = ""
    style: str = ""
    kind: ClassVar[str] = "paragraph"

    def __post_init__(self) -> None:
        _carried(self, "text", "label")

    @property
    def sep(self) -> str:
        return label_sep(self.lang) if self.label else ""

    def plain(self) -> str:
        return f"{self.label}{self.sep}{self.text}"


@dataclass(frozen=True)
class PageBreak:
    kind: ClassVar[str] = "pagebreak"


@dataclass
class Cell:
    """One cell of a table: blocks (headings and paragraphs only) in one language; align 'right' for figures."""

    lang: str
    blocks: list[Heading | Paragraph]
    align: str = ""


@dataclass
class Table:
    """Rows of cells.

    Styles: 'parallel' (the languages side by side, ruled), 'signatures' (one column per party), 'figures'
    (a ruled table of figures: a row reads as one line of text, its cells separated by tabs). `widths`
    gives the columns' relative widths (equal when empty).
    """

    rows: list[list[Cell]]
    style: str = "parallel"
    header: list[Cell] | None = None
    widths: tuple[int, ...] = ()
    kind: ClassVar[str] = "table"

    @property
    def columns(self) -> int:
        return max((len(r) for r in self.rows), default=len(self.header or []))

    @property
    def column_shares(self) -> list[float]:
        """Each column's share of the width, in percent."""
        weights = list(self.widths) if len(self.widths) == self.columns else [1] * self.columns
        total = sum(weights) or 1
        return [round(100 * w / total, 2) for w in weights]


@dataclass(frozen=True)
class Bar:
    """One bar of a chart: what it counts, how many, and its colour (#rrggbb)."""

    label: str
    value: int
    colour: str = "#555555"

    def __post_init__(self) -> None:
        _carried(self, "label")


@dataclass
class Chart:
    """A horizontal bar chart of counts, drawn by Accord itself: inline SVG in the HTML (and so in the PDF),
    a table of bars in the DOCX. No script, no external asset. Its figures are text elsewhere in the
    document (a chart illustrates a table), so it adds nothing to the plain text."""

    caption: str
    lang: str
    bars: list[Bar]
    kind: ClassVar[str] = "chart"

    def __post_init__(self) -> None:
        _carried(self, "caption")

    @property
    def svg(self) -> str:
        from accord.documents.chart import bar_chart_svg

        return bar_chart_svg(self)


Block = Heading | Paragraph | PageBreak | Table | Chart


@dataclass
class Content:
    """A document ready to be written: its blocks, its languages (the first leads), and where it comes from."""

    kind: str
    titles: dict[str, str]  # the document's title in each of its languages
    languages: list[str]
    blocks: list[Block] = field(default_factory=list)
    issued_on: dt.date | None = None
    layout: str = ""

    def __post_init__(self) -> None:
        self.titles = {lang: strip_unsafe(text) for lang, text in self.titles.items()}

    @property
    def language(self) -> str:
        return self.languages[0]

    @property
    def title(self) -> str:
        return " / ".join(self.titles[lang] for lang in self.languages if self.titles.get(lang))

    def text_of(self, language: str) -> str:
        """The plain text of one language version: its headings and paragraphs in reading order."""
        want = primary(language)
        return "\n".join(b.plain() if isinstance(b, Paragraph) else b.text for b in self._walk() if b.lang == want)

    def _walk(self) -> Iterator[Heading | Paragraph]:
        for block in self.blocks:
            if isinstance(block, Heading | Paragraph):
                yield block
            elif isinstance(block, Table) and block.style == "figures":
                # A row of figures is one line ("Completed<TAB>80"); its captions say what the columns are.
                for row in [block.header, *block.rows] if block.header else block.rows:
                    texts = [" ".join(_plain(b) for b in cell.blocks) for cell in row]
                    if row and any(texts):
                        yield Paragraph("\t".join(texts), row[0].lang)
            elif isinstance(block, Table):  # the header (column captions) is layout, not text
                for row in block.rows:
                    for cell in row:
                        yield from cell.blocks


def _plain(block: Heading | Paragraph) -> str:
    return block.plain() if isinstance(block, Paragraph) else block.text
