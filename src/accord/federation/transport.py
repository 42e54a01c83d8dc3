"""Online transport: the HTTP client that pushes and pulls batches (with retry and back-off), and `sync`.

The endpoints it talks to are federation/views.py on the peer. Every request is signed by this node
(method, path, timestamp and the body's digest); every batch and acknowledgement that comes back is signed by
the peer and checked with the key trusted for it.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.core.errors import DomainError
from accord.federation import envelope, services
from accord.federation.models import Peer

log = logging.getLogger("accord.federation")

NODE_PATH = "/federation/v1/node"
PUSH_PATH = "/federation/v1/push"
PULL_PATH = "/federation/v1/pull"
RESEND_PATH = "/federation/v1/resend"
TIMEOUT_SECONDS = 60
ATTEMPTS = 3  # tries of one request before the sync gives up for now (waits 1 s, then 2 s between them)
BACKOFF_BASE_SECONDS = 60  # the scheduled sync's wait after a failed one, doubled per failure in a row
BACKOFF_MAX_SECONDS = 3600


class TransportError(DomainError):
    """The peer could not be reached or answered with an error; `retry` when trying again later may help."""

    code = "transport"

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def fetch_node(url: str) -> dict[str, Any]:
    """What a node says about itself (unsigned: the key it returns is compared with the one given)."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + NODE_PATH, timeout=TIMEOUT_SECONDS) as r:
            info = json.loads(r.read())
    except (OSError, ValueError) as exc:
        raise DomainError(f"cannot ask {url} who it is ({exc}); give --party", field="url") from None
    if not isinstance(info, dict):
        raise DomainError(f"{url} did not answer as an Accord node; give --party", field="url")
    return info


