"""The transport's rules: the node, its peers, numbering messages, receiving them in order, witnessing heads.

Every channel (the CLI, the pages, the HTTP endpoints, files, the scheduled job) calls these. A message is
applied (protocol.apply_change) and the peer's received sequence advanced in one transaction; messages are
numbered (protocol.outgoing_changes) and the peer's cursor advanced in one transaction: a process killed in
between leaves either all of it or none.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accord.core.actor import Actor, acting_as
from accord.core.audit import GENESIS
from accord.core.errors import DomainError
from accord.core.models import ChangeRecord
from accord.federation import envelope, protocol
from accord.federation.envelope import Malformed
from accord.federation.models import (
    AckedHead,
    HeldMessage,
    InMessage,
    Node,
    OutMessage,
    Peer,
    ReceivedRecord,
    Refusal,
)
from accord.signing.crypto import fingerprint, unb64

log = logging.getLogger("accord.federation")

PARTY_CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
PEER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# Changes asked of protocol.outgoing_changes at a time, and messages (and bytes) put in one batch.
CHANGES_AT_ONCE = 500
BATCH_MESSAGES = 500
BATCH_BYTES = 4 * 1024 * 1024


class Refused(DomainError):
    """What a peer sent was refused (the reason is logged and shown on the peers page); nothing was applied."""

    code = "refused"


# --- the node ----------------------------------------------------------------------------------------------


def this_node() -> Node | None:
    """This installation's node, or None: "hosted" mode, both sides in one installation, nothing travels."""
    return Node.objects.first()


def require_node() -> Node:
    node = this_node()
    if node is None:
        raise DomainError("this installation is not a node: run `accord node init --party CODE` first", code="no-node")
    return node


def node_key() -> Any:
    try:
        return envelope.load_key(settings.DATA_DIR)
    except FileNotFoundError:
        raise DomainError(
            f"the node key {settings.DATA_DIR / envelope.KEY_FILE} is missing: restore it from the backup of the "
            "data dir (a new key is a new node, which every peer must trust again)",
            code="no-node-key",
        ) from None
    except ValueError as exc:
        raise DomainError(f"the node key {settings.DATA_DIR / envelope.KEY_FILE} is unreadable: {exc}") from None


def init_node(party: str, url: str = "") -> Node:
    """Give this installation its node identity, acting for `party` (a key in the data dir, the row here)."""
    code = (party or "").strip().upper()
    if not PARTY_CODE.match(code):
        raise DomainError("a party code is 2-16 capital letters, digits or hyphens (CN, SU)", field="party")
    url = _clean_url(url)
    if this_node() is not None:
        raise DomainError("this installation is already a node (`accord node show`)", code="exists")
    if (settings.DATA_DIR / envelope.KEY_FILE).exists():
        raise DomainError(
            f"{settings.DATA_DIR / envelope.KEY_FILE} exists but no node is recorded: move it away first "
            "(it may be the key of a node restored without its database)",
            code="exists",
        )
    public = envelope.new_key_file(settings.DATA_DIR)
    return Node.objects.create(party=code, node_id=envelope.node_id_of(public), public_key=public, url=url)


def describe_node(node: Node) -> dict[str, Any]:
    return {
        "party": node.party,
        "node_id": node.node_id,
        "public_key": node.public_key,
        "fingerprint": fingerprint(node.public_key),
        "url": node.url,
    }


def _clean_url(url: str) -> str:
    url = (url or "").strip().rstrip("/")
    if url and not re.match(r"^https?://[^\s/]+(/\S*)?$", url):
        raise DomainError("an address is http://host[:port] or https://host[:port]", field="url")
    return url


# --- peers -------------------------------------------------------------------------------------------------


