"""Running queued jobs: claim one at a time, run it as its requester, record progress and the outcome.

`accord worker` runs it (as many processes as wanted; `accord serve` starts one beside itself so a
single-machine install needs nothing else). Claiming is safe between them:
SELECT ... FOR UPDATE SKIP LOCKED where the database has it (PostgreSQL), else a conditional UPDATE.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_noop

from accord.core import routers
from accord.core.actor import Actor, acting_as
from accord.core.errors import DomainError
from accord.jobs.models import Job
from accord.jobs.registry import KINDS, Context, JobKind, get_kind

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3


def runner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def recover_abandoned() -> int:
    """Put back in the queue the running jobs whose runner process on this host is gone (killed, crashed).

    A job's domain writes are one transaction, so a job cut short left nothing behind and can run again;
    after MAX_ATTEMPTS it is failed instead, so a job that kills its runner does not loop forever.
    Runners on other hosts are left alone: only this host can tell whether its processes live.
    """
    host = socket.gethostname()
    recovered = 0
    for job in Job.objects.filter(status=Job.Status.RUNNING, claimed_by__startswith=f"{host}:"):
        pid = job.claimed_by.rpartition(":")[2]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if job.attempts >= MAX_ATTEMPTS:
            changed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, claimed_by=job.claimed_by).update(
                status=Job.Status.FAILED,
                error=f"its runner stopped {job.attempts} times before it finished",
                finished_at=timezone.now(),
            )
        else:
            changed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, claimed_by=job.claimed_by).update(
                status=Job.Status.QUEUED,
                claimed_by="",
                progress=0,
                message=gettext_noop("restarted: its runner stopped"),
            )
        recovered += changed
    return recovered


def claim_next() -> Job | None:
    """Take the oldest queued job for this runner (marking it running), or None when there is none."""
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = (
                Job.objects.select_for_update(skip_locked=True).filter(status=Job.Status.QUEUED).order_by("id").first()
            )
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.RUNNING,
                started_at=timezone.now(),
                claimed_by=runner_id(),
                attempts=models.F("attempts") + 1,
            )
    else:
        while True:
            pk = Job.objects.filter(status=Job.Status.QUEUED).order_by("id").values_list("pk", flat=True).first()
            if pk is None:
                return None
            # Whoever changes the row from queued wins; another runner that read the same id moves on.
            if Job.objects.filter(pk=pk, status=Job.Status.QUEUED).update(
                status=Job.Status.RUNNING,
                started_at=timezone.now(),
                claimed_by=runner_id(),
                attempts=models.F("attempts") + 1,
            ):
                job = Job.objects.get(pk=pk)
                break
    job.refresh_from_db()
    return job


# --- heartbeat: when a runner was last seen -------------------------------------------------------------
# Each runner says it is alive every few seconds (in the shared cache, a table of the database), so the jobs
# page can tell a queue that waits for a free runner from one that no runner reads at all.
HEARTBEAT_KEY = "accord:jobs:heartbeat"
HEARTBEAT_SECONDS = 5
STALE_AFTER_SECONDS = 30  # a runner not seen for this long is reported as missing


def beat() -> None:
    """Record that this runner is alive now."""
    cache.set(HEARTBEAT_KEY, {"runner": runner_id(), "at": timezone.now().isoformat()}, timeout=None)


def last_seen() -> dict[str, Any] | None:
    """{"runner": "host:pid", "at": datetime, "seconds": int, "stale": bool} of the last beat, or None."""
    value = cache.get(HEARTBEAT_KEY)
    if not isinstance(value, dict):
        return None
    try:
        at = dt.datetime.fromisoformat(value["at"])
    except (KeyError, TypeError, ValueError):
        return None
    seconds = max(0, int((timezone.now() - at).total_seconds()))
    return {"runner": value.get("runner", ""), "at": at, "seconds": seconds, "stale": seconds > STALE_AFTER_SECONDS}


def _report(job_id: int, percent: int, message: str) -> None:
    Job.objects.filter(pk=job_id).update(progress=percent, message=message[:300])
    beat()  # a long job's progress is a sign of life too


def run(job: Job) -> Job:
    """Run a claimed job to done or failed. Its domain writes are audited as its requester's, request "job:<id>"."""
    user = job.requested_by
    # A job someone asked for has their rights; one nobody asked for (scheduled) is the system's.
    if user is not None:
        actor = Actor(user.pk, user.get_username(), f"job:{job.pk}", user=user)
    else:
        actor = Actor(None, "system", f"job:{job.pk}", system=True)
    try:
        kind = get_kind(job.kind)
        # Each job starts reading from replicas (if any) and stays on the primary once it has written.
        with acting_as(actor), routers.unpinned():
            outcome = kind.run(Context(job.pk, dict(job.parameters), lambda p, m: _report(job.pk, p, m)))
        stored = outcome.stored_name
        if outcome.data is not None and not stored:
            name = get_valid_filename(outcome.file_name or f"job-{job.pk}")
            stored = default_storage.save(f"jobs/{job.pk}/{name}", ContentFile(outcome.data))
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            progress=100,
            result_file=stored,
            result_name=outcome.file_name,
            result_type=outcome.content_type,
            result=outcome.result,
            finished_at=timezone.now(),
        )
    except DomainError as exc:  # refused by the domain: nothing was written, say why
        _fail(job, str(exc))
    except Exception as exc:  # a fault: keep the runner alive, leave a trace for the operator
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, f"internal error ({type(exc).__name__}): {exc}")
    job.refresh_from_db()
    return job


