"""Writing tables as CSV, XLSX and JSON, streamed: a few hundred rows in memory at a time, whatever the count.

Text that a spreadsheet would take for a formula (starting with =, +, -, @, tab or carriage return) is
written with a leading apostrophe in CSV and XLSX; numbers and dates are not text and stay as they are.
The importer takes the apostrophe off again, so an export imports back unchanged.

Characters XML cannot carry (core.text: C0 controls but tab and line breaks, U+FFFE/FFFF, lone surrogates) are
left out of every format: validation refuses them on the way in, and a value stored before that rule must not
make an export fail (openpyxl refuses such a cell; a lone surrogate cannot even be encoded as UTF-8).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from accord.core.text import strip_unsafe, strip_unsafe_value

FORMATS = ("csv", "xlsx", "json")
CHUNK_ROWS = 500  # rows per yielded CSV/JSON chunk
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    value = strip_unsafe(value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def stream_csv(header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """UTF-8 with a BOM, so that Excel reads the Chinese and Russian right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_text(v) for v in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        return neutralise(value) or None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def stream_xlsx(
    header: list[str], rows: Iterable[list[Any]], *, title: str = "records", note: str = ""
) -> Iterator[bytes]:
    """A write-only workbook (openpyxl keeps the rows in a temporary file), then its bytes in chunks.

    `note` (records left out: "2 records not shown") goes on a second sheet; an import reads the first only.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([neutralise(h) for h in header])
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
    if note:
        book.create_sheet(_("Not shown")[:31]).append([neutralise(note)])
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(64 * 1024):
            yield chunk


def _json_value(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if value == "":
        return None
    return strip_unsafe_value(value)


def stream_json(header: list[str], rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """A JSON array of objects, one per record; localized texts as {tag: text}."""
    parts = ["["]
    first = True
    for count, row in enumerate(rows, start=1):
        record = {strip_unsafe(key): _json_value(v) for key, v in zip(header, row, strict=True)}
        parts.append(("\n" if first else ",\n") + json.dumps(record, ensure_ascii=False, default=str))
        first = False
        if count % CHUNK_ROWS == 0:
            yield "".join(parts).encode("utf-8")
            parts = []
    parts.append("\n]\n")
    yield "".join(parts).encode("utf-8")


def template_bytes(fmt: str, kind: str, columns: list[dict[str, Any]]) -> bytes:
    """An empty table with the given headers; XLSX adds a sheet explaining each column, JSON describes them."""
    if fmt == "csv":
        return b"".join(stream_csv([c["header"] for c in columns], []))
    if fmt == "json":
        described = [{k: c[k] for k in ("key", "header", "required", "help")} for c in columns]
        return json.dumps({"kind": kind, "columns": described}, ensure_ascii=False, indent=2).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind[:31]
    sheet.append([c["header"] for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    guide = book.create_sheet(_("Columns")[:31])
    guide.append([_("Column"), _("Key"), _("Required"), _("What to write")])
    for c in columns:
        guide.append([c["header"], c["key"], _("yes") if c["required"] else "", c["help"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
