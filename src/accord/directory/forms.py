"""Forms of the directory: steps taken on behalf of a party, new parties, organisations and people, and the steps that
complete them (a later name, a succession, a position)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accord.core.pages.forms import NewRecordForm, StepForm
from accord.core.pages.languages import editor_languages, language_name
from accord.core.permissions import can
from accord.core.visibility import visible
from accord.directory.models import Organisation, OrganisationSuccession, Party


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
        label=_("Official languages"),
        help_text=_("BCP 47 tags separated by commas, e.g. mn or zh, en."),
        max_length=200,
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


# --- the directory's steps: a later name, a succession, a position ------------------------------------------


class LocalizedStepForm(StepForm):
    """A step form with texts in several languages: `<prefix>_<tag>` inputs, at least one of them given."""

    def add_texts(self, prefix: str, label: Any, languages: list[str], *, required: bool = True) -> None:
        self.text_fields = {**getattr(self, "text_fields", {}), prefix: (list(languages), required)}
        for tag in languages:
            self.fields[f"{prefix}_{tag}"] = forms.CharField(
                label=format_lazy("{} ({})", label, language_name(tag)), required=False, max_length=500
            )

    def texts(self, prefix: str) -> dict[str, str]:
        languages, _required = self.text_fields[prefix]
        return {tag: text for tag in languages if (text := self.cleaned_data.get(f"{prefix}_{tag}", "").strip())}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for prefix, (languages, required) in getattr(self, "text_fields", {}).items():
            if required and languages and not self.texts(prefix):
                self.add_error(f"{prefix}_{languages[0]}", _("Give the text in at least one language."))
        return data


def _languages_of(record: Any, text: Any) -> list[str]:
    return editor_languages(record, extra=list(text or {}))


class RenameForm(LocalizedStepForm):
    valid_from = date_field(_("In force from"), required=True)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.add_texts("name", _("New name"), _languages_of(self.record, getattr(self.record, "name", {})))
        self.order_fields([k for k in self.fields if k.startswith("name_")])


class DatedNameForm(LocalizedStepForm):
    valid_from = date_field(_("From"))
    valid_to = date_field(_("To"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.add_texts("name", _("Name"), _languages_of(self.record, getattr(self.record, "name", {})))
        self.order_fields([k for k in self.fields if k.startswith("name_")])


class SuccessionForm(StepForm):
    direction = forms.ChoiceField(
        label=_("This organisation"),
        choices=[
            ("successor", _("was continued by the organisation below")),
            ("predecessor", _("continues the organisation below")),
        ],
    )
    other = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Organisation"))
    kind = forms.ChoiceField(label=_("How"), choices=OrganisationSuccession.Kind.choices)
    on = date_field(_("Date"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        org: Any = self.record
        field = self.fields["other"]
        assert isinstance(field, forms.ModelChoiceField)
        # Its party's organisations: successions happen within one side.
        field.queryset = visible(
            Organisation.objects.filter(party_id=org.party_id).exclude(pk=org.pk), self.user
        ).order_by("id")


class PositionForm(LocalizedStepForm):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Organisation"))
    start_on = date_field(_("From"))
    end_on = date_field(_("To"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        person: Any = self.record
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        orgs = (
            Organisation.objects.all()
            if person.party_id is None
            else Organisation.objects.filter(party_id=person.party_id)
        )
        field.queryset = visible(orgs, self.user).order_by("id")
        self.add_texts("title", _("Title"), editor_languages(person))
        self.order_fields(["organisation", *(k for k in self.fields if k.startswith("title_"))])
