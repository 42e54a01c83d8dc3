"""A person's own signed-in sessions (ASVS 3.3.4): which browsers are signed in to their account, since when,
from where, and ending any of them but the one they use.

Sessions live in Django's session store (the database by default, SESSION_ENGINE); beside each one a
SignedInSession row says whose it is, since when, last seen when, from which address and browser. The row is
written when a signed-in request is first seen under a session key (so right after signing in) and then at most
every SEEN_EVERY: no write per request. Ending a session deletes it from the session store, so its browser is
signed out on its next request, and deletes its row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from accord.accounts import security
from accord.accounts.models import SignedInSession
from accord.core import clientaddr
from accord.core.errors import Forbidden, ValidationFailed

log = logging.getLogger(__name__)
SEEN_EVERY = dt.timedelta(minutes=5)
SEEN = "accord_session_seen"  # session key: [session key, epoch seconds] of the last write of its row
USER_AGENT_LENGTH = 300


def _store(session_key: str) -> SessionBase:
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(session_key)
    return store


def _alive(session_key: str) -> bool:
    """Still in the store, not expired, still signed in (a store's load() gives {} for an expired session)."""
    return SESSION_KEY in _store(session_key).load()


def touch(request: HttpRequest) -> None:
    """Record the signed-in request's session, or its last-seen time if the last record is older than SEEN_EVERY."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated or not session.session_key:
        return
    key = session.session_key
    now = time.time()
    seen = session.get(SEEN)
    if isinstance(seen, list) and len(seen) == 2 and seen[0] == key and now - float(seen[1]) < SEEN_EVERY.seconds:
        return
    moment = timezone.now()
    try:
        with _without_waiting(), transaction.atomic():
            SignedInSession.objects.update_or_create(
                session_key=key,
                defaults={
                    "user": user,
                    "last_seen_at": moment,
                    "address": clientaddr.client_address(request),
                    "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH],
                },
                create_defaults={
                    "user": user,
                    "started_at": moment,
                    "last_seen_at": moment,
                    "address": clientaddr.client_address(request),
                    "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:USER_AGENT_LENGTH],
                },
            )
    except DatabaseError:
        # Busy: on SQLite a long import's transaction holds the one write lock for minutes. The page is answered
        # all the same; the last-seen time is written by a later request (SEEN is left as it was).
        log.info("the last-seen time of a session was not written now (database busy)", exc_info=True)
        return
    session[SEEN] = [key, now]


@contextlib.contextmanager
def _without_waiting() -> Iterator[None]:
    """On SQLite, outside a transaction: a write that fails at once when another holds the database's write lock,
    instead of waiting for it (busy_timeout, 20 s): a page polled during a long import would wait, then fail."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        before = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA busy_timeout=0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout={before}")


def record_sign_in(sender: Any, request: HttpRequest | None = None, user: Any = None, **kwargs: Any) -> None:
    """user_logged_in: the new session's row, written with the sign-in (Django saves the session after it)."""
    if request is not None and getattr(request, "session", None) is not None:
        if not request.session.session_key:
            request.session.save()  # a session store that makes its key on first save
        request.user = user
        touch(request)


@dataclass(frozen=True)
class ActiveSession:
    id: int
    started_at: dt.datetime
    last_seen_at: dt.datetime
    address: str
    user_agent: str
    current: bool


def active_sessions(user: Any, current_key: str | None) -> list[ActiveSession]:
    """The account's sessions still alive in the session store, the current one first; rows of sessions that
    ended (signed out, expired, cleared) are removed on the way."""
    rows = list(SignedInSession.objects.filter(user=user))
    gone = [row.pk for row in rows if row.session_key != current_key and not _alive(row.session_key)]
    if gone:
        SignedInSession.objects.filter(pk__in=gone).delete()
    listed = [
        ActiveSession(
            id=row.pk,
            started_at=row.started_at,
            last_seen_at=row.last_seen_at,
            address=row.address,
            user_agent=row.user_agent,
            current=row.session_key == current_key,
        )
        for row in rows
        if row.pk not in gone
    ]
    return sorted(listed, key=lambda s: (not s.current, -s.last_seen_at.timestamp()))


def _end(row: SignedInSession) -> None:
    _store(row.session_key).delete(row.session_key)
    row.delete()


def end_session(request: HttpRequest, session_id: Any) -> None:
    """End one of the signed-in account's other sessions. Another account's session is refused as if it were
    not there (Forbidden, nothing changed); the current one is ended by signing out."""
    user: Any = request.user
    try:
        pk = int(session_id)
    except (TypeError, ValueError):
        raise ValidationFailed({"session": ["not a session of this account"]}) from None
    with transaction.atomic():
        row = SignedInSession.objects.select_for_update().filter(pk=pk).first()
        if row is None or row.user_id != user.pk:
            raise Forbidden("not a session of this account")
        if row.session_key == request.session.session_key:
            raise ValidationFailed({"session": ["this is the session you are using: sign out instead"]})
        _end(row)
        security.record(security.Kind.SESSION_ENDED, request=request, user=user, detail=f"one session ({row.address})")


def end_other_sessions(request: HttpRequest) -> int:
    """Sign the account out everywhere but here; how many sessions were ended."""
    user: Any = request.user
    current = request.session.session_key
    with transaction.atomic():
        rows = list(SignedInSession.objects.select_for_update().filter(user=user).exclude(session_key=current))
        for row in rows:
            _end(row)
        if rows:
            detail = f"{len(rows)} other sessions"
            security.record(security.Kind.SESSION_ENDED, request=request, user=user, detail=detail)
    return len(rows)
