"""How long security events are kept: ACCORD_SECURITY_EVENTS_DAYS (400 by default), removed by the worker's daily
job or by `accord security-events prune`; each removal is itself an event, so the log shows its own gaps."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.accounts import security
from accord.accounts.models import SecurityEvent
from accord.jobs.models import Job
from accord.jobs.runner import queue_scheduled, run_pending


def event_at(days_ago: float, account: str) -> SecurityEvent:
    event = security.record(security.Kind.SIGNIN_FAILED, account=account)
    SecurityEvent.objects.filter(pk=event.pk).update(at=timezone.now() - dt.timedelta(days=days_ago))
    return event


@pytest.fixture
def aged(db, settings):
    settings.ACCORD_SECURITY_EVENTS_DAYS = 30
    SecurityEvent.objects.all().delete()  # (the seed's own events; rolled back with the test)
    return [event_at(45, "old-1"), event_at(31, "old-2"), event_at(29, "recent-1"), event_at(0, "recent-2")]


def accounts_left() -> set[str]:
    return set(SecurityEvent.objects.exclude(kind="events-pruned").values_list("account", flat=True))


def test_events_past_retention_are_removed_and_the_removal_is_an_event(aged):
    pruned = security.prune()
    assert pruned.removed == 2
    assert accounts_left() == {"recent-1", "recent-2"}
    trace = SecurityEvent.objects.get(kind="events-pruned")
    assert trace == pruned.trace and "2 event(s) before" in trace.detail and "kept 30 days" in trace.detail
    assert security.prune().removed == 0 and SecurityEvent.objects.filter(kind="events-pruned").count() == 1


def test_a_dry_run_counts_and_removes_nothing(aged):
    assert security.prune(dry_run=True).removed == 2
    assert len(accounts_left()) == 4 and not SecurityEvent.objects.filter(kind="events-pruned").exists()


def test_kept_for_ever_when_retention_is_off(aged, settings):
    settings.ACCORD_SECURITY_EVENTS_DAYS = None
    assert security.prune().removed == 0 and len(accounts_left()) == 4
    assert security.prune_hour() is None  # and the worker schedules no prune


def test_the_worker_prunes_once_a_day(aged, settings):
    settings.ACCORD_SECURITY_EVENTS_PRUNE_HOUR = 0  # due from midnight: any time the test runs
    queued = [job for job in queue_scheduled() if job.kind == "security-events-prune"]
    assert len(queued) == 1
    assert [job for job in queue_scheduled() if job.kind == "security-events-prune"] == []  # once a day
    run_pending()
    job = Job.objects.get(pk=queued[0].pk)
    assert job.status == Job.Status.DONE, job.error
    assert job.result["removed"] == 2 and accounts_left() == {"recent-1", "recent-2"}
    assert SecurityEvent.objects.get(kind="events-pruned").channel == "cli"  # on the server, nobody's request


def test_the_command_prunes_with_the_setting_or_its_own_days(aged):
    out = io.StringIO()
    call_command("security-events", "prune", "--dry-run", stdout=out)
    assert "2 security event(s) before" in out.getvalue() and "dry run" in out.getvalue()
    call_command("security-events", "prune", "--days", "30", stdout=out)
    assert accounts_left() == {"recent-1", "recent-2"}
    call_command("security-events", "prune", "--days", "1", stdout=(out := io.StringIO()))
    assert "1 security event(s) before" in out.getvalue() and accounts_left() == {"recent-2"}


@pytest.mark.parametrize("days", ["0", "-3"])
def test_the_command_refuses_to_keep_less_than_a_day(aged, days):
    with pytest.raises(CommandError, match="at least one day"):
        call_command("security-events", "prune", "--days", days)
    assert len(accounts_left()) == 4
