"""Asking for background work and reading where it stands."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from accord.core.errors import Forbidden, TransitionRefused, ValidationFailed
from accord.core.visibility import principal
from accord.jobs.models import Job
from accord.jobs.registry import get_kind
from accord.jobs.runner import cancel, read_live


def enqueue(kind: str, parameters: dict[str, Any], *, user: Any, title: str = "") -> Job:
    """Queue a job of `kind` for `user`; a runner (the `accord serve` thread or `accord worker`) picks it up."""
    found = get_kind(kind)
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValidationFailed({"requested_by": ["a job is asked for by a signed-in account"]})
    return Job.objects.create(
        kind=kind,
        parameters=parameters,
        requested_by=user,
        title=title[:300],
        queue=found.queue,
        language=translation.get_language() or "",
    )


def cancel_job(job: Job, *, user: Any) -> Job:
    """Cancel `job` for `user` (its requester or an administrator): a queued job at once, a running one at its
    next progress report, its writes rolled back. A finished job is refused (409)."""
    if not jobs_of(user).filter(pk=job.pk).exists():
        raise Forbidden(_("only who asked for a job, or an administrator, may cancel it"))
    if not cancel(job):
        raise TransitionRefused(_("the job has already ended (%(status)s)") % {"status": job.get_status_display()})
    job.refresh_from_db()
    return job


def progress_of(job: Job) -> tuple[int, str]:
    """(percent, message) as the job reports them now: from inside its transaction too (runner.write_live)."""
    if job.status == Job.Status.RUNNING:
        live = read_live(job.pk)
        if live is not None and int(live.get("progress", 0)) >= job.progress:
            return int(live["progress"]), str(live.get("message", ""))
    return job.progress, job.message


def jobs_of(user: Any) -> QuerySet[Job]:
    """The jobs `user` may see: their own; an administrator sees every job."""
    if principal(user).is_admin:
        return Job.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(requested_by=user)
