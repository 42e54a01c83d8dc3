"""The forms of the workflow steps: each asks only what its service needs, and carries the version seen."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accord.core.permissions import can
from accord.core.visibility import principal
from accord.directory.models import Organisation, Party, Person
from accord.documents.renderers import FORMATS
from accord.programmes.choices import ProgressStatus
from accord.programmes.models import Project
from accord.programmes.services import reporting_organisations
from accord.signing.models import SigningKey

LANGUAGE_NAMES = {"en": _("English"), "zh": _("Chinese"), "ru": _("Russian")}


def language_choices(tags: list[str]) -> list[tuple[str, str]]:
    return [(t, str(LANGUAGE_NAMES.get(t, t))) for t in tags]


class StepForm(forms.Form):
    """Base of every step's form: the record's version when the page was opened, to refuse stale changes."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, record: Model, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.record = record
        self.fields["version"].initial = getattr(record, "version", None)

    def expected_version(self) -> int:
        given = self.cleaned_data.get("version")
        return int(given) if given is not None else int(getattr(self.record, "version", 0))


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


class ConfirmForm(StepForm):
    pass


class ApproveDocumentForm(StepForm):
    """Approve a document's text for a party. The parties the account may act for are offered; any other party
    of the document is still accepted here, so that the service refuses it (403) as every channel does."""

    content_sha256 = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, record: Model, parties: list[Party], **kwargs: Any):
        super().__init__(*args, user=user, record=record, **kwargs)
        allowed = [p for p in parties if can(user, "approve", record, party=p)]
        self.parties = allowed
        field = forms.ModelChoiceField(
            queryset=Party.objects.filter(pk__in=[p.pk for p in parties]),
            label=_("On behalf of"),
            empty_label=None if len(allowed) == 1 else "—",
        )
        field.widget.choices = [("", "—")] * (len(allowed) != 1) + [(p.pk, str(p)) for p in allowed]
        field.initial = allowed[0].pk if allowed else None
        self.fields["party"] = field
        self.fields["content_sha256"].initial = getattr(record, "content_sha256", "")
        self.order_fields(["party"])


class AgreeForm(PartyStepForm):
    permission = "agree"
    fidelity_override = forms.CharField(
        label=_("Reason to agree although the language versions disagree"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty unless Accord reports that the language versions disagree."),
    )


def signatories(parties: list[Party]) -> list[Person]:
    """The people of these parties who hold an active signing key."""
    keys = SigningKey.objects.filter(revoked_on__isnull=True, person__party__in=parties).select_related("person")
    return sorted({k.person for k in keys}, key=lambda p: (p.party_id or 0, str(p)))


class SignForm(PartyStepForm):
    permission = "sign"
    signatory = forms.ModelChoiceField(queryset=Person.objects.none(), label=_("With the key of"))
    passphrase = forms.CharField(
        label=_("Passphrase of the signing key"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}, render_value=False),
    )
    otp = forms.CharField(
        label=_("One-time code"),
        required=False,
        help_text=_("From your authenticator app, if your account has a second factor."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    fidelity_override = forms.CharField(
        label=_("Reason to sign although the language versions disagree"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Leave empty unless Accord reports that the language versions disagree."),
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        people = signatories(self.parties)
        self.signatories = people
        field = self.fields["signatory"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.filter(pk__in=[p.pk for p in people])
        field.empty_label = None if len(people) == 1 else "—"
        field.initial = people[0].pk if people else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        party, person = data.get("party"), data.get("signatory")
        if party and person and person.party_id != party.pk:
            self.add_error(
                "signatory", _("%(person)s does not sign for %(party)s") % {"person": person, "party": party}
            )
        return data


class NextPlanForm(StepForm):
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        plan: Any = self.record
        self.languages = list(plan.agreement.authentic_languages or ["en"])
        for lang in self.languages:
            self.fields[f"title_{lang}"] = forms.CharField(
                label=_("Title (%(language)s)") % {"language": LANGUAGE_NAMES.get(lang, lang)}, max_length=500
            )
        length = plan.period_end - plan.period_start
        self.fields["period_start"].initial = plan.period_end + dt.timedelta(days=1)
        self.fields["period_end"].initial = plan.period_end + dt.timedelta(days=1) + length
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
        field.queryset = (
            Project.objects.filter(agreement=plan.agreement).exclude(plan_items__plan=plan).order_by("number")
        )
        self.languages = list(plan.agreement.authentic_languages or ["en"])
        for lang in self.languages:
            self.fields[f"objectives_{lang}"] = forms.CharField(
                label=_("Objectives (%(language)s)") % {"language": LANGUAGE_NAMES.get(lang, lang)},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def objectives(self) -> dict[str, str]:
        return {lang: text for lang in self.languages if (text := self.cleaned_data.get(f"objectives_{lang}", ""))}


class ProgressForm(StepForm):
    reporting_organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Reporting for"))
    period_start = forms.DateField(label=_("Period from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("Period to"), widget=forms.DateInput(attrs={"type": "date"}))
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
    received_on = forms.DateField(
        label=_("Received on"), initial=dt.date.today, widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=_("Reference"), required=False, max_length=200, help_text=_("Material-transfer agreement or permit.")
    )


class ReviewForm(StepForm):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        plan: Any = self.record
        self.fields["as_of"].initial = min(plan.period_end, dt.date.today())


class StatementForm(PartyStepForm):
    permission = "review"
    language = forms.ChoiceField(label=_("Language"), choices=())
    text = forms.CharField(label=_("Statement"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        review: Any = self.record
        who = principal(self.user)
        # A party speaks for itself: a coordinator states only for the parties they coordinate.
        if not who.is_admin:
            mine = [p for p in self.parties if p.pk in who.coordinates]
            self.parties = mine
            self.fields["party"] = party_field(mine)
            self.order_fields(["party"])
        langs = list(dict.fromkeys([*(review.plan.agreement.authentic_languages or []), "en"]))
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = language_choices(langs)


class SignOffForm(PartyStepForm):
    permission = "sign_off"
    revision = forms.IntegerField(widget=forms.HiddenInput)
    signed_on = forms.DateField(
        label=_("Approved on"), initial=dt.date.today, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        minutes: Any = self.record
        self.fields["revision"].initial = minutes.current_revision


class DocumentForm(StepForm):
    language = forms.ChoiceField(label=_("Language"), choices=())
    format = forms.ChoiceField(label=_("Format"), choices=[(f, f.upper()) for f in FORMATS], initial="pdf")

    def __init__(self, *args: Any, languages: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = languages
