"""The forms of the programmes' workflow steps: each asks only what its service needs, and carries the version seen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from accord.core import clock
from accord.core.models import Visibility
from accord.core.pages.forms import StepForm, language_choices
from accord.core.pages.languages import editor_languages, language_name
from accord.core.permissions import parties_of_agreement
from accord.core.visibility import principal, visible
from accord.directory.forms import LocalizedStepForm, PartyStepForm, date_field, party_field
from accord.directory.models import Organisation, Party, Person
from accord.programmes.choices import CarryOver, ExchangeKind, ProgressStatus, QuantityUnit
from accord.programmes.models import Participation, Plan, PlanItem, Project
from accord.programmes.services import next_period, reporting_organisations


class AgreeForm(PartyStepForm):
    permission = "agree"
    fidelity_override = forms.CharField(
        label=_("Reason to agree although the language versions disagree"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty unless Accord reports that the language versions disagree."),
    )


class NextPlanForm(StepForm):
    period_start = forms.DateField(label=_("Period from"))
    period_end = forms.DateField(label=_("Period to"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        plan: Any = self.record
        self.languages = list(plan.agreement.authentic_languages or ["en"])
        for lang in self.languages:
            self.fields[f"title_{lang}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": language_name(lang)}, max_length=500
            )
        self.fields["period_start"].initial, self.fields["period_end"].initial = next_period(plan)
        self.order_fields([f"title_{lang}" for lang in self.languages])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("the period must not end before it starts"))
        return data

    def title(self) -> dict[str, str]:
        return {lang: self.cleaned_data[f"title_{lang}"] for lang in self.languages}


class AddItemForm(StepForm):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label=_("Project"))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        plan: Any = self.record
        field = self.fields["project"]
        assert isinstance(field, forms.ModelChoiceField)
        # In number order as people read it (1, 2, … 10, 11, … 101), not as text (1, 10, 101, 11, …): shorter
        # numbers first, in SQL, so the select offers the first few of thousands and the search box the rest.
        field.queryset = (
            Project.objects.filter(agreement=plan.agreement)
            .exclude(plan_items__plan=plan)
            .order_by(Length("number"), "number", "id")
        )
        self.languages = list(plan.agreement.authentic_languages or ["en"])
        for lang in self.languages:
            self.fields[f"objectives_{lang}"] = forms.CharField(
                label=_("Objectives (%(language)s)") % {"language": language_name(lang)},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def objectives(self) -> dict[str, str]:
        return {lang: text for lang in self.languages if (text := self.cleaned_data.get(f"objectives_{lang}", ""))}


class ProgressForm(StepForm):
    reporting_organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Reporting for"))
    period_start = forms.DateField(label=_("Period from"))
    period_end = forms.DateField(label=_("Period to"))
    status = forms.ChoiceField(label=_("Status"), choices=ProgressStatus.choices)
    percent = forms.IntegerField(label=_("Percent done"), min_value=0, max_value=100)
    narrative_language = forms.ChoiceField(label=_("Language of the narrative"), choices=())
    narrative = forms.CharField(label=_("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label=_("Evidence"), required=False, help_text=_("References, links, documents."))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        item: Any = self.record
        # Offered: the organisations the service lets this account report for. Any organisation is accepted
        # from the form, so a forged choice meets the service's refusal (403), as on the API.
        orgs = list(reporting_organisations(self.user, item))
        field = self.fields["reporting_organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.all()
        field.empty_label = None if len(orgs) == 1 else "—"
        field.widget.choices = ([] if len(orgs) == 1 else [("", "—")]) + [(o.pk, str(o)) for o in orgs]
        self.fields["period_start"].initial = item.plan.period_start
        self.fields["period_end"].initial = item.plan.period_end
        langs = list(dict.fromkeys([*(item.plan.agreement.authentic_languages or []), "en"]))
        lang_field = self.fields["narrative_language"]
        assert isinstance(lang_field, forms.ChoiceField)
        lang_field.choices = language_choices(langs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("the period must not end before it starts"))
        return data


class ReceiptForm(StepForm):
    received_on = forms.DateField(label=_("Received on"), initial=clock.today)
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=200, help_text=_("Material-transfer agreement or permit.")
    )


class CarryOverForm(StepForm):
    """The carried-over items still proposed in a plan, as checkboxes: those chosen are carried over or left out."""

    items = forms.ModelMultipleChoiceField(
        queryset=PlanItem.objects.none(),
        label=_("Carried-over items"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose at least one item."),
            "invalid_choice": _("%(value)s is not an item of this plan."),
        },
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        # Any item of the plan is accepted, so one decided meanwhile meets the service's refusal (409) by name.
        field.queryset = PlanItem.objects.filter(plan_id=self.record.pk).select_related("project")
        proposed = field.queryset.filter(carry_over=CarryOver.PROPOSED).order_by("position", "id")
        field.widget.choices = [(i.pk, f"{i.position}. {i.project.number}. {i.project.title}") for i in proposed]


# --- setting up a programme in the pages: the first plan, participants, responsibilities, exchanges ---------


def _organisations_for(user: Any, agreement: Any) -> Any:
    """The organisations offered to `user` under `agreement`: of the parties to it they coordinate (all of its
    parties for an administrator). Each side files its own; a forged choice meets the service's refusal."""
    parties = parties_of_agreement(agreement.pk)
    who = principal(user)
    if not who.is_admin:
        parties &= set(who.coordinates)
    return (
        visible(Organisation.objects.filter(party_id__in=parties), user)
        .select_related("party")
        .order_by("party_id", "id")
    )


