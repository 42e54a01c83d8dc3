"""Background jobs: asked for from a page, run by the runner as their requester, progress and download."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from accord.core.models import ChangeRecord
from accord.jobs.models import Job
from accord.jobs.runner import claim_next, run_pending
from accord.jobs.services import enqueue


def page(response: Any) -> str:
    return response.content.decode()


def test_the_communique_is_generated_in_the_background_and_downloaded(client, users, seed):
    cn = users["cn-coordinator"]
    client.force_login(cn)
    url = f"/workflow/meetings/{seed.meeting.pk}/generate-communique/"
    response = client.get(url)
    assert "Generate the communiqué of" in page(response) and "runs in the background" in page(response)
    response = client.post(url, {"version": seed.meeting.version, "language": "zh", "format": "html"})
    assert response.status_code == 302
    job = Job.objects.get(requested_by=cn)
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert (job.status, job.kind, job.parameters["kind"]) == ("queued", "document", "communique")

    fragment = page(client.get(f"/jobs/{job.pk}/progress"))
    assert 'hx-trigger="every 1s"' in fragment and 'value="0"' in fragment and "Refresh" in fragment

    assert run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.progress, job.error) == ("done", 100, "")
    fragment = page(client.get(f"/jobs/{job.pk}/progress"))
    assert "100%" in fragment and 'value="100"' in fragment
    assert "hx-trigger" not in fragment  # polling stops once the job has finished
    assert f"/jobs/{job.pk}/download" in page(client.get(f"/jobs/{job.pk}/"))

    response = client.get(f"/jobs/{job.pk}/download")
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and 'filename="communique-' in disposition and "-zh.html" in disposition
    body = b"".join(response.streaming_content)
    assert body and "公报".encode() in body
    # The Document it stored is audited as the requester's, under the job's id.
    assert ChangeRecord.objects.filter(
        object_type="documents.document", actor=cn, actor_name="cn-coordinator", request_id=f"job:{job.pk}"
    ).exists()


def test_only_the_requester_and_administrators_see_a_job(client, users, seed):
    job = enqueue(
        "document",
        {"kind": "communique", "ref": seed.meeting.pk, "language": "zh", "format": "html"},
        user=users["cn-coordinator"],
    )
    run_pending()
    client.force_login(users["su-coordinator"])
    for path in ("", "progress", "download"):
        assert client.get(f"/jobs/{job.pk}/{path}").status_code == 404
    client.force_login(users["admin"])
    assert client.get(f"/jobs/{job.pk}/").status_code == 200
    client.logout()
    assert client.get(f"/jobs/{job.pk}/").status_code == 302  # to the login page


def test_a_refused_job_fails_with_the_reason_and_offers_no_file(client, users, seed):
    cn = users["cn-coordinator"]
    job = enqueue(
        "document", {"kind": "communique", "ref": seed.meeting.pk, "language": "fr", "format": "html"}, user=cn
    )
    run_pending()
    job.refresh_from_db()
    assert job.status == "failed" and "language" in job.error
    client.force_login(cn)
    assert "The job failed" in page(client.get(f"/jobs/{job.pk}/progress"))
    assert client.get(f"/jobs/{job.pk}/download").status_code == 404


def test_a_job_is_claimed_once(users, seed):
    enqueue(
        "document",
        {"kind": "communique", "ref": seed.meeting.pk, "language": "ru", "format": "html"},
        user=users["admin"],
    )
    first = claim_next()
    assert first is not None and first.status == "running" and first.started_at is not None
    assert claim_next() is None


def test_the_worker_command_runs_what_is_queued(users, seed, settings):
    settings.ACCORD_SECURITY_EVENTS_DAYS = None  # no daily prune queued beside it (after 03:00 it would be)
    job = enqueue(
        "document",
        {"kind": "communique", "ref": seed.meeting.pk, "language": "ru", "format": "html"},
        user=users["admin"],
    )
    out = StringIO()
    call_command("worker", "--once", stdout=out)
    assert "ran 1 job(s)" in out.getvalue()
    job.refresh_from_db()
    assert job.status == "done" and job.result_name.endswith("-ru.html")


def test_unknown_kinds_are_refused_when_asked_for(users):
    from accord.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="unknown job kind"):
        enqueue("nonsense", {}, user=users["admin"])


def test_a_job_whose_runner_died_is_run_again_and_failed_after_three_tries(users, seed):
    import socket
    import subprocess

    from accord.jobs.runner import MAX_ATTEMPTS, recover_abandoned, runner_id

    job = enqueue(
        "document",
        {"kind": "communique", "ref": seed.meeting.pk, "language": "zh", "format": "html"},
        user=users["cn-coordinator"],
    )
    claimed = claim_next()
    assert claimed is not None and claimed.pk == job.pk and claimed.claimed_by == runner_id()
    assert claimed.attempts == 1
    assert recover_abandoned() == 0  # this process is alive: its job is left running

    dead = subprocess.Popen(["true"])
    dead.wait()
    gone = f"{socket.gethostname()}:{dead.pid}"
    Job.objects.filter(pk=job.pk).update(claimed_by=gone)
    Job.objects.create(kind="document", status=Job.Status.RUNNING, claimed_by=f"elsewhere:{dead.pid}")
    assert recover_abandoned() == 1  # another host's runner is not judged from here
    job.refresh_from_db()
    assert (job.status, job.claimed_by, job.message) == ("queued", "", "restarted: its runner stopped")

    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, claimed_by=gone, attempts=MAX_ATTEMPTS)
    assert recover_abandoned() == 1
    job.refresh_from_db()
    assert job.status == "failed" and f"stopped {MAX_ATTEMPTS} times" in job.error
