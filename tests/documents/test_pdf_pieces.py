"""A long document's PDF laid out in pieces (side by side in worker processes) and joined: every row once, in
order, every page numbered "n / N", Chinese and Cyrillic as real glyphs, and the same bytes however many
workers laid it out. PIECE_ROWS is made small here so a short plan is cut into several pieces."""

from __future__ import annotations

import re
import subprocess

import pytest

from accord.documents import pdf_output
from accord.documents.content import Cell, Content, Heading, Paragraph, Table
from accord.documents.renderers import Options, build
from tests.documents.extract import pdf_text
from tests.documents.test_fonts import ink, needs_poppler, rasterise

# poppler-utils: skipped on a developer machine without it, a failure in CI (ACCORD_REQUIRE_TOOLS=1)
pytestmark = needs_poppler


def _content(rows: int) -> Content:
    table = Table(
        [
            [Cell("zh", [Paragraph(f"第{n}行", "zh")]), Cell("ru", [Paragraph(f"Строка {n}", "ru")])]
            for n in range(rows)
        ],
        header=[Cell("zh", [Heading("中文", "zh", 4)]), Cell("ru", [Heading("Русский", "ru", 4)])],
    )
    return Content(
        kind="plan_text",
        titles={"zh": "标题", "ru": "Заголовок"},
        languages=["zh", "ru"],
        blocks=[Heading("标题", "zh"), table, Paragraph("完", "zh")],
    )


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_long_table_is_cut_at_its_rows_with_the_rest_in_the_first_and_last_piece(monkeypatch):
    monkeypatch.setattr(pdf_output, "PIECE_ROWS", 4)
    content = _content(13)
    pieces = pdf_output.split(content)
    assert pieces is not None
    tables = [next(b for b in p.blocks if isinstance(b, Table)) for p in pieces]
    # 4 + 4 + 5: a tail shorter than half a piece goes with the piece before it
    assert [len(t.rows) for t in tables] == [4, 4, 5]
    assert [row for t in tables for row in t.rows] == next(b for b in content.blocks if isinstance(b, Table)).rows
    assert all(t.header == tables[0].header for t in tables)
    assert isinstance(pieces[0].blocks[0], Heading) and isinstance(pieces[-1].blocks[-1], Paragraph)
    assert all(len(p.blocks) == 1 for p in pieces[1:-1])
    # Short: one layout.
    assert pdf_output.split(_content(7)) is None


def test_a_plan_laid_out_in_pieces_has_every_item_once_in_order_and_every_page_numbered(seed, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_output, "PIECE_ROWS", 4)
    content = build("plan_text", seed.plan_1960, "zh+ru", Options())[2]
    table = next(b for b in content.blocks if isinstance(b, Table))
    assert len(table.rows) >= 12  # the 1960 plan: a front row, its items, the signatures
    pieces = pdf_output.split(content)
    assert pieces is not None and len(pieces) >= 3

    pdf = pdf_output.write_pdf(content, workers=1)
    text = _text(pdf, tmp_path)
    pages = text.split("\f")[:-1]
    total = len(pages)
    # Every page carries its own number and the total, stamped after the pieces were joined.
    for number, page in enumerate(pages, start=1):
        assert re.search(rf"^\s*{number} / {total}\s*$", page, re.M), f"page {number} has no footer"
    # Every item once, in order, in both languages.
    plain = pdf_text(pdf)
    zh_items = [int(n) for n in re.findall(r"(\d+)\. 项目", plain)]
    ru_items = [int(n) for n in re.findall(r"(\d+)\. Проект", plain)]
    assert zh_items == ru_items == list(range(1, len(table.rows) - 1))
    # The same text as one layout of the whole (the footers and page breaks aside).
    monkeypatch.setattr(pdf_output, "PIECE_ROWS", 10_000)
    whole = pdf_text(pdf_output.write_pdf(content))
    assert re.sub(r"\s+", "", plain) == re.sub(r"\s+", "", whole)
    # Real Chinese glyphs on the first page, and a footer drawn at the bottom of a later page.
    first = rasterise(pdf, tmp_path, page=1)
    assert ink(first, (0.1, 0.05, 0.9, 0.3)) > 0.01
    last = rasterise(pdf, tmp_path, page=total)
    w, h = last.size
    darkest = last.crop((int(0.4 * w), int(0.95 * h), int(0.6 * w), int(0.98 * h))).getextrema()[0]
    assert darkest < 200  # 8 pt grey digits, centred in the bottom margin


def test_worker_processes_give_the_same_pdf_as_one_process(seed, monkeypatch):
    monkeypatch.setattr(pdf_output, "PIECE_ROWS", 4)
    content = build("plan_text", seed.plan_1960, "zh+ru", Options())[2]
    assert pdf_output.write_pdf(content, workers=2) == pdf_output.write_pdf(content, workers=1)


def test_a_piece_with_a_character_no_font_has_is_refused(monkeypatch):
    from accord.core.errors import DomainError

    monkeypatch.setattr(pdf_output, "PIECE_ROWS", 4)
    content = _content(12)
    table = next(b for b in content.blocks if isinstance(b, Table))
    table.rows[10][1].blocks[0] = Paragraph("Строка \U000f0001", "ru")  # a private-use code point: no glyph
    with pytest.raises(DomainError, match="U\\+F0001"):
        pdf_output.write_pdf(content, workers=1)
