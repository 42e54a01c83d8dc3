"""Who is acting: set once per request (middleware), CLI run or background job, read by the audit chain.

Kept free of model imports so the CLI can set it before Django is set up.
"""

from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user account (if any), the name to freeze into the record, and the request or job id.

    `system` marks a trusted actor (the CLI, the demo, migrations, jobs nobody requested): it keeps full rights,
    as whoever runs it has the database anyway. Everyone else, anonymous included, is held to the permissions
    of `user_id`'s account (`user` is that account when the caller already has it, saving a query).
    """

    user_id: int | None
    name: str
    request_id: str = ""  # the server's own: a request's id it made, a job's, a CLI run's
    system: bool = False
    user: Any = field(default=None, compare=False, repr=False)
    # What the client sent as X-Request-ID, when it was a well-formed id: kept apart, for correlating with the
    # client's own logs, never in place of the server's id.
    client_request_id: str = ""
    # The client's address (core.clientaddr) for a request; empty for the CLI and jobs.
    address: str = ""
    channel: str = ""  # for a request: "page", "admin" or "api" (core.middleware.channel_of)


SYSTEM = Actor(None, "system", system=True)


def cli_actor(user: str) -> Actor:
    """Who runs an `accord` command: trusted (whoever runs it has the database anyway), save that on a federation
    node it keeps to its own party's side too (core.permissions.check_node_side)."""
    return Actor(None, f"cli:{user}", new_job_id("cli"), system=True, channel="cli")


_current: contextvars.ContextVar[Actor] = contextvars.ContextVar("accord_actor", default=SYSTEM)


def current_actor() -> Actor:
    return _current.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def become(user: Any) -> Actor:
    """Act as `user` for the rest of this request: authentication that happens after the middleware (API tokens)."""
    current = current_actor()
    actor = actor_for_user(user, current.request_id, current.client_request_id, current.address, current.channel)
    _current.set(actor)  # the middleware's acting_as restores the previous actor when the request ends
    return actor


def actor_for_user(
    user: Any, request_id: str = "", client_request_id: str = "", address: str = "", channel: str = ""
) -> Actor:
    if user is None or not getattr(user, "is_authenticated", False):
        user = None
    return Actor(
        user.pk if user is not None else None,
        user.get_username() if user is not None else "anonymous",
        request_id,
        user=user,
        client_request_id=client_request_id,
        address=address,
        channel=channel,
    )


def new_job_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


# An API token's record from its key (raising BadToken, 401, that says why), registered at start-up by the app that
# issues tokens (accounts), so core imports none. Kept here rather than beside the API's authentication: every
# process registers it as it starts, and the API's modules (django-ninja, pydantic) cost a fifth of a second.
_authenticate_token: Callable[[str], Any] | None = None


def register_token_authenticator(authenticate: Callable[[str], Any]) -> None:
    global _authenticate_token
    _authenticate_token = authenticate


def authenticate_token(key: str) -> Any:
    if _authenticate_token is None:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("no app registered how API tokens are checked (register_token_authenticator)")
    return _authenticate_token(key)
