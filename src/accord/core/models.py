"""Cross-cutting models: the base every domain record inherits, the audit chain, the journal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.core.ids import new_uid

if TYPE_CHECKING:
    from accord.core.validation import Rows


class Visibility(models.TextChoices):
    INTERNAL = "internal", _("Internal (own party only)")
    BILATERAL = "bilateral", _("Bilateral (the parties of the agreement)")
    PUBLIC = "public", _("Public (the portal)")


class AccordModel(models.Model):
    """Base of every domain record: a global id, a version for optimistic locking, timestamps.

    Every concrete subclass is audited: it is written only through services that append to the
    change chain, and `accord verify` checks its rows against that chain.
    """

    uid = models.UUIDField(_("global id"), default=new_uid, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Demo records invented to make the seed programme feel alive (the seed names no project titles).
    is_illustrative = models.BooleanField(_("illustrative"), default=False, editable=False)

    # The foreign keys to the records this one is a part of (a plan item: its plan and its project). It is
    # read only where each of them may be read too (core.visibility), and a new one made without its own
    # visibility or illustrative flag takes the first parent's (core.services.create).
    visibility_parents: ClassVar[tuple[str, ...]] = ()

    # What a kind declares for core's machinery, read through the app registry (core names no domain model):
    # - the lookup path from a record to its agreement ("plan__agreement"; "" for an agreement itself, None
    #   for kinds outside any agreement), which core.visibility and core.permissions follow;
    # - the columns full-text search finds it by (texts, localized texts, lists of texts; () for none), and texts
    #   of its parts as "<reverse relation>__<field>" ("positions__title");
    # - the columns History leaves out (sealed or encoded material nobody reads: a signing key's ciphertext).
    agreement_path: ClassVar[str | None] = None
    # - the lookup path to the party whose side a record outside any agreement is on, when it has no owner_party
    #   ("party" for an organisation, "" for a party itself; None: none), which core.permissions follows;
    party_path: ClassVar[str | None] = None
    search_fields: ClassVar[tuple[str, ...]] = ()
    history_hidden: ClassVar[tuple[str, ...]] = ()

    class Meta:
        abstract = True


class ExternallyKnown(models.Model):
    """A record that may come from another system: its key there, so a re-import updates instead of duplicating.

    Keys are namespaced by their source ("cordis-project:101000001", "fcdo:12345"); empty (NULL) when
    the record was made in Accord. Unique per table, so an upsert is one indexed lookup.
    """

    external_id = models.CharField(
        _("external id"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("The record's key in the system it was imported from."),
    )

    class Meta:
        abstract = True


class PartyOwned(AccordModel):
    """A record that belongs to one party's side, with the visibility that party chose for it."""

    owner_party = models.ForeignKey(
        "directory.Party",
        verbose_name=_("owning party"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The party whose side this is; empty for records both parties share."),
    )
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.BILATERAL
    )

    # A condition on the record's own fields without which it is at most bilateral (a review until published).
    public_only_when: ClassVar[models.Q | None] = None

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.visibility == Visibility.INTERNAL and not self.owner_party_id:
            raise ValidationError({"owner_party": ["an internal record must name the party it is internal to"]})

    @classmethod
    def clean_rows(cls, rows: Rows, indexes: Sequence[int]) -> set[int]:
        """clean() over new records given as columns (core.validation.validate_rows), the records at `indexes`:
        those it may refuse or change otherwise, for clean() to see one by one; what it changes in the others,
        changed in `rows`. A subclass that overrides clean() overrides this with it (else clean() sees each)."""
        visibility, owner = rows["visibility"], rows["owner_party_id"]
        return {i for i in indexes if visibility[i] == Visibility.INTERNAL and not owner[i]}


