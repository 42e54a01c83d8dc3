"""Exports: formula injection neutralised, streamed in chunks, visibility honoured; templates in the user's language."""

from __future__ import annotations

import csv
import io
import json

from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from accord.core.bulk import create_many
from accord.directory.models import Person
from accord.interop.services import export_stream, template
from accord.interop.writers import neutralise
from accord.programmes.models import Project

DANGEROUS = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)"]


def _people_with_dangerous_names() -> None:
    create_many(Person, [Person(external_id=f"danger:{i}", name={"en": text}) for i, text in enumerate(DANGEROUS)])


def test_csv_neutralises_formulas(db) -> None:
    _people_with_dangerous_names()
    text = b"".join(export_stream("people", "csv")).decode("utf-8-sig")
    rows = {r["external_id"]: r for r in csv.DictReader(io.StringIO(text, newline=""))}
    for i, value in enumerate(DANGEROUS):
        assert rows[f"danger:{i}"]["name[en]"] == "'" + value


def test_xlsx_neutralises_formulas_but_not_numbers_or_dates(seed) -> None:
    _people_with_dangerous_names()
    book = load_workbook(io.BytesIO(b"".join(export_stream("people", "xlsx"))), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    header = list(rows[0])
    names = {r[header.index("external_id")]: r[header.index("name[en]")] for r in rows[1:]}
    for i, value in enumerate(DANGEROUS):
        assert names[f"danger:{i}"] == "'" + value
    exchanges = list(load_workbook(io.BytesIO(b"".join(export_stream("exchanges", "xlsx")))).worksheets[0].values)
    head = list(exchanges[0])
    first = exchanges[1]
    assert isinstance(first[head.index("quantity")], (int, float))
    assert first[head.index("start_on")] is None or hasattr(first[head.index("start_on")], "year")


def test_tab_and_carriage_return_starts_are_neutralised_too() -> None:
    assert [neutralise(v) for v in ("\tx", "\rx", "x=1", "")] == ["'\tx", "'\rx", "x=1", ""]


def test_csv_export_streams_in_chunks(seed) -> None:
    agreement = seed.protocol
    projects = [Project(agreement=agreement, number=f"S{i}", title={"en": f"Stream {i}"}) for i in range(3000)]
    create_many(Project, projects, validate=False)
    chunks = list(export_stream("projects", "csv"))
    assert len(chunks) >= 6  # a chunk per 500 rows, not one buffer
    assert max(len(c) for c in chunks) < 200_000
    assert b"".join(chunks).count(b"\r\n") == Project.objects.count() + 1


def test_json_export_has_whole_localized_texts(seed) -> None:
    records = json.loads(b"".join(export_stream("organisations", "json")))
    cas = next(r for r in records if r["uid"] == str(seed.cas.uid))
    assert cas["name"]["zh"] == "中国科学院" and cas["party"] == "CN"


def test_export_honours_visibility(seed) -> None:
    visitor = get_user_model()(username="visitor", is_staff=False)
    staff = get_user_model()(username="staff", is_staff=True)

    def count(user) -> int:
        return b"".join(export_stream("exchanges", "csv", user=user)).count(b"\r\n") - 1

    everything = count(None)
    assert count(staff) == everything
    from accord.programmes.models import Exchange

    assert count(visitor) == Exchange.objects.filter(visibility="public").count() < everything


def test_templates_have_headers_in_the_users_language(db) -> None:
    for language in ("zh-hans", "ru", "en"):
        header = template("projects", "csv", language=language).decode("utf-8-sig").splitlines()[0]
        assert "[zh]" in header and "[ru]" in header
    book = load_workbook(io.BytesIO(template("projects", "xlsx", language="ru")))
    assert len(book.worksheets) == 2
    guide = list(book.worksheets[1].values)
    assert any(row[1] == "agreement" for row in guide[1:])
    described = json.loads(template("exchanges", "json", language="zh-hans"))
    assert {c["key"] for c in described["columns"]} >= {"kind", "from_party", "description[zh]"}


def test_template_header_imports_as_the_columns(seed) -> None:
    from accord.interop.services import import_file

    header = template("people", "csv", language="en")
    report = import_file("people", header + b",,Wu Test,,,,\r\n", "people.csv")
    assert report.created["person"] == 1
