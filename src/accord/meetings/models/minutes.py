"""Agreed minutes of a meeting: append-only revisions, each party's sign-off, then final and immutable."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.core.errors import TransitionRefused
from accord.core.localized import LocalizedTextField
from accord.core.models import AccordModel, PartyOwned
from accord.core.validators import raise_if
from accord.directory.models import Party, Person
from accord.meetings.models.meeting import Meeting


class Minutes(PartyOwned):
    """The minutes of one meeting, negotiated between the delegations until every party signs them off.

    The text lives in the revisions; this record points at the current one. Shared by the parties,
    so it has no owning party; its visibility follows the meeting's.
    """

    agreement_path = "meeting__agreement"  # core.visibility: how it reaches its agreement
    page_parent = "meeting"  # core.pages: read, amended and compared on its meeting's page

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes")
    visibility_parents = ("meeting",)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    # The number of the current revision: a save made from any other one is refused as stale.
    current_revision = models.PositiveIntegerField(_("current revision"), default=1)
    # The day the last party signed off: from then on nothing changes.
    finalised_on = models.DateField(_("final on"), null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        ordering = ["meeting", "id"]
        verbose_name_plural = _("minutes")
        constraints = [models.UniqueConstraint(fields=["meeting"], name="minutes_one_per_meeting")]

    def __str__(self) -> str:
        return _("Minutes of %(meeting)s") % {"meeting": self.meeting}

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.current_revision < 1:
            errors["current_revision"] = ["revisions are numbered from 1"]
        if self.status == self.Status.FINAL and not self.finalised_on:
            errors["finalised_on"] = ["final minutes record the day they became final"]
        if self.status == self.Status.DRAFT and self.finalised_on:
            errors["finalised_on"] = ["draft minutes are not final yet"]
        raise_if(errors)

    @property
    def is_final(self) -> bool:
        return self.status == self.Status.FINAL

    @property
    def current_text(self) -> list[tuple[str, str]]:
        """The current revision's text as (language, text) pairs: what a party reads before signing off."""
        revision = self.revisions.filter(number=self.current_revision).first()
        body = revision.body if revision is not None else {}
        return [(tag, body[tag]) for tag in sorted(body) if body[tag]]


class MinutesRevision(AccordModel):
    """One revision of the minutes' text, in every language the delegations write.

    Append-only: a revision is written once and never updated or deleted (the services only create
    them, and `save`/`delete` refuse anything else); a change is a new revision based on the current one.
    """

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="revisions")
    visibility_parents = ("minutes",)  # no visibility of its own: its illustrative flag
    number = models.PositiveIntegerField(_("revision"))
    # The revision the author started from; empty for the first draft.
    based_on = models.PositiveIntegerField(_("based on revision"), null=True, blank=True)
    body = LocalizedTextField(_("text"))
    # The delegation that made it; empty for a draft by the secretariat.
    party = models.ForeignKey(
        Party, verbose_name=_("by party"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = models.CharField(_("author"), max_length=200)  # frozen: survives renaming the account
    note = models.CharField(_("note"), max_length=500, blank=True, help_text=_("Why, e.g. amendments to item 2."))

    class Meta:
        verbose_name = _("minutes revision")
        verbose_name_plural = _("minutes revisions")
        ordering = ["minutes", "number"]
        constraints = [models.UniqueConstraint(fields=["minutes", "number"], name="minutesrevision_unique_number")]

    def __str__(self) -> str:
        return _("%(minutes)s, revision %(number)s") % {"minutes": self.minutes, "number": self.number}

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.number is not None and self.number < 1:
            errors["number"] = ["revisions are numbered from 1"]
        elif self.number == 1 and self.based_on is not None:
            errors["based_on"] = ["the first revision is based on no other"]
        elif self.number and self.number > 1 and (self.based_on is None or self.based_on >= self.number):
            errors["based_on"] = ["a later revision is based on an earlier one"]
        raise_if(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise TransitionRefused("a minutes revision is never changed; make a new revision instead")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise TransitionRefused("a minutes revision is never deleted")

    @property
    def made_by(self) -> str:
        """Who made it, for messages: "the SU delegation (name)" or "the secretariat (name)"."""
        side = f"the {self.party.code} delegation" if self.party_id and self.party else "the secretariat"
        return f"{side} ({self.author_name})" if self.author_name else side


class MinutesSignOff(PartyOwned):
    """A party's sign-off on one exact revision of the minutes.

    A sign-off counts only while its revision is current: a later amendment leaves it on record, for
    a text that is no longer the one being agreed.
    """

    agreement_path = "minutes__meeting__agreement"  # core.visibility: how it reaches its agreement

    minutes = models.ForeignKey(Minutes, on_delete=models.PROTECT, related_name="sign_offs")
    visibility_parents = ("minutes",)
    revision = models.PositiveIntegerField(_("revision"))
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    signed_by = models.ForeignKey(
        Person, verbose_name=_("signed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(_("signer"), max_length=200, blank=True)  # frozen at signing
    signed_on = models.DateField(_("signed on"))
    # SHA-256 of the revision's text as canonical JSON: what exactly was agreed.
    body_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)

    class Meta:
        verbose_name_plural = _("minutes sign-offs")
        ordering = ["minutes", "revision", "id"]
        verbose_name = _("minutes sign-off")
        constraints = [
            models.UniqueConstraint(fields=["minutes", "revision", "party"], name="minutessignoff_one_per_party")
        ]

    def __str__(self) -> str:
        return _("%(party)s sign-off of revision %(revision)s of %(minutes)s") % {
            "party": self.party.code,
            "revision": self.revision,
            "minutes": self.minutes,
        }
