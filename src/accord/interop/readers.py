"""Reading an uploaded table: what the file really is, its encoding and delimiter, its header and rows.

Every refusal here happens before any record is looked at, and names the file (and row or column when
there is one). Cells come out as text (or a list of texts from JSON), rows numbered as the user sees them
in a spreadsheet: in CSV, XLSX and ODS the header is row 1 and a quoted cell spanning several lines is one
row (as Excel shows it); in JSON the first object is row 1.

The encoding of a text file is decided from the whole file (accord.interop.encoding) or named by the user;
a workbook is read with calamine, which reads every cell whatever dimension the sheet declares, from the
sheet named or else the first.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext as _

from accord.interop.encoding import Decoded, EncodingRefused, StreamRefused, decide_streamed, decode
from accord.interop.limits import limit
from accord.interop.report import ImportRefused, Problem

FORMATS = ("csv", "xlsx", "ods", "json")
_EXTENSIONS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".ods": "ods", ".json": "json"}
WORKBOOKS = ("xlsx", "ods")

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
    encoding: str = ""  # a text file's codec
    encoding_how: str = ""  # "named", "bom" or "detected"
    delimiter: str = ""
    sheet: str = ""  # a workbook's sheet read
    sheets: list[str] | None = None  # every sheet of the workbook
    # How much of the file has been read (0.0-1.0), for a job's progress bar; None when it cannot tell (a workbook,
    # a JSON document: parsed whole before the first row).
    position: Callable[[], float] | None = None

    def describe(self) -> str:
        """How the file was read, for the report: "CSV, UTF-8 (detected), delimiter ;" or "XLSX, sheet DATA"."""
        from accord.interop.encoding import label

        if self.format in WORKBOOKS:
            return _("%(format)s, sheet “%(sheet)s”") % {"format": self.format.upper(), "sheet": self.sheet}
        how = {"named": _("as named"), "bom": _("by its BOM"), "detected": _("detected from the whole file")}
        text = _("%(format)s, %(encoding)s (%(how)s)") % {
            "format": self.format.upper(),
            "encoding": label(self.encoding),
            "how": how.get(self.encoding_how, self.encoding_how),
        }
        if self.delimiter:
            shown = {"\t": "tab"}.get(self.delimiter, self.delimiter)
            text += ", " + _("delimiter “%(delimiter)s”") % {"delimiter": shown}
        return text


def refuse(reason: str, filename: str, *, row: int | None = None, column: str | None = None) -> ImportRefused:
    return ImportRefused([Problem(reason, row=row, column=column, file=filename)])


def format_of(filename: str) -> str:
    name = filename.lower()
    for ext, fmt in _EXTENSIONS.items():
        if name.endswith(ext):
            return fmt
    raise refuse(_("unknown file type: name it .csv, .xlsx, .ods or .json"), filename)


def _too_large(filename: str) -> ImportRefused:
    cap = limit("ACCORD_IMPORT_MAX_BYTES")
    return refuse(
        _("the file is larger than %(limit)s MB; split it or ask the operator to raise ACCORD_IMPORT_MAX_BYTES")
        % {"limit": cap // (1024 * 1024) or f"{cap / (1024 * 1024):.2f}"},
        filename,
    )


def read_bytes(data: bytes | IO[bytes], filename: str) -> bytes:
    """The whole upload, refused without reading further once it passes the size limit."""
    cap = limit("ACCORD_IMPORT_MAX_BYTES")
    raw = data if isinstance(data, bytes) else data.read(cap + 1)
    if len(raw) > cap:
        raise _too_large(filename)
    if not raw.strip():
        raise refuse(_("the file is empty"), filename)
    return raw


def read_table(
    data: bytes | IO[bytes], filename: str, *, encoding: str | None = None, sheet: str | None = None
) -> Table:
    """The file's header and rows. `encoding` names a text file's encoding (else it is decided from the whole
    file); `sheet` names a workbook's sheet (else the first)."""
    fmt = format_of(filename)
    size = size_of(data)
    if size is not None and size > limit("ACCORD_IMPORT_MAX_BYTES"):
        raise _too_large(filename)
    if not isinstance(data, bytes) and size is not None and size > limit("ACCORD_IMPORT_STREAM_BYTES"):
        if fmt == "csv":  # read as it streams: memory bounded by a chunk and a batch of rows, not by the file
            return _stream_csv(data, filename, encoding, size)
        if fmt == "json":  # a JSON document is parsed whole: many times its size in memory
            raise refuse(
                _("a JSON file is read whole, so at most %(limit)s MB; send a larger one as CSV")
                % {"limit": limit("ACCORD_IMPORT_STREAM_BYTES") // (1024 * 1024)},
                filename,
            )
    raw = read_bytes(data, filename)
    if fmt in WORKBOOKS:
        table = _read_workbook(raw, filename, fmt, sheet)
    else:
        _refuse_binary(raw, filename, fmt)
        decoded = _decode(raw, filename, encoding, as_json=fmt == "json")
        table = _read_csv(decoded, filename) if fmt == "csv" else _read_json(decoded, filename)
        table.encoding, table.encoding_how = decoded.encoding, decoded.how
    _check_header(table.header, filename)
    return table


def size_of(data: bytes | IO[bytes]) -> int | None:
    """How many bytes are left to read (None when the stream cannot tell)."""
    if isinstance(data, bytes):
        return len(data)
    try:
        here = data.tell()
        end = data.seek(0, io.SEEK_END)
        data.seek(here)
    except (AttributeError, OSError, ValueError):
        return None
    return end - here


def _stream_csv(fh: IO[bytes], filename: str, encoding: str | None, size: int) -> Table:
    """A large CSV read from disk in chunks: its encoding checked over the whole file first (a pass that keeps
    nothing), then its rows read one by one as the import asks for them."""
    start = fh.tell()
    head = fh.read(65536)
    fh.seek(start)
    if not head.strip():
        raise refuse(_("the file is empty"), filename)
    _refuse_binary(head, filename, "csv")
    try:
        codec, how = decide_streamed(fh, encoding)
    except StreamRefused as exc:
        row, column = _place_streamed(fh, start, exc.codec, exc.byte)
        raise refuse(exc.reason, filename, row=row, column=column) from None
    except EncodingRefused as exc:  # an encoding name that is none
        raise refuse(exc.reason, filename) from None
    fh.seek(start)
    peek = io.TextIOWrapper(fh, encoding=codec, newline="")
    sample = peek.read(65536)
    peek.detach()  # else closing the wrapper (when it is collected) closes the file
    delimiter = _delimiter(sample.lstrip("\ufeff"))
    fh.seek(start)
    text = io.TextIOWrapper(fh, encoding=codec, newline="")
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise refuse(_("the file is empty"), filename) from None
    header = _trim([h.lstrip("\ufeff") if i == 0 else h for i, h in enumerate(header)])
    _check_header(header, filename)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        number = 1
        try:
            for cells in reader:
                number += 1
                if any("\x00" in c for c in cells):
                    raise refuse(_("the file holds binary data (NUL characters), not text"), filename, row=number)
                if any(c.strip() for c in cells):
                    yield number, list[Cell](cells)
        except csv.Error as exc:
            raise refuse(_("the CSV cannot be read: %(reason)s") % {"reason": exc}, filename, row=number + 1) from None

    def position() -> float:
        try:
            return min(1.0, (fh.tell() - start) / max(1, size))
        except (OSError, ValueError):  # closed: read to its end
            return 1.0

    return Table("csv", header, rows(), encoding=codec, encoding_how=how, delimiter=delimiter, position=position)


def _place_streamed(fh: IO[bytes], start: int, codec: str, byte: int) -> tuple[int | None, str | None]:
    """The spreadsheet row and column header of the byte at offset `byte` of a streamed CSV (as place_of), read
    again up to there in chunks."""
    fh.seek(start)
    if codec.startswith(("utf-16", "utf-32")):  # the text read so far is no guide: the line of the raw bytes
        line, left = 1, byte
        while left > 0:
            chunk = fh.read(min(left, 1 << 20))
            if not chunk:
                break
            line += chunk.count(b"\n")
            left -= len(chunk)
        return line, None
    decoder = io.IncrementalNewlineDecoder(None, translate=False)
    inner = codecs.getincrementaldecoder(codec)("replace")

    def lines() -> Iterator[str]:
        left, pending = byte, ""
        while left > 0:
            chunk = fh.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)
            pending += decoder.decode(inner.decode(chunk))
            *whole, pending = pending.split("\n")
            for line in whole:
                yield line + "\n"
        if pending.endswith("\r"):  # the bad byte is a CRLF's LF: the row it ends
            pending = pending[:-1]
        yield pending + "\x01"

    fh.seek(start)
    head = fh.read(65536).decode(codec, errors="replace")
    fh.seek(start)
    reader = csv.reader(lines(), delimiter=_delimiter(head.lstrip("\ufeff")))
    header: list[str] = []
    count, last = 0, []
    for record in reader:
        count += 1
        if count == 1:
            header = _trim([h.lstrip("\ufeff") for h in record])
        last = record
    if count <= 1:
        return 1, None
    index = len(last) - 1
    if index < len(header) and header[index]:
        return count, header[index]
    return count, _("column %(number)s") % {"number": index + 1}


