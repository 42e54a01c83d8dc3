"""How fresh the dashboard's cached figures are: exact when cheap, a little late (and saying so) when not.

Every change to a record appends to the audit chain, so the chain's last entry id (the head) is a version
of all the data: an entry keyed by it can never be older than the records. But any write moves the head,
and recomputing the figures of a large programme takes seconds. So, after a write, a viewer is served the
audience's latest figures at once, marked with the time they were computed, while a background job counts
them again (stale-while-revalidate); figures older than ACCORD_DASHBOARD_STALE_SECONDS are never served.

Entries are per audience (administrators; the viewer's parties; the public): viewers who may read the same
records share them, and nobody is served figures of records they may not read, fresh or late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone, translation

from accord.core.models import ChangeRecord
from accord.core.visibility import principal
from accord.jobs.models import Job
from accord.jobs.registry import Context, JobKind, Outcome, register

CACHE_SECONDS = 3600  # fresh entries go stale by key (a new chain head), this only bounds the cache's size
REFRESH_KIND = "dashboard.refresh"
# How long a queued refresh stops others being queued for the same figures; the job clears it when it ends,
# so this only matters if a job is lost (then the figures are computed in the request once they are too old).
PENDING_SECONDS = 600
PREFIX = "dashboard:v3"

# What can be cached, by name: compute(user, parameters) with the viewer's language active.
Source = Callable[[Any, dict[str, Any]], Any]
SOURCES: dict[str, Source] = {}


@dataclass(frozen=True)
class Served:
    value: Any
    late_since: dt.datetime | None = None  # when the value was computed, if records have changed since


def source(name: str) -> Callable[[Source], Source]:
    def add(compute: Source) -> Source:
        SOURCES[name] = compute
        return compute

    return add


def stale_seconds() -> int:
    return int(getattr(settings, "ACCORD_DASHBOARD_STALE_SECONDS", 600))


def audience(user: Any) -> str:
    who = principal(user)
    return "admin" if who.is_admin else ",".join(str(p) for p in sorted(who.parties)) or "public"


def chain_head() -> int:
    return ChangeRecord.objects.aggregate(head=Max("id"))["head"] or 0


def _what(name: str, parameters: dict[str, Any], language: str) -> str:
    return f"{language}:{name}:" + ",".join(f"{k}={v}" for k, v in sorted(parameters.items()))


def _fresh_key(who: str, what: str, head: int) -> str:
    return f"{PREFIX}:fresh:{who}:{what}:{head}"


def _latest_key(who: str, what: str) -> str:
    return f"{PREFIX}:latest:{who}:{what}"


def _pending_key(who: str, what: str) -> str:
    return f"{PREFIX}:pending:{who}:{what}"


def serve(user: Any, name: str, parameters: dict[str, Any]) -> Served:
    """The figures `name` of `parameters` for the viewer: fresh if cached, else the audience's latest (if
    recent enough) while a refresh is queued, else computed now."""
    language = translation.get_language() or "en"
    who, what, head = audience(user), _what(name, parameters, language), chain_head()
    found = cache.get(_fresh_key(who, what, head))
    if found is not None:
        return Served(found)
    latest = cache.get(_latest_key(who, what))
    if latest is not None and latest["head"] == head:  # the fresh entry was evicted, not outdated
        return Served(latest["value"])
    if latest is not None and timezone.now() - latest["at"] <= dt.timedelta(seconds=stale_seconds()):
        if cache.add(_pending_key(who, what), True, timeout=PENDING_SECONDS):  # one refresh at a time
            _queue_refresh(user, name, parameters, language, who)
        return Served(latest["value"], late_since=latest["at"])
    return Served(_compute_and_store(user, name, parameters, who, what, head))


def _compute_and_store(user: Any, name: str, parameters: dict[str, Any], who: str, what: str, head: int) -> Any:
    # The head is read before computing: a write during the computation makes the entry late, not wrong.
    at = timezone.now()
    value = SOURCES[name](user, parameters)
    cache.set(_fresh_key(who, what, head), value, timeout=CACHE_SECONDS)
    cache.set(_latest_key(who, what), {"head": head, "at": at, "value": value}, timeout=CACHE_SECONDS)
    return value


def _queue_refresh(user: Any, name: str, parameters: dict[str, Any], language: str, who: str) -> Job:
    # Created here rather than by jobs.services.enqueue: the public's figures are refreshed too, for no account.
    # The job is nobody's request, so no one's job list shows it (see JobKind.listed).
    return Job.objects.create(
        kind=REFRESH_KIND,
        title=f"Dashboard figures ({who})"[:300],
        parameters={
            "user": user.pk if getattr(user, "is_authenticated", False) else None,
            "name": name,
            "parameters": parameters,
            "language": language,
            "pending": _pending_key(who, _what(name, parameters, language)),
        },
    )


def refresh_job(ctx: Context) -> Outcome:
    """Compute the figures again as the viewer who asked (their visibility), in their language."""
    from accord.web.dashboard import views  # noqa: F401  (registers the sources; a worker has not imported it)

    p = ctx.parameters
    try:
        user = get_user_model().objects.filter(pk=p["user"]).first() if p["user"] is not None else None
        if p["user"] is not None and user is None:  # the account is gone: its figures are nobody's
            return Outcome(result={"skipped": "the account no longer exists"})
        what = _what(p["name"], p["parameters"], p["language"])
        with translation.override(p["language"]):
            _compute_and_store(user, p["name"], p["parameters"], audience(user), what, chain_head())
    finally:
        cache.delete(p["pending"])  # the next write may queue the next refresh
    return Outcome(result={"audience": audience(user)})


register(JobKind(REFRESH_KIND, refresh_job, "Count the dashboard's figures again after a change", listed=False))
