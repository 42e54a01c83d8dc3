"""A large file through the column-mapping step (page, API, job, CLI) is read as it streams, as a plain import is:
never read whole into memory, its rows mapped one at a time straight into the import's batches; its dry run is a
job above the inline size; problems still name the file's own rows (header = row 1) and columns."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accord.core.models import ChangeRecord
from accord.interop import readers, services
from accord.jobs.models import Job
from accord.jobs.runner import run_pending
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limits(settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    # The file below is a few KB: above 200 bytes it is "large" (a job), above 1 KB it streams.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ACCORD_IMPORT_INLINE_MAX_BYTES = 200
    settings.ACCORD_IMPORT_STREAM_BYTES = 1024
    monkeypatch.setattr(services._Stored, "BATCH", 5)

    def whole(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("a large file was read whole")

    monkeypatch.setattr(readers, "read_bytes", whole)


def monthly(rows: int, *, bad: int | None = None) -> bytes:
    lines = ["编号,项目名称,Start date,Notes"]
    for n in range(1, rows + 1):
        start = "31.02.2020" if n == bad else f"{1 + n % 28:02d}.01.2020"
        lines.append(f"S-{n},流式项目 {n},{start},note {n}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def admin() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


FORM = {"target-0": "number", "target-1": "title[zh]", "target-2": "start_on", "target-3": "", "dedup": ["number"]}


def test_the_mapping_page_streams_a_large_file_and_dry_runs_and_imports_it_as_jobs(seed: Any) -> None:
    client = admin()
    data = monthly(60)
    assert len(data) > 2048
    upload = SimpleUploadedFile("monthly.csv", data, content_type="text/csv")
    assert client.post("/data/map/", {"action": "upload", "kind": "projects", "file": upload}).status_code == 302
    page = client.get("/data/map/").content.decode()
    assert 'value="number" selected' in page  # proposed from the first rows, read as they stream
    form = {**FORM, "const-field-0": "agreement", "const-value-0": seed.protocol.title["en"]}
    shown = client.post("/data/map/", {**form, "action": "preview"}).content.decode()
    assert "流式项目 20" in shown and "流式项目 21" not in shown  # 20 rows shown
    assert 'data-testid="mapping-dry-run-as-job"' in shown and 'data-testid="mapping-dry-run"' not in shown

    dry = client.post("/data/map/", {**form, "action": "dry-run"})
    assert dry.status_code == 302
    run_pending(queues=["imports"])
    job = Job.objects.get(parameters__dry_run=True)
    assert (job.status, job.progress, job.result["created"]) == ("done", 100, {"project": 60}), job.error
    assert not Project.objects.filter(number__startswith="S-").exists()

    assert client.post("/data/map/", {**form, "action": "import"}).status_code == 302
    run_pending(queues=["imports"])
    assert Project.objects.filter(agreement=seed.protocol, number__startswith="S-").count() == 60


def test_a_bad_cell_far_down_a_streamed_mapped_file_names_its_own_row_and_column(seed: Any) -> None:
    client = admin()
    upload = SimpleUploadedFile("monthly.csv", monthly(60, bad=47), content_type="text/csv")
    client.post("/data/map/", {"action": "upload", "kind": "projects", "file": upload})
    form = {**FORM, "const-field-0": "agreement", "const-value-0": seed.protocol.title["en"]}
    before = (Project.objects.count(), ChangeRecord.objects.count())
    client.post("/data/map/", {**form, "action": "import"})
    run_pending(queues=["imports"])
    job = Job.objects.get()
    assert job.status == "failed"
    assert [(p["row"], p["column"]) for p in job.result["problems"]] == [(48, "Start date")]  # data row 47
    assert (Project.objects.count(), ChangeRecord.objects.count()) == before  # earlier batches rolled back


def test_the_api_queues_a_large_mapped_import_with_the_jobs_location(seed: Any) -> None:
    import json

    mapping = {
        "columns": {"编号": "number", "项目名称": "title[zh]", "Start date": "start_on", "Notes": ""},
        "constants": {"agreement": seed.protocol.title["en"]},
        "dedup": ["number"],
    }
    answer = admin().post(
        "/api/v1/imports/projects/mapped",
        {"file": SimpleUploadedFile("monthly.csv", monthly(30)), "mapping": json.dumps(mapping)},
    )
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert answer["Location"] == body["url"] == f"/api/v1/jobs/{body['job']}"
    run_pending(queues=["imports"])
    assert admin().get(body["url"]).json()["result"]["created"] == {"project": 30}
