"""Characters XML cannot carry (C0 controls but tab and line breaks, U+FFFE/FFFF, lone surrogates): refused on every
channel by the one validation engine, naming the field; and text stored before that rule never breaks an export or
a document."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from accord.core import services
from accord.core.errors import ValidationFailed
from accord.core.models import ChangeRecord
from accord.interop import services as interop
from accord.jobs.runner import run_pending
from accord.jobs.services import enqueue
from accord.programmes.models import PlanItem, Project
from tests.api.test_writes import api
from tests.documents.extract import docx_text, pdf_text

pytestmark = pytest.mark.django_db


def _public_project_of(plan) -> Project:
    item = PlanItem.objects.filter(plan=plan, project__visibility="public").select_related("project").first()
    assert item is not None
    return item.project


def _store_raw(project: Project, title: dict[str, str]) -> None:
    """Write the title behind the application's back, as data stored before the rule would be."""
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cur:
        cur.execute(f"UPDATE programmes_project SET title = %s{cast} WHERE id = %s", [json.dumps(title), project.pk])


@pytest.mark.parametrize("char", ["\u000b", "\u0001", "\u001b", "\ufffe", "\uffff"])
def test_the_api_refuses_a_title_with_a_control_character_naming_the_field(seed, char):
    project = _public_project_of(seed.plan_1960)
    c = api("admin")
    etag = c.get(f"/api/v1/projects/{project.pk}")["ETag"]
    before = ChangeRecord.objects.count()
    r = c.patch(
        f"/api/v1/projects/{project.pk}",
        {"title": {"en": f"Survey{char}of ores"}},
        content_type="application/json",
        HTTP_IF_MATCH=etag,
    )
    assert r.status_code == 422, r.content
    body = r.json()
    assert body["field"] == "title"
    assert f"U+{ord(char):04X}" in body["errors"]["title"][0] and "the en text" in body["errors"]["title"][0]
    assert ChangeRecord.objects.count() == before
    project.refresh_from_db()
    assert char not in json.dumps(project.title, ensure_ascii=False)


def test_a_lone_surrogate_is_refused_by_the_service(seed):
    project = _public_project_of(seed.plan_1960)
    with pytest.raises(ValidationFailed) as refused:
        services.update(project, expected_version=project.version, title={"en": "a\ud800b"})
    assert "U+D800" in refused.value.errors["title"][0]


def test_tab_and_line_breaks_are_still_text(seed):
    project = _public_project_of(seed.plan_1960)
    services.update(project, expected_version=project.version, title={"en": "Line one\nline\ttwo\r\nthree"})
    project.refresh_from_db()
    assert project.title["en"] == "Line one\nline\ttwo\r\nthree"


def test_a_plain_text_field_is_refused_too_and_an_import_names_row_and_column(seed):
    project = _public_project_of(seed.plan_1960)
    with pytest.raises(ValidationFailed) as refused:
        services.update(project, expected_version=project.version, number="X\x07-1")
    assert list(refused.value.errors) == ["number"] and "U+0007" in refused.value.errors["number"][0]
    before = ChangeRecord.objects.count()
    exported = json.loads(b"".join(Client().get("/api/v1/exports/projects?format=json").streaming_content))
    record = next(r for r in exported if r["number"] == project.number)
    record["title"] = {"en": "bad\u000ctitle"}
    body = json.dumps([record]).encode()
    from accord.interop.report import ImportRefused

    with pytest.raises(ImportRefused) as import_refused:
        interop.import_file("projects", body, "projects.json")
    problems = [str(p) for p in import_refused.value.problems]
    assert any("U+000C" in p and "title" in p for p in problems), problems
    assert ChangeRecord.objects.count() == before


def test_a_page_form_shows_the_refusal_on_the_field(seed):
    from django.urls import reverse

    project = _public_project_of(seed.plan_1960)
    c = Client()
    c.force_login(get_user_model().objects.get(username="admin"))
    before = ChangeRecord.objects.count()
    r = c.post(
        reverse("programmes:projects-edit", args=[project.pk]),
        {
            "version": project.version,
            "title__en": "Bad\u000btitle",
            "modality": project.modality,
            "visibility": "public",
        },
    )
    assert r.status_code == 422
    assert "U+000B" in r.content.decode()
    assert ChangeRecord.objects.count() == before


def test_stored_control_characters_never_break_exports(seed):
    project = _public_project_of(seed.plan_1960)
    _store_raw(project, {"en": "Survey\u000bof\u0001ores", "zh": "矿产\u001b资源"})
    for fmt in ("xlsx", "csv", "json"):
        r = Client().get(f"/api/v1/exports/projects?format={fmt}")
        assert r.status_code == 200, fmt
        data = b"".join(r.streaming_content)
        if fmt == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
            cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
            assert "Surveyofores" in cells
        else:
            text = data.decode("utf-8")
            assert "Surveyofores" in text and "\u000b" not in text and "\\u000b" not in text


@pytest.mark.parametrize("fmt", ["docx", "pdf", "html"])
def test_stored_control_characters_never_break_the_plan_documents(seed, fmt):
    import datetime as dt

    from accord.programmes.services import add_plan_item, create_plan

    project = _public_project_of(seed.plan_1960)
    plan = create_plan(
        agreement=seed.protocol,
        title={"en": "Plan 1961", "ru": "План 1961"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    add_plan_item(plan, project, objectives={"ru": "Цели"})
    _store_raw(project, {"en": "Survey\u000bof\u0001ores", "zh": "矿产\u001b资源", "ru": "Разведка\u000cруд"})
    admin = get_user_model().objects.get(username="admin")
    job = enqueue("document", {"kind": "plan_text", "ref": plan.pk, "language": "ru", "format": fmt}, user=admin)
    run_pending()
    job.refresh_from_db()
    assert job.status == "done", job.error
    from django.core.files.storage import default_storage

    with default_storage.open(job.result_file, "rb") as fh:
        data = fh.read()
    text = {"docx": docx_text, "pdf": pdf_text}.get(fmt, lambda b: b.decode())(data)
    assert "Разведкаруд" in text.replace("\n", "")


def test_the_migration_strips_stored_text_with_an_audit_entry_and_verify_holds(seed, monkeypatch):
    import importlib

    from django.apps import apps

    from accord.core import validation
    from accord.core.verify import verify

    project = _public_project_of(seed.plan_1960)
    # Stored as the application allowed before the rule: through the service, without the new check.
    monkeypatch.setattr(validation, "_unsafe_text_errors", lambda obj, fields: iter(()))
    services.update(project, expected_version=project.version, title={"en": "Survey\u000bof ores", "ru": "Руды"})
    monkeypatch.undo()
    project.refresh_from_db()
    version = project.version
    migration = importlib.import_module("accord.documents.migrations.0003_strip_control_characters")
    before = ChangeRecord.objects.count()
    migration.forwards(apps, None)
    project.refresh_from_db()
    assert project.title == {"en": "Surveyof ores", "ru": "Руды"}
    assert project.version == version + 1
    last = ChangeRecord.objects.order_by("-id").first()
    assert ChangeRecord.objects.count() == before + 1
    assert last.actor_name == "migration" and last.object_id == str(project.pk)
    assert last.before["title"]["en"] == "Survey\u000bof ores" and last.after["title"]["en"] == "Surveyof ores"
    report = verify()
    assert report.ok, report.problems[:3]
    # Nothing left to strip: a second run changes nothing.
    migration.forwards(apps, None)
    assert ChangeRecord.objects.count() == before + 1
