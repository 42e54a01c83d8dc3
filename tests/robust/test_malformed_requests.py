"""Malformed requests a client crafts answer 4xx in the API's JSON error shape (or a form error), never 500,
and write nothing."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accord.core.models import ChangeRecord
from tests.api.test_writes import api

pytestmark = pytest.mark.django_db


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "cD1hYmMmcj0w",  # p=abc&r=0: a position that is no id
        _b64("o=-5&p=1&r=1"),  # a negative offset
        _b64("p=1&r=maybe"),  # a direction that is no boolean
        _b64("p=99999999999999999999999&r=0"),  # an id no database column holds
        _b64("p=1.5"),
        "!!!garbage",  # not base64
        "w6k=",  # base64 of a non-ASCII byte
        "éé",  # not ASCII at all
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/plans", "/api/v1/exchanges"])
def test_a_crafted_cursor_is_a_422_naming_the_cursor(seed, cursor, path):
    r = Client(raise_request_exception=False).get(path, {"cursor": cursor})
    assert r.status_code == 422, (r.status_code, r.content[:300])
    body = r.json()
    assert body["code"] == "invalid_request" and body["field"] == "cursor"
    assert "cursor" in body["message"]


def test_a_cursor_the_api_gave_still_works(seed):
    c = Client()
    first = c.get("/api/v1/projects", {"page_size": 5}).json()
    second = c.get(first["next"]).json()
    assert second["results"] and second["results"][0]["id"] > first["results"][-1]["id"]


def test_an_import_nested_100000_deep_is_refused(seed):
    deep = b"[" * 100_000 + b"]" * 100_000
    c = api("admin")
    before = ChangeRecord.objects.count()
    r = c.post("/api/v1/imports/projects?dry_run=true", {"file": SimpleUploadedFile("deep.json", deep)})
    assert r.status_code == 422, r.content[:300]
    assert "nested too deeply" in r.json()["message"]
    assert ChangeRecord.objects.count() == before


def test_a_json_body_nested_100000_deep_is_a_400(seed):
    deep = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    r = api("admin").post("/api/v1/plans", deep, content_type="application/json")
    assert r.status_code == 400, r.content[:300]
    assert r.json()["code"] == "malformed_request" and "nested too deeply" in r.json()["message"]


@pytest.mark.parametrize("name", ["a" * 300 + ".json", "é" * 200 + ".csv", "x" * 1000 + ".xlsx"])
def test_an_upload_with_a_long_name_is_answered_through_the_api(seed, name):
    c = api("admin")
    before = ChangeRecord.objects.count()
    r = c.post("/api/v1/imports/projects?dry_run=true", {"file": SimpleUploadedFile(name, b"[]")})
    assert r.status_code == 422 and r.json()["code"] == "import_refused"
    assert ChangeRecord.objects.count() == before


def test_an_upload_with_a_300_character_name_is_queued_from_the_page(seed):
    c = Client(raise_request_exception=False)
    c.force_login(get_user_model().objects.get(username="admin"))
    name = "p" * 300 + ".json"
    r = c.post("/data/", {"kind": "projects", "dry_run": "on", "file": SimpleUploadedFile(name, b"[]")})
    assert r.status_code == 302, r.content[:300]
    from accord.jobs.models import Job

    job = Job.objects.order_by("-id").first()
    assert job.parameters["stored_name"].endswith(".json") and len(job.parameters["stored_name"]) < 60


def test_a_body_django_cannot_read_is_the_json_error_shape_under_the_api(seed):
    c = api("admin")
    broken = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.json"\r\n\r\n[]'  # no end
    r = c.post("/api/v1/imports/projects?dry_run=true", broken, content_type="multipart/form-data; boundary=b")
    assert r.status_code in (400, 422)
    assert r.json()["code"] in ("malformed_request", "invalid_request")
    from django.test import RequestFactory

    from accord.core.errorpages import bad_request

    assert bad_request(RequestFactory().get("/api/v1/plans")).status_code == 400
    page = bad_request(RequestFactory().get("/plans/"))
    assert page.status_code == 400 and b"<html" in page.content.lower()


@pytest.mark.parametrize("path", ["/api/v1/projects", "/api/v1/projects/1/raid", "/api/v1/plans"])
def test_a_host_not_served_is_a_documented_json_400_on_a_read_too(seed, path):
    """Django refuses a Host header outside ALLOWED_HOSTS before any view, on a GET as on a write: the answer is the
    API's error shape naming the header, and every operation's schema declares it (the API fuzzer sent
    `Host: HORIZON` to a read whose schema declared no 400)."""
    r = Client().get(path, HTTP_HOST="HORIZON")
    assert r.status_code == 400
    assert r.json() == {
        "code": "malformed_request",
        "message": "the Host header names a host this installation does not serve (ALLOWED_HOSTS)",
        "field": "Host",
    }
    schema = Client().get("/api/v1/openapi.json").json()
    template = {"/api/v1/projects/1/raid": "/api/v1/projects/{ref}/raid"}.get(path, path)
    assert "400" in schema["paths"][template]["get"]["responses"]


def test_a_file_name_past_the_multipart_header_limit_is_a_json_400(seed, caplog):
    c = api("admin")
    name = "n" * 3000 + ".json"  # the test client's uploads cut names at 255 characters: the body by hand
    body = (
        f'--b\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/json\r\n\r\n[]\r\n--b--\r\n"
    ).encode()
    r = c.post("/api/v1/imports/projects?dry_run=true", body, content_type="multipart/form-data; boundary=b")
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_request" and "header size" in r.json()["message"]
    assert "Traceback" not in caplog.text
