"""Agreements between parties, their authentic texts, and the signatures on signed things."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.core.localized import LocalizedTextField, normalize_tag
from accord.core.models import ExternallyKnown, PartyOwned
from accord.core.validation import Rows
from accord.core.validators import check_period, clean_language_list, raise_if
from accord.directory.models import Party, Person


class Agreement(ExternallyKnown, PartyOwned):
    """An agreement, protocol, memorandum or programme signed by two or more parties."""

    agreement_path = ""  # core.visibility: it is the agreement
    search_fields = ("title", "short_title", "reference")  # core.search: the texts it is found by

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        PROTOCOL = "protocol", _("Protocol")
        MEMORANDUM = "memorandum", _("Memorandum of understanding")
        PROGRAMME = "programme", _("Programme")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.AGREEMENT)
    title = LocalizedTextField(_("title"))
    short_title = LocalizedTextField(_("short title"), blank=True)
    reference = models.CharField(_("reference"), max_length=100, blank=True, help_text=_("Registry or treaty number."))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_at = LocalizedTextField(_("signed at"), blank=True)
    entry_into_force_on = models.DateField(_("entry into force"), null=True, blank=True)
    end_on = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    authentic_languages = models.JSONField(_("authentic languages"), default=list, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "agreement")
        verbose_name_plural = pgettext_lazy("record kind", "agreements")
        ordering = ["signed_on", "id"]
        # The order of every agreement list, and newest first of the home page and the lists' agreement filter (read
        # backwards): a page shows its first rows without sorting a national catalogue's tens of thousands.
        indexes = [models.Index(fields=["signed_on", "id"], name="agreement_signed_idx")]

    def __str__(self) -> str:
        return str(self.short_title) or str(self.title)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        check_period(errors, self.signed_on, self.entry_into_force_on, "entry_into_force_on", "signature date")
        check_period(errors, self.entry_into_force_on or self.signed_on, self.end_on, "end_on", "start of validity")
        try:
            self.authentic_languages = clean_language_list(self.authentic_languages, required=False)
        except ValidationError as exc:
            errors["authentic_languages"] = exc.messages
        if self.status in {self.Status.SIGNED, self.Status.IN_FORCE} and not self.signed_on:
            errors.setdefault("signed_on", []).append("a signed agreement needs its signature date")
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = ["an agreement cannot be its own parent"]
        raise_if(errors)

    @classmethod
    def clean_rows(cls, rows: Rows, indexes: Sequence[int]) -> set[int]:
        """clean() over new records (PartyOwned.clean_rows): a period it may refuse, a signed agreement without its
        date, and authentic languages it would refuse or rewrite (a tag not in its canonical form, one given twice,
        not a list of texts) are left to clean(); a new record has no id to be its own parent."""
        uncertain = super().clean_rows(rows, indexes)
        signed, in_force, end = rows["signed_on"], rows["entry_into_force_on"], rows["end_on"]
        status, languages = rows["status"], rows["authentic_languages"]
        signed_states = {cls.Status.SIGNED, cls.Status.IN_FORCE}
        canonical: dict[str, bool] = {}  # each distinct tag asked once per batch
        for i in indexes:
            start = in_force[i] or signed[i]
            if (
                (signed[i] and in_force[i] and in_force[i] < signed[i])
                or (start and end[i] and end[i] < start)
                or (status[i] in signed_states and not signed[i])
                or not _canonical_languages(languages[i], canonical)
            ):
                uncertain.add(i)
        return uncertain

    @property
    def valid_from(self) -> dt.date | None:
        return self.entry_into_force_on or self.signed_on

    def covers(self, start: dt.date | None, end: dt.date | None) -> bool:
        """Whether a period lies inside the agreement's validity (open ends allowed)."""
        lo, hi = self.valid_from, self.end_on
        return not ((lo and start and start < lo) or (hi and end and end > hi))

    def party_ids(self) -> set[int]:
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("agreement_parties")
        if prefetched is not None:  # read with the agreement: a batch of its parts validated at once
            return {ap.party_id for ap in prefetched}
        return set(self.agreement_parties.values_list("party_id", flat=True))


