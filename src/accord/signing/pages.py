"""What signing adds to a plan's page: the content as signed, what has changed in the records since, and
the signatures on the signed version."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from accord.agreements.models import Signature
from accord.core.pages.records import extend_detail
from accord.programmes.models import Plan
from accord.signing.services import signed_view


def _signatures(plan: Plan) -> list[Signature]:
    """The signatures on the signed version once there is one (the status change after it is a new version)."""
    ct = ContentType.objects.get_for_model(Plan)
    version = plan.signed_version or plan.version
    found = Signature.objects.filter(target_type=ct, target_id=plan.pk, target_version=version)
    return list(found.select_related("party", "signatory"))


def _plan_as_signed(plan: Plan, user: Any, params: Any, context: dict[str, Any]) -> dict[str, Any]:
    # A signed plan shows its items as signed, and what has changed in the records since.
    signed = signed_view(plan) if plan.signed_version is not None else None
    signed_items = signed.items if signed else {}
    for item in context.get("items", []):
        item.signed = signed_items.get(str(item.uid))
    return {"signed": signed, "signatures": _signatures(plan)}


extend_detail("plans", _plan_as_signed)
