"""Domain operations on plans, projects, plan items, progress and exchanges.

The rules of the cooperation cycle live here: the plan lifecycle, the frozen baseline once signed,
and the two-sided confirmation of transfers and shipments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accord.agreements.models import AgreementParty
from accord.agreements.services import signatures_of
from accord.core import services as records
from accord.core.errors import TransitionRefused, ValidationFailed
from accord.directory.models import Organisation, Party
from accord.programmes.choices import FROZEN_PLAN_STATUSES, PLAN_TRANSITIONS, PlanStatus
from accord.programmes.models import (
    Deliverable,
    Exchange,
    ExchangePerson,
    Participation,
    Plan,
    PlanItem,
    PlanItemResponsibility,
    ProgressReport,
    Project,
)

# Fields of a plan that may still change after signature (they describe the lifecycle, not the content).
_PLAN_LIFECYCLE_FIELDS = frozenset({"status", "visibility"})


def _ensure_plan_open(plan: Plan, what: str = "the plan's content") -> None:
    if plan.status in FROZEN_PLAN_STATUSES:
        raise TransitionRefused(
            f"“{plan}” is {plan.get_status_display().lower()}: {what} can no longer change; "
            "amend it with a new revision instead",
            field="plan",
        )


# --- plans -----------------------------------------------------------------------------------------


def create_plan(**fields: Any) -> Plan:
    fields.setdefault("status", PlanStatus.DRAFT)
    if fields["status"] != PlanStatus.DRAFT:
        raise ValidationFailed({"status": ["a plan starts as a draft; use the lifecycle to move it on"]})
    return records.create(Plan, related=fields.get("agreement"), **fields)


def update_plan(plan: Plan, *, expected_version: int, **changes: Any) -> Plan:
    if "status" in changes:
        raise ValidationFailed({"status": ["change the status with transition_plan"]})
    if set(changes) - _PLAN_LIFECYCLE_FIELDS:
        _ensure_plan_open(plan)
    return records.update(plan, expected_version=expected_version, related=plan.agreement, **changes)


def missing_signatures(plan: Plan) -> list[Party]:
    """The signatory parties that have not yet signed the plan's current version."""
    signed = set(signatures_of(plan).values_list("party_id", flat=True))
    roles = [AgreementParty.Role.SIGNATORY, AgreementParty.Role.PARTY]
    return [
        ap.party
        for ap in plan.agreement.agreement_parties.filter(role__in=roles).select_related("party")
        if ap.party_id not in signed
    ]


@transaction.atomic
def transition_plan(plan: Plan, to_status: str, *, expected_version: int, **extra: Any) -> Plan:
    """Move a plan along its lifecycle; refuse transitions the lifecycle does not allow.

    Signing needs a signature of every signatory party on the current version; `signed_on` and
    `signed_at` are taken from the last signature unless given.
    """
    if to_status not in PlanStatus.values:
        raise ValidationFailed({"status": [f"{to_status!r} is not a plan status"]})
    if to_status not in PLAN_TRANSITIONS[plan.status]:
        allowed = ", ".join(sorted(PLAN_TRANSITIONS[plan.status])) or "none"
        raise TransitionRefused(f"a {plan.status} plan cannot become {to_status} (allowed: {allowed})", field="status")
    changes: dict[str, Any] = {"status": to_status}
    if to_status == PlanStatus.SIGNED:
        missing = missing_signatures(plan)
        if missing:
            raise TransitionRefused(
                f"not signed yet by: {', '.join(p.code for p in missing)}", field="status", code="signatures_missing"
            )
        dated = signatures_of(plan).exclude(signed_on=None).order_by("-signed_on", "-id").first()
        changes["signed_on"] = extra.pop("signed_on", dated.signed_on if dated else None)
        changes["signed_at"] = extra.pop("signed_at", dated.signed_at if dated else {})
        changes["signed_version"] = plan.version
    if extra:
        raise ValidationFailed({k: ["cannot be set by a status change"] for k in extra})
    return records.update(plan, expected_version=expected_version, related=plan.agreement, **changes)


# --- projects --------------------------------------------------------------------------------------


@transaction.atomic
def create_project(*, participations: Iterable[tuple[Organisation, Party, str]] = (), **fields: Any) -> Project:
    project = records.create(Project, related=fields.get("agreement"), **fields)
    for organisation, side, role in participations:
        add_participation(project, organisation, side=side, role=role)
    return project


