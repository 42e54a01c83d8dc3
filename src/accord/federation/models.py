"""What the content half keeps: where a record received from a peer came from, and conflicts on shared records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.core.models import PartyOwned


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