def _refuse_binary(raw: bytes, filename: str, fmt: str) -> None:
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise refuse(
                _("the file is named as %(fmt)s but it is %(what)s") % {"fmt": fmt.upper(), "what": what}, filename
            )
    sample = raw[:65536]
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        sample[1::2].count(0) > 0.3 * len(sample[1::2]) or sample[0::2].count(0) > 0.3 * len(sample[0::2])
    )
    if b"\x00" in sample and not utf16:
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


def _decode(raw: bytes, filename: str, encoding: str | None, *, as_json: bool = False) -> Decoded:
    """The whole file as text; a refusal naming the row and column of the first character it cannot read."""
    try:
        decoded = decode(raw, encoding)
    except EncodingRefused as exc:
        row, column = (exc.line, None)
        if exc.offset is not None:
            row, column = _line_of(exc.text, exc.offset) if as_json else place_of(exc.text, exc.offset)
        raise refuse(exc.reason, filename, row=row, column=column) from None
    decoded.text = decoded.text.lstrip("\ufeff")
    return decoded


def _line_of(text: str, offset: int) -> tuple[int, None]:
    return text.count("\n", 0, offset) + 1, None


def place_of(text: str, offset: int) -> tuple[int, str | None]:
    """The spreadsheet row (header = 1, a quoted multi-line cell one row) and the column's header of the
    character at `offset` of a CSV text."""
    prefix = text[:offset].lstrip("\ufeff")
    if prefix.endswith("\r"):  # the bad character is a CRLF's LF: the row it ends
        prefix = prefix[:-1]
    delimiter = _delimiter(text)
    records = list(csv.reader(io.StringIO(prefix + "\x01", newline=""), delimiter=delimiter))
    if not records:
        return 1, None
    row = len(records)
    if row == 1:
        return 1, None  # in the header itself: it has no name to give
    index = len(records[-1]) - 1
    header = _trim(records[0])
    if index < len(header) and header[index]:
        return row, header[index]
    return row, _("column %(number)s") % {"number": index + 1}


