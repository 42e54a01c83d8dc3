"""The security event log: the one writer of SecurityEvent rows (sign-ins, failures, lock-outs, tokens,
refusals, signing-key use), what administrators read and export of it, and how long it is kept.

Retention: events older than ACCORD_SECURITY_EVENTS_DAYS (400 by default) are removed by a daily job of the
worker (at ACCORD_SECURITY_EVENTS_PRUNE_HOUR) or by `accord security-events prune`; each removal appends an
event saying how many went and up to when, so the log shows its own gaps."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accord.accounts.models import SecurityEvent
from accord.core import clientaddr, middleware
from accord.core.actor import current_actor
from accord.jobs.registry import Context, JobKind, Outcome, register

Kind = SecurityEvent.Kind


def client_address(request: HttpRequest | None) -> str:
    """The client's address (core.clientaddr: the peer, or the client behind a trusted proxy); without a request,
    the acting request's (a password saved by the admin), or none (the CLI, jobs)."""
    return clientaddr.client_address(request) if request is not None else current_actor().address


def channel_of(request: HttpRequest | None) -> str:
    """The request's way in; without one, the acting request's, else the command line (or a job)."""
    if request is None:
        return current_actor().channel or "cli"
    return middleware.channel_of(request)


def record(
    kind: str,
    *,
    request: HttpRequest | None = None,
    user: Any = None,
    account: str = "",
    detail: str = "",
    channel: str = "",
) -> SecurityEvent:
    """Append one event. `account` is the normalised account name (the user's own when `user` is given)."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None and not account:
        account = user.get_username()
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        account=account[:150],
        address=client_address(request),
        channel=(channel or channel_of(request))[:32],
        detail=detail[:500],
        request_id=current_actor().request_id[:64],
    )


CSV_COLUMNS = ("at", "kind", "account", "address", "channel", "detail", "request_id")


def events_csv(events: Iterable[SecurityEvent]) -> str:
    """The events as CSV (UTF-8, one header row); cells that a spreadsheet would run as a formula are quoted."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for event in events:
        row = [
            event.at.isoformat(),
            event.kind,
            event.account,
            event.address,
            event.channel,
            event.detail,
            event.request_id,
        ]
        writer.writerow(["'" + v if v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in map(str, row)])
    return out.getvalue()


# --- retention ------------------------------------------------------------------------------------------------


def retention_days() -> int | None:
    """How many days events are kept (None: for ever)."""
    days = getattr(settings, "ACCORD_SECURITY_EVENTS_DAYS", None)
    return int(days) if days else None


@dataclass(frozen=True)
class Pruned:
    removed: int
    before: dt.datetime | None  # events older than this went (None: retention off)
    trace: SecurityEvent | None = None


def prune(*, days: int | None = None, now: dt.datetime | None = None, dry_run: bool = False) -> Pruned:
    """Remove the events older than `days` (the setting by default), in one transaction with the event that
    records the removal (how many, before when, by whom). Nothing to remove writes nothing."""
    days = retention_days() if days is None else days
    if days is None:
        return Pruned(0, None)
    if days < 1:
        raise ValueError("events are kept at least one day")
    before = (now or timezone.now()) - dt.timedelta(days=days)
    old = SecurityEvent.objects.filter(at__lt=before)
    if dry_run:
        return Pruned(old.count(), before)
    with transaction.atomic():
        removed, _ = old.delete()
        if not removed:
            return Pruned(0, before)
        trace = record(
            Kind.EVENTS_PRUNED,
            detail=f"{removed} event(s) before {before.isoformat(timespec='seconds')} removed (kept {days} days)",
        )
    return Pruned(removed, before, trace)


def prune_job(ctx: Context) -> Outcome:
    """The daily job: remove what is past its retention."""
    pruned = prune()
    return Outcome(result={"removed": pruned.removed, "before": pruned.before.isoformat() if pruned.before else ""})


def prune_hour() -> int | None:
    """The local hour of the daily prune; None (not scheduled) when events are kept for ever."""
    return getattr(settings, "ACCORD_SECURITY_EVENTS_PRUNE_HOUR", 3) if retention_days() else None


register(JobKind("security-events-prune", prune_job, "Old security events removed", listed=False, daily_at=prune_hour))