def add_peer(name: str, url: str, key: str, party: str = "") -> Peer:
    """Trust the node holding `key` as peer `name`. The party it acts for: given, or asked of its address
    (GET /federation/v1/node, which must answer with the same key)."""
    node = require_node()
    name = (name or "").strip()
    if not PEER_NAME.match(name):
        raise DomainError("a peer's name is letters, digits, '.', '_' or '-' (at most 64)", field="name")
    key = (key or "").strip()
    try:
        unb64(key, length=32)
    except ValueError as exc:
        raise DomainError(f"not an Ed25519 public key in base64: {exc}", field="key") from None
    node_id = envelope.node_id_of(key)
    if node_id == node.node_id:
        raise DomainError("that is this node's own key", field="key")
    url = _clean_url(url)
    code = (party or "").strip().upper()
    if not code:
        if not url:
            raise DomainError("give the party the peer acts for (--party) or its address to ask it", field="party")
        from accord.federation.transport import fetch_node  # the HTTP client: asks the peer who it is

        info = fetch_node(url)
        if info.get("public_key") != key:
            raise DomainError(f"{url} answers with another key than the one given: not added", field="key")
        code = str(info.get("party", "")).upper()
    if not PARTY_CODE.match(code):
        raise DomainError("a party code is 2-16 capital letters, digits or hyphens (CN, SU)", field="party")
    if code == node.party:
        raise DomainError(f"this node acts for {code} itself; a peer acts for another party", field="party")
    if Peer.objects.filter(name=name).exists():
        raise DomainError(f"there is a peer named {name} already", field="name", code="exists")
    if Peer.objects.filter(node_id=node_id).exists():
        raise DomainError("that key is trusted already, under another name", field="key", code="exists")
    return Peer.objects.create(name=name, url=url, public_key=key, node_id=node_id, party=code)


def remove_peer(name: str) -> None:
    """Stop trusting a peer: its key gets nothing from now on; its messages and witnessed heads go with it."""
    deleted, _ = Peer.objects.filter(name=name).delete()
    if not deleted:
        raise DomainError(f"no peer named {name}", field="name", code="not-found")


def get_peer(name: str) -> Peer:
    peer = Peer.objects.filter(name=name).first()
    if peer is None:
        known = ", ".join(Peer.objects.values_list("name", flat=True)) or "none"
        raise DomainError(f"no peer named {name} (peers: {known})", field="peer", code="not-found")
    return peer


@dataclass
class PeerState:
    peer: Peer
    waiting: int  # our messages the peer has not acknowledged
    held: int  # its messages kept here until a missing one arrives
    last_sent_seq: int  # the highest of ours it acknowledged

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.peer.public_key)


def peer_states() -> list[PeerState]:
    out = []
    for peer in Peer.objects.order_by("name"):
        acked = peer.outbox.filter(acked_at__isnull=False).order_by("-seq").values_list("seq", flat=True).first()
        out.append(
            PeerState(peer, peer.outbox.filter(acked_at__isnull=True).count(), peer.held.count(), int(acked or 0))
        )
    return out


# --- chain heads -------------------------------------------------------------------------------------------


def current_head() -> dict[str, Any]:
    """Our chain's newest entry as {"entry": id, "hash": hash} (entry 0 and the genesis hash when empty)."""
    row = ChangeRecord.objects.order_by("-pk").values_list("pk", "hash").first()
    return {"entry": int(row[0]), "hash": row[1]} if row else {"entry": 0, "hash": GENESIS}


def _note_error(peer: Peer, reason: str) -> None:
    Peer.objects.filter(pk=peer.pk).update(last_error=reason[:500], last_error_at=timezone.now())
    peer.last_error = reason[:500]


def take_ack(peer: Peer, ack: dict[str, Any]) -> None:
    """What the peer says it holds of ours: messages through `seq` (later ones, acknowledged before, are sent
    again: a peer restored from an older backup), and our chain head it last received (witnessed).

    More of ours than we numbered: this node was restored from an older backup (recovery, docs/federation.md):
    we ask the peer to return them and number nothing new for it until they are back. Its `return_from`: the
    peer lost its own messages and asks us to return them (kept until an acknowledgement without it)."""
    now = timezone.now()
    return_from = ack.get("return_from")
    return_from = return_from if isinstance(return_from, int) and return_from >= 1 else None
    if return_from != peer.return_from:
        Peer.objects.filter(pk=peer.pk).update(return_from=return_from)
        peer.return_from = return_from
    through = ack["seq"]
    if peer.lost_from is None and ack["seq"] > peer.out_seq:
        _start_recovery(peer, ack["seq"])
    if peer.lost_from is not None:
        through = min(through, peer.lost_from - 1)  # ours numbered after the restore collide: not acknowledged
        if ack["seq"] > (peer.lost_through or 0):
            Peer.objects.filter(pk=peer.pk).update(lost_through=ack["seq"])
            peer.lost_through = ack["seq"]
    peer.outbox.filter(seq__lte=through, acked_at__isnull=True).update(acked_at=now)
    resent = peer.outbox.filter(seq__gt=ack["seq"], acked_at__isnull=False).update(acked_at=None)
    if resent:
        log.warning("peer %s holds our messages only through %s: %s sent again", peer.name, ack["seq"], resent)
    head = ack["head"]
    if head is None or head["entry"] == 0:
        return
    if peer.lost_head and peer.lost_head == _head_text(head):
        return  # the head of our history lost by the restore: our chain never holds it again
    ours = ChangeRecord.objects.filter(pk=head["entry"]).values_list("hash", flat=True).first()
    if ours != head["hash"] and peer.lost_from is not None:
        Peer.objects.filter(pk=peer.pk).update(lost_head=_head_text(head))
        peer.lost_head = _head_text(head)
        return
    AckedHead.objects.get_or_create(peer=peer, entry=head["entry"], hash=head["hash"])
    if ours != head["hash"]:
        now_is = "is gone" if ours is None else f"now has hash {ours[:12]}…"
        _note_error(
            peer,
            f"{peer.name} holds our chain head #{head['entry']} ({head['hash'][:12]}…), which our chain {now_is}: "
            "our history was truncated or rewritten (accord verify names it)",
        )


