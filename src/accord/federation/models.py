"""Federation's own state: this installation's node, the peers it trusts, the messages numbered for each; where a
record received from a peer came from, and conflicts on shared records.

The transport's rows are not audited records: they are its bookkeeping (what was numbered, sent, received,
acknowledged), written by accord.federation.services only. The changes they carry are audited where they are
applied, by the domain's services. Conflicts are audited records (decided by accord.federation.conflicts).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.core.models import PartyOwned


class Node(models.Model):
    """This installation as a node acting for one party (at most one row; none: "hosted" mode).

    The private key is not here: it lives in the data dir (`node_key`, mode 600), as the secret key does.
    """

    party = models.CharField(_("party"), max_length=16)  # the party's code (ISO 3166 or historical, e.g. SU)
    node_id = models.CharField(_("node id"), max_length=32, unique=True)  # derived from the public key
    public_key = models.CharField(_("public key"), max_length=64)  # raw Ed25519, base64
    url = models.CharField(_("address"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")

    def __str__(self) -> str:
        return f"{self.party} node {self.node_id}"


class Peer(models.Model):
    """Another party's node this one trusts (its key's fingerprint compared out of band), and where the two stand."""

    name = models.CharField(_("name"), max_length=64, unique=True)
    party = models.CharField(_("party"), max_length=16)
    node_id = models.CharField(_("node id"), max_length=32, unique=True)
    public_key = models.CharField(_("public key"), max_length=64)
    url = models.CharField(_("address"), max_length=300, blank=True)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    # Outgoing: the last sequence number given to a message for this peer, and the last entry of our chain
    # offered to protocol.outgoing_changes (both advanced in the transaction that writes the messages).
    out_seq = models.PositiveBigIntegerField(default=0)
    out_cursor = models.PositiveBigIntegerField(default=0)
    # Incoming: the last sequence number of this peer's messages applied here.
    in_seq = models.PositiveBigIntegerField(default=0)
    # Recovery of a node restored from an older backup. Ours: the peer holds our messages lost_from..lost_through,
    # which our backup did not; we asked it to return them (nothing new is numbered for it meanwhile), and
    # lost_head is the head of our lost history it acknowledged (not witnessed: our chain never holds it again).
    # Its: the peer asked us to return its messages from return_from (its ack's "return_from").
    lost_from = models.PositiveBigIntegerField(null=True, blank=True)
    lost_through = models.PositiveBigIntegerField(null=True, blank=True)
    lost_head = models.CharField(max_length=100, blank=True)
    return_from = models.PositiveBigIntegerField(null=True, blank=True)
    # The peer's chain head as it last told us (witnessing): its change record id and hash.
    head_entry = models.PositiveBigIntegerField(null=True, blank=True)
    head_hash = models.CharField(max_length=64, blank=True)
    head_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    last_received_at = models.DateTimeField(_("last received"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    # Push back-off: failures in a row, and not before when the scheduled sync tries again.
    failures = models.PositiveIntegerField(default=0)
    retry_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("peer")
        verbose_name_plural = _("peers")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.party})"


class OutMessage(models.Model):
    """A signed message for a peer, numbered in its sequence; `acked_at` once the peer said it applied it."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="outbox")
    seq = models.PositiveBigIntegerField()
    envelope = models.TextField()  # the signed message, canonical JSON (RFC 8785), exactly as it travels
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)  # last handed to the peer (pushed, pulled or exported)
    acked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "seq"], name="federation_outmessage_peer_seq")]
        indexes = [models.Index(fields=["peer", "acked_at", "seq"], name="federation_out_waiting")]

    def __str__(self) -> str:
        return f"#{self.seq} to {self.peer_id}"


