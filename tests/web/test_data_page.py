"""The import and export page: downloads for everyone signed in, background imports for administrators."""

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.core.models import ChangeRecord
from accord.directory.models import Organisation
from accord.jobs.models import Job
from accord.jobs.runner import run_pending

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def signed_in(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_everyone_signed_in_gets_exports_and_templates_in_their_language(client, seed):
    page = signed_in(client, "cn-observer").get("/data/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "/api/v1/exports/projects?format=xlsx" in page
    assert "/api/v1/templates/projects?format=xlsx&amp;language=ru" in page
    assert 'enctype="multipart/form-data"' not in page  # no import form for an observer
    upload = SimpleUploadedFile("orgs.csv", b"x", content_type="text/csv")
    assert client.post("/data/", {"kind": "organisations", "file": upload}).status_code == 403
    assert client.logout() is None and client.get("/data/").status_code == 302  # to sign in


def test_an_administrator_imports_in_the_background_after_a_dry_run(client, seed):
    export = signed_in(client, "admin").get("/api/v1/exports/organisations?format=csv")
    rows = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    header = rows[0].split(",")
    # A new organisation: copy an exported row, drop its ids, give it a fresh name and external id.
    new = dict(zip(header, next(__import__("csv").reader([rows[1]])), strict=False))
    new.update({"uid": "", "external_id": "test:new-institute", "name[en]": "Institute of Test Imports"})
    for key in [k for k in new if k.startswith("name[") and k != "name[en]"]:
        new[key] = ""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerow(new)
    data = out.getvalue().encode()

    before = ChangeRecord.objects.count()
    response = client.post(
        "/data/", {"kind": "organisations", "file": SimpleUploadedFile("new.csv", data), "dry_run": "on"}
    )
    job = Job.objects.get(kind="import")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    run_pending()
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'data-testid="import-report"' in page and "dry run" in page
    assert ChangeRecord.objects.count() == before

    client.post("/data/", {"kind": "organisations", "file": SimpleUploadedFile("new.csv", data)})
    run_pending()
    assert Organisation.objects.filter(external_id="test:new-institute").exists()


def test_a_refused_import_lists_every_problem_on_the_job_page(client, seed):
    signed_in(client, "admin")
    bad = b"name[en],party\nOne,XX\nTwo,YY\n"
    client.post("/data/", {"kind": "organisations", "file": SimpleUploadedFile("bad.csv", bad)})
    run_pending()
    job = Job.objects.get(kind="import")
    assert job.status == "failed"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "row 2" in page and "row 3" in page  # both bad rows, not only the first


def test_the_form_refuses_other_file_types_and_keeps_the_choice(client, seed):
    signed_in(client, "admin")
    response = client.post("/data/", {"kind": "projects", "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4")})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Only .csv, .xlsx, .ods and .json files" in html and 'value="projects" selected' in html
    assert not Job.objects.exists()


def test_the_page_lets_the_administrator_name_the_encoding_and_previews_decoded_rows(client, seed):
    """Issue 16: a file that reads two ways is refused until its encoding is chosen on the page; the dry run
    then shows how the file was read and decoded rows from across it, before anything is written."""
    data = "external_id,name[zh],party\r\nw:1,王,CN\r\n".encode("gb18030")
    page = signed_in(client, "admin").get("/data/").content.decode()
    assert 'name="encoding"' in page and '<option value="gb18030">GB18030</option>' in page
    client.post("/data/", {"kind": "people", "file": SimpleUploadedFile("wang.csv", data), "dry_run": "on"})
    run_pending()
    refused = Job.objects.get(kind="import")
    assert refused.status == "failed" and "ambiguous" in refused.error and "row 2, name[zh]" in refused.error
    before = ChangeRecord.objects.count()
    client.post(
        "/data/",
        {"kind": "people", "file": SimpleUploadedFile("wang.csv", data), "dry_run": "on", "encoding": "gb18030"},
    )
    run_pending()
    job = Job.objects.filter(kind="import").latest("pk")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert job.status == "done" and "GB18030 (as named)" in page
    assert 'data-testid="import-preview"' in page and "王" in page
    assert ChangeRecord.objects.count() == before