def _head_text(head: dict[str, Any]) -> str:
    return f"{head['entry']}:{head['hash']}"


def recovery_note(peer: Peer) -> str:
    """What the peers page and the peer's last error say while we wait for our lost messages."""
    return (
        f"{peer.name} holds our messages through {peer.lost_through}, we numbered through {peer.out_seq}: this node "
        f"was restored from an older backup; asking {peer.name} to return {peer.lost_from}–{peer.lost_through}"
    )


def _start_recovery(peer: Peer, through: int) -> None:
    """The peer applied our messages through `through`, more than we numbered: ask for them back from the first
    one it may hold that we do not know it applied (those we still hold are compared when they come back)."""
    first = peer.outbox.filter(acked_at__isnull=True).order_by("seq").values_list("seq", flat=True).first()
    peer.lost_from = int(first) if first is not None else peer.out_seq + 1
    peer.lost_through = through
    Peer.objects.filter(pk=peer.pk).update(lost_from=peer.lost_from, lost_through=through)
    log.warning("federation: %s", recovery_note(peer))
    _note_error(peer, recovery_note(peer))


def _take_head(peer: Peer, head: dict[str, Any]) -> None:
    if peer.head_entry is not None and head["entry"] < peer.head_entry:
        _note_error(
            peer,
            f"{peer.name}'s chain head went back from #{peer.head_entry} to #{head['entry']} "
            "(restored from a backup, or its history truncated)",
        )
    peer.head_entry, peer.head_hash, peer.head_at = head["entry"], head["hash"], timezone.now()


# --- outgoing ----------------------------------------------------------------------------------------------


def prepare_outbox(peer: Peer) -> int:
    """Number and sign, as messages for `peer`, the changes of our chain it may receive that have no message
    yet; the peer's cursor advances in the same transaction. Returns how many were made."""
    node = require_node()
    key = node_key()
    made = 0
    while True:
        with transaction.atomic():
            locked = Peer.objects.select_for_update().get(pk=peer.pk)
            if locked.lost_from is not None:
                break  # our numbering is behind the peer's: nothing new until our lost messages are back
            bodies = protocol.outgoing_changes(locked.party, locked.out_cursor, CHANGES_AT_ONCE)
            if not bodies:
                break
            head = current_head()
            rows = []
            for body in bodies:
                entry = body.get("entry") if isinstance(body, dict) else None
                if not isinstance(entry, int) or entry <= locked.out_cursor:
                    raise DomainError(f"a change to send has no entry after #{locked.out_cursor}: {entry!r}")
                locked.out_seq += 1
                message = envelope.make_message(key, node.node_id, locked.node_id, locked.out_seq, head, body)
                rows.append(OutMessage(peer=locked, seq=locked.out_seq, envelope=envelope.canonical(message).decode()))
                locked.out_cursor = entry
            OutMessage.objects.bulk_create(rows)
            locked.save(update_fields=["out_seq", "out_cursor"])
            made += len(rows)
        if len(bodies) < CHANGES_AT_ONCE:
            break
    peer.refresh_from_db()
    return made


