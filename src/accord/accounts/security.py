"""The security event log: the one writer of SecurityEvent rows (sign-ins, failures, lock-outs, tokens,
refusals, signing-key use), and what administrators read and export of it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest

from accord.accounts.models import SecurityEvent
from accord.core.actor import current_actor

Kind = SecurityEvent.Kind


def client_address(request: HttpRequest | None) -> str:
    """The client's address as the server saw it (behind a proxy: the proxy's, unless it rewrites REMOTE_ADDR)."""
    if request is None:
        return ""
    return (request.META.get("REMOTE_ADDR") or "")[:64]


def channel_of(request: HttpRequest | None) -> str:
    if request is None:
        return "cli"
    path = request.path
    if path.startswith("/admin/"):
        return "admin"
    if path.startswith("/api/"):
        return "api"
    return "page"


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
