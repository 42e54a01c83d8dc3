"""The column-mapping step: a user's own spreadsheet in without a script, on every channel (service, CLI, API,
page), with constants, split cells, key columns, a preview, stored mappings (audited, exported), and refusals
that name the file's own row and column and write nothing."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accord.agreements.models import AgreementParty
from accord.core.errors import ValidationFailed
from accord.core.models import ChangeRecord
from accord.directory.models import Organisation
from accord.interop.mapping import Mapping, import_mapped, preview, propose
from accord.interop.models import ImportMapping
from accord.interop.report import ImportRefused
from accord.interop.services import save_mapping
from accord.jobs.runner import run_pending
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


MONTHLY = _csv(
    "编号,项目名称,Название,Start date,结束日期,Notes",
    "M-1,联合研究一,Совместное исследование,2020-01-01,2021-12-31,first",
    "M-2,联合研究二,Второе исследование,01.02.2020,2022-01-31,",
)


def _projects_mapping(seed) -> Mapping:
    proposal = propose("projects", MONTHLY, "monthly.csv")
    mapping = proposal.mapping
    mapping.constants = {"agreement": seed.protocol.title["en"]}
    mapping.dedup = ["number"]
    return mapping


def test_proposal_reads_headers_in_three_languages_and_the_language_of_the_text(seed):
    proposal = propose("projects", MONTHLY, "monthly.csv")
    assert proposal.mapping.columns == {
        "编号": "number",
        "项目名称": "title[zh]",
        "Название": "title[ru]",
        "Start date": "start_on",
        "结束日期": "end_on",
        "Notes": "",
    }
    assert proposal.reasons["Notes"].startswith("no field recognised")


def test_proposal_by_content_when_headers_say_nothing(seed):
    proposal = propose("agreements", _csv("A,B,C", "x,CN; SU,1958-01-18", "y,CN,1959-02-01"), "a.csv")
    assert proposal.mapping.columns["A"] == ""
    assert proposal.mapping.columns["B"] == "parties"  # known party codes, several in a cell
    assert proposal.mapping.columns["C"] == "signed_on"  # dates: the first date column
    uid_only = propose("agreements", _csv("Key,Title", f"{seed.protocol.uid},X"), "b.csv")
    assert uid_only.mapping.columns["Key"] == "uid"


def test_import_through_a_mapping_with_a_constant_and_a_key_then_next_months_file_updates(seed):
    mapping = _projects_mapping(seed)
    report = import_mapped(mapping, MONTHLY, "monthly.csv")
    assert report.created["project"] == 2
    project = Project.objects.get(number="M-1", agreement=seed.protocol)
    assert project.title == {"zh": "联合研究一", "ru": "Совместное исследование"}
    assert str(project.start_on) == "2020-01-01"
    assert project.external_id == "map:projects:M-1"

    before = ChangeRecord.objects.count()
    again = import_mapped(mapping, MONTHLY, "monthly.csv")
    assert sum(again.created.values()) == sum(again.updated.values()) == 0
    assert ChangeRecord.objects.count() == before

    next_month = MONTHLY.replace("联合研究一".encode(), "联合研究一（第二期）".encode())
    report = import_mapped(mapping, next_month, "monthly-2.csv")
    assert (report.created["project"], report.updated["project"]) == (0, 1)
    assert Project.objects.get(number="M-1", agreement=seed.protocol).title["zh"] == "联合研究一（第二期）"


def test_a_bad_cell_is_named_by_the_files_own_row_and_column_and_nothing_is_written(seed, unchanged):
    check = unchanged(Project)
    bad = MONTHLY.replace(b"2022-01-31", b"2022-02-30")
    with pytest.raises(ImportRefused) as refused:
        import_mapped(_projects_mapping(seed), bad, "monthly.csv")
    problem = refused.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("monthly.csv", 3, "结束日期")
    assert "no such day" in problem.reason
    check()


def test_a_constant_that_names_nothing_is_refused_naming_the_constant(seed, unchanged):
    check = unchanged(Project)
    mapping = _projects_mapping(seed)
    mapping.constants = {"agreement": "No such agreement"}
    with pytest.raises(ImportRefused) as refused:
        import_mapped(mapping, MONTHLY, "monthly.csv")
    assert {(p.row, p.column) for p in refused.value.problems} == {
        (2, "agreement (constant)"),
        (3, "agreement (constant)"),
    }
    check()


def test_split_cells_become_lists_or_rows(seed):
    agreements = _csv("Title,Countries", "Joint lab agreement,CN/SU")
    mapping = Mapping("agreements", columns={"Title": "title[en]", "Countries": "parties"}, split={"Countries": "/"})
    import_mapped(mapping, agreements, "agreements.csv")
    codes = AgreementParty.objects.filter(agreement__title__en="Joint lab agreement").values_list(
        "party__code", flat=True
    )
    assert sorted(codes) == ["CN", "SU"]

    institutes = _csv("Institutes,Kind", "研究所甲；研究所乙；研究所丙,institute")
    mapping = Mapping(
        "organisations",
        columns={"Institutes": "name[zh]", "Kind": "kind"},
        constants={"party": "CN"},
        split={"Institutes": "；"},
    )
    report = import_mapped(mapping, institutes, "institutes.csv")
    assert report.created["organisation"] == 3  # one row per value
    assert Organisation.objects.filter(name__zh="研究所乙", party__code="CN").exists()


def test_preview_shows_twenty_rows_as_stored_and_a_dry_run_that_writes_nothing(seed, unchanged):
    check = unchanged(Project)
    lines = ["No,Title,Start"] + [f"P-{i},Project {i},{i:02d}.01.2020" for i in range(1, 31)]
    lines[5] = "P-5,Project 5,31.02.2020"
    mapping = Mapping(
        "projects",
        columns={"No": "number", "Title": "title[en]", "Start": "start_on"},
        constants={"agreement": seed.protocol.title["en"]},
    )
    result = preview(mapping, _csv(*lines), "p.csv")
    assert len(result.rows) == 20
    assert result.rows[0] == (2, [("P-1", ""), ("Project 1", ""), ("2020-01-01", ""), (str(seed.protocol), "")])
    assert "no such day" in result.rows[4][1][2][1]  # row 6 of the file, its Start cell
    assert [(p.row, p.column) for p in result.problems] == [(6, "Start")]
    check()


def test_a_mapping_that_cannot_be_applied_is_refused_naming_the_column():
    with pytest.raises(ValidationFailed) as bad:
        Mapping.from_dict({"kind": "projects", "columns": {"Nom": "nom", "A": "number", "B": "number"}})
    assert set(bad.value.errors) == {"Nom", "B"}
    with pytest.raises(ValidationFailed) as bad:
        Mapping.from_dict({"kind": "projects", "columns": {"A": "number"}, "dedup": ["title[en]"]})
    assert "dedup" in bad.value.errors


def test_stored_mappings_are_audited_versioned_and_exported_for_the_cli(seed, tmp_path):
    mapping = _projects_mapping(seed)
    before = ChangeRecord.objects.count()
    saved = save_mapping("Monthly projects", mapping)
    assert ChangeRecord.objects.count() == before + 1
    mapping.columns["Notes"] = ""
    mapping.dedup = []
    again = save_mapping("Monthly projects", mapping)
    assert again.pk == saved.pk and again.version == 2
    assert ChangeRecord.objects.filter(object_type="interop.importmapping", object_id=str(saved.pk)).count() == 2

    out = tmp_path / "monthly.json"
    call_command("mapping", "export", "projects", "Monthly projects", "-o", str(out))
    assert json.loads(out.read_text())["columns"]["编号"] == "number"
    source = tmp_path / "monthly.csv"
    source.write_bytes(MONTHLY)
    stdout = io.StringIO()
    call_command("import", "projects", str(source), "--map", str(out), "--dry-run", stdout=stdout)
    assert "project: 2 created" in stdout.getvalue()
    call_command("import", "projects", str(source), "--map", "Monthly projects", stdout=stdout)
    assert Project.objects.filter(number="M-2", agreement=seed.protocol).exists()


def test_cli_proposes_a_mapping_and_refuses_a_bad_file_naming_row_and_column(seed, tmp_path):
    source = tmp_path / "monthly.csv"
    source.write_bytes(MONTHLY.replace(b"01.02.2020", b"someday"))
    proposal = tmp_path / "proposal.json"
    call_command("import", "projects", str(source), "--propose-map", str(proposal), stdout=io.StringIO())
    data = json.loads(proposal.read_text())
    data["constants"] = {"agreement": seed.protocol.title["en"]}
    proposal.write_text(json.dumps(data, ensure_ascii=False))
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import", "projects", str(source), "--map", str(proposal), stderr=stderr)
    assert "monthly.csv, row 3, Start date: “someday” is not a date" in stderr.getvalue()
    assert not Project.objects.filter(number="M-1", agreement=seed.protocol).exists()


def test_api_proposes_previews_imports_and_stores_for_administrators_only(client, seed):
    client.force_login(get_user_model().objects.get(username="admin"))
    upload = SimpleUploadedFile("monthly.csv", MONTHLY, content_type="text/csv")
    proposed = client.post("/api/v1/imports/projects/mapping-proposal", {"file": upload}).json()
    assert proposed["mapping"]["columns"]["项目名称"] == "title[zh]"
    mapping = {**proposed["mapping"], "constants": {"agreement": seed.protocol.title["en"]}, "dedup": ["number"]}
    upload = SimpleUploadedFile("monthly.csv", MONTHLY, content_type="text/csv")
    shown = client.post(
        "/api/v1/imports/projects/mapping-preview", {"file": upload, "mapping": json.dumps(mapping)}
    ).json()
    assert shown["report"]["created"] == {"project": 2} and shown["problems"] == []
    saved = client.post("/api/v1/mappings", {**mapping, "name": "API monthly"}, content_type="application/json")
    assert saved.status_code == 201
    assert client.get(f"/api/v1/mappings/{saved.json()['id']}").json()["dedup"] == ["number"]
    upload = SimpleUploadedFile("monthly.csv", MONTHLY, content_type="text/csv")
    done = client.post("/api/v1/imports/projects/mapped", {"file": upload, "map": "API monthly"})
    assert done.status_code == 201 and done.json()["created"] == {"project": 2}
    bad = client.post("/api/v1/mappings", {"kind": "projects", "columns": {"A": "nope"}, "name": "x"},
                      content_type="application/json")  # fmt: skip
    assert bad.status_code == 422 and "A" in bad.json()["message"]

    client.force_login(get_user_model().objects.get(username="cn-observer"))
    upload = SimpleUploadedFile("monthly.csv", MONTHLY, content_type="text/csv")
    assert client.post("/api/v1/imports/projects/mapping-proposal", {"file": upload}).status_code == 403
    assert client.get("/api/v1/mappings").status_code == 403


def test_the_page_walks_upload_adjust_preview_save_and_import(client, seed):
    client.force_login(get_user_model().objects.get(username="admin"))
    assert client.get("/data/map/").status_code == 200
    upload = SimpleUploadedFile("monthly.csv", MONTHLY, content_type="text/csv")
    response = client.post("/data/map/", {"action": "upload", "kind": "projects", "file": upload})
    assert response.status_code == 302
    page = client.get("/data/map/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="title[zh]" selected' in page
    form = {
        "target-0": "number", "target-1": "title[zh]", "target-2": "title[ru]", "target-3": "start_on",
        "target-4": "end_on", "target-5": "", "const-field-0": "agreement",
        "const-value-0": seed.protocol.title["en"], "dedup": ["number"], "name": "Page monthly",
    }  # fmt: skip
    shown = client.post("/data/map/", {**form, "action": "preview"}).content.decode()
    assert "联合研究二" in shown and 'data-testid="mapping-dry-run"' in shown
    assert client.post("/data/map/", {**form, "action": "save"}).status_code == 302
    assert ImportMapping.objects.get(name="Page monthly").definition["dedup"] == ["number"]
    wrong = client.post("/data/map/", {**form, "target-5": "number", "action": "preview"})
    assert wrong.status_code == 422 and "already does" in wrong.content.decode()
    job = client.post("/data/map/", {**form, "action": "import"})
    assert job.status_code == 302
    run_pending()
    assert Project.objects.filter(agreement=seed.protocol, number__in=["M-1", "M-2"]).count() == 2