def make_batch(peer: Peer, messages: list[OutMessage], *, returned_bytes: int | None = None) -> bytes:
    """A signed batch for `peer` of `messages` (in order), with our head and our acknowledgement of theirs; and,
    when the peer asked for them, its own messages it lost (all of them, or none when they pass `returned_bytes`:
    a push then leaves them to the pull's answer)."""
    node = require_node()
    returned = returned_messages(peer)
    if returned_bytes is not None and sum(len(m) for m in returned) > returned_bytes:
        returned = []
    batch = envelope.make_batch(
        node_key(),
        node.node_id,
        peer.node_id,
        current_head(),
        ack_for(peer),
        [envelope.parse_json(m.envelope.encode(), strict=False) for m in messages],
        returned=[envelope.parse_json(m.encode(), strict=False) for m in returned],
    )
    return envelope.canonical(batch)


def returned_messages(peer: Peer) -> list[str]:
    """The peer's own messages it asked us to return (restored from an older backup): from its `return_from`
    through the last applied here, exactly as it signed them; none if one of them was applied before messages
    were kept (the operators then agree what was lost: noted as the peer's last error)."""
    if peer.return_from is None or peer.return_from > peer.in_seq:
        return []
    rows = list(peer.inbox.filter(seq__gte=peer.return_from).order_by("seq").values_list("seq", "envelope"))
    seqs = [seq for seq, _e in rows]
    missing = [seq for seq, text in rows if not text]
    if seqs != list(range(peer.return_from, peer.in_seq + 1)) or missing:
        _note_error(
            peer,
            f"{peer.name} asks for its messages {peer.return_from}–{peer.in_seq} back, but this node did not keep "
            f"{'message ' + str(missing[0]) if missing else 'all of them'} (applied before messages were kept): "
            "agree with its operator what was lost",
        )
        return []
    return [text for _s, text in rows]


def waiting_messages(peer: Peer, *, after: int | None = None) -> list[OutMessage]:
    """The next messages to hand over, within one batch's limits: those after `after` (a pull, a resend), else
    those the peer has not acknowledged."""
    if peer.lost_from is not None:
        return []  # our numbering is behind the peer's: nothing until our lost messages are back
    rows = peer.outbox.order_by("seq")
    rows = rows.filter(seq__gt=after) if after is not None else rows.filter(acked_at__isnull=True)
    out: list[OutMessage] = []
    size = 0
    for m in rows[:BATCH_MESSAGES]:
        size += len(m.envelope)
        if out and size > BATCH_BYTES:
            break
        out.append(m)
    return out


def mark_sent(peer: Peer, messages: list[OutMessage]) -> None:
    now = timezone.now()
    if messages:
        OutMessage.objects.filter(pk__in=[m.pk for m in messages]).update(sent_at=now)
    Peer.objects.filter(pk=peer.pk).update(last_sent_at=now)


def export_outbox(peer: Peer) -> tuple[bytes, int]:
    """Every message the peer has not acknowledged, as one signed file (a batch); and how many it holds."""
    prepare_outbox(peer)
    peer.refresh_from_db()
    messages = [] if peer.lost_from is not None else list(peer.outbox.filter(acked_at__isnull=True).order_by("seq"))
    data = make_batch(peer, messages)
    mark_sent(peer, messages)
    return data + b"\n", len(messages)


# --- incoming ----------------------------------------------------------------------------------------------


@dataclass
class Received:
    peer: Peer
    applied: list[int] = field(default_factory=list)  # sequence numbers applied, in order
    duplicates: int = 0  # already applied before (the same message): skipped
    held: list[int] = field(default_factory=list)  # kept until the missing one arrives
    expected: int = 0  # the number that was missing, when some are held
    returned: int = 0  # our own lost messages the peer returned, applied again here


def refuse(reason: str, *, channel: str, peer: Peer | None = None, sender: str = "", seq: int | None = None) -> Refused:
    """Log a refusal (our log, the security log, the peers page) and return the error to raise."""
    from accord.accounts import security

    log.warning("federation: refused from %s over %s: %s", peer.name if peer else sender or "?", channel, reason)
    latest = Refusal.objects.filter(peer=peer, sender=sender[:64]).first()
    if latest is not None and latest.reason == reason[:500] and latest.seq == seq:
        Refusal.objects.filter(pk=latest.pk).update(at=timezone.now())  # the same again: one line, its latest time
    else:
        Refusal.objects.create(peer=peer, sender=sender[:64], channel=channel, seq=seq, reason=reason[:500])
    if peer is not None:
        _note_error(peer, reason)
    security.record(
        security.Kind.PERMISSION_REFUSED,
        account=f"peer:{peer.name}" if peer else f"node:{sender[:32]}",
        channel="federation",
        detail=reason,
    )
    return Refused(reason)


