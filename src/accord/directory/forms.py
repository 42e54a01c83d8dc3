"""Forms for steps taken on behalf of a party (a party's agreement, signature, statement or sign-off)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accord.core.pages.forms import NewRecordForm, StepForm
from accord.core.permissions import can
from accord.directory.models import Party


def party_field(parties: list[Party]) -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        queryset=Party.objects.filter(pk__in=[p.pk for p in parties]),
        label=_("On behalf of"),
        empty_label=None if len(parties) == 1 else "—",
    )
    field.initial = parties[0].pk if parties else None
    return field


class PartyStepForm(StepForm):
    """A step done on behalf of one party: the parties offered are those the account may act for."""

    permission = ""

    def __init__(self, *args: Any, user: Any, record: Model, parties: list[Party], **kwargs: Any):
        super().__init__(*args, user=user, record=record, **kwargs)
        allowed = [p for p in parties if can(user, self.permission, record, party=p)]
        self.parties = allowed
        self.fields["party"] = party_field(allowed)
        self.order_fields(["party"])


# --- new records of the directory, made on their own ------------------------------------------------------


def date_field(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    """A date the browser's date picker fills: rendered as ISO in every interface language."""
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PartyForm(NewRecordForm):
    """A new party: its official languages typed as BCP 47 tags."""

    languages = forms.CharField(
        label=_("Official languages"), help_text=_("BCP 47 tags separated by commas, e.g. mn or zh, en."), max_length=200
    )

    def changes(self, record: Any) -> dict[str, Any]:
        fields = super().changes(record)
        fields["languages"] = [tag.strip() for tag in self.cleaned_data["languages"].split(",") if tag.strip()]
        return fields


class OrganisationForm(NewRecordForm):
    """A new organisation of one of the account's parties, its name dated from when it was given."""

    name_from = date_field(
        _("Name in force from"), help_text=_("Kept as the first of its dated names; leave empty if unknown.")
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.order_fields(["name", "name_from"])

    def changes(self, record: Any) -> dict[str, Any]:
        return {**super().changes(record), "name_from": self.cleaned_data.get("name_from")}


class PersonForm(NewRecordForm):
    """A new person of one of the account's parties: their name in each script."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["party"].required = True  # a person is on a side: its coordinators keep them
