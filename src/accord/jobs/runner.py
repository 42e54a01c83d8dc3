"""Running queued jobs: claim one at a time, run it as its requester, record progress and the outcome.

`accord worker` runs it (as many processes as wanted; `accord serve` starts two beside itself, one for the
imports queue and one for the rest, so a large import never holds up a document). Claiming is safe between them:
SELECT ... FOR UPDATE SKIP LOCKED where the database has it (PostgreSQL), else a conditional UPDATE.

A job that writes does so in one transaction, so its progress cannot go through the database (nobody would see
it before the commit, and on PostgreSQL the job's row would stay locked): while it is in a transaction it is
written beside the uploads (`<media>/jobs/<id>/live.json`), and a cancellation is asked for there too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import os
import socket
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_noop

from accord.core import routers
from accord.core.actor import Actor, acting_as
from accord.core.errors import DomainError
from accord.jobs.models import Job
from accord.jobs.registry import KINDS, UPKEEP, Context, JobCancelled, JobKind, JobRefused, get_kind

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
            if changed:
                _ended(job, Job.Status.FAILED)
        else:
            changed = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, claimed_by=job.claimed_by).update(
                status=Job.Status.QUEUED,
                claimed_by="",
                progress=0,
                message=gettext_noop("restarted: its runner stopped"),
            )
        recovered += changed
    return recovered


def claim_next(queues: Sequence[str] | None = None) -> Job | None:
    """Take the oldest queued job of `queues` (None: any) for this runner (marking it running), or None."""
    waiting = Job.objects.filter(status=Job.Status.QUEUED)
    if queues:
        waiting = waiting.filter(queue__in=list(queues))
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = waiting.select_for_update(skip_locked=True).order_by("id").first()
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
            pk = waiting.order_by("id").values_list("pk", flat=True).first()
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
    """Record that this runner is alive now. Never from inside a job's transaction (_report writes beside the
    database there): the cache's row would stay locked, holding up the other worker's beat until the commit."""
    try:
        cache.set(HEARTBEAT_KEY, {"runner": runner_id(), "at": timezone.now().isoformat()}, timeout=None)
    except DatabaseError:  # SQLite busy with another runner's long import: the next beat says it
        log.warning("the job runner's heartbeat could not be written (database busy)")


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


# --- progress and cancellation beside the database ---------------------------------------------------------


def _live_dir(job_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "jobs" / str(job_id)


def write_live(job_id: int, percent: int, message: str) -> None:
    """Progress of a job inside its transaction, where other processes can read it now."""
    folder = _live_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".live.{os.getpid()}"
    at = timezone.now().isoformat()
    temporary.write_text(json.dumps({"progress": percent, "message": message[:300], "at": at}))
    os.replace(temporary, folder / "live.json")  # readers see the old or the new, never half of one


def read_live(job_id: int) -> dict[str, Any] | None:
    try:
        value = json.loads((_live_dir(job_id) / "live.json").read_text())
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def ask_to_cancel(job_id: int) -> None:
    folder = _live_dir(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cancel").touch()


def cancel_asked(job_id: int) -> bool:
    return (_live_dir(job_id) / "cancel").exists()


def _clear_live(job_id: int) -> None:
    for name in ("live.json", "cancel"):
        (_live_dir(job_id) / name).unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        _live_dir(job_id).rmdir()  # only when empty: a job's result file stays


def _report(job_id: int, percent: int, message: str) -> None:
    if connection.in_atomic_block:
        write_live(job_id, percent, message)
        return
    Job.objects.filter(pk=job_id).update(progress=percent, message=message[:300])
    beat()  # a long job's progress is a sign of life too


def _cancel_check(job_id: int) -> Any:
    """cancel_asked for a running job (one stat of a file: jobs report progress per batch, not per row)."""
    return lambda: cancel_asked(job_id)


def _ended(job: Job, status: str) -> None:
    """The kind's own clean-up once a job has ended (an import deletes its upload); never fails the runner."""
    kind = KINDS.get(job.kind)
    if kind is None or kind.ended is None:
        return
    try:
        kind.ended(dict(job.parameters or {}), status)
    except Exception:
        log.exception("cleaning up after job %s (%s) failed", job.pk, job.kind)


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
        if cancel_asked(job.pk):  # cancelled between its claim and now
            raise JobCancelled
        # Each job starts reading from replicas (if any) and stays on the primary once it has written.
        # In the language of the request that asked for it (its refusals and notes are read there).
        language = translation.override(job.language) if job.language else contextlib.nullcontext()
        with acting_as(actor), routers.unpinned(), language:
            context = Context(
                job.pk, dict(job.parameters), lambda p, m: _report(job.pk, p, m), cancelled=_cancel_check(job.pk)
            )
            outcome = kind.run(context)
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
    except JobCancelled:  # its transaction was rolled back on the way out
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.CANCELLED, error="cancelled before it finished", finished_at=timezone.now()
        )
    except JobRefused as exc:  # refused, with the reasons in a form a client can read (an import's problems)
        _fail(job, str(exc), result=exc.result)
    except DomainError as exc:  # refused by the domain: nothing was written, say why
        _fail(job, str(exc))
    except Exception as exc:  # a fault: keep the runner alive, leave a trace for the operator
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(job, f"internal error ({type(exc).__name__}): {exc}")
    job.refresh_from_db()
    _clear_live(job.pk)
    _ended(job, job.status)
    return job


