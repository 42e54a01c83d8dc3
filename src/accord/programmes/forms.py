"""The forms of the programmes' workflow steps: each asks only what its service needs, and carries the version seen."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.core import clock
from accord.core.pages.forms import StepForm, language_choices
from accord.core.pages.languages import language_name
from accord.directory.forms import PartyStepForm
from accord.directory.models import Organisation
from accord.programmes.choices import CarryOver, ProgressStatus
from accord.programmes.models import PlanItem, Project
from accord.programmes.selectors import number_order
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
        field.queryset = Project.objects.filter(agreement=plan.agreement).exclude(plan_items__plan=plan)
        # In number order as people read it (1, 2, … 10, 11, … 101), not as text (1, 10, 101, 11, …).
        projects = sorted(field.queryset, key=lambda p: number_order(p.number))
        field.widget.choices = [("", field.empty_label or "—"), *((p.pk, str(p)) for p in projects)]
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
