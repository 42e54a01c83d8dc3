"""The kinds of background job: a name, a function that does the work, and how to describe it.

An app offers its long work as a job with `register(JobKind(...))`; the runner finds it here by name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accord.core.errors import ValidationFailed


@dataclass
class Outcome:
    """What a job produced: a file (bytes to store, or a name already in the default storage) and/or JSON."""

    data: bytes | None = None
    stored_name: str = ""
    file_name: str = ""
    content_type: str = "application/octet-stream"
    result: Any = None


class Context:
    """Handed to a job's function: its parameters and a way to report progress (0-100, with a message)."""

    def __init__(self, job_id: int, parameters: dict[str, Any], report: Callable[[int, str], None]):
        self.job_id = job_id
        self.parameters = parameters
        self._report = report

    def progress(self, percent: int, message: str = "") -> None:
        """`message`: an English text marked with gettext_noop; the job's page shows it in the reader's language."""
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


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def get_kind(name: str) -> JobKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS)) or "none"
        raise ValidationFailed({"kind": [f"unknown job kind {name!r}; known kinds: {known}"]}) from None
