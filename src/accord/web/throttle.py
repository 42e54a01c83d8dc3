"""Sign-in throttling: after 5 failed attempts for one username or from one address within 15 minutes,
further attempts are refused until the window has passed.

Counts live in Django's cache; the database cache is configured so that every worker process sees the
same counts (a local-memory cache would give each worker its own).
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.http import HttpRequest

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60


def _keys(request: HttpRequest, username: str) -> list[str]:
    # Hashed: cache keys must be short and safe whatever the user typed.
    who = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    address = request.META.get("REMOTE_ADDR", "") or "unknown"
    return [f"accord-login-user:{who}", f"accord-login-ip:{address}"]


def is_locked(request: HttpRequest, username: str) -> bool:
    counts = cache.get_many(_keys(request, username))
    return any(count >= MAX_FAILURES for count in counts.values())


def record_failure(request: HttpRequest, username: str) -> None:
    for key in _keys(request, username):
        if not cache.add(key, 1, WINDOW_SECONDS):
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, WINDOW_SECONDS)
            else:
                cache.set(key, count, WINDOW_SECONDS)  # the window restarts with each failure


def clear(request: HttpRequest, username: str) -> None:
    """A successful sign-in forgets the username's failures (the address's count stays)."""
    cache.delete(_keys(request, username)[0])