class InMessage(models.Model):
    """A peer's message applied here (its digest: a later copy of the same message is a duplicate, not applied
    again; a different message under the same number is refused)."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="inbox")
    seq = models.PositiveBigIntegerField()
    digest = models.CharField(max_length=64)  # sha256 of the envelope's canonical bytes
    entry = models.BigIntegerField(null=True, blank=True)  # the sender's change record id it carried
    # The signed message exactly as applied (canonical JSON): returned to its sender if it is restored from an
    # older backup (blank for messages applied before it was kept).
    envelope = models.TextField(blank=True, default="")
    applied_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "seq"], name="federation_inmessage_peer_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} from {self.peer_id}"


class HeldMessage(models.Model):
    """A peer's message that arrived ahead of one still missing: kept, unapplied, until the gap is filled."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="held")
    seq = models.PositiveBigIntegerField()
    envelope = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "seq"], name="federation_heldmessage_peer_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} from {self.peer_id} (held)"


class AckedHead(models.Model):
    """A head of our own chain a peer acknowledged holding: `accord verify` checks our chain still has it."""

    peer = models.ForeignKey(Peer, on_delete=models.CASCADE, related_name="acked_heads")
    entry = models.PositiveBigIntegerField()
    hash = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["peer", "entry", "hash"], name="federation_ackedhead_unique")]

    def __str__(self) -> str:
        return f"#{self.entry} {self.hash[:12]} acknowledged by {self.peer_id}"


class Refusal(models.Model):
    """Something a peer (or someone claiming to be one) sent that was refused, and why: shown to administrators."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    peer = models.ForeignKey(Peer, null=True, blank=True, on_delete=models.SET_NULL, related_name="refusals")
    sender = models.CharField(_("sender"), max_length=64, blank=True)  # the node id it claimed, when known
    channel = models.CharField(_("channel"), max_length=16)  # http, file
    seq = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reason}"


class ReceivedRecord(models.Model):
    """A record kept by another party's node, as last received from it: which node, when, at which of its entries.

    Bookkeeping of the transport's deliveries, not a change to the record (the change itself is in the audit
    chain, made by the peer's actor), so not audited. One row per record (kind and global id).
    """

    object_type = models.CharField(max_length=100)  # "app_label.model"
    object_uid = models.UUIDField()
    party = models.ForeignKey("directory.Party", on_delete=models.PROTECT, related_name="+")  # the sender's side
    peer_name = models.CharField(_("peer"), max_length=100)
    received_at = models.DateTimeField(_("last received"))
    remote_entry = models.BigIntegerField(_("entry on the sending node"))
    version = models.PositiveIntegerField(_("version received"))
    deleted = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("received record")
        verbose_name_plural = _("received records")
        constraints = [
            models.UniqueConstraint(fields=["object_type", "object_uid"], name="receivedrecord_one_per_record")
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_uid} from {self.peer_name}"


class Conflict(PartyOwned):
    """A change to a shared record that arrived against another version than ours: not applied, to be decided.

    Kept by the side that found it (owner_party) and shared with the other (it travels like any bilateral
    record), so both see it; that side's coordinators keep ours or take theirs, and the decision travels too.
    """

    agreement_path = "agreement"  # core.visibility: how it reaches its agreement

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        KEPT_OURS = "kept_ours", _("Kept ours")
        TOOK_THEIRS = "took_theirs", _("Took theirs")

    agreement = models.ForeignKey(
        "agreements.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_type = models.CharField(_("kind of record"), max_length=100)
    object_uid = models.UUIDField(_("record"))
    object_repr = models.CharField(_("record"), max_length=300, blank=True)
    from_party = models.ForeignKey(
        "directory.Party", verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    base_version = models.PositiveIntegerField(_("their base version"))
    ours_version = models.PositiveIntegerField(_("our version"))
    theirs_version = models.PositiveIntegerField(_("their version"))
    theirs = models.JSONField(_("their fields"), default=dict)  # foreign keys as global ids, as the change carried
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.CharField(_("resolved by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ["-id"]

    def __str__(self) -> str:
        return _("conflict on %(record)s (v%(ours)s here, v%(theirs)s from %(party)s)") % {
            "record": self.object_repr or self.object_uid,
            "ours": self.ours_version,
            "theirs": self.theirs_version,
            "party": self.from_party.code,
        }