def _fail(job: Job, error: str, result: Any = None) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.FAILED, error=error, result=result, finished_at=timezone.now()
    )


def cancel(job: Job) -> bool:
    """Cancel a job: a queued one at once, a running one at its next progress report (its writes rolled back).
    False when it had already finished."""
    if job.finished:
        return False
    ask_to_cancel(job.pk)
    # Read before writing: on SQLite an UPDATE waits for the write lock a running import holds.
    if Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).exists() and Job.objects.filter(
        pk=job.pk, status=Job.Status.QUEUED
    ).update(status=Job.Status.CANCELLED, error="cancelled before it started", finished_at=timezone.now()):
        _clear_live(job.pk)
        _ended(job, Job.Status.CANCELLED)
    return True


# --- upkeep: what the apps sweep now and then ---------------------------------------------------------------

_LAST_UPKEEP: dict[str, float] = {}


def upkeep(force: bool = False) -> None:
    """Run each registered upkeep whose time has come (all of them with `force`); a failing one is logged."""
    now = time.monotonic()
    for name, (function, every) in UPKEEP.items():
        if not force and now - _LAST_UPKEEP.get(name, -1e18) < every:
            continue
        _LAST_UPKEEP[name] = now
        try:
            function()
        except Exception:
            log.exception("upkeep %s failed", name)


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


KEEP_REPEATED = 20  # runs kept of a kind repeated through the day (the newest queued one included)


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
    # Its past runs are the system's own upkeep, one every few minutes: only the latest few are kept (what the
    # last runs said), so they do not pile up (288 a day at five minutes).
    ended = jobs.exclude(status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).order_by("-created_at", "-pk")
    Job.objects.filter(pk__in=list(ended.values_list("pk", flat=True)[KEEP_REPEATED - 1 :])).delete()
    title = f"{kind.description or kind.name} ({now:%Y-%m-%d %H:%M})"
    return [Job.objects.create(kind=kind.name, title=title[:300], parameters={"at": now.isoformat()})]


def run_pending(limit: int | None = None, queues: Sequence[str] | None = None) -> int:
    """Run queued jobs (of `queues`, None: any) one after the other until none is left (or `limit` ran)."""
    recover_abandoned()
    count = 0
    while limit is None or count < limit:
        job = claim_next(queues)
        if job is None:
            break
        run(job)
        count += 1
    return count
