"""Imports, exports, templates and RAiD through the API."""

import csv
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accord.core import services
from accord.core.models import ChangeRecord, Visibility
from accord.directory.models import Organisation
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


def signed_in(username):
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def test_exports_stream_only_what_the_caller_may_read(seed):
    hidden = services.create(
        Project,
        agreement=seed.protocol,
        number="HIDDEN-1",
        title={"en": '=HYPERLINK("http://x")'},
        visibility=Visibility.INTERNAL,
        owner_party=seed.su,
    )
    public = Client().get("/api/v1/exports/projects?format=csv")
    assert public.status_code == 200 and public.streaming
    text = b"".join(public.streaming_content).decode("utf-8-sig")
    numbers = {row["number"] for row in csv.DictReader(io.StringIO(text))} if text else set()
    assert hidden.number not in numbers
    admin = signed_in("admin").get("/api/v1/exports/projects?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(admin.streaming_content).decode("utf-8-sig"))))
    mine = next(r for r in rows if r["number"] == "HIDDEN-1")
    assert any(v.startswith("'=HYPERLINK") for v in mine.values())  # neutralised against formula injection
    assert signed_in("su-coordinator").get("/api/v1/exports/projects?format=json").status_code == 200


def test_unknown_kinds_and_formats_are_refused_by_name(seed):
    r = Client().get("/api/v1/exports/treaties?format=csv")
    assert r.status_code == 422 and r.json()["field"] == "kind"
    r = Client().get("/api/v1/exports/projects?format=pdf")
    assert r.status_code == 422 and r.json()["field"] == "format"


def test_templates_speak_the_requested_language(seed):
    r = Client().get("/api/v1/templates/organisations?format=csv&language=zh-hans")
    assert r.status_code == 200
    header = r.content.decode("utf-8-sig").splitlines()[0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in header)


def test_imports_are_for_administrators_and_all_or_nothing(seed):
    export = signed_in("admin").get("/api/v1/exports/organisations?format=csv")
    data = b"".join(export.streaming_content)
    upload = SimpleUploadedFile("organisations.csv", data, content_type="text/csv")
    assert signed_in("cn-coordinator").post("/api/v1/imports/organisations", {"file": upload}).status_code == 403
    before = ChangeRecord.objects.count()
    again = SimpleUploadedFile("organisations.csv", data, content_type="text/csv")
    r = signed_in("admin").post("/api/v1/imports/organisations?dry_run=true", {"file": again})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["dry_run"] is True and sum(body["created"].values()) == 0
    assert ChangeRecord.objects.count() == before
    bad = SimpleUploadedFile("organisations.csv", b"\x00\x01garbage\x00" * 10, content_type="text/csv")
    r = signed_in("admin").post("/api/v1/imports/organisations", {"file": bad})
    assert r.status_code == 422 and r.json()["code"] == "import_refused" and r.json()["problems"]
    assert ChangeRecord.objects.count() == before and Organisation.objects.count() > 0


def test_a_public_project_as_raid(seed):
    project = Project.objects.filter(visibility=Visibility.PUBLIC).first() or services.create(
        Project, agreement=seed.protocol, number="PUB-1", title={"en": "Public"}, visibility=Visibility.PUBLIC
    )
    r = Client().get(f"/api/v1/projects/{project.pk}/raid")
    assert r.status_code == 200
    body = r.json()
    assert json.dumps(body) and body["title"] and body["date"]["startDate"]
    hidden = services.create(
        Project, agreement=seed.protocol, number="BI-1", title={"en": "Both sides"}, visibility=Visibility.BILATERAL
    )
    assert Client().get(f"/api/v1/projects/{hidden.pk}/raid").status_code == 404