def _delimiter(text: str) -> str:
    sample = text[:65536]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(",;\t", key=first.count)


def _read_csv(decoded: Decoded, filename: str) -> Table:
    text = decoded.text
    if "\x00" in text:
        raise refuse(_("the file holds binary data (NUL characters), not text"), filename)
    delimiter = _delimiter(text)
    # strict: a quote left open to the end of the file (or text after a closing quote) is an error, not a
    # cell that silently swallows the rows after it.
    buffer = io.StringIO(text, newline="")
    reader = csv.reader(buffer, delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise refuse(_("the file is empty"), filename) from None
    header = _trim(header)
    _check_header(header, filename)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        # Rows as a spreadsheet numbers them: one per record (a quoted cell with line breaks stays one row),
        # an empty line one empty row; the header is row 1.
        number = 1
        try:
            for cells in reader:
                number += 1
                if any(c.strip() for c in cells):
                    yield number, list[Cell](cells)
        except csv.Error as exc:
            raise refuse(_("the CSV cannot be read: %(reason)s") % {"reason": exc}, filename, row=number + 1) from None

    def position() -> float:  # a job's progress bar moves with a file below the streaming size too
        return min(1.0, buffer.tell() / max(1, len(text)))

    return Table("csv", header, rows(), delimiter=delimiter, position=position)


def _trim(header: list[Any]) -> list[str]:
    """Header cells as text, without the empty ones spreadsheets leave at the end of a row."""
    cells = ["" if h is None else str(h).strip() for h in header]
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _check_zip(raw: bytes, filename: str, fmt: str = "xlsx") -> zipfile.ZipFile:
    name = fmt.upper()
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile:
        if not raw.startswith(b"PK"):
            what = next((w for m, w in _MAGIC if raw.startswith(m)), _("not a ZIP archive"))
            raise refuse(
                _("the file is named as %(fmt)s but it is %(what)s") % {"fmt": name, "what": what}, filename
            ) from None
        raise refuse(
            _("the %(fmt)s workbook is truncated or damaged (its ZIP directory cannot be read)") % {"fmt": name},
            filename,
        ) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.filename == "xl/sharedStrings.xml" and info.file_size > limit("ACCORD_IMPORT_MAX_SHARED_STRINGS_BYTES"):
            # Every distinct text of a workbook is held in memory at once while any cell is read.
            raise refuse(
                _(
                    "the workbook's texts unpack to %(size)s MB, more than the %(limit)s MB it may hold in memory; "
                    "save the sheet as CSV (read as it streams) and import that"
                )
                % {
                    "size": info.file_size // (1024 * 1024),
                    "limit": limit("ACCORD_IMPORT_MAX_SHARED_STRINGS_BYTES") // (1024 * 1024),
                },
                filename,
            )
        ratio = info.file_size / max(1, info.compress_size)
        if total > limit("ACCORD_IMPORT_MAX_UNPACKED_BYTES") or (
            info.file_size > 10 * 1024 * 1024 and ratio > limit("ACCORD_IMPORT_MAX_PACKING_RATIO")
        ):
            raise refuse(
                _("the %(fmt)s workbook would unpack to more than it may (%(member)s: %(size)s MB); it is not read")
                % {"fmt": name, "member": info.filename, "size": info.file_size // (1024 * 1024)},
                filename,
            )
    expected = "xl/workbook.xml" if fmt == "xlsx" else "content.xml"
    if expected not in archive.namelist():
        raise refuse(_("the file is a ZIP archive but not an %(fmt)s workbook") % {"fmt": name}, filename)
    return archive


def workbook_sheet(
    raw: bytes, filename: str, fmt: str, sheet: str | None, *, or_first: bool = False
) -> tuple[str, list[str], Any]:
    """(the sheet's name, every sheet's name, the calamine sheet): the sheet named, else the first. A sheet
    named that the workbook lacks is refused, naming the sheets it has (`or_first`: the first is read)."""
    from python_calamine import CalamineWorkbook

    _check_zip(raw, filename, fmt)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
        names = list(book.sheet_names)
    except Exception:  # calamine raises its own errors for whatever its XML and ZIP layers find broken
        raise refuse(_("the %(fmt)s workbook is truncated or damaged") % {"fmt": fmt.upper()}, filename) from None
    if not names:
        raise refuse(_("the workbook has no sheet"), filename)
    if sheet:
        wanted = next((n for n in names if n == sheet), None) or next(
            (n for n in names if n.casefold() == sheet.strip().casefold()), None
        )
        if wanted is None and or_first:
            wanted = names[0]
        elif wanted is None:
            raise refuse(
                _("the workbook has no sheet “%(sheet)s”; its sheets: %(sheets)s")
                % {"sheet": sheet, "sheets": ", ".join(names)},
                filename,
            )
    else:
        wanted = names[0]
    try:
        return wanted, names, book.get_sheet_by_name(wanted)
    except Exception:
        raise refuse(
            _("the %(fmt)s workbook is truncated or damaged (sheet “%(sheet)s”)")
            % {"fmt": fmt.upper(), "sheet": wanted},
            filename,
        ) from None


def workbook_rows(sheet: Any, filename: str, fmt: str) -> Iterator[tuple[int, list[Any]]]:
    """Every row of a calamine sheet as (spreadsheet row number, cells from column A), empty rows included."""
    try:
        first_row, first_col = sheet.start or (0, 0)
        rows = sheet.iter_rows()
    except Exception:
        raise refuse(_("the %(fmt)s workbook is truncated or damaged") % {"fmt": fmt.upper()}, filename) from None
    pad = [None] * first_col
    for number in range(1, first_row + 1):
        yield number, []
    number = first_row
    try:
        for cells in rows:
            number += 1
            yield number, pad + list(cells)
    except ImportRefused:
        raise
    except Exception:
        raise refuse(
            _("the %(fmt)s workbook is truncated or damaged") % {"fmt": fmt.upper()}, filename, row=number + 1
        ) from None


def _read_workbook(raw: bytes, filename: str, fmt: str, sheet: str | None) -> Table:
    name, names, found = workbook_sheet(raw, filename, fmt, sheet)
    values = workbook_rows(found, filename, fmt)
    _number, first = next(values, (1, []))
    header = _trim(list(first))
    _check_header(header, filename)

    def rows() -> Iterator[tuple[int, list[Cell]]]:
        for number, cells in values:
            texts: list[Cell] = [_xlsx_text(c) for c in cells]
            if any(texts):
                yield number, texts

    return Table(fmt, header, rows(), sheet=name, sheets=names)


def _xlsx_text(value: Any) -> str:
    """A workbook cell as text: whole numbers without ".0", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_json(decoded: Decoded, filename: str) -> Table:
    try:
        data = json.loads(decoded.text, parse_float=Decimal)
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
