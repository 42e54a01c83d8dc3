"""Large imports as jobs: 202 and the job's URL, polled to the result; a refused file changes nothing; the
upload deleted when its job ends (done, failed, cancelled) and swept after a crash; imports on their own queue;
a large CSV read as it streams and written batch by batch in one transaction."""

from __future__ import annotations

import datetime as dt
import os
import time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from accord.core.models import ChangeRecord
from accord.interop import services
from accord.interop.jobs import UPLOADS, sweep_uploads
from accord.interop.report import ImportRefused
from accord.interop.services import import_file
from accord.jobs.models import Job
from accord.jobs.runner import ask_to_cancel, claim_next, recover_abandoned, run, run_pending, write_live
from accord.jobs.services import enqueue
from accord.programmes.models import Project

# The file of the tests below is a few KB: everything above 200 bytes is a job; above 1 KB it streams.
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_limits(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ACCORD_IMPORT_INLINE_MAX_BYTES = 200
    settings.ACCORD_IMPORT_STREAM_BYTES = 1024


def admin_client() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def projects_csv(seed: Any, numbers: range, *, bad: int | None = None) -> bytes:
    ref = seed.protocol.reference or seed.protocol.title["en"]
    lines = ["agreement,number,title[en],title[zh],modality,start_on"]
    for n in numbers:
        start = "1961-13-40" if n == bad else "1961-01-01"
        lines.append(f'"{ref}",J{n},Imported project {n},导入项目 {n},joint,{start}')
    return ("\r\n".join(lines) + "\r\n").encode()


def uploads() -> list[str]:
    try:
        return default_storage.listdir(UPLOADS)[1]
    except FileNotFoundError:
        return []


def test_a_large_file_is_a_job_polled_to_its_report_and_its_upload_is_deleted(seed: Any) -> None:
    client = admin_client()
    data = projects_csv(seed, range(1, 41))
    chain = ChangeRecord.objects.count()
    answer = client.post("/api/v1/imports/projects", {"file": SimpleUploadedFile("mine.csv", data)})
    assert answer.status_code == 202, answer.content
    body = answer.json()
    assert body["code"] == "queued" and body["url"] == f"/api/v1/jobs/{body['job']}" and body["page"]
    assert answer["Location"] == body["url"]  # a 202 says where its job is
    assert len(uploads()) == 1  # kept on disk for the worker
    polled = client.get(body["url"]).json()
    assert (polled["status"], polled["queue"], polled["progress"]) == ("queued", "imports", 0)
    assert not Project.objects.filter(number="J1").exists()  # nothing imported within the request

    assert run_pending(queues=["default"]) == 0  # the other worker leaves imports alone
    assert run_pending(queues=["imports"]) == 1
    done = client.get(body["url"]).json()
    assert (done["status"], done["progress"], done["error"]) == ("done", 100, "")
    assert done["result"]["created"] == {"project": 40} and done["result"]["dry_run"] is False
    assert "CSV, UTF-8" in done["result"]["read_as"]
    assert Project.objects.filter(agreement=seed.protocol, number__startswith="J").count() == 40
    job = Job.objects.get(pk=body["job"])
    # Audited as the administrator who asked, under the job's id.
    assert ChangeRecord.objects.filter(request_id=f"job:{job.pk}", actor_name="admin").count() == 40
    assert ChangeRecord.objects.count() == chain + 40
    assert uploads() == []  # deleted when the job ended

    again = client.post("/api/v1/imports/projects", {"file": SimpleUploadedFile("mine.csv", data)}).json()
    run_pending(queues=["imports"])
    result = client.get(again["url"]).json()["result"]
    assert result["unchanged"] == {"project": 40} and result["created"] == {}
    assert ChangeRecord.objects.count() == chain + 40


def test_a_refused_file_changes_nothing_and_the_job_names_each_row_and_column(seed: Any) -> None:
    client = admin_client()
    # Good rows first, a bad date far down: with batches of 7 the first ones were written before it was read.
    data = projects_csv(seed, range(1, 41), bad=37)
    before = (Project.objects.count(), ChangeRecord.objects.count())
    body = client.post("/api/v1/imports/projects", {"file": SimpleUploadedFile("bad.csv", data)}).json()
    original = services._Stored.BATCH
    services._Stored.BATCH = 7
    try:
        run_pending(queues=["imports"])
    finally:
        services._Stored.BATCH = original
    failed = client.get(body["url"]).json()
    assert failed["status"] == "failed" and "Nothing was imported" in failed["error"]
    problems = failed["result"]["problems"]
    assert [(p["row"], p["column"]) for p in problems] == [(38, "start_on")]  # header = row 1
    assert failed["result"]["total"] == 1
    assert (Project.objects.count(), ChangeRecord.objects.count()) == before
    assert uploads() == []  # deleted on failure too (ACCORD_IMPORT_KEEP_FAILED_HOURS is 0)


def test_a_failed_import_keeps_its_upload_for_the_configured_time_then_the_sweep_takes_it(
    seed: Any, settings: Any
) -> None:
    settings.ACCORD_IMPORT_KEEP_FAILED_HOURS = 2
    client = admin_client()
    body = client.post(
        "/api/v1/imports/projects", {"file": SimpleUploadedFile("bad.csv", projects_csv(seed, range(1, 20), bad=3))}
    ).json()
    run_pending(queues=["imports"])
    assert Job.objects.get(pk=body["job"]).status == "failed" and len(uploads()) == 1
    assert sweep_uploads() == [] and len(uploads()) == 1  # within the time kept
    assert len(sweep_uploads(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=3))) == 1
    assert uploads() == []


