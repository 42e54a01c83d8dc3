"""A job's page with its progress bar, the fragment the page polls, and the download of its result."""

from __future__ import annotations

import contextlib

from django.contrib.auth.views import redirect_to_login
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accord.core.errors import DomainError
from accord.core.pages.views import login_url
from accord.jobs.models import Job
from accord.jobs.registry import KINDS
from accord.jobs.runner import last_seen
from accord.jobs.services import cancel_job, jobs_of, progress_of


def _job(request: HttpRequest, pk: int) -> Job:
    # Someone else's job is not found rather than forbidden: its existence is nobody else's business.
    job = get_object_or_404(jobs_of(request.user).select_related("requested_by"), pk=pk)
    job.progress, job.message = progress_of(job)  # shown as it stands now, from inside its transaction too
    return job


def job_list(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url())
    upkeep = [name for name, kind in KINDS.items() if not kind.listed]  # noise in a list of what people asked for
    jobs = jobs_of(request.user).exclude(kind__in=upkeep)[:50]
    return render(request, "jobs/list.html", {"jobs": jobs, "runner": last_seen()})


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url())
    return render(request, "jobs/detail.html", {"job": _job(request, pk), "runner": last_seen()})


def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress part of the job page; polled every second by htmx until the job has finished."""
    if not request.user.is_authenticated:
        raise Http404
    return render(request, "jobs/_progress.html", {"job": _job(request, pk)})


@require_POST
def job_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Cancel from the job's page: a queued job at once, a running one at its next progress report."""
    if not request.user.is_authenticated:
        raise Http404
    job = _job(request, pk)
    with contextlib.suppress(DomainError):  # it ended meanwhile: the page shows how
        cancel_job(job, user=request.user)
    return redirect("jobs:detail", job.pk)


def job_download(request: HttpRequest, pk: int) -> FileResponse:
    if not request.user.is_authenticated:
        raise Http404
    job = _job(request, pk)
    if job.status != Job.Status.DONE or not job.result_file or not default_storage.exists(job.result_file):
        raise Http404("this job has no file to download")
    return FileResponse(
        default_storage.open(job.result_file, "rb"),
        as_attachment=True,
        filename=job.result_name or job.result_file.rsplit("/", 1)[-1],
        content_type=job.result_type or "application/octet-stream",
    )
