"""Admin: signing keys and seals are shown, never edited here. Keys are made and revoked with a passphrase
through the services (`accord signing-key`); no sealed or private material is displayed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from accord.core.admin import ReadOnlyAdmin
from accord.core.errors import DomainError
from accord.directory.models import Party, Person
from accord.programmes.admin import PlanAdmin
from accord.programmes.models import Plan
from accord.programmes.services import signatory_parties
from accord.signing.models import SignatureSeal, SigningKey
from accord.signing.services import rendered_texts, sign_plan


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    list_display = ("person", "fingerprint", "kdf", "created_at", "revoked_on")
    list_filter = ("kdf",)
    search_fields = ("person__name", "public_key")
    fields = ("person", "fingerprint", "public_key", "kdf", "cipher", "created_at", "revoked_on", "uid", "version")
    readonly_fields = fields


@admin.register(SignatureSeal)
class SignatureSealAdmin(ReadOnlyAdmin):
    list_display = ("signature", "signing_key", "created_at")
    fields = ("signature", "signing_key", "signatory_name", "texts", "created_at", "uid", "version")
    readonly_fields = fields


class SignPlanForm(forms.Form):
    """What signing asks: for which party, who signs (with their key's passphrase), when and where."""

    party = forms.ModelChoiceField(queryset=Party.objects.none())
    signatory = forms.ModelChoiceField(queryset=Person.objects.filter(signing_keys__revoked_on=None).distinct())
    passphrase = forms.CharField(widget=forms.PasswordInput, strip=False)
    otp = forms.CharField(
        required=False,
        label="One-time code",
        help_text="From your authenticator app, if your account has a second factor",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    signed_on = forms.DateField(initial=dt.date.today, help_text="YYYY-MM-DD")
    signed_at = forms.CharField(required=False, help_text="Place, in English (e.g. Moscow)")

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any):
        super().__init__(*args, **kwargs)
        parties = Party.objects.filter(pk__in=[p.pk for p in signatory_parties(plan)])
        self.fields["party"].queryset = parties  # type: ignore[attr-defined]


@admin.action(description="Sign the plan (with a signatory's key)…")
def sign_plan_action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Plan]) -> Any:
    """An intermediate page asks for the signatory and passphrase; signing goes through the service."""
    if queryset.count() != 1:
        modeladmin.message_user(request, "Select one plan to sign.", messages.ERROR)
        return None
    plan = queryset.get()
    submitted = "sign" in request.POST
    form = SignPlanForm(request.POST if submitted else None, plan=plan)
    if submitted and form.is_valid():
        data = form.cleaned_data
        try:
            signature = sign_plan(
                plan,
                party=data["party"],
                signatory=data["signatory"],
                passphrase=data["passphrase"],
                texts=rendered_texts(plan),
                signed_on=data["signed_on"],
                signed_at={"en": data["signed_at"]} if data["signed_at"] else None,
                otp=data["otp"],
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            plan.refresh_from_db()
            modeladmin.message_user(request, f"Signed for {signature.party.code}; the plan is {plan.status}.")
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Sign “{plan}”",
        "plan": plan,
        "form": form,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/signing/sign_plan.html", context)


# Signing builds on programmes: the plan's admin offers its action without programmes importing signing.
PlanAdmin.extra_actions.append((sign_plan_action, "sign_plan_action", "Sign the plan (with a signatory’s key)…"))
