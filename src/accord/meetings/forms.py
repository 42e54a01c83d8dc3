"""The forms of the steps on reviews and minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accord.core import clock
from accord.core.pages.forms import StepForm, language_choices
from accord.core.visibility import principal
from accord.directory.forms import PartyStepForm, party_field


class ReviewForm(StepForm):
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        plan: Any = self.record
        self.fields["as_of"].initial = min(plan.period_end, clock.today())


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
