"""/jobs: where a background job stands (progress, result, error), polled by a client, and cancelling it."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import reverse
from ninja import Router, Schema

from accord.core.api import Error
from accord.core.ids import record_id
from accord.jobs.models import Job
from accord.jobs.services import cancel_job, jobs_of, progress_of

router = Router(tags=["jobs"])


class JobOut(Schema):
    id: int
    kind: str
    title: str
    queue: str
    status: str
    progress: int
    message: str
    result: Any = None
    error: str
    page: str
    download: str | None = None
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None


def job_url(job: Job) -> str:
    return reverse("api:job", args=[job.pk])


def job_page(job: Job) -> str:
    return reverse("jobs:detail", args=[job.pk])


def _job(request: HttpRequest, ref: str) -> Job:
    # Someone else's job is not found rather than forbidden, as on its page.
    pk = record_id(ref)
    job = jobs_of(request.user).filter(pk=pk).first() if pk is not None else None
    if job is None:
        raise Http404("no such job")
    return job


def as_dict(job: Job) -> dict[str, Any]:
    progress, message = progress_of(job)
    has_file = job.status == Job.Status.DONE and bool(job.result_file)
    return {
        "id": job.pk,
        "kind": job.kind,
        "title": str(job),
        "queue": job.queue,
        "status": job.status,
        "progress": progress,
        "message": message,
        "result": job.result,
        "error": job.error,
        "page": job_page(job),
        "download": reverse("jobs:download", args=[job.pk]) if has_file else None,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


@router.get("/{ref}", response={200: JobOut, 404: Error}, url_name="job", summary="A job: progress and result")
def job(request: HttpRequest, ref: str) -> Any:
    """Poll until `status` is done, failed or cancelled. `progress` is a percent; `result` an import's report
    (created, updated, unchanged by kind) or, when it failed, its problems by row and column (`problems`)."""
    return as_dict(_job(request, ref))


@router.post(
    "/{ref}/cancel",
    response={200: JobOut, 401: Error, 403: Error, 404: Error, 409: Error},
    summary="Cancel a job",
)
def cancel(request: HttpRequest, ref: str) -> Any:
    """A queued job is cancelled at once; a running one stops at its next progress report and nothing it wrote
    is kept. A job that has already ended is refused (409)."""
    return as_dict(cancel_job(_job(request, ref), user=request.user))