def receive_batch(data: bytes, *, channel: str, strict: bool = True) -> Received:
    """Check and apply a batch from a peer: all of it or nothing. Raises Refused (logged) on bad input.

    Order of the checks: the bytes (canonical JSON of a batch), the recipient (us), the sender (a peer's key),
    the batch's signature and each message's, then, in one transaction, each message's number: one already
    applied is a duplicate (skipped) if it is the same message and refused if not; the next one is applied;
    one after a gap is held, with those after it, until the gap is filled.
    """
    try:
        batch = envelope.check_batch(envelope.parse_json(data, strict=strict))
    except Malformed as exc:
        raise refuse(f"malformed: {exc}", channel=channel) from None
    node = this_node()
    if node is None:
        raise refuse("this installation is not a node", channel=channel, sender=str(batch["from"]))
    sender = batch["from"]
    if batch["to"] != node.node_id:
        raise refuse(f"addressed to node {batch['to'][:32]}, not this one", channel=channel, sender=sender)
    peer = Peer.objects.filter(node_id=sender).first()
    if peer is None:
        raise refuse(f"from node {sender[:32]}, whose key is not a trusted peer's", channel=channel, sender=sender)
    if not envelope.signature_ok(peer.public_key, batch):
        raise refuse(
            "the batch's signature does not hold (changed, or not signed by the peer)",
            channel=channel,
            peer=peer,
            sender=sender,
        )
    refused = {"channel": channel, "peer": peer, "sender": sender}
    _check_messages(batch["messages"], sender, node.node_id, peer.public_key, refused)
    # Those the peer returns to us (recovery) were ours: from us to it, signed by our own key.
    _check_messages(batch.get("returned", []), node.node_id, sender, node.public_key, refused, returned=True)
    try:
        with transaction.atomic():
            result = _receive_in_order(peer, batch)
    except _RefusedInside as exc:
        raise refuse(exc.reason, channel=channel, peer=peer, sender=sender, seq=exc.seq) from None
    if result.held:
        refuse(
            f"gap: message {result.expected} is missing; {len(result.held)} later message(s) held until it arrives "
            f"({result.held[0]}–{result.held[-1]})",
            channel=channel,
            peer=peer,
            sender=sender,
            seq=result.held[0],
        )
    return result


def _check_messages(
    messages: list[Any], frm: str, to: str, key: str, refused: dict[str, Any], *, returned: bool = False
) -> None:
    """Each of `messages` well formed, from `frm` to `to`, and signed by `key`; else refused, naming the message."""
    for m in messages:
        try:
            envelope.check_message(m, frm, to)
        except Malformed as exc:
            raise refuse(f"malformed: {'returned ' if returned else ''}{exc}", **refused) from None
        if not envelope.signature_ok(key, m):
            what = "returned message" if returned else "message"
            whose = " for this node's own key" if returned else ""
            raise refuse(f"{what} {m['seq']}: its signature does not hold{whose}", seq=m["seq"], **refused)


class _RefusedInside(Exception):
    def __init__(self, reason: str, seq: int | None) -> None:
        super().__init__(reason)
        self.reason, self.seq = reason, seq