def test_a_large_csv_streams_in_batches_written_in_one_transaction(seed: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(services._Stored, "BATCH", 5)
    seen: list[tuple[float | None, int]] = []
    data = projects_csv(seed, range(1, 31))
    path = default_storage.save("t/p.csv", ContentFile(data))
    with default_storage.open(path, "rb") as fh:
        report = import_file("projects", fh, "p.csv", progress=lambda share, rows: seen.append((share, rows)))
    assert report.created["project"] == 30
    assert len(seen) >= 6 and seen[-1][1] == 30 and all(s is not None for s, _ in seen)  # read as it streamed
    assert [s for s, _ in seen] == sorted(s for s, _ in seen), seen

    # The same file again with one bad row in its sixth batch and a duplicate across batches: nothing is kept.
    before = (Project.objects.count(), ChangeRecord.objects.count())
    lines = projects_csv(seed, range(100, 130), bad=127).decode().split("\r\n")
    lines.insert(20, lines[2])  # row 3 again, as row 21
    path = default_storage.save("t/q.csv", ContentFile("\r\n".join(lines).encode()))
    with default_storage.open(path, "rb") as fh, pytest.raises(ImportRefused) as caught:
        import_file("projects", fh, "q.csv")
    places = {(p.row, p.column) for p in caught.value.problems}
    assert (30, "start_on") in places and any(row == 21 for row, _ in places), places
    assert (Project.objects.count(), ChangeRecord.objects.count()) == before


def test_a_csv_read_whole_reports_how_far_it_has_read_so_the_progress_bar_moves(seed: Any, monkeypatch: Any) -> None:
    """Below ACCORD_IMPORT_STREAM_BYTES the file is decoded whole; the bar still follows the rows read (it stood
    at 50 % from the first batch to the end)."""
    monkeypatch.setattr(services._Stored, "BATCH", 5)
    seen: list[tuple[float | None, int]] = []
    report = import_file(
        "projects", projects_csv(seed, range(1, 31)), "p.csv", progress=lambda share, rows: seen.append((share, rows))
    )
    assert report.created["project"] == 30
    shares = [s for s, _ in seen]
    assert all(s is not None for s in shares) and shares == sorted(shares), seen
    assert 0 < shares[0] < 0.5 and shares[-1] == 1.0, seen


def test_a_streamed_file_in_a_code_page_must_be_named_and_is_refused_at_its_row_and_column(seed: Any) -> None:
    ref = seed.protocol.reference or seed.protocol.title["en"]
    rows = [f'"{ref}",K{n},Project {n},joint' for n in range(1, 60)]
    rows.insert(40, f'"{ref}",K999,Проект по химии,joint')
    data = ("agreement,number,title[ru],modality\r\n" + "\r\n".join(rows) + "\r\n").encode("cp1251")
    path = default_storage.save("t/r.csv", ContentFile(data))
    with default_storage.open(path, "rb") as fh, pytest.raises(ImportRefused) as caught:
        import_file("projects", fh, "r.csv")
    problem = caught.value.problems[0]
    assert "not UTF-8" in problem.reason and "name its encoding" in problem.reason
    assert (problem.row, problem.column) == (42, "title[ru]")
    with default_storage.open(path, "rb") as fh:
        report = import_file("projects", fh, "r.csv", encoding="cp1251", dry_run=True)
    assert report.created["project"] == 60 and "Windows-1251 (as named)" in report.read_as
    assert any("Проект по химии" in str(row["cells"]) for row in report.preview)


def test_a_cancelled_import_writes_nothing_and_deletes_its_upload(seed: Any, monkeypatch: Any) -> None:
    client = admin_client()
    monkeypatch.setattr(services._Stored, "BATCH", 5)
    queued = client.post(
        "/api/v1/imports/projects", {"file": SimpleUploadedFile("a.csv", projects_csv(seed, range(1, 30)))}
    ).json()
    # Cancelled while queued: at once.
    cancelled = client.post(f"{queued['url']}/cancel").json()
    assert cancelled["status"] == "cancelled" and uploads() == []
    assert client.post(f"{queued['url']}/cancel").status_code == 409  # it has ended

    # Cancelled while running: at its next progress report, after some batches were written; all rolled back.
    before = (Project.objects.count(), ChangeRecord.objects.count())
    running = client.post(
        "/api/v1/imports/projects", {"file": SimpleUploadedFile("b.csv", projects_csv(seed, range(1, 30)))}
    ).json()
    original = services._write
    written: list[int] = []

    def write_then_cancel(*args: Any) -> None:
        original(*args)
        written.append(1)
        ask_to_cancel(running["job"])  # as POST .../cancel does while the job runs

    monkeypatch.setattr(services, "_write", write_then_cancel)
    run(claim_next(["imports"]))
    job = client.get(running["url"]).json()
    assert job["status"] == "cancelled" and written == [1]
    assert (Project.objects.count(), ChangeRecord.objects.count()) == before
    assert uploads() == []


def test_progress_inside_the_transaction_is_read_from_beside_the_database(seed: Any) -> None:
    job = enqueue("import", {"kind": "projects", "stored_name": "", "filename": "x.csv"}, user=_admin())
    Job.objects.filter(pk=job.pk).update(status="running")
    write_live(job.pk, 42, "Importing")
    polled = admin_client().get(f"/api/v1/jobs/{job.pk}").json()
    assert (polled["progress"], polled["message"]) == (42, "Importing")
    assert 'value="42"' in admin_client().get(f"/jobs/{job.pk}/progress").content.decode()


def test_imports_have_their_own_queue_so_a_document_job_does_not_wait(seed: Any) -> None:
    admin_client().post(
        "/api/v1/imports/projects", {"file": SimpleUploadedFile("a.csv", projects_csv(seed, range(1, 30)))}
    )
    document = enqueue(
        "document",
        {"kind": "communique", "ref": seed.meeting.pk, "language": "zh", "format": "html"},
        user=_admin(),
    )
    assert document.queue == "default"
    taken = claim_next(["default"])
    assert taken is not None and taken.pk == document.pk  # not the older import


def test_only_the_requester_or_an_administrator_reads_or_cancels_a_job(seed: Any) -> None:
    cn = get_user_model().objects.get(username="cn-coordinator")
    job = enqueue(
        "document", {"kind": "communique", "ref": seed.meeting.pk, "language": "zh", "format": "html"}, user=cn
    )
    other = Client()
    other.force_login(get_user_model().objects.get(username="su-coordinator"))
    assert other.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert other.post(f"/api/v1/jobs/{job.pk}/cancel").status_code == 404
    assert Client().get(f"/api/v1/jobs/{job.pk}").status_code in (401, 404)
    mine = Client()
    mine.force_login(cn)
    assert mine.get(f"/api/v1/jobs/{job.pk}").json()["status"] == "queued"
    assert mine.post(f"/api/v1/jobs/{job.pk}/cancel").json()["status"] == "cancelled"


def test_small_files_stay_synchronous_and_unknown_types_are_refused_at_once(seed: Any, settings: Any) -> None:
    settings.ACCORD_IMPORT_INLINE_MAX_BYTES = 100_000
    client = admin_client()
    answer = client.post(
        "/api/v1/imports/projects", {"file": SimpleUploadedFile("s.csv", projects_csv(seed, range(1, 5)))}
    )
    assert answer.status_code == 201 and answer.json()["created"] == {"project": 4}
    settings.ACCORD_IMPORT_INLINE_MAX_BYTES = 10
    refused = client.post("/api/v1/imports/projects", {"file": SimpleUploadedFile("s.pdf", b"%PDF-1.4 " * 10)})
    assert refused.status_code == 422 and "unknown file type" in refused.json()["message"]
    named = client.post(
        "/api/v1/imports/projects?encoding=klingon",
        {"file": SimpleUploadedFile("s.csv", projects_csv(seed, range(1, 5)))},
    )
    assert named.status_code == 422 and named.json()["field"] == "encoding"
    assert Job.objects.count() == 0 and uploads() == []


def test_the_sweep_removes_what_a_crash_left_and_keeps_what_a_job_still_needs(seed: Any) -> None:
    now = dt.datetime.now(dt.UTC)
    waiting = default_storage.save(f"{UPLOADS}/waiting.csv", ContentFile(b"a"))
    enqueue("import", {"kind": "projects", "stored_name": waiting, "filename": "w.csv"}, user=_admin())
    finished = default_storage.save(f"{UPLOADS}/finished.csv", ContentFile(b"b"))
    done = enqueue("import", {"kind": "projects", "stored_name": finished, "filename": "f.csv"}, user=_admin())
    Job.objects.filter(pk=done.pk).update(status="done", finished_at=now)
    default_storage.save(f"{UPLOADS}/young.csv", ContentFile(b"c"))
    old = default_storage.save(f"{UPLOADS}/old.csv", ContentFile(b"d"))
    stamp = time.time() - 25 * 3600
    os.utime(default_storage.path(old), (stamp, stamp))
    assert sorted(sweep_uploads()) == sorted([finished, old])
    assert sorted(uploads()) == sorted(["waiting.csv", "young.csv"])

    # A worker killed for good in the middle of an import: once the job is given up, its upload goes too.
    Job.objects.filter(stored_name_filter(waiting)).update(
        status="running", claimed_by=f"{os.uname()[1]}:999999999", attempts=3
    )
    assert recover_abandoned() == 1
    assert sorted(uploads()) == ["young.csv"]


def stored_name_filter(name: str) -> Any:
    from django.db.models import Q

    return Q(pk__in=[j.pk for j in Job.objects.filter(kind="import") if j.parameters.get("stored_name") == name])


def _admin() -> Any:
    return get_user_model().objects.get(username="admin")


def test_the_page_queues_the_import_and_the_job_deletes_the_upload(seed: Any) -> None:
    client = admin_client()
    data = projects_csv(seed, range(1, 10))
    response = client.post("/data/", {"kind": "projects", "file": SimpleUploadedFile("p.csv", data), "dry_run": ""})
    assert response.status_code == 302
    job = Job.objects.get()
    assert job.queue == "imports" and len(uploads()) == 1
    run_pending(queues=["imports"])
    job.refresh_from_db()
    assert job.status == "done" and job.result["created"] == {"project": 9}
    assert uploads() == []


@pytest.mark.parametrize("language", ["zh-hans", "ru"])
def test_the_job_writes_its_report_in_the_language_of_the_request_that_asked(seed: Any, language: str) -> None:
    # The worker has no request: the job keeps the asker's interface language and runs in it, so a refusal (and a
    # note) reads as the page that asked would have written it.
    client = admin_client()
    data = projects_csv(seed, range(1, 41), bad=37)
    answer = client.post(
        "/api/v1/imports/projects", {"file": SimpleUploadedFile("bad.csv", data)}, HTTP_ACCEPT_LANGUAGE=language
    )
    job = Job.objects.get(pk=answer.json()["job"])
    assert job.language == language
    with translation.override("en"):  # the worker's own language, whatever the request left active here
        run_pending(queues=["imports"])
    job.refresh_from_db()
    with translation.override(language), pytest.raises(ImportRefused) as there:
        import_file("projects", data, "bad.csv")
    with translation.override("en"), pytest.raises(ImportRefused) as english:
        import_file("projects", data, "bad.csv")
    reason, in_english = there.value.problems[0].reason, english.value.problems[0].reason
    assert reason != in_english  # (the reason is translated at all)
    assert job.status == "failed" and reason in job.error and in_english not in job.error, job.error
    assert job.error.splitlines()[0] == there.value.message != english.value.message  # the headline too
    assert "Read as" not in job.error and "\n  row " not in job.error  # how it was read, the preview's rows