def update_project(project: Project, *, expected_version: int, **changes: Any) -> Project:
    return records.update(project, expected_version=expected_version, related=project.agreement, **changes)


def add_participation(
    project: Project,
    organisation: Organisation,
    *,
    side: Party | None = None,
    role: str = Participation.Role.PARTNER,
    **fields: Any,
) -> Participation:
    """An organisation joins a project; its side defaults to the organisation's party. Each side owns its rows."""
    side = side or organisation.party
    fields.setdefault("owner_party", side)
    fields.setdefault("visibility", project.visibility)
    fields.setdefault("is_illustrative", project.is_illustrative)
    return records.create(
        Participation, related=project, project=project, organisation=organisation, side=side, role=role, **fields
    )


# --- plan items ------------------------------------------------------------------------------------


def add_plan_item(plan: Plan, project: Project, **fields: Any) -> PlanItem:
    _ensure_plan_open(plan, "its items")
    if "position" not in fields:
        last = plan.items.order_by("-position").values_list("position", flat=True).first()
        fields["position"] = (last or 0) + 1
    fields.setdefault("visibility", plan.visibility)
    return records.create(PlanItem, related=plan, plan=plan, project=project, **fields)


def update_plan_item(item: PlanItem, *, expected_version: int, **changes: Any) -> PlanItem:
    _ensure_plan_open(item.plan, "its items")
    return records.update(item, expected_version=expected_version, related=item.plan, **changes)


def add_responsibility(item: PlanItem, organisation: Organisation, side: Party | None = None) -> PlanItemResponsibility:
    _ensure_plan_open(item.plan, "its items")
    side = side or organisation.party
    return records.create(
        PlanItemResponsibility,
        related=item,
        plan_item=item,
        organisation=organisation,
        side=side,
        owner_party=side,
        visibility=item.visibility,
        is_illustrative=item.is_illustrative,
    )


def add_deliverable(item: PlanItem, **fields: Any) -> Deliverable:
    _ensure_plan_open(item.plan, "its deliverables")
    fields.setdefault("visibility", item.visibility)
    return records.create(Deliverable, related=item, plan_item=item, **fields)


def mark_delivered(deliverable: Deliverable, *, delivered_on: dt.date, expected_version: int) -> Deliverable:
    """Delivery is what was done, not what was planned: allowed on a signed plan."""
    return records.update(
        deliverable, expected_version=expected_version, related=deliverable.plan_item, delivered_on=delivered_on
    )


# --- progress --------------------------------------------------------------------------------------


def record_progress(item: PlanItem, *, reporting_organisation: Organisation, **fields: Any) -> ProgressReport:
    """A report by an organisation taking part in the item's project, owned by that organisation's side."""
    fields.setdefault("owner_party", reporting_organisation.party)
    fields.setdefault("visibility", item.visibility)
    return records.create(
        ProgressReport, related=item, plan_item=item, reporting_organisation=reporting_organisation, **fields
    )


# --- exchanges -------------------------------------------------------------------------------------


@transaction.atomic
def record_exchange(*, people: Iterable[Any] = (), **fields: Any) -> Exchange:
    """Record an exchange (by the sending side). People travelling or training are listed with it."""
    if fields.get("received_on") or fields.get("received_reference"):
        raise ValidationFailed({"received_on": ["the receiving side confirms receipt with confirm_receipt"]})
    fields.setdefault("owner_party", fields.get("from_party"))
    exchange = records.create(Exchange, related=fields.get("agreement"), **fields)
    for person in people:
        records.create(
            ExchangePerson,
            related=exchange,
            exchange=exchange,
            person=person,
            owner_party=exchange.owner_party,
            visibility=exchange.visibility,
            is_illustrative=exchange.is_illustrative,
        )
    return exchange


def confirm_receipt(
    exchange: Exchange, *, received_on: dt.date, expected_version: int, reference: str = ""
) -> Exchange:
    """The receiving side confirms a transfer or shipment arrived, with its MTA or permit reference."""
    if not exchange.needs_receipt:
        raise TransitionRefused(f"a {exchange.get_kind_display().lower()} is not confirmed as received", field="kind")
    if exchange.received_on:
        raise TransitionRefused(f"receipt was already confirmed on {exchange.received_on}", field="received_on")
    if not exchange.sent_on:
        raise TransitionRefused("the sending side has not recorded it as sent", field="sent_on")
    return records.update(
        exchange,
        expected_version=expected_version,
        related=exchange.agreement,
        received_on=received_on,
        received_reference=reference,
    )