def _receive_in_order(peer: Peer, batch: dict[str, Any]) -> Received:
    peer = Peer.objects.select_for_update().get(pk=peer.pk)
    result = Received(peer)
    take_ack(peer, batch["ack"])
    _take_head(peer, batch["head"])
    if batch.get("returned"):
        result.returned = _take_returned(peer, batch["returned"])
    pending: dict[int, tuple[dict[str, Any], str]] = {}
    for held in peer.held.all():
        message = envelope.parse_json(held.envelope.encode(), strict=False)
        pending[held.seq] = (message, held.envelope)
    for m in batch["messages"]:
        text = envelope.canonical(m).decode()
        seq = m["seq"]
        if seq <= peer.in_seq:
            prior = InMessage.objects.filter(peer=peer, seq=seq).values_list("digest", flat=True).first()
            if prior is not None and prior != envelope.digest(text.encode()):
                raise _RefusedInside(
                    f"message {seq}: another message under a number already applied (replayed or forged)", seq
                )
            result.duplicates += 1
            continue
        pending[seq] = (m, text)
    run: list[tuple[dict[str, Any], str]] = []
    while peer.in_seq + len(run) + 1 in pending:
        run.append(pending.pop(peer.in_seq + len(run) + 1))
    _apply(peer, run)
    result.applied.extend(m["seq"] for m, _t in run)
    peer.held.all().delete()
    if pending:
        HeldMessage.objects.bulk_create(HeldMessage(peer=peer, seq=s, envelope=t) for s, (_, t) in pending.items())
        result.held = sorted(pending)
        result.expected = peer.in_seq + 1
    peer.last_received_at = timezone.now()
    peer.save(update_fields=["in_seq", "head_entry", "head_hash", "head_at", "last_received_at"])
    return result


def _apply(peer: Peer, run: list[tuple[dict[str, Any], str]]) -> None:
    """Apply the messages that are next in order (together: protocol.apply_changes) and record each number."""
    if not run:
        return
    seqs = [m["seq"] for m, _t in run]
    request = f"federation:{peer.name}:{seqs[0]}" + (f"-{seqs[-1]}" if len(seqs) > 1 else "")
    try:
        with acting_as(Actor(None, f"peer:{peer.name}", request[:64], system=True)):
            protocol.apply_changes([m["body"] for m, _t in run], peer.party, peer.name)
    except protocol.ChangeRefused as exc:
        seq = seqs[exc.index] if exc.index is not None and 0 <= exc.index < len(seqs) else None
        where = f"message {seq}" if seq is not None else f"messages {seqs[0]}–{seqs[-1]}"
        raise _RefusedInside(f"{where}: {exc.reason}", seq) from None
    except DomainError as exc:  # a service refused it: the same as a refused change
        raise _RefusedInside(f"messages {seqs[0]}–{seqs[-1]}: refused by the domain: {exc}", seqs[0]) from None
    rows = []
    for message, text in run:
        entry = message["body"].get("entry") if isinstance(message["body"], dict) else None
        rows.append(
            InMessage(
                peer=peer,
                seq=message["seq"],
                digest=envelope.digest(text.encode()),
                entry=entry if isinstance(entry, int) else None,
                envelope=text,
            )
        )
    InMessage.objects.bulk_create(rows, batch_size=500)
    peer.in_seq = seqs[-1]


def ack_for(peer: Peer) -> dict[str, Any]:
    """Our acknowledgement to `peer`: its messages applied through seq, and its chain head we hold; and while we
    wait for our lost messages (restored from an older backup), return_from: the first of them."""
    peer.refresh_from_db()
    head = {"entry": peer.head_entry, "hash": peer.head_hash} if peer.head_entry is not None else None
    ack: dict[str, Any] = {"seq": peer.in_seq, "head": head}
    if peer.lost_from is not None:
        ack["return_from"] = peer.lost_from
    return ack