def _post(peer: Peer, path: str, body: bytes) -> bytes:
    """POST a signed request to the peer, trying again on a network failure or a server error."""
    if not peer.url:
        raise TransportError(
            f"peer {peer.name} has no address: exchange files (outbox export / inbox import)", retry=False
        )
    node = services.require_node()
    key = services.node_key()
    for attempt in range(ATTEMPTS):
        stamp = str(int(time.time()))
        request = urllib.request.Request(
            peer.url + path,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accord-Node": node.node_id,
                "Accord-Timestamp": stamp,
                "Accord-Signature": envelope.sign_text(key, envelope.request_text("POST", path, stamp, body)),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as r:
                return bytes(r.read())
        except urllib.error.HTTPError as exc:
            text = exc.read()[:2000]
            try:
                message = json.loads(text).get("message", "")
            except (ValueError, AttributeError):
                message = text.decode("utf-8", "replace")
            error = TransportError(
                f"{peer.name} answered {exc.code}: {message}", retry=exc.code >= 500 or exc.code == 429
            )
        except (OSError, urllib.error.URLError) as exc:
            error = TransportError(f"cannot reach {peer.name} at {peer.url}: {exc}", retry=True)
        if not error.retry or attempt == ATTEMPTS - 1:
            raise error
        time.sleep(2**attempt)
    raise AssertionError("unreachable")


def _signed_answer(peer: Peer, data: bytes, kind: str) -> dict[str, Any]:
    try:
        answer = envelope.parse_json(data, strict=False)
    except envelope.Malformed as exc:
        raise TransportError(f"{peer.name}'s answer {exc}", retry=True) from None
    if answer.get("type") != kind or not envelope.signature_ok(peer.public_key, answer):
        raise services.refuse(
            f"an answer to our {kind} request is not signed by {peer.name}'s key",
            channel="http",
            peer=peer,
            sender=peer.node_id,
        )
    return answer


@dataclass
class SyncResult:
    sent: int = 0  # our messages the peer acknowledged in this sync
    applied: int = 0  # its messages applied here
    held: int = 0


def _take_answer(peer: Peer, answer: dict[str, Any]) -> None:
    ack = answer.get("ack")
    if not isinstance(ack, dict) or not isinstance(ack.get("seq"), int):
        raise TransportError(f"{peer.name}'s acknowledgement is malformed", retry=False)
    with transaction.atomic():
        services.take_ack(Peer.objects.select_for_update().get(pk=peer.pk), ack)


def push(peer: Peer) -> int:
    """Send every message the peer has not acknowledged (in batches), with our head; how many it acknowledged."""
    services.prepare_outbox(peer)
    acknowledged = 0
    while True:
        peer.refresh_from_db()
        messages = services.waiting_messages(peer)
        batch = services.make_batch(peer, messages, returned_bytes=services.BATCH_BYTES)
        data = _post(peer, PUSH_PATH, batch)
        services.mark_sent(peer, messages)
        answer = _signed_answer(peer, data, "ack")
        _take_answer(peer, answer)
        if answer.get("refused"):
            peer.refresh_from_db()
            if messages and peer.lost_from is not None:
                continue  # we were restored from an older backup: ask for ours back (return_from), nothing else
            raise TransportError(f"{peer.name} refused our messages: {answer['refused']}", retry=False)
        done = peer.outbox.filter(pk__in=[m.pk for m in messages], acked_at__isnull=False).count()
        acknowledged += done
        if not messages or done < len(messages):
            return acknowledged


def pull(peer: Peer) -> services.Received:
    """Ask the peer for its messages after the last one applied here, and apply them (in batches)."""
    total = services.Received(peer)
    while True:
        peer.refresh_from_db()
        data = _post(peer, PULL_PATH, envelope.canonical({"after": peer.in_seq}))
        got = services.receive_batch(data, channel="http")
        total.applied += got.applied
        total.duplicates += got.duplicates
        total.returned += got.returned
        total.held = got.held
        if not (got.applied or got.returned) or got.held:
            return total


def ask_resend(peer: Peer) -> int:
    """A node restored from an older backup: ask the peer for everything after the last message applied here."""
    peer.refresh_from_db()
    data = _post(peer, RESEND_PATH, envelope.canonical({"from": peer.in_seq + 1}))
    answer = _signed_answer(peer, data, "ack")
    return int(answer.get("resent", 0))


def sync(peer: Peer, *, resend: bool = False) -> SyncResult:
    """Push, then pull. A failure is kept as the peer's last error and raised; success clears the back-off and the
    errors noted before it began (one noted during it, such as a witnessed head our chain no longer holds or a gap
    in its messages, stays shown)."""
    started = timezone.now()
    try:
        if resend:
            ask_resend(peer)
        sent = push(peer)
        received = pull(peer)
        # Acknowledge what was pulled now, so the peer does not push it to us again; our messages numbered again
        # after the peer returned our lost ones go now too.
        if received.applied or received.returned:
            sent += push(peer)
    except DomainError as exc:
        failures = peer.failures + 1
        wait = min(BACKOFF_BASE_SECONDS * 2 ** (failures - 1), BACKOFF_MAX_SECONDS)
        Peer.objects.filter(pk=peer.pk).update(
            failures=failures,
            retry_after=timezone.now() + dt.timedelta(seconds=wait),
            last_error=str(exc)[:500],
            last_error_at=timezone.now(),
        )
        raise
    Peer.objects.filter(pk=peer.pk).update(failures=0, retry_after=None)
    Peer.objects.filter(pk=peer.pk, last_error_at__lt=started).update(last_error="", last_error_at=None)
    return SyncResult(sent, len(received.applied), len(received.held))


def sync_due() -> dict[str, str]:
    """The scheduled sync: every peer with an address whose back-off has passed; {peer: outcome}."""
    if services.this_node() is None:
        return {}
    now = timezone.now()
    out = {}
    for peer in Peer.objects.exclude(url="").order_by("name"):
        if peer.retry_after is not None and peer.retry_after > now:
            out[peer.name] = f"waiting until {peer.retry_after:%H:%M:%S} after {peer.failures} failure(s)"
            continue
        try:
            result = sync(peer)
            out[peer.name] = f"sent {result.sent}, applied {result.applied}"
        except DomainError as exc:
            log.warning("federation: sync with %s failed: %s", peer.name, exc)
            out[peer.name] = f"failed: {exc}"
    return out
