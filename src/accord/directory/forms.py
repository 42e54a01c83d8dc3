"""Forms for steps taken on behalf of a party (a party's agreement, signature, statement or sign-off)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _

from accord.core.pages.forms import StepForm
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
