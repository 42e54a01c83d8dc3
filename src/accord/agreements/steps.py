"""The steps on an agreement's page: another party joins it, a language version of its text is attached. Each
calls the agreements' services (the coordinators of its parties may)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.agreements import forms as f
from accord.agreements.models import Agreement
from accord.agreements.services import add_authentic_text, add_party
from accord.core.pages.steps import Step, add


def agreement_page(agreement: Agreement) -> str:
    return reverse("agreements:agreements-detail", args=[agreement.pk])


def _describe_add_party(agreement: Agreement, form: Any) -> str:
    return _(
        "Add a party to “%(agreement)s”, with its role: a signatory signs its plans; an associated party or an "
        "observer reads what the parties share and does not sign."
    ) % {"agreement": agreement}


def _add_party(request: Any, agreement: Agreement, form: Any) -> str:
    add_party(agreement, form.cleaned_data["party"], form.cleaned_data["role"])
    return agreement_page(agreement)


def _describe_add_text(agreement: Agreement, form: Any) -> str:
    return _(
        "Attach a language version of the text of “%(agreement)s”. Its fingerprint (SHA-256) is kept, so anyone can "
        "check later that the text is the one recorded."
    ) % {"agreement": agreement}


def _add_text(request: Any, agreement: Agreement, form: Any) -> str:
    data = form.cleaned_data
    add_authentic_text(agreement, language=data["language"], body=data["body"], is_authentic=data["is_authentic"])
    return agreement_page(agreement)


add(
    Step(
        "agreements",
        "add-party",
        Agreement,
        gettext_lazy("Add a party"),
        "change",
        f.AddPartyForm,
        _describe_add_party,
        _add_party,
        kind="secondary",
    )
)
add(
    Step(
        "agreements",
        "add-text",
        Agreement,
        gettext_lazy("Add a language version"),
        "change",
        f.AddTextForm,
        _describe_add_text,
        _add_text,
        kind="secondary",
    )
)
