"""Limits on costly reads (exports): how often each client may ask, and how many run at once on the server.

A full export reads every record of a kind: on a large installation, a few clients repeating one could hold
every server process and leave none for anyone else (8 anonymous clients made `/health` take 55 s). So:

- a rate per client and scope, over a sliding minute: anonymous clients by address, stricter; signed-in
  accounts by account (`Throttled`, 429 with Retry-After);
- a cap on how many run at once across all the server's processes (`costly_slot`): slots are lock files in
  the data directory, taken without waiting and released when the export ends or its process dies; a request
  finding none free is refused at once (429 with Retry-After) rather than queued behind the others.

Counts live in the shared cache (a table of the database), so every server process sees the same ones.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.cache import cache

from accord.core.clientaddr import client_address
from accord.core.errors import DomainError

WINDOW_SECONDS = 60


class Throttled(DomainError):
    """Too many costly requests: from this client (its rate), or on the server right now (its slots)."""

    code = "throttled"

    def __init__(self, message: str, *, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


def client_key(request: Any) -> tuple[str, bool]:
    """Who is asking, for counting: ("user:<id>", False) when signed in, ("addr:<address>", True) when anonymous.

    The address is core.clientaddr's: the connection's, or behind a proxy named in ACCORD_TRUSTED_PROXIES the
    client that proxy served (never a header a client could set for itself).
    """
    user = getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return f"user:{user.pk}", False
    return f"addr:{client_address(request) or 'unknown'}", True


def check_rate(request: Any, scope: str, *, anonymous_per_minute: int, per_minute: int) -> None:
    """Count this request against the client's rate for `scope`; Throttled when it is over.

    Two fixed windows weighted into a sliding one (the previous minute counts for the part of it still in the
    last 60 s), so a client cannot double its rate at a window's edge."""
    who, anonymous = client_key(request)
    limit = anonymous_per_minute if anonymous else per_minute
    if limit <= 0:
        return
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    key = f"accord:rate:{scope}:{who}:{window}"
    if cache.add(key, 1, timeout=2 * WINDOW_SECONDS):
        current = 1
    else:
        try:
            current = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=2 * WINDOW_SECONDS)
            current = 1
    previous = cache.get(f"accord:rate:{scope}:{who}:{window - 1}", 0)
    elapsed = now - window * WINDOW_SECONDS
    weighted = current + previous * (WINDOW_SECONDS - elapsed) / WINDOW_SECONDS
    if weighted > limit:
        retry = max(1, int(WINDOW_SECONDS - elapsed) + 1)
        whom = "anonymous clients" if anonymous else "an account"
        raise Throttled(
            f"too many exports: {whom} may ask for {limit} a minute; try again in {retry} s"
            + (" (signed-in accounts may ask for more)" if anonymous else ""),
            retry_after=retry,
        )


def _slots_dir() -> Path:
    path = Path(settings.DATA_DIR) / "slots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def take_slot(scope: str, slots: int) -> Callable[[], None]:
    """Take one of `slots` server-wide slots for `scope` and return what frees it; Throttled at once when all
    are taken. A slot is an exclusive lock on a file, so a process that dies frees its slot with it."""
    if slots <= 0:
        return lambda: None
    directory = _slots_dir()
    for n in range(slots):
        fd = os.open(directory / f"{scope}-{n}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        released = False

        def release(fd: int = fd) -> None:
            nonlocal released
            if not released:
                released = True
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)

        return release
    raise Throttled(f"the server is busy with {slots} exports already; try again in a few seconds", retry_after=5)


class HoldingSlot:
    """An iterable of chunks (a streamed response's) that frees its slot when it is exhausted or closed, which
    Django does when the response ends, whether the client read it all or went away."""

    def __init__(self, chunks: Iterable[bytes], release: Callable[[], None]):
        self._chunks = chunks
        self._release = release

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._chunks
        finally:
            self.close()

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        try:
            if close is not None:
                close()
        finally:
            self._release()


@contextlib.contextmanager
def costly_slot(scope: str, slots: int) -> Iterator[None]:
    """take_slot for a block of work done in one go."""
    release = take_slot(scope, slots)
    try:
        yield
    finally:
        release()