class ChangeRecord(models.Model):
    """One entry of the audit chain: who changed what, from which request or job, before and after.

    Entries are append-only and hash-chained: each hash covers the entry's content and the previous
    entry's hash, so an edit, deletion or insertion behind the application's back breaks the chain.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("updated")
        DELETE = "delete", _("deleted")

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(_("actor"), max_length=200)  # frozen: survives renaming or deleting the user
    request_id = models.CharField(_("request or job"), max_length=64, blank=True)  # the server's own id
    # The X-Request-ID the client sent, if it was a well-formed id (core.middleware): for finding a change from
    # the client's logs. The client's claim, so not covered by the hash, and never in place of request_id.
    client_request_id = models.CharField(
        _("client's request id"),
        max_length=64,
        blank=True,
        default="",
        validators=[RegexValidator(r"^[A-Za-z0-9._:-]{0,64}$", "a request id is letters, digits and . _ : -")],
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    object_type = models.CharField(max_length=100)  # "app_label.model"
    object_id = models.CharField(max_length=64)
    object_uid = models.UUIDField(null=True, blank=True)
    object_version = models.PositiveIntegerField(null=True, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    # The parent the change belongs to (a plan item's plan), so it shows in the parent's history.
    related_type = models.CharField(max_length=100, blank=True)
    related_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)  # no index: the chain is walked by id, and each index costs every write

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="changerecord_object_idx"),
            models.Index(fields=["related_type", "related_id"], name="changerecord_related_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.action} {self.object_type}:{self.object_id} by {self.actor_name}"

    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        skip = {"version", "updated_at"}
        return sorted(k for k in set(before) | set(after) if k not in skip and before.get(k) != after.get(k))


class JournalEntry(PartyOwned):
    """A person's dated note on any record ("phoned the institute; samples delayed at customs").

    Kept apart from the machine audit trail: it is what people say, not what the system did.
    """

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.CharField(max_length=64)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    author_name = models.CharField(_("author"), max_length=200)
    occurred_on = models.DateField(_("date"))
    text = models.TextField(_("note"))
    # Notes are internal to the writer's party unless they choose to share them.
    visibility = models.CharField(
        _("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )

    class Meta:
        verbose_name = _("journal entry")
        ordering = ["-occurred_on", "-id"]
        verbose_name_plural = _("journal entries")
        indexes = [models.Index(fields=["target_type", "target_id"], name="journal_target_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.author_name}: {self.text[:60]}"


class SearchEntry(models.Model):
    """One searchable record: its normalised text in every language, and the short grams for 1-2 character queries.

    Deliberately not an AccordModel: it is not audited and `accord verify` does not walk it.
    """

    id = models.BigAutoField(primary_key=True)
    model = models.CharField(max_length=64)  # "programmes.project"
    object_id = models.BigIntegerField()
    body = models.TextField()  # every language and code, NFKC + casefold, one per line
    grams = models.TextField()  # space-separated padded 1-2 character grams (see core.search.grams)

    class Meta:
        db_table = "search_entry"
        constraints = [models.UniqueConstraint(fields=["model", "object_id"], name="search_entry_unique_object")]

    def __str__(self) -> str:
        return f"{self.model}:{self.object_id}"


class VerifyCheckpoint(models.Model):
    """ "Verified through entry N, whose hash was H, at T": where the next `accord verify` starts.

    Signed (an HMAC under the installation's SECRET_KEY, which lives in the data dir, not the database), so a
    checkpoint cannot be written by someone who can only write the database. Not audited: it records a check
    of the chain, not a change to the record.
    """

    through = models.BigIntegerField()  # the last change record id verified
    head = models.CharField(max_length=64)  # that entry's hash when it was verified
    entries = models.BigIntegerField()  # entries in the chain through it
    at = models.DateTimeField()
    signature = models.CharField(max_length=64)

    objects: models.Manager[VerifyCheckpoint] = models.Manager()

    class Meta:
        ordering = ["through"]

    def __str__(self) -> str:
        return f"verified through #{self.through} ({self.head[:12]}) at {self.at:%Y-%m-%d %H:%M}"
