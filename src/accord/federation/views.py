"""The federation's HTTP endpoints (/federation/v1/) and the administrators' peers page (/federation/).

The endpoints are thin: authenticate the signed request (a trusted peer's key, a fresh timestamp), then call
the same services the CLI and files use. Every refusal answers JSON with a code and a message, never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accord.core.errors import DomainError
from accord.federation import envelope, services
from accord.federation.models import Peer, Refusal
from accord.federation.transport import PULL_PATH, PUSH_PATH, RESEND_PATH
from accord.signing.crypto import signature_holds

# --- the endpoints -----------------------------------------------------------------------------------------


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message}, status=status)


def _signed(obj: dict[str, Any]) -> HttpResponse:
    data = envelope.canonical(envelope.signed(services.node_key(), obj))
    return HttpResponse(data, content_type="application/json")


def _authenticated(path: str, handler: Callable[[HttpRequest, Peer, bytes], HttpResponse]) -> Callable[..., Any]:
    """A POST endpoint whose request must be signed by a trusted peer's node, with a fresh timestamp."""

    @csrf_exempt
    @require_POST
    def view(request: HttpRequest) -> HttpResponse:
        if services.this_node() is None:
            return _error(404, "not-a-node", "this installation is not a federation node")
        try:
            body = request.body
        except RequestDataTooBig:
            return _error(413, "too-large", "the request is larger than this node accepts")
        sender = request.headers.get("Accord-Node", "")[:64]
        stamp = request.headers.get("Accord-Timestamp", "")
        signature = request.headers.get("Accord-Signature", "")
        peer = Peer.objects.filter(node_id=sender).first() if sender else None
        if peer is None:
            services.refuse(
                f"a request to {path} from node {sender or '(none)'}, whose key is not a trusted peer's",
                channel="http",
                sender=sender,
            )
            return _error(403, "unknown-node", "this node does not trust the sender's key")
        if not envelope.fresh(stamp):
            services.refuse(
                f"a request to {path} with a stale or missing timestamp ({stamp[:20] or 'none'})",
                channel="http",
                peer=peer,
                sender=sender,
            )
            return _error(403, "stale", f"the timestamp must be within {envelope.MAX_SKEW_SECONDS} s of our clock")
        if not signature_holds(peer.public_key, signature, envelope.request_text("POST", path, stamp, body)):
            services.refuse(
                f"a request to {path} whose signature does not hold", channel="http", peer=peer, sender=sender
            )
            return _error(403, "bad-signature", "the request's signature does not hold for the sender's key")
        try:
            return handler(request, peer, body)
        except services.Refused as exc:
            return _error(422, exc.code, str(exc))
        except envelope.Malformed as exc:
            services.refuse(f"malformed request to {path}: {exc}", channel="http", peer=peer, sender=sender)
            return _error(422, "malformed", str(exc))
        except DomainError as exc:
            return _error(409, exc.code, str(exc))

    return view


def _ack(peer: Peer, **extra: Any) -> HttpResponse:
    node = services.require_node()
    return _signed(
        {
            "protocol": envelope.PROTOCOL,
            "type": "ack",
            "from": node.node_id,
            "to": peer.node_id,
            "ack": services.ack_for(peer),
            **extra,
        }
    )


def _push(request: HttpRequest, peer: Peer, body: bytes) -> HttpResponse:
    try:
        got = services.receive_batch(body, channel="http")
    except services.Refused as exc:
        return _ack(peer, applied=0, duplicates=0, held=[], refused=str(exc))
    return _ack(peer, applied=len(got.applied), duplicates=got.duplicates, held=got.held, refused=None)


def _number(body: bytes, name: str) -> int:
    obj = envelope.parse_json(body, strict=False)
    value = obj.get(name)
    if not isinstance(value, int) or value < 0:
        raise envelope.Malformed(f"{name} must be a whole number")
    return value


def _pull(request: HttpRequest, peer: Peer, body: bytes) -> HttpResponse:
    after = _number(body, "after")
    services.prepare_outbox(peer)
    peer.refresh_from_db()
    messages_ = services.waiting_messages(peer, after=after)
    data = services.make_batch(peer, messages_)
    services.mark_sent(peer, messages_)
    return HttpResponse(data, content_type="application/json")


def _resend(request: HttpRequest, peer: Peer, body: bytes) -> HttpResponse:
    start = _number(body, "from")
    with transaction.atomic():
        resent = services.resend_from(peer, max(start, 1))
    return _ack(peer, resent=resent)


push = _authenticated(PUSH_PATH, _push)
pull = _authenticated(PULL_PATH, _pull)
resend = _authenticated(RESEND_PATH, _resend)


@csrf_exempt
@require_http_methods(["GET"])
def node(request: HttpRequest) -> HttpResponse:
    """Who this node is (public: what an operator compares the fingerprint of before trusting it)."""
    this = services.this_node()
    if this is None:
        return _error(404, "not-a-node", "this installation is not a federation node")
    return JsonResponse(services.describe_node(this))


# --- the administrators' page ------------------------------------------------------------------------------


def _administrator(request: HttpRequest) -> None:
    if not (request.user.is_authenticated and request.user.is_active and request.user.is_staff):
        raise PermissionDenied(_("Only administrators manage the federation's peers."))


@login_required
def peers(request: HttpRequest) -> HttpResponse:
    """This node, its peers and where each stands, the latest refusals; adding and removing peers."""
    _administrator(request)
    status = 200
    form = {"name": "", "url": "", "key": "", "party": ""}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add":
                form = {k: request.POST.get(k, "").strip() for k in form}
                with transaction.atomic():
                    peer = services.add_peer(form["name"], form["url"], form["key"], form["party"])
                messages.success(request, _("Peer %(name)s added.") % {"name": peer.name})
                return redirect("federation:peers")
            if action == "remove":
                with transaction.atomic():
                    services.remove_peer(request.POST.get("name", ""))
                messages.success(request, _("Peer removed: its key gets nothing from now on."))
                return redirect("federation:peers")
            status = 400
            messages.error(request, _("Unknown action."))
        except DomainError as exc:
            status = 422
            messages.error(request, str(exc))
    node = services.this_node()
    return render(
        request,
        "federation/peers.html",
        {
            "node": services.describe_node(node) if node else None,
            "states": services.peer_states(),
            "refusals": Refusal.objects.select_related("peer")[:50],
            "form": form,
        },
        status=status,
    )
