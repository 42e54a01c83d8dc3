"""Importing tables: upsert by id and natural key, dry runs, encodings and delimiters, and every bad input."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from accord.core.models import ChangeRecord
from accord.directory.models import Organisation, Person
from accord.interop.report import ImportRefused
from accord.interop.services import export_stream, import_file
from accord.programmes.models import Exchange, PlanItem, Project

PROTOCOL = "Protocol of 18 January 1958"


def csv_bytes(text: str, encoding: str = "utf-8") -> bytes:
    return text.replace("\n", "\r\n").encode(encoding)


def refused(kind: str, data: bytes, filename: str) -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        import_file(kind, data, filename)
    return caught.value


def agreement_ref(seed) -> str:
    return seed.protocol.reference or seed.protocol.title["en"]


# --- upsert, idempotence, dry run ------------------------------------------------------------------------


def test_new_projects_are_created_once_then_left_alone(seed) -> None:
    ref = agreement_ref(seed)
    data = csv_bytes(
        "agreement,number,title[en],title[zh],title[ru],modality\n"
        f'"{ref}",900,Cosmic rays,宇宙线,Космические лучи,joint\n'
        f'"{ref}",901,Peat chemistry,泥炭化学,Химия торфа,joint\n'
    )
    report = import_file("projects", data, "projects.csv")
    assert report.created["project"] == 2
    project = Project.objects.get(agreement=seed.protocol, number="900")
    assert project.title == {"en": "Cosmic rays", "zh": "宇宙线", "ru": "Космические лучи"}
    assert ChangeRecord.objects.filter(object_type="programmes.project", object_id=str(project.pk)).count() == 1
    chain = ChangeRecord.objects.count()
    again = import_file("projects", data, "projects.csv")
    assert again.created["project"] == 0 and again.unchanged["project"] == 2
    assert ChangeRecord.objects.count() == chain


def test_external_id_upserts_and_only_real_changes_count(seed) -> None:
    ref = agreement_ref(seed)
    first = csv_bytes(f'external_id,agreement,number,title[en]\nx:1,"{ref}",950,Old title\n')
    import_file("projects", first, "p.csv")
    project = Project.objects.get(external_id="x:1")
    project.refresh_from_db()
    version = project.version
    # The same key with a new number and title: the record is updated, not duplicated.
    changed = csv_bytes(f'external_id,agreement,number,title[en]\nx:1,"{ref}",951,New title\n')
    report = import_file("projects", changed, "p.csv")
    assert report.updated["project"] == 1 and report.created["project"] == 0
    project.refresh_from_db()
    assert (project.number, project.title["en"], project.version) == ("951", "New title", version + 1)
    assert import_file("projects", changed, "p.csv").unchanged["project"] == 1


def test_dry_run_reports_and_writes_nothing(seed, unchanged) -> None:
    check = unchanged(Project)
    ref = agreement_ref(seed)
    data = csv_bytes(
        f'agreement,number,title[en]\n"{ref}",960,A\n"{ref}",1,"{seed.protocol.projects.get(number="1").title["en"]}"\n'
    )
    report = import_file("projects", data, "p.csv", dry_run=True)
    assert report.dry_run
    assert report.created["project"] == 1 and report.unchanged["project"] == 1
    assert "Would import" in report.summary()
    check()


def test_participation_resolves_organisation_by_name_in_any_language(seed) -> None:
    ref = agreement_ref(seed)
    project = Project.objects.filter(agreement=seed.protocol).exclude(participations__organisation=seed.msu).first()
    assert project is not None
    msu_ru = seed.msu.name.get("ru")
    data = csv_bytes(f'agreement,project,organisation,role\n"{ref}",{project.number},{msu_ru},partner\n')
    report = import_file("participations", data, "p.csv")
    assert report.created["participation"] == 1
    made = project.participations.get(organisation=seed.msu)
    assert made.side_id == seed.msu.party_id and made.owner_party_id == seed.msu.party_id


def test_plan_items_of_a_signed_plan_cannot_change(seed, unchanged) -> None:
    check = unchanged(PlanItem)
    ref = agreement_ref(seed)
    outside = Project.objects.filter(agreement=seed.protocol).exclude(plan_items__plan=seed.plan_1960).first()
    assert outside is not None
    year = seed.plan_1960.period_start.year
    error = refused("plan-items", csv_bytes(f'agreement,plan,project\n"{ref}",{year},{outside.number}\n'), "i.csv")
    assert error.problems[0].row == 2 and error.problems[0].column == "plan"
    assert "amend" in error.problems[0].reason
    check()


# --- encodings and delimiters -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("name[zh],party\n中国科学院,CN\n", "gb18030"),
        ("name[ru];party\nАкадемия наук СССР;SU\n", "cp1251"),
        ("name[ru]\tparty\nАкадемия наук СССР\tSU\n", "cp1251"),
        ("name[zh];party\n中国科学院;CN\n", "utf-8-sig"),
        ("name[ru],party\nАкадемия наук СССР,SU\n", "utf-16"),
    ],
)
def test_encodings_and_delimiters_are_detected(seed, text: str, encoding: str) -> None:
    # The row names a stored academy exactly: only a right decoding matches it (and changes nothing).
    report = import_file("organisations", csv_bytes(text, encoding), "o.csv")
    assert report.unchanged["organisation"] == 1 and report.created["organisation"] == 0


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("中华人民共和国国家科学技术委员会国际合作局", "gb18030"),
        ("武衡", "gb18030"),
        ("Государственный научно-технический комитет Совета Министров СССР", "cp1251"),
        ("Петухов", "cp1251"),
    ],
)
def test_long_and_short_names_keep_their_script(db, name: str, encoding: str) -> None:
    tag = "zh" if encoding == "gb18030" else "ru"
    import_file("people", csv_bytes(f"external_id,name[{tag}]\nt:1,{name}\n", encoding), "people.csv")
    assert Person.objects.get(external_id="t:1").name[tag] == name


# --- bad input: refused, named, nothing written ------------------------------------------------------------


def test_empty_file(db, unchanged) -> None:
    check = unchanged(Organisation)
    error = refused("organisations", b"", "o.csv")
    assert "empty" in str(error) and error.problems[0].file == "o.csv"
    check()


def test_pdf_named_csv(db, unchanged) -> None:
    check = unchanged(Organisation)
    error = refused("organisations", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "o.csv")
    assert "PDF" in error.problems[0].reason
    check()


def test_binary_named_csv(db) -> None:
    error = refused("organisations", b"name,party\x00\x01\x02\x00", "o.csv")
    assert "binary" in error.problems[0].reason


def test_text_named_xlsx(db) -> None:
    error = refused("organisations", b"name,party\nx,CN\n", "o.xlsx")
    assert "XLSX" in error.problems[0].reason


def _xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_truncated_xlsx(seed, unchanged) -> None:
    check = unchanged(Person)
    rows: list[list[object]] = [["name[en]"]]
    rows.extend([f"Person {i}"] for i in range(200))
    whole = _xlsx(rows)
    assert import_file("people", whole, "p.xlsx", dry_run=True).created["person"] == 200
    error = refused("people", whole[: len(whole) // 2], "p.xlsx")
    assert "truncated or damaged" in error.problems[0].reason
    check()


def test_zip_bomb_is_not_unpacked(db) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 200_000
    error = refused("people", data, "bomb.xlsx")
    assert "unpack" in error.problems[0].reason and "sheet1.xml" in error.problems[0].reason


def test_file_over_the_size_limit(db, settings) -> None:
    settings.ACCORD_IMPORT_MAX_BYTES = 1024
    error = refused("people", io.BytesIO(b"name[en]\n" + b"x\n" * 2000), "big.csv")  # type: ignore[arg-type]
    assert "larger than" in error.problems[0].reason


def test_row_with_500_columns(db) -> None:
    header = ",".join(["name[en]", *[f"c{i}" for i in range(499)]])
    error = refused("people", csv_bytes(f"{header}\nx{',' * 499}\n"), "wide.csv")
    assert error.problems[0].row == 1 and "500 columns" in error.problems[0].reason


def test_impossible_date_names_row_and_column(seed, unchanged) -> None:
    check = unchanged(Project)
    ref = agreement_ref(seed)
    data = csv_bytes(f'agreement,number,title[en],start_on\n"{ref}",970,Fine,01.02.1959\n"{ref}",971,Bad,31/02/1959\n')
    error = refused("projects", data, "p.csv")
    assert [(p.row, p.column) for p in error.problems] == [(3, "start_on")]
    assert "31/02/1959" in error.problems[0].reason
    check()


def test_unknown_country_and_unknown_party(seed, unchanged) -> None:
    check = unchanged(Organisation)
    data = csv_bytes("name[en],party\nInstitute A,XX\nInstitute B,FR\n")
    error = refused("organisations", data, "o.csv")
    assert [(p.row, p.column) for p in error.problems] == [(2, "party"), (3, "party")]
    assert "not an ISO 3166" in error.problems[0].reason
    assert "no party with code" in error.problems[1].reason
    check()


def test_duplicate_external_id_in_one_file(seed, unchanged) -> None:
    check = unchanged(Person)
    data = csv_bytes("external_id,name[en]\np:1,A\np:2,B\np:1,C\n")
    error = refused("people", data, "p.csv")
    assert [(p.row, p.column) for p in error.problems] == [(4, "external_id")]
    assert "row 2" in error.problems[0].reason
    check()


def test_unknown_organisation_reference(seed, unchanged) -> None:
    check = unchanged(Exchange)
    ref = agreement_ref(seed)
    data = csv_bytes(
        "agreement,kind,from_party,to_party,sending_organisation\n"
        f'"{ref}",delegation_visit,SU,CN,Institute of Nowhere\n'
    )
    error = refused("exchanges", data, "e.csv")
    assert (error.problems[0].row, error.problems[0].column) == (2, "sending_organisation")
    assert "Institute of Nowhere" in error.problems[0].reason
    check()


def test_model_rules_map_back_to_rows_and_columns(seed, unchanged) -> None:
    check = unchanged(Project)
    ref = agreement_ref(seed)
    data = csv_bytes(f'agreement,number,title[en],start_on,end_on\n"{ref}",980,T,1960-05-01,1959-01-01\n')
    error = refused("projects", data, "p.csv")
    assert (error.problems[0].row, error.problems[0].column) == (2, "end_on")
    check()


def test_unknown_and_missing_columns(db) -> None:
    error = refused("projects", csv_bytes("number,colour\n1,red\n"), "p.csv")
    reasons = {(p.column, p.reason.split(";")[0]) for p in error.problems}
    assert ("colour", "unknown column") in reasons
    assert any("agreement" in p.reason and "missing" in p.reason for p in error.problems)


def test_problems_are_capped(db, settings) -> None:
    settings.ACCORD_IMPORT_MAX_PROBLEMS = 5
    data = csv_bytes("name[en],party\n" + "x,XX\n" * 20)
    error = refused("organisations", data, "o.csv")
    assert len(error.problems) == 5 and error.limit_note and "15" in error.limit_note


def test_headers_in_chinese_and_russian_labels(seed) -> None:
    # A template's headers are labels; English labels (and, once translated, zh/ru) are read as the keys.
    data = csv_bytes("Name [ru];Party\nАкадемия наук СССР;SU\n", "utf-8-sig")
    assert import_file("organisations", data, "o.csv").unchanged["organisation"] == 1


def test_neutralised_cells_import_back(seed) -> None:
    import_file("people", csv_bytes("external_id,name[en]\nn:1,=cmd|' /C calc'!A0\n"), "p.csv")
    exported = b"".join(export_stream("people", "csv")).decode("utf-8-sig")
    assert "'=cmd" in exported
    assert import_file("people", exported.encode(), "people.csv").updated["person"] == 0


def test_json_import(seed) -> None:
    data = '[{"external_id": "j:1", "name": {"en": "Jia", "zh": "贾"}, "party": "CN"}]'.encode()
    assert import_file("people", data, "p.json").created["person"] == 1
    assert Person.objects.get(external_id="j:1").name == {"en": "Jia", "zh": "贾"}
