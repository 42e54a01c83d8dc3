"""Asking for background work and reading where it stands."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accord.core.errors import ValidationFailed
from accord.core.visibility import principal
from accord.jobs.models import Job
from accord.jobs.registry import get_kind


def enqueue(kind: str, parameters: dict[str, Any], *, user: Any, title: str = "") -> Job:
    """Queue a job of `kind` for `user`; a runner (the `accord serve` thread or `accord worker`) picks it up."""
    get_kind(kind)
    if user is None or not getattr(user, "is_authenticated", False):
        raise ValidationFailed({"requested_by": ["a job is asked for by a signed-in account"]})
    return Job.objects.create(kind=kind, parameters=parameters, requested_by=user, title=title[:300])


def jobs_of(user: Any) -> QuerySet[Job]:
    """The jobs `user` may see: their own; an administrator sees every job."""
    if principal(user).is_admin:
        return Job.objects.all()
    if not getattr(user, "is_authenticated", False):
        return Job.objects.none()
    return Job.objects.filter(requested_by=user)
