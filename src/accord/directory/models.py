"""Who takes part: parties (the sides), their organisations, people and the positions they hold."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.core.localized import LocalizedText, LocalizedTextField
from accord.core.models import AccordModel, ExternallyKnown, PartyOwned, Visibility
from accord.core.validation import Rows
from accord.core.validators import (
    check_period,
    clean_language_list,
    raise_if,
    validate_country_code,
    validate_orcid,
    validate_ror,
)


class Party(AccordModel):
    """A side of a cooperation: a state, an international organisation, or an institution acting as a side."""

    party_path = ""  # core.permissions: a party is its own side (its coordinators change it)

    class Kind(models.TextChoices):
        STATE = "state", _("State")
        INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
        INSTITUTION = "institution", _("Institution")

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_("For a state, its ISO 3166 alpha-2 code (historical codes such as SU allowed)."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.STATE)
    name = LocalizedTextField(_("name"))
    languages = models.JSONField(_("official languages"), default=list, help_text=_('BCP 47 tags, e.g. ["zh"]'))

    class Meta:
        verbose_name = pgettext_lazy("record kind", "party")
        verbose_name_plural = pgettext_lazy("record kind", "parties")
        ordering = ["code"]
        verbose_name_plural = _("parties")

    def __str__(self) -> str:
        return str(self.name) or self.code

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        self.code = (self.code or "").strip()
        if self.kind == self.Kind.STATE:
            self.code = self.code.upper()
            try:
                validate_country_code(self.code)
            except ValidationError as exc:
                errors["code"] = exc.messages
        try:
            self.languages = clean_language_list(self.languages)
        except ValidationError as exc:
            errors["languages"] = exc.messages
        raise_if(errors)


class Organisation(ExternallyKnown, PartyOwned):
    """A commission, ministry, academy, institute, university or enterprise of one party."""

    # core.search: the texts it is found by (its current name in every script, aliases, the names it bore before)
    search_fields = ("name", "aliases", "names__name")
    party_path = "party"  # core.permissions: its party's coordinators change it

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        COMMISSION = "commission", _("Commission or committee")
        MINISTRY = "ministry", _("Ministry")
        EMBASSY = "embassy", _("Embassy")
        ACADEMY = "academy", _("Academy")
        INSTITUTE = "institute", _("Research institute")
        UNIVERSITY = "university", _("University")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other")

    party = models.ForeignKey(Party, verbose_name=_("party"), on_delete=models.PROTECT, related_name="organisations")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.INSTITUTE)
    name = LocalizedTextField(_("name"), help_text=_("The current (or last) name; earlier names are dated names."))
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    identifiers = models.JSONField(_("identifiers"), default=dict, blank=True, help_text=_('{"ror": "...", ...}'))
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    founded_on = models.DateField(_("founded"), null=True, blank=True)
    dissolved_on = models.DateField(_("dissolved"), null=True, blank=True)
    # Public directory by default: institutions' names are not secrets.
    visibility = models.CharField(_("visibility"), max_length=16, choices=Visibility.choices, default=Visibility.PUBLIC)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "organisation")
        verbose_name_plural = pgettext_lazy("record kind", "organisations")
        ordering = ["party", "id"]

    def __str__(self) -> str:
        return str(self.name)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        check_period(errors, self.founded_on, self.dissolved_on, "dissolved_on", "founding date")
        if not isinstance(self.identifiers, dict):
            errors["identifiers"] = ["must be an object of scheme to identifier"]
        elif self.identifiers.get("ror"):
            try:
                validate_ror(str(self.identifiers["ror"]))
            except ValidationError as exc:
                errors["identifiers"] = exc.messages
        if not isinstance(self.aliases, list) or not all(isinstance(a, str) for a in self.aliases):
            errors["aliases"] = ["must be a list of names"]
        if self.parent_id and self.pk and self.parent_id == self.pk:
            errors["parent"] = ["an organisation cannot be its own parent"]
        raise_if(errors)

    @classmethod
    def clean_rows(cls, rows: Rows, indexes: Sequence[int]) -> set[int]:
        """clean() over new records (PartyOwned.clean_rows): a period, identifiers or aliases it may refuse, and a
        ROR id (checked by clean()), are left to clean(); a new record has no id to be its own parent."""
        uncertain = super().clean_rows(rows, indexes)
        founded, dissolved = rows["founded_on"], rows["dissolved_on"]
        identifiers, aliases = rows["identifiers"], rows["aliases"]
        for i in indexes:
            ids, names = identifiers[i], aliases[i]
            if (
                (founded[i] and dissolved[i] and dissolved[i] < founded[i])
                or not isinstance(ids, dict)
                or ids.get("ror")
                or not isinstance(names, list)
                or not all(isinstance(a, str) for a in names)
            ):
                uncertain.add(i)
        return uncertain

    def name_on(self, day: dt.date) -> LocalizedText:
        """The name in force on `day` (documents show the name of their date), else the current name."""
        for dated in self.names.all():
            if (dated.valid_from is None or dated.valid_from <= day) and (
                dated.valid_to is None or day <= dated.valid_to
            ):
                return dated.name
        return self.name


class OrganisationName(AccordModel):
    """A name an organisation bore over a period ('State Scientific and Technological Committee', 1957–1961)."""

    page_parent = "organisation"  # core.pages: shown on its organisation's page
    party_path = "organisation__party"  # core.permissions: on its organisation's side
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="names")
    name = LocalizedTextField(_("name"))
    valid_from = models.DateField(_("from"), null=True, blank=True)
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("dated name")
        verbose_name_plural = _("dated names")
        ordering = ["organisation", "valid_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from or '…'}–{self.valid_to or '…'})"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        check_period(errors, self.valid_from, self.valid_to, "valid_to", "start of the name")
        raise_if(errors)


class OrganisationSuccession(AccordModel):
    """A link from an organisation to the one that continued it (renamed, merged, split off, succeeded)."""

    class Kind(models.TextChoices):
        RENAMED = "renamed", _("Renamed")
        MERGED = "merged", _("Merged into")
        SPLIT = "split", _("Split off into")
        SUCCEEDED = "succeeded", _("Succeeded by")

    party_path = "successor__party"  # core.permissions: on its successor's side

    predecessor = models.ForeignKey(
        Organisation, verbose_name=_("predecessor"), on_delete=models.PROTECT, related_name="successions"
    )
    successor = models.ForeignKey(
        Organisation, verbose_name=_("successor"), on_delete=models.PROTECT, related_name="predecessions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    on = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique_pair"),
            models.CheckConstraint(condition=~models.Q(predecessor=models.F("successor")), name="succession_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"


class Person(ExternallyKnown, AccordModel):
    """A scientist, official or expert, with names in several scripts (武衡 / Wu Heng / У Хэн)."""

    search_fields = ("name", "positions__title")  # core.search: names in every script, the posts held
    party_path = "party"  # core.permissions: its party's coordinators change it

    name = LocalizedTextField(_("name"))
    orcid = models.CharField(_("ORCID iD"), max_length=19, blank=True, validators=[validate_orcid])
    party = models.ForeignKey(
        Party, verbose_name=_("party"), null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )

    class Meta:
        verbose_name = pgettext_lazy("record kind", "person")
        verbose_name_plural = pgettext_lazy("record kind", "people")
        ordering = ["id"]
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(fields=["orcid"], condition=~models.Q(orcid=""), name="person_orcid_unique")
        ]

    def __str__(self) -> str:
        return str(self.name)


class Position(AccordModel):
    """A post a person held: title, organisation, from–to."""

    page_parent = "person"  # core.pages: shown on its person's page
    party_path = "person__party"  # core.permissions: on its person's side
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="positions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="positions")
    title = LocalizedTextField(_("title"))
    start_on = models.DateField(_("from"), null=True, blank=True)
    end_on = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["person", "-start_on"]

    def __str__(self) -> str:
        return f"{self.person}, {self.title}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        check_period(errors, self.start_on, self.end_on)
        raise_if(errors)

    def held_on(self, day: dt.date) -> bool:
        return (self.start_on is None or self.start_on <= day) and (self.end_on is None or day <= self.end_on)
