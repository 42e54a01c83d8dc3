"""The signing step on a plan: a party's signatory signs the agreed version with their key."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.pages.steps import Step, add, chosen_party
from accord.directory.models import Party
from accord.programmes.choices import PlanStatus
from accord.programmes.models import Plan
from accord.programmes.services import missing_signatures
from accord.programmes.steps import parties_first_missing, plan_page, today
from accord.signing import forms as f
from accord.signing.services import rendered_texts, sign_plan


def _missing_signatures(plan: Plan) -> list[Party]:
    return missing_signatures(plan) if plan.status == PlanStatus.AGREED else []


def _describe_sign(plan: Plan, form: Any) -> str:
    people = getattr(form, "signatories", [])
    key = _("%(person)s's key") % {"person": people[0]} if len(people) == 1 else _("the key you choose below")
    return _(
        "Sign plan “%(plan)s” version %(version)s on behalf of %(party)s with %(key)s. "
        "The signed version cannot be changed afterwards; changes need an amendment."
    ) % {"plan": plan, "version": plan.version, "party": chosen_party(form), "key": key}


def _sign(request: Any, plan: Plan, form: Any) -> str:
    data = form.cleaned_data
    sign_plan(
        plan,
        party=data["party"],
        signatory=data["signatory"],
        passphrase=data["passphrase"],
        texts=rendered_texts(plan),
        signed_on=data["signed_on"] or today(),
        signed_at=dict(data["signed_at"]) or None,
        expected_version=form.expected_version(),
        fidelity_override=data["fidelity_override"],
        otp=data.get("otp", ""),
    )
    return plan_page(plan)


add(
    Step(
        "plans",
        "sign",
        Plan,
        gettext_lazy("Sign"),
        "sign",
        f.SignForm,
        _describe_sign,
        _sign,
        ready=lambda plan: plan.status == PlanStatus.AGREED,
        form_kwargs=parties_first_missing(_missing_signatures),
        pending_parties=_missing_signatures,
    )
)
