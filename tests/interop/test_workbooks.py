"""The files people have (issue 16): XLSX whatever dimension it declares, any sheet by name, CORDIS's XLSX dumps
(the DATA sheet) beside CSV, every file of a folder read or named, and parties imported like any record."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from accord.agreements.models import Agreement
from accord.core.models import ChangeRecord
from accord.directory.models import Organisation, Party
from accord.interop.report import ImportRefused
from accord.interop.services import export_stream, import_file
from accord.interop.sources.cordis import import_cordis
from accord.programmes.models import Participation, Project


def workbook(sheets: dict[str, list[list[Any]]], *, dimension: str | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    return declare_dimension(data, dimension) if dimension else data


def declare_dimension(data: bytes, ref: str) -> bytes:
    """The workbook with every sheet declaring `<dimension ref="REF"/>`, as CORDIS's own workbooks do ("A1")."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                content, n = re.subn(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), content)
                assert n == 1
            dst.writestr(info, content)
    return out.getvalue()


ORGS = [
    ["external_id", "name[en]", "name[zh]", "party", "kind"],
    ["x:1", "Institute of Physics", "物理研究所", "CN", "institute"],
    ["x:2", "Lebedev Institute", None, "SU", "institute"],
]


def test_an_xlsx_declaring_dimension_a1_is_read_whole(seed):
    data = workbook({"Sheet1": ORGS}, dimension="A1")
    report = import_file("organisations", data, "orgs.xlsx")
    assert report.created["organisation"] == 2
    assert Organisation.objects.get(external_id="x:1").name == {"en": "Institute of Physics", "zh": "物理研究所"}
    assert Organisation.objects.get(external_id="x:2").party.code == "SU"
    assert "sheet “Sheet1”" in report.read_as


def test_a_sheet_is_read_by_name_and_an_unknown_one_is_refused_naming_the_sheets(seed, unchanged):
    data = workbook({"Notes": [["read me first"]], "Organisations": ORGS})
    check = unchanged(Organisation)
    with pytest.raises(ImportRefused) as refused:
        import_file("organisations", data, "orgs.xlsx", sheet="Orgs")
    assert "no sheet “Orgs”" in str(refused.value) and "Notes, Organisations" in str(refused.value)
    with pytest.raises(ImportRefused):  # the first sheet: not organisations
        import_file("organisations", data, "orgs.xlsx")
    check()
    report = import_file("organisations", data, "orgs.xlsx", sheet="organisations")
    assert report.created["organisation"] == 2


def test_a_workbook_row_is_numbered_as_excel_shows_it(seed, unchanged):
    rows = [ORGS[0], [], ORGS[1], ["x:3", "Nowhere", None, "ZZZ", "institute"]]
    check = unchanged(Organisation)
    with pytest.raises(ImportRefused) as refused:
        import_file("organisations", workbook({"S": rows}, dimension="A1"), "orgs.xlsx")
    assert [(p.row, p.column) for p in refused.value.problems] == [(4, "party")]
    check()


def ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice saves), written by hand."""
    cells = "".join(
        "<table:table-row>"
        + "".join(f'<table:table-cell office:value-type="string"><text:p>{c}</text:p></table:table-cell>' for c in row)
        + "</table:table-row>"
        for row in rows
    )
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Parties">{cells}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_an_ods_workbook_is_read(db):
    data = ods([["code", "kind", "name[en]", "name[ru]"], ["MN", "state", "Mongolia", "Монголия"]])
    report = import_file("parties", data, "parties.ods")
    assert report.created["party"] == 1 and "ODS, sheet “Parties”" in report.read_as
    assert Party.objects.get(code="MN").name == {"en": "Mongolia", "ru": "Монголия"}


# --- CORDIS ------------------------------------------------------------------------------------------

PROJECT_HEADER = ["id", "acronym", "status", "title", "startDate", "endDate", "frameworkProgramme", "ecSignatureDate"]
ORG_HEADER = ["projectID", "projectAcronym", "organisationID", "name", "activityType", "country", "role", "order"]


def cordis_dump(folder: Path) -> Path:
    """A folder as CORDIS publishes Horizon Europe: XLSX files whose DATA sheet declares dimension A1."""
    folder.mkdir()
    projects = [
        PROJECT_HEADER,
        [101000001, "CLIMA", "SIGNED", "Climate data for all", dt.datetime(2021, 9, 1), dt.datetime(2024, 8, 31),
         "HORIZON", dt.datetime(2021, 7, 1)],
        [101000002, "ÉCOLE", "CLOSED", "Écoles numériques — 中欧", dt.datetime(2022, 1, 1), dt.datetime(2025, 12, 31),
         "HORIZON", dt.datetime(2021, 12, 1)],
    ]  # fmt: skip
    orgs = [
        ORG_HEADER,
        [101000001, "CLIMA", 999999001, "UNIVERSITE DE LILLE", "HES", "FR", "coordinator", 1],
        [101000001, "CLIMA", 999999002, "TSINGHUA UNIVERSITY", "HES", "CN", "associatedPartner", 2],
        [101000002, "ÉCOLE", 999999003, "INSTITUTO SUPERIOR TÉCNICO", "HES", "PT", "coordinator", 1],
    ]
    (folder / "project.xlsx").write_bytes(workbook({"DATA": projects}, dimension="A1"))
    (folder / "organization.xlsx").write_bytes(workbook({"DATA": orgs}, dimension="A1"))
    (folder / "euroSciVoc.xlsx").write_bytes(
        workbook({"DATA": [["projectID", "euroSciVocCode", "euroSciVocPath"], [101000001, "/23", "/natural sciences"]]})
    )
    (folder / "README.txt").write_text("CORDIS Horizon Europe projects\n")
    return folder


def test_cordis_xlsx_dump_is_imported_and_no_file_is_skipped_silently(db, tmp_path: Path):
    folder = cordis_dump(tmp_path / "cordis")
    report = import_cordis(folder)
    assert report.created["project"] == 2 and report.created["participation"] == 3
    project = Project.objects.get(external_id="cordis-project:101000002")
    assert project.title == {"en": "Écoles numériques — 中欧"} and project.start_on == dt.date(2022, 1, 1)
    assert project.agreement.external_id == "cordis-programme:HORIZON"
    coordinator = Participation.objects.get(project__number="101000001", role=Participation.Role.COORDINATOR)
    assert coordinator.organisation.identifiers == {"pic": "999999001"}
    assert "project.xlsx: XLSX, sheet DATA" in report.read_as
    skipped = [n for n in report.notes if n.startswith("skipped")]
    assert any("euroSciVoc.xlsx" in n for n in skipped) and any("README.txt" in n for n in skipped)
    # Unchanged on a second run.
    writes = ChangeRecord.objects.count()
    again = import_cordis(folder)
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert ChangeRecord.objects.count() == writes


def test_a_cordis_xlsx_with_a_bad_cell_is_refused_with_row_and_column(db, tmp_path: Path):
    folder = cordis_dump(tmp_path / "cordis")
    rows = [ORG_HEADER, [101000001, "CLIMA", 999999001, "UNIVERSITE DE LILLE", "HES", "FR", "chair", 1]]
    (folder / "organization.xlsx").write_bytes(workbook({"DATA": rows}, dimension="A1"))
    before = (Agreement.objects.count(), Project.objects.count(), ChangeRecord.objects.count())
    with pytest.raises(ImportRefused) as refused:
        import_cordis(folder)
    assert [(p.file, p.row, p.column) for p in refused.value.problems] == [("organization.xlsx", 2, "role")]
    assert (Agreement.objects.count(), Project.objects.count(), ChangeRecord.objects.count()) == before


# --- parties -----------------------------------------------------------------------------------------


def test_parties_are_imported_updated_and_left_alone(db, unchanged):
    data = (
        "code,kind,name[en],name[zh],name[ru],languages\r\n"
        "MN,state,Mongolia,蒙古,Монголия,mn\r\n"
        "VN,state,Viet Nam,越南,Вьетнам,vi\r\n"
        "COMECON,international_organisation,Council for Mutual Economic Assistance,,СЭВ,ru; en\r\n"
    ).encode()
    report = import_file("parties", data, "parties.csv")
    assert report.created["party"] == 3
    comecon = Party.objects.get(code="COMECON")
    assert comecon.kind == Party.Kind.INTERNATIONAL_ORGANISATION and comecon.languages == ["ru", "en"]
    assert comecon.name == {"en": "Council for Mutual Economic Assistance", "ru": "СЭВ"}
    check = unchanged(Party)
    again = import_file("parties", data, "parties.csv")
    assert again.unchanged["party"] == 3
    check()
    renamed = import_file("parties", b"code,name[en]\r\nsu,USSR\r\n", "parties.csv")
    assert renamed.updated["party"] == 1 and Party.objects.get(code="SU").name["en"] == "USSR"
    exported = b"".join(export_stream("parties", "csv")).decode("utf-8-sig")
    assert "COMECON" in exported and "Вьетнам" in exported


def test_a_bad_party_is_refused_naming_row_and_column(db, unchanged):
    check = unchanged(Party)
    data = b"code,kind,name[en],languages\r\nMN,state,Mongolia,mn\r\nXQ,state,Nowhere,en\r\nEU,union,EU,en\r\n"
    with pytest.raises(ImportRefused) as refused:
        import_file("parties", data, "parties.csv")
    places = {(p.row, p.column) for p in refused.value.problems}
    assert places == {(3, "code"), (4, "kind")}
    check()