def _canonical_languages(value: object, known: dict[str, bool]) -> bool:
    """Whether clean_language_list(value, required=False) returns the same list: texts, each a tag in its
    canonical form, none twice. `known` remembers each tag's answer."""
    if type(value) is not list or not all(type(tag) is str for tag in value) or len(set(value)) != len(value):
        return False
    for tag in value:
        if tag not in known:
            try:
                known[tag] = normalize_tag(tag) == tag
            except ValueError:
                known[tag] = False
        if not known[tag]:
            return False
    return True


class AgreementParty(PartyOwned):
    """A party to an agreement, with its role and its place in the order of sides (A, B, ...)."""

    page_parent = "agreement"  # core.pages: shown on its agreement's page
    agreement_path = "agreement"  # core.visibility: how it reaches its agreement

    class Role(models.TextChoices):
        PARTY = "party", _("Party")
        SIGNATORY = "signatory", _("Signatory party")
        ASSOCIATE = "associate", _("Associated party")
        OBSERVER = "observer", _("Observer")

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="agreement_parties")
    visibility_parents = ("agreement",)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="agreement_roles")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.SIGNATORY)
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    represented_by = LocalizedTextField(
        _("represented by"), blank=True, help_text=_("e.g. 'the Government of the People's Republic of China'")
    )

    class Meta:
        verbose_name = _("party to the agreement")
        ordering = ["agreement", "position"]
        verbose_name_plural = _("agreement parties")
        constraints = [models.UniqueConstraint(fields=["agreement", "party"], name="agreementparty_unique")]

    def __str__(self) -> str:
        return f"{self.party} ({self.get_role_display()})"


class AuthenticText(PartyOwned):
    """One language version of an agreement's text; each authentic version is equally binding."""

    agreement_path = "agreement"  # core.visibility: how it reaches its agreement

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="texts")
    visibility_parents = ("agreement",)
    language = models.CharField(_("language"), max_length=35)
    title = models.CharField(_("title"), max_length=500, blank=True)
    body = models.TextField(_("text"), blank=True)
    file = models.FileField(_("file"), upload_to="agreements/texts/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True, editable=False)
    is_authentic = models.BooleanField(_("authentic"), default=True)

    class Meta:
        verbose_name = _("authentic text")
        verbose_name_plural = _("authentic texts")
        ordering = ["agreement", "language"]
        constraints = [models.UniqueConstraint(fields=["agreement", "language"], name="authentictext_unique_language")]

    def __str__(self) -> str:
        return f"{self.agreement} [{self.language}]"

    def clean(self) -> None:
        super().clean()
        try:
            self.language = clean_language_list([self.language])[0]
        except ValidationError as exc:
            raise ValidationError({"language": exc.messages}) from None
        if not self.body and not self.file:
            raise ValidationError({"body": ["give the text or attach the file"]})


class Signature(PartyOwned):
    """Who signed which exact version of what, for which party, when and where.

    Only the record here; the cryptographic signature (Ed25519 over canonical JSON) is added by the
    signing service, which fills `content_hash`, `signature` and `public_key`.
    """

    target_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of signed record"), on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(_("signed record"))
    target = GenericForeignKey("target_type", "target_id")  # no column: how History names the signed record
    target_version = models.PositiveIntegerField(_("signed version"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="signatures")
    # Historical records may know that a party signed but not who or when: both may then be empty.
    signatory = models.ForeignKey(
        Person, verbose_name=_("signatory"), null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    capacity = LocalizedTextField(_("signed as"), blank=True, help_text=_("The position the signatory held."))
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_at = LocalizedTextField(_("signed at"), blank=True)
    content_hash = models.CharField(_("content hash"), max_length=64, blank=True)
    signature = models.TextField(_("signature"), blank=True)
    public_key = models.TextField(_("public key"), blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_on", "id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="signature_target_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "target_version", "party"], name="signature_one_per_party"
            )
        ]

    def __str__(self) -> str:
        who = str(self.signatory) if self.signatory_id else _("(signatory not recorded)")
        day = str(self.signed_on) if self.signed_on else _("(date not recorded)")
        return _("%(who)s for %(party)s on %(day)s") % {"who": who, "party": self.party, "day": day}
