"""Reading an uploaded table: what the file really is, its encoding and delimiter, its header and rows.

Every refusal here happens before any record is looked at, and names the file (and row or column when
there is one). Cells come out as text (or a list of texts from JSON), rows numbered as the user sees them:
in CSV and XLSX the header is row 1; in JSON the first object is row 1.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from accord.interop.encoding import detect_encoding
from accord.interop.limits import limit
from accord.interop.report import ImportRefused, Problem

FORMATS = ("csv", "xlsx", "json")
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".json": "json"}

# What a file starts with when it is something else than it claims.
_MAGIC = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (e.g. an XLSX workbook)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Word (.doc) file"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{\\rtf", "an RTF document"),
)

Cell = str | list[str]


@dataclass
class Table:
    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[Cell]]]  # (row number, cells in header order)


def refuse(reason: str, filename: str, *, row: int | None = None, column: str | None = None) -> ImportRefused:
    return ImportRefused([Problem(reason, row=row, column=column, file=filename)])


def format_of(filename: str) -> str:
    name = filename.lower()
    for ext, fmt in _EXTENSIONS.items():
        if name.endswith(ext):
            return fmt
    raise refuse(_("unknown file type: name it .csv, .xlsx or .json"), filename)


def read_bytes(data: bytes | IO[bytes], filename: str) -> bytes:
    """The whole upload, refused without reading further once it passes the size limit."""
    cap = limit("ACCORD_IMPORT_MAX_BYTES")
    raw = data if isinstance(data, bytes) else data.read(cap + 1)
    if len(raw) > cap:
        raise refuse(
            _("the file is larger than %(limit)s MB; split it or ask the operator to raise ACCORD_IMPORT_MAX_BYTES")
            % {"limit": cap // (1024 * 1024) or f"{cap / (1024 * 1024):.2f}"},
            filename,
        )
    if not raw.strip():
        raise refuse(_("the file is empty"), filename)
    return raw


def read_table(data: bytes | IO[bytes], filename: str) -> Table:
    fmt = format_of(filename)
    raw = read_bytes(data, filename)
    if fmt == "xlsx":
        table = _read_xlsx(raw, filename)
    else:
        _refuse_binary(raw, filename, fmt)
        table = _read_csv(raw, filename) if fmt == "csv" else _read_json(raw, filename)
    _check_header(table.header, filename)
    return table


def _refuse_binary(raw: bytes, filename: str, fmt: str) -> None:
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise refuse(
                _("the file is named as %(fmt)s but it is %(what)s") % {"fmt": fmt.upper(), "what": what}, filename
            )
    if b"\x00" in raw[:65536] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(_("the file is named as %(fmt)s but holds binary data") % {"fmt": fmt.upper()}, filename)


def _check_header(header: list[str], filename: str) -> None:
    cap = limit("ACCORD_IMPORT_MAX_COLUMNS")
    if len(header) > cap:
        raise refuse(
            _("the header has %(count)s columns; at most %(limit)s are read") % {"count": len(header), "limit": cap},
            filename,
            row=1,
        )
    if not any(h.strip() for h in header):
        raise refuse(_("the first row must be the header (column names); it is empty"), filename, row=1)


def _decode(raw: bytes, filename: str) -> str:
    encoding = detect_encoding(raw)
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise refuse(
            _("the file is not valid text in %(encoding)s (byte %(byte)s)")
            % {"encoding": encoding, "byte": exc.start + 1},
            filename,
            row=line,
        ) from None
    return text.lstrip("\ufeff")


def _delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(",;\t", key=first.count)


def _read_csv(raw: bytes, filename: str) -> Table:
    text = _decode(raw, filename)
    if "\x00" in text:
        raise refuse(_("the file holds binary data (NUL characters), not text"), filename)
    delimiter = _delimiter(text)
    # strict: a quote left open to the end of the file (or text after a closing quote) is an error, not a
    # cell that silently swallows the rows after it.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise refuse(_("the file is empty"), filename) from None
    header = _trim(header)
    _check_header(header, filename)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        start = reader.line_num + 1  # the line the record being read starts on (a quote left open ends elsewhere)
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, list[Cell](cells)
                start = reader.line_num + 1
        except csv.Error as exc:
            raise refuse(_("the CSV cannot be read: %(reason)s") % {"reason": exc}, filename, row=start) from None

    return Table("csv", header, rows())


def _trim(header: list[Any]) -> list[str]:
    """Header cells as text, without the empty ones spreadsheets leave at the end of a row."""
    cells = ["" if h is None else str(h).strip() for h in header]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _check_zip(raw: bytes, filename: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        if not raw.startswith(b"PK"):
            what = next((w for m, w in _MAGIC if raw.startswith(m)), _("not a ZIP archive"))
            raise refuse(_("the file is named as XLSX but it is %(what)s") % {"what": what}, filename) from None
        raise refuse(
            _("the XLSX workbook is truncated or damaged (its ZIP directory cannot be read)"), filename
        ) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(1, info.compress_size)
        if total > limit("ACCORD_IMPORT_MAX_UNPACKED_BYTES") or (
            info.file_size > 10 * 1024 * 1024 and ratio > limit("ACCORD_IMPORT_MAX_PACKING_RATIO")
        ):
            raise refuse(
                _("the XLSX workbook would unpack to more than it may (%(member)s: %(size)s MB); it is not read")
                % {"member": info.filename, "size": info.file_size // (1024 * 1024)},
                filename,
            )
    if "xl/workbook.xml" not in archive.namelist():
        raise refuse(_("the file is a ZIP archive but not an XLSX workbook"), filename)
    return archive


def _read_xlsx(raw: bytes, filename: str) -> Table:
    import openpyxl

    _check_zip(raw, filename)
    damaged = _("the XLSX workbook is truncated or damaged")
    try:
        book = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        values = sheet.iter_rows(values_only=True)
        header = _trim(list(next(values, ())))
    except Exception:  # openpyxl raises whatever its XML and ZIP layers raise on a broken file
        raise refuse(damaged, filename) from None
    _check_header(header, filename)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        number = 1
        try:
            for cells in values:
                number += 1
                texts: list[Cell] = [_xlsx_text(c) for c in cells]
                if any(texts):
                    yield number, texts
        except ImportRefused:
            raise
        except Exception:
            raise refuse(damaged, filename, row=number) from None
        finally:
            book.close()

    return Table("xlsx", header, rows())


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_json(raw: bytes, filename: str) -> Table:
    try:
        data = json.loads(_decode(raw, filename), parse_float=Decimal)
    except RecursionError:  # arrays or objects nested deeper than the parser goes: no record is that deep
        raise refuse(_("the JSON is nested too deeply: a record is one object of fields"), filename) from None
    except json.JSONDecodeError as exc:
        raise refuse(
            _("the JSON cannot be read: %(reason)s (line %(line)s)") % {"reason": exc.msg, "line": exc.lineno},
            filename,
        ) from None
    if isinstance(data, dict) and isinstance(data.get("records"), list):
        data = data["records"]
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise refuse(_("the JSON must be an array of objects, one per record"), filename)
    flat = [_flatten(r) for r in data]
    header: list[str] = []
    seen: set[str] = set()
    for record in flat:
        for key in record:
            if key not in seen:
                seen.add(key)
                header.append(key)
                if len(header) > limit("ACCORD_IMPORT_MAX_COLUMNS"):
                    _check_header(header, filename)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for number, record in enumerate(flat, start=1):
            yield number, [record.get(h, "") for h in header]

    return Table("json", header, rows())


def _flatten(record: dict[str, Any]) -> dict[str, Cell]:
    """{"title": {"en": ...}} -> {"title[en]": ...}; scalars as text, lists as lists of text."""
    out: dict[str, Cell] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            for tag, text in value.items():
                out[f"{key}[{tag}]"] = _json_text(text)
        elif isinstance(value, list):
            out[str(key)] = [_json_text(v) for v in value]
        else:
            out[str(key)] = _json_text(value)
    return out


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