def _fail(job: Job, error: str) -> None:
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=error, finished_at=timezone.now())


# --- scheduled kinds: queued once a day by whichever runner looks first -----------------------------------


def queue_scheduled(now: dt.datetime | None = None) -> list[Job]:
    """Queue today's job of each daily kind whose hour has come and that has not been queued since (one per day
    however many runners look, and however late the first looks: a runner started at noon queues the morning's).
    The job is nobody's request: it runs as the system."""
    now = timezone.localtime(now or timezone.now())
    queued = []
    for kind in KINDS.values():
        if kind.every is not None:
            queued.extend(_queue_repeated(kind, now))
        hour = kind.daily_at() if kind.daily_at is not None else None
        if hour is None or not 0 <= hour <= 23:
            continue
        slot = now.replace(hour=hour, minute=0, second=0, microsecond=0)
        if now < slot or Job.objects.filter(kind=kind.name, created_at__gte=slot).exists():
            continue
        # Two runners looking at once: the first to add the slot's key queues the job.
        if not cache.add(f"accord:jobs:slot:{kind.name}:{slot.isoformat()}", runner_id(), timeout=2 * 24 * 3600):
            continue
        title = f"{kind.description or kind.name} ({slot:%Y-%m-%d %H:%M})"
        queued.append(Job.objects.create(kind=kind.name, title=title[:300], parameters={"slot": slot.isoformat()}))
    return queued


def _queue_repeated(kind: JobKind, now: dt.datetime) -> list[Job]:
    """Queue a job of a kind repeated every few seconds, when none is waiting or running and the last is that old."""
    seconds = kind.every() if kind.every is not None else None
    if not seconds or seconds <= 0:
        return []
    jobs = Job.objects.filter(kind=kind.name)
    if jobs.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).exists():
        return []
    if jobs.filter(created_at__gt=now - dt.timedelta(seconds=seconds)).exists():
        return []
    slot = int(now.timestamp()) // seconds
    if not cache.add(f"accord:jobs:every:{kind.name}:{slot}", runner_id(), timeout=2 * seconds):
        return []
    title = f"{kind.description or kind.name} ({now:%Y-%m-%d %H:%M})"
    return [Job.objects.create(kind=kind.name, title=title[:300], parameters={"at": now.isoformat()})]


def run_pending(limit: int | None = None) -> int:
    """Run queued jobs one after the other until none is left (or `limit` ran); the number run."""
    recover_abandoned()
    count = 0
    while limit is None or count < limit:
        job = claim_next()
        if job is None:
            break
        run(job)
        count += 1
    return count
