"""Content -> DOCX with python-docx, built from the same blocks as the HTML (not converted from it).

Ministries edit these files, so the text is real paragraphs in named styles: each language gets its own
paragraph styles carrying its proofing language, and fonts are ones their word processors have (Times New
Roman for Latin and Cyrillic, SimSun for Chinese). The file is byte-for-byte the same for the same records
(fixed zip timestamps and document properties), so its hash identifies its content.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from accord.documents.content import Cell, Chart, Content, Heading, PageBreak, Paragraph, Table
from accord.documents.wording import primary

LATIN_FONT = "Times New Roman"
BAR_FONT = "Arial"  # has U+2588 FULL BLOCK, as have its substitutes (Liberation Sans)
EAST_ASIAN_FONTS = {"zh": "SimSun", "ja": "MS Mincho", "ko": "Batang"}
PROOFING = {"zh": "zh-CN", "ru": "ru-RU", "en": "en-GB", "ja": "ja-JP", "ko": "ko-KR"}
_FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_SIZES_PT = {1: 16, 2: 12, 3: 10.5, 4: 9}
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_ALIGN = {"center": "center", "dateline": "right"}
# A chart's bars in a DOCX: full blocks, the longest this many (a table the reader can still edit).
_BAR_CELLS = 30


class _DocxWriter:
    def __init__(self, content: Content):
        import docx
        from docx.shared import Mm, Pt

        self.content = content
        self.doc = docx.Document()
        self._styles: dict[tuple[str, str], Any] = {}
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin = section.bottom_margin = Mm(20)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(10.5)
        normal.paragraph_format.space_after = Pt(6)
        _set_fonts(normal, LATIN_FONT, EAST_ASIAN_FONTS["zh"])
        note = self.doc.styles.add_style("Accord Note", 1)  # 1: paragraph style
        note.base_style = normal
        note.font.size = Pt(9)
        for level, size in _SIZES_PT.items():
            heading = self.doc.styles[f"Heading {level}"]
            heading.font.size = Pt(size)
            heading.font.color.rgb = None
            heading.paragraph_format.space_before = Pt(10 if level < 3 else 4)
            heading.paragraph_format.space_after = Pt(4)
            _set_fonts(heading, LATIN_FONT, EAST_ASIAN_FONTS["zh"])
        self.doc.styles["Heading 1"].paragraph_format.alignment = 1  # centred, as in the HTML
        self._footer_page_numbers()

    def style(self, base: str, lang: str) -> Any:
        """`base` in the proofing language (and East Asian font) of `lang`; created on first use."""
        key = (base, lang)
        if key not in self._styles:
            from docx.oxml import OxmlElement
            from docx.oxml.ns import qn

            style = self.doc.styles.add_style(f"{base} {lang}", 1)
            style.base_style = self.doc.styles[base]
            style.hidden = False
            rpr = style.element.get_or_add_rPr()
            tag = OxmlElement("w:lang")
            proofing = PROOFING.get(lang, lang)
            tag.set(qn("w:val"), proofing)
            if lang in EAST_ASIAN_FONTS:
                tag.set(qn("w:eastAsia"), proofing)
                _set_fonts(style, LATIN_FONT, EAST_ASIAN_FONTS[lang])
            rpr.append(tag)
            self._styles[key] = style
        return self._styles[key]

    def _footer_page_numbers(self) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        paragraph = self.doc.sections[0].footer.paragraphs[0]
        paragraph.alignment = 1
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        paragraph._p.append(field)

    def paragraph(self, block: Heading | Paragraph) -> Any:
        """A w:p element for a heading or paragraph, built directly in lxml.

        python-docx's object API costs ten times the XML it writes when a plan has thousands of
        paragraphs; the elements are the same ones it would make, in the styles set up above.
        """
        from lxml import etree

        lang = primary(block.lang)
        if isinstance(block, Heading):
            base = f"Heading {min(block.level, 4)}"
        else:
            base = "Accord Note" if block.style == "note" else "Normal"
        p = etree.Element(_W + "p")
        ppr = etree.SubElement(p, _W + "pPr")
        etree.SubElement(ppr, _W + "pStyle").set(_W + "val", self.style(base, lang).style_id)
        runs = [(block.text, False)]
        if isinstance(block, Paragraph):
            if block.style in _ALIGN:
                etree.SubElement(ppr, _W + "jc").set(_W + "val", _ALIGN[block.style])
            if block.label:
                runs.insert(0, (f"{block.label}{block.sep}", True))
        bar = isinstance(block, Paragraph) and block.style == "bar"
        strong = isinstance(block, Paragraph) and block.style == "strong"
        for text, bold in runs:
            run = etree.SubElement(p, _W + "r")
            if bold or strong:
                etree.SubElement(etree.SubElement(run, _W + "rPr"), _W + "b")
            elif bar:  # a chart's bar: grey blocks in a font that has them
                rpr = etree.SubElement(run, _W + "rPr")
                fonts = etree.SubElement(rpr, _W + "rFonts")
                for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
                    fonts.set(_W + attr, BAR_FONT)
                etree.SubElement(rpr, _W + "color").set(_W + "val", "555555")
            t = etree.SubElement(run, _W + "t")
            t.text = text
            t.set(_XML_SPACE, "preserve")
        return p

    def add_to_body(self, element: Any) -> None:
        self.doc.element.body.sectPr.addprevious(element)

    def add_table(self, table: Table) -> None:
        from docx.shared import Emu, Mm
        from lxml import etree

        columns = table.columns
        grid = self.doc.add_table(rows=0, cols=columns)  # the w:tbl with its properties and grid
        if table.style in ("parallel", "figures"):
            grid.style = self.doc.styles["Table Grid"]
        widths = [Emu(int(Mm(174) * share / 100)) for share in table.column_shares]
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
        twips = [str(int(width.twips)) for width in widths]
        rows: list[tuple[list[Cell], bool]] = [(table.header, True)] if table.header else []
        rows += [(row, False) for row in table.rows]
        tbl = grid._tbl
        for cells, is_header in rows:
            tr = etree.SubElement(tbl, _W + "tr")
            if is_header:  # repeated at the top of every page, as the HTML's thead
                etree.SubElement(etree.SubElement(tr, _W + "trPr"), _W + "tblHeader")
            for i, cell in enumerate(cells):
                tc = etree.SubElement(tr, _W + "tc")
                tcw = etree.SubElement(etree.SubElement(tc, _W + "tcPr"), _W + "tcW")
                tcw.set(_W + "w", twips[min(i, len(twips) - 1)])
                tcw.set(_W + "type", "dxa")
                for block in cell.blocks:
                    paragraph = self.paragraph(block)
                    if cell.align == "right":
                        etree.SubElement(paragraph[0], _W + "jc").set(_W + "val", "right")
                    tc.append(paragraph)
                if not cell.blocks:
                    etree.SubElement(tc, _W + "p")  # a cell holds at least one paragraph

    def add_chart(self, chart: Chart) -> None:
        """A chart as a table: label, count, and a bar of full blocks scaled to the largest count."""
        top = max((bar.value for bar in chart.bars), default=0) or 1
        lang = chart.lang
        rows = [
            [
                Cell(lang, [Paragraph(bar.label, lang)]),
                Cell(lang, [Paragraph(str(bar.value), lang)], align="right"),
                Cell(lang, [Paragraph("\u2588" * round(_BAR_CELLS * max(bar.value, 0) / top), lang, style="bar")]),
            ]
            for bar in chart.bars
        ]
        self.add_table(Table(rows, style="chart", widths=(5, 2, 10)))
        self.add_to_body(self.paragraph(Paragraph(chart.caption, lang, style="note")))

    def write(self) -> bytes:
        for block in self.content.blocks:
            if isinstance(block, Heading | Paragraph):
                self.add_to_body(self.paragraph(block))
            elif isinstance(block, PageBreak):
                self.doc.add_page_break()
            elif isinstance(block, Table):
                self.add_table(block)
            elif isinstance(block, Chart):
                self.add_chart(block)
        self._properties()
        out = io.BytesIO()
        self.doc.save(out)
        return _fixed_zip(out.getvalue())

    def _properties(self) -> None:
        props = self.doc.core_properties
        props.title = self.content.title[:250]
        props.author = "Accord"
        props.last_modified_by = "Accord"
        props.comments = "Generated from the records by Accord"
        props.language = PROOFING.get(self.content.language, self.content.language)
        props.revision = 1
        # The document's own date (the meeting's, the signature's), not the moment of generation.
        day = self.content.issued_on or dt.date(1980, 1, 1)
        stamp = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
        props.created = props.modified = stamp
        props.last_printed = stamp


def _set_fonts(style: Any, latin: str, east_asian: str) -> None:
    """Explicit fonts on a style, replacing the template's theme fonts (which would otherwise win)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    fonts = OxmlElement("w:rFonts")
    for attr, value in (("w:ascii", latin), ("w:hAnsi", latin), ("w:cs", latin), ("w:eastAsia", east_asian)):
        fonts.set(qn(attr), value)
    rpr.insert(0, fonts)


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with fixed entry timestamps, so equal documents have equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def write_docx(content: Content) -> bytes:
    return _DocxWriter(content).write()