def _take_returned(peer: Peer, returned: list[dict[str, Any]]) -> int:
    """Our own messages the peer returns (signatures checked with our key by receive_batch): the run we asked
    for, lost_from through lost_through, each once. Those we still hold as they are were applied by it: now
    acknowledged. The others are lost here: their changes are applied again (protocol.apply_returned), their
    messages kept in our outbox as the peer holds them, and ours numbered after the restore under the same
    numbers are signed again after the last the peer holds. Returns how many were applied again; a copy of a run
    taken before (another file) applies nothing. Raises _RefusedInside (nothing applied) for any other run."""
    seqs = [m["seq"] for m in returned]
    texts = [envelope.canonical(m).decode() for m in returned]
    ours = dict(peer.outbox.filter(seq__in=seqs).values_list("seq", "envelope"))
    if peer.lost_from is None:
        if all(ours.get(seq) == text for seq, text in zip(seqs, texts, strict=True)):
            return 0  # returned before and taken: nothing lost any more
        raise _RefusedInside(f"returned messages {seqs[0]}–{seqs[-1]}: this node did not ask for them", seqs[0])
    if seqs != list(range(peer.lost_from, (peer.lost_through or 0) + 1)):
        raise _RefusedInside(
            f"returned messages {', '.join(map(str, seqs[:5]))}{'…' if len(seqs) > 5 else ''}: not the run "
            f"{peer.lost_from}–{peer.lost_through} this node asked for, each once (a gap, or more)",
            seqs[0],
        )
    lost = [(m, text) for m, text in zip(returned, texts, strict=True) if ours.get(m["seq"]) != text]
    displaced = list(peer.outbox.filter(seq__in=[m["seq"] for m, _t in lost]).order_by("seq"))
    now = timezone.now()
    if lost:
        first, last = lost[0][0]["seq"], lost[-1][0]["seq"]
        try:
            protocol.apply_returned([m["body"] for m, _t in lost], peer.name, peer.party)
        except protocol.ChangeRefused as exc:
            seq = lost[exc.index][0]["seq"] if exc.index is not None and 0 <= exc.index < len(lost) else first
            raise _RefusedInside(f"returned message {seq}: {exc.reason}", seq) from None
        except DomainError as exc:
            raise _RefusedInside(f"returned messages {first}–{last}: refused by the domain: {exc}", first) from None
        OutMessage.objects.filter(pk__in=[row.pk for row in displaced]).delete()
        OutMessage.objects.bulk_create(
            [OutMessage(peer=peer, seq=m["seq"], envelope=t, sent_at=now, acked_at=now) for m, t in lost],
            batch_size=500,
        )
    peer.outbox.filter(seq__lte=peer.lost_through, acked_at__isnull=True).update(acked_at=now)
    # Ours numbered after the restore: the same changes, signed again after the last number the peer holds.
    node = require_node()
    key = node_key()
    head = current_head()
    seq = peer.lost_through or 0
    again = []
    for row in displaced:
        seq += 1
        body = envelope.parse_json(row.envelope.encode(), strict=False)["body"]
        message = envelope.make_message(key, node.node_id, peer.node_id, seq, head, body)
        again.append(OutMessage(peer=peer, seq=seq, envelope=envelope.canonical(message).decode()))
    OutMessage.objects.bulk_create(again, batch_size=500)
    note = recovery_note(peer)
    log.warning(
        "federation: %s returned our messages %s–%s: %s applied again, %s of ours numbered again from %s",
        peer.name,
        peer.lost_from,
        peer.lost_through,
        len(lost),
        len(again),
        (peer.lost_through or 0) + 1,
    )
    peer.out_seq = seq
    peer.lost_from = peer.lost_through = None
    Peer.objects.filter(pk=peer.pk).update(out_seq=seq, lost_from=None, lost_through=None)
    Peer.objects.filter(pk=peer.pk, last_error=note[:500]).update(last_error="", last_error_at=None)
    if peer.last_error == note[:500]:
        peer.last_error = ""
    return len(lost)


def resend_from(peer: Peer, seq: int) -> int:
    """The peer (restored from an older backup) asks for our messages from `seq` again: they wait once more."""
    return peer.outbox.filter(seq__gte=seq, acked_at__isnull=False).update(acked_at=None)


# --- witnessing: accord verify -----------------------------------------------------------------------------


def check_acknowledged_heads(report: Any) -> None:
    """verify's check: every head of our chain a peer acknowledged is still in it, with the same hash."""
    from accord.core.verify import Problem

    for head in AckedHead.objects.select_related("peer").order_by("entry", "pk"):
        ours = ChangeRecord.objects.filter(pk=head.entry).values_list("hash", flat=True).first()
        if ours == head.hash:
            continue
        now_is = "is gone" if ours is None else f"now has hash {ours[:12]}…"
        report.problems.append(
            Problem(
                f"change record #{head.entry}",
                f"peer {head.peer.name} acknowledged it with hash {head.hash[:12]}…; it {now_is} "
                "(our history was truncated or rewritten after the peer witnessed it)",
            )
        )


def key_origins(uids: list[Any]) -> dict[Any, str]:
    """Signing keys received from a peer (their global ids → "received from peer su (the node of SU)"), for
    verify-bundle's account of why it trusts a key."""
    rows = ReceivedRecord.objects.filter(object_type="signing.signingkey", object_uid__in=uids).values_list(
        "object_uid", "peer_name", "party__code"
    )
    return {uid: f"received from peer {peer} (the node of {code})" for uid, peer, code in rows}
