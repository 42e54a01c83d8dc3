"""Reads to read replicas, everything else to the primary (installed when ACCORD_REPLICA_DATABASE_URLS is set).

A replica lags the primary by some milliseconds, so a read goes to a replica only when it cannot be the
read that decides or shows a write:
- writes, and select_for_update() (Django routes it as a write), go to the primary;
- once a context (a request, a job, a CLI run) has written, it is pinned to the primary for the rest of
  its life, so it reads its own writes; the services call pin_primary() before their first read;
- a read inside a transaction goes to the primary: it is usually the read a write is decided on;
- the audit chain head is read with a raw cursor on the primary (core.audit, core.bulk), never routed.
The pin lives in a context variable, reset when a request starts (request_started) and by the job runner
per job (unpinned()). PrimaryAfterWriteMiddleware carries it to the user's next requests for a few seconds,
so the page after a POST shows what was just saved.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

_pinned: ContextVar[bool] = ContextVar("accord_primary_pinned", default=False)
_wrote: ContextVar[bool] = ContextVar("accord_wrote", default=False)  # pinned by a write, not by the cookie
_turn = itertools.count()

STICKY_COOKIE = "accord_primary"


def replicas() -> list[str]:
    return list(getattr(settings, "ACCORD_REPLICAS", ()))


def pin_primary() -> None:
    """Send every later read of this context to the primary (called by every audited write)."""
    if not _wrote.get():
        _pinned.set(True)
        _wrote.set(True)


def is_pinned() -> bool:
    return _pinned.get()


def reset_pin(**kwargs: Any) -> None:
    """Forget the pin: a new request or job starts with reads on the replicas."""
    _pinned.set(False)
    _wrote.set(False)


@contextlib.contextmanager
def unpinned() -> Iterator[None]:
    """A scope (one background job) whose pin does not outlive it."""
    token, wrote = _pinned.set(False), _wrote.set(False)
    try:
        yield
    finally:
        _pinned.reset(token)
        _wrote.reset(wrote)


# Threads of a WSGI server are reused: each request starts unpinned.
request_started.connect(reset_pin, dispatch_uid="accord.core.routers.reset_pin")


def _in_transaction() -> bool:
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        return False
    # The test suite wraps each test in a transaction that is not the application's; Django's own
    # durable-atomic check tells them apart the same way.
    return any(not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks)


class PrimaryReplicaRouter:
    """Django database router: see the module docstring for which reads may go to a replica."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str:
        aliases = replicas()
        if not aliases or _pinned.get() or _in_transaction():
            return DEFAULT_DB_ALIAS
        instance = hints.get("instance")
        if instance is not None and instance._state.db == DEFAULT_DB_ALIAS:
            return DEFAULT_DB_ALIAS  # a related object of a record read from the primary: same snapshot
        # Round robin: every replica gets its share without coordination between processes.
        return aliases[next(_turn) % len(aliases)]

    def db_for_write(self, model: type[Any], **hints: Any) -> str:
        pin_primary()
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Replicas hold the primary's data: records from any of them may refer to each other.
        known = {DEFAULT_DB_ALIAS, *replicas()}
        if obj1._state.db in known and obj2._state.db in known:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # Replicas receive the schema by replication, never by migrate.
        return False if db in replicas() else None


class PrimaryAfterWriteMiddleware:
    """After a request that wrote, the same browser reads from the primary for ACCORD_REPLICA_STICKY_SECONDS.

    Without it, the page a POST redirects to could be read from a replica that has not caught up yet.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replicas():
            return self.get_response(request)
        if request.COOKIES.get(STICKY_COOKIE):
            _pinned.set(True)
        response = self.get_response(request)
        if _wrote.get():
            seconds = int(getattr(settings, "ACCORD_REPLICA_STICKY_SECONDS", 10))
            response.set_cookie(STICKY_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax")
        return response