def _organisation_label(org: Organisation) -> str:
    return f"{org.party.code} — {org}"


class OrganisationChoiceField(forms.ModelChoiceField):
    """Organisations named with their party's code ("CN — Chinese Academy of Sciences")."""

    def label_from_instance(self, obj: Any) -> str:
        return _organisation_label(obj)


def _organisation_field(label: Any, queryset: Any, *, required: bool = True) -> forms.ModelChoiceField:
    return OrganisationChoiceField(queryset=queryset, label=label, required=required)


class FirstPlanForm(LocalizedStepForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=Plan.Kind.choices)
    period_start = date_field(_("Period from"), required=True)
    period_end = date_field(_("Period to"), required=True)
    visibility = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        agreement: Any = self.record
        self.add_texts("title", _("Title"), list(agreement.authentic_languages or editor_languages(agreement)))
        start = agreement.valid_from or clock.today()
        self.fields["period_start"].initial = start
        self.fields["period_end"].initial = start.replace(month=12, day=31)
        self.fields["visibility"].initial = agreement.visibility
        self.order_fields([k for k in self.fields if k.startswith("title_")])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("the period must not end before it starts"))
        return data


class ParticipationForm(StepForm):
    role = forms.ChoiceField(label=_("Role"), choices=Participation.Role.choices, initial=Participation.Role.PARTNER)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        project: Any = self.record
        self.fields["organisation"] = _organisation_field(
            _("Organisation"), _organisations_for(self.user, project.agreement)
        )
        self.order_fields(["organisation"])


class ResponsibilityForm(StepForm):
    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        item: Any = self.record
        self.fields["organisation"] = _organisation_field(
            _("Responsible organisation"), _organisations_for(self.user, item.plan.agreement)
        )


class ExchangeForm(LocalizedStepForm):
    """An exchange recorded by the sending side, from a project's or a plan item's page."""

    kind = forms.ChoiceField(label=_("Kind"), choices=ExchangeKind.choices)
    start_on = date_field(_("Start"))
    end_on = date_field(_("End"))
    quantity = forms.DecimalField(label=_("Quantity"), min_value=0, max_digits=12, decimal_places=2, initial=1)
    unit = forms.ChoiceField(label=_("Unit"), choices=QuantityUnit.choices)
    sent_on = date_field(_("Sent on"), help_text=_("For data and samples: the receiving side then confirms receipt."))
    sent_reference = forms.CharField(label=_("Dispatch reference"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        project: Any = getattr(self.record, "project", None) if isinstance(self.record, PlanItem) else self.record
        agreement = project.agreement
        self.agreement = agreement
        parties = list(Party.objects.filter(pk__in=parties_of_agreement(agreement.pk)).order_by("code"))
        who = principal(self.user)
        own = [p for p in parties if who.is_admin or p.pk in who.coordinates]
        # Offered: the sides the account records for; any party of the agreement is accepted from the form, so a
        # forged choice meets the service's refusal (403), as on the API.
        sender = party_field(own)
        sender.queryset = Party.objects.filter(pk__in=[p.pk for p in parties])
        sender.widget.choices = ([] if len(own) == 1 else [("", "—")]) + [(p.pk, str(p)) for p in own]
        sender.label = _("From (the sending side)")
        self.fields["from_party"] = sender
        others = [p for p in parties if p not in own[:1]] or parties
        receiver = party_field(others)
        receiver.label = _("To (the receiving side)")
        receiver.queryset = Party.objects.filter(pk__in=[p.pk for p in parties])
        self.fields["to_party"] = receiver
        orgs = visible(Organisation.objects.filter(party__in=parties), self.user).select_related("party")
        self.fields["sending_organisation"] = _organisation_field(
            _("Sending organisation"), orgs.order_by("party_id", "id"), required=False
        )
        self.fields["receiving_organisation"] = _organisation_field(
            _("Receiving organisation"), orgs.order_by("party_id", "id"), required=False
        )
        self.fields["receiving_organisation"].help_text = _("Its reporters may confirm receipt.")
        self.fields["people"] = forms.ModelMultipleChoiceField(
            queryset=Person.objects.filter(party__in=parties).order_by("party_id", "id"),
            label=_("People"),
            required=False,
            help_text=_("Who travelled, trained or was seconded."),
        )
        self.add_texts("description", _("Description"), list(agreement.authentic_languages or ["en"]), required=False)
        self.order_fields(["kind", "from_party", "to_party", "sending_organisation", "receiving_organisation"])

    def exchange_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ["kind", "from_party", "to_party", "sending_organisation", "receiving_organisation", "start_on"]
        names += ["end_on", "quantity", "unit", "sent_on", "sent_reference"]
        return {**{n: data.get(n) for n in names}, "description": self.texts("description")}
