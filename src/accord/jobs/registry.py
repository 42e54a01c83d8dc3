"""The kinds of background job: a name, a function that does the work, and how to describe it.

An app offers its long work as a job with `register(JobKind(...))`; the runner finds it here by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accord.core.errors import DomainError, ValidationFailed


@dataclass
class Outcome:
    """What a job produced: a file (bytes to store, or a name already in the default storage) and/or JSON."""

    data: bytes | None = None
    stored_name: str = ""
    file_name: str = ""
    content_type: str = "application/octet-stream"
    result: Any = None


class JobRefused(DomainError):
    """A job refused by the domain, with a structured account of why (`result`, kept as the job's result: an
    import's problems by row and column), besides the text."""

    code = "job_refused"

    def __init__(self, message: str, result: Any):
        super().__init__(message)
        self.result = result


class JobCancelled(Exception):
    """Raised inside a job's function when someone cancelled it: its transaction is rolled back."""


class Context:
    """Handed to a job's function: its parameters and a way to report progress (0-100, with a message).

    Reporting progress is also where a job learns that it was cancelled: `progress` raises JobCancelled, so the
    work stops at its next report and whatever it wrote in its transaction is rolled back."""

    def __init__(
        self,
        job_id: int,
        parameters: dict[str, Any],
        report: Callable[[int, str], None],
        cancelled: Callable[[], bool] = lambda: False,
    ):
        self.job_id = job_id
        self.parameters = parameters
        self._report = report
        self._cancelled = cancelled

    def progress(self, percent: int, message: str = "") -> None:
        """`message`: an English text marked with gettext_noop; the job's page shows it in the reader's language."""
        if self._cancelled():
            raise JobCancelled
        self._report(max(0, min(100, int(percent))), message)


@dataclass(frozen=True)
class JobKind:
    name: str
    run: Callable[[Context], Outcome]
    description: str = ""
    # False for the system's own upkeep (nobody asked for it): job lists leave it out.
    listed: bool = True
    # For work done every day by itself (the reminder digest): the local hour it is queued at, read when the
    # runner looks (so settings apply without a restart); None: not today, not scheduled. See runner.queue_scheduled.
    daily_at: Callable[[], int | None] | None = None
    # For work repeated through the day (the federation's sync): seconds between runs, read when the runner
    # looks; None: not scheduled. Queued when none of the kind is waiting or running and the last is that old.
    every: Callable[[], int | None] | None = None
    # A job's title from its parameters, in the reader's language (a stored title is in its requester's).
    title: Callable[[dict[str, Any]], str] | None = None
    # Which worker runs it (Job.Queue): imports have their own, so they never hold up the other kinds.
    queue: str = "default"
    # Called once the job has ended, whatever the end ("done", "failed", "cancelled"), with its parameters and
    # the end: an import deletes its upload here.
    ended: Callable[[dict[str, Any], str], None] | None = None


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


# Upkeep the worker does now and then beside the jobs (an app's sweep of files nobody needs any more): a
# function and how many seconds apart it runs. Registered by the apps; run by runner.upkeep.
UPKEEP: dict[str, tuple[Callable[[], Any], float]] = {}


def register_upkeep(name: str, run: Callable[[], Any], every_seconds: float) -> None:
    UPKEEP[name] = (run, every_seconds)


def get_kind(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS)) or "none"
        raise ValidationFailed({"kind": [f"unknown job kind {name!r}; known kinds: {known}"]}) from None
