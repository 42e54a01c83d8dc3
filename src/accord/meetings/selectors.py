"""The figures of a review, read from the records as of a date, and the hash of the rows they come from.

Everything here is a pure read with a fixed number of queries, whatever the size of the plan. Exchanges
and sides are grouped in the database; the items are read once, with their latest status, and counted
here, because the carry-over list needs their rows anyway. The other lists fetched row by row are the
ones the review shows (the overdue deliverables, the receipts still outstanding).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum, TextField
from django.db.models.functions import Cast, Coalesce

from accord.agreements.models import AgreementParty
from accord.core.audit import canonical
from accord.directory.models import Party
from accord.programmes.choices import (
    ExchangeKind,
    Modality,
    ProgressStatus,
    QuantityUnit,
)
from accord.programmes.models import (
    Deliverable,
    Exchange,
    Plan,
    PlanItem,
    PlanItemResponsibility,
    ProgressReport,
    Project,
    awaiting_receipt_condition,
    received_condition,
    sent_condition,
)
from accord.programmes.selectors import latest_progress

FIGURES_SCHEMA = 1  # bump when the shape of the figures changes, so readers can tell old snapshots apart
# An item still open as of the date goes into the next plan; completed and cancelled ones do not.
CLOSED_STATUSES = frozenset({ProgressStatus.COMPLETED, ProgressStatus.CANCELLED})
UNSPECIFIED = ""  # a project without an OECD field

# The headline numbers of the exchanges: name -> (kind or None for any kind, unit).
HEADLINE_QUANTITIES: dict[str, tuple[str | None, str]] = {
    "experts": (ExchangeKind.EXPERT_SECONDMENT, QuantityUnit.PERSONS),
    "trainees": (ExchangeKind.TRAINEE, QuantityUnit.PERSONS),
    "person_months": (None, QuantityUnit.PERSON_MONTHS),
    "data_sets": (ExchangeKind.DATA_TRANSFER, QuantityUnit.DATA_SETS),
    "documents": (ExchangeKind.DATA_TRANSFER, QuantityUnit.DOCUMENTS),
    "samples": (ExchangeKind.SAMPLE_SHIPMENT, QuantityUnit.SAMPLES),
}


def has_baseline(plan: Plan) -> bool:
    """A plan is a baseline once signed: its content is frozen from then on, so its items are what was signed."""
    return plan.signed_version is not None


def direction(from_code: str, to_code: str) -> str:
    return f"{from_code}→{to_code}"


def number(value: Decimal | int | float | None) -> str:
    """A quantity as a plain decimal string without trailing zeros ("12", "2.5")."""
    d = Decimal(str(value or 0)).quantize(Decimal("0.01"))
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def share(part: int, whole: int) -> str | None:
    if not whole:
        return None
    return str((Decimal(100 * part) / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


# --- the parts of the review -------------------------------------------------------------------------


def status_as_of(plan: Plan, as_of: dt.date) -> dict[int, tuple[str, int]]:
    """{item id: (status, percent)} as of the date, for the items that have a report by then."""
    return latest_progress(plan, as_of)


def _items(plan: Plan, as_of: dt.date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Counts by status, field and modality, and the carry-over list, from one pass over the items.

    Two queries: the latest reports, and the items with their project. The items are counted here rather
    than grouped in SQL, because the carry-over list needs their rows anyway and grouping would evaluate
    every item's status a second time. Titles are read as JSON text and decoded only for the rows listed.
    """
    reported = status_as_of(plan, as_of)
    rows = (
        PlanItem.objects.filter(plan=plan)
        .order_by("position", "id")
        .values_list(
            "id",
            "uid",
            "position",
            "project__number",
            Cast("project__title", output_field=TextField()),
            "project__field",
            "project__modality",
        )
    )
    by_status: Counter[str] = Counter({s: 0 for s in ProgressStatus.values})
    by_field: Counter[str] = Counter()
    by_modality: Counter[str] = Counter({m: 0 for m in Modality.values})
    carry_over = []
    not_started = (ProgressStatus.NOT_STARTED.value, 0)
    for item_id, uid, position, project_number, title, field, modality in rows:
        status, percent = reported.get(item_id, not_started)
        by_status[status] += 1
        by_field[field or UNSPECIFIED] += 1
        by_modality[modality] += 1
        if status not in CLOSED_STATUSES:
            carry_over.append(
                {
                    "item": str(uid),
                    "position": position,
                    "project": project_number,
                    "title": json.loads(title) if title else {},
                    "status": status,
                    "percent": percent,
                }
            )
    by_area: Counter[str] = Counter()
    for field, n in by_field.items():
        by_area[field.split(".", 1)[0]] += n  # "1.5" belongs to area "1"; unspecified stays ""
    counts = {
        "total": sum(by_status.values()),
        "by_status": dict(by_status),
        "by_area": dict(sorted(by_area.items(), key=lambda kv: field_order(kv[0]))),
        "by_field": dict(sorted(by_field.items(), key=lambda kv: field_order(kv[0]))),
        "by_modality": dict(by_modality),
    }
    return counts, carry_over


def field_order(code: str) -> tuple[int, ...]:
    """Sort key for OECD codes: "1" < "1.2" < "1.10" < "2"; unspecified last."""
    return tuple(int(p) for p in code.split(".")) if code else (999,)


def _by_side(plan: Plan) -> dict[str, int]:
    """How many items each side is responsible for (an item with organisations on both sides counts for both)."""
    rows = (
        PlanItemResponsibility.objects.filter(plan_item__plan=plan)
        .values("side__code")
        .annotate(items=Count("plan_item", distinct=True))
        .order_by("side__code")
        .values_list("side__code", "items")
    )
    return dict(rows)


def exchanges_in_review(plan: Plan, as_of: dt.date) -> QuerySet[Exchange]:
    """The agreement's exchanges that started (or were sent) inside the plan period, up to the date."""
    return (
        Exchange.objects.filter(agreement_id=plan.agreement_id)
        .annotate(on=Coalesce("start_on", "sent_on"))
        .filter(on__gte=plan.period_start, on__lte=min(plan.period_end, as_of))
    )


def _exchanges(plan: Plan, as_of: dt.date) -> dict[str, Any]:
    groups = (
        exchanges_in_review(plan, as_of)
        .values("kind", "from_party__code", "to_party__code", "unit")
        .annotate(
            count=Count("id"),
            quantity=Sum("quantity"),
            sent=Count("id", filter=sent_condition(as_of)),
            received=Count("id", filter=received_condition(as_of)),
            awaiting=Count("id", filter=awaiting_receipt_condition(as_of)),
        )
        .order_by("kind", "from_party__code", "to_party__code", "unit")
    )
    rows = [
        {
            "kind": g["kind"],
            "from": g["from_party__code"],
            "to": g["to_party__code"],
            "unit": g["unit"],
            "count": g["count"],
            "quantity": number(g["quantity"]),
            "sent": g["sent"],
            "received": g["received"],
            "awaiting_receipt": g["awaiting"],
        }
        for g in groups
    ]
    return {"by_kind_and_direction": rows, "headline": headline(rows)}


def headline(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The numbers a communiqué quotes, for all exchanges ("all") and for each direction ("SU→CN")."""

    def empty() -> dict[str, Any]:
        return {
            **{name: Decimal(0) for name in HEADLINE_QUANTITIES},
            "exchanges": 0,
            "delegation_visits": 0,
            "sent": 0,
            "received": 0,
            "awaiting_receipt": 0,
        }

    totals: dict[str, dict[str, Any]] = {"all": empty()}
    for row in rows:
        key = direction(row["from"], row["to"])
        for target in (totals["all"], totals.setdefault(key, empty())):
            for name, (kind, unit) in HEADLINE_QUANTITIES.items():
                if row["unit"] == unit and kind in (None, row["kind"]):
                    target[name] += Decimal(row["quantity"])
            target["exchanges"] += row["count"]
            if row["kind"] == ExchangeKind.DELEGATION_VISIT:
                target["delegation_visits"] += row["count"]
            for name in ("sent", "received", "awaiting_receipt"):
                target[name] += row[name]
    return {
        key: {name: number(v) if isinstance(v, Decimal) else v for name, v in values.items()}
        for key, values in sorted(totals.items(), key=lambda kv: (kv[0] != "all", kv[0]))
    }


def receipts_outstanding(plan: Plan, as_of: dt.date) -> QuerySet[Exchange]:
    """Every transfer or shipment of the agreement sent by the date and not confirmed received by it.

    Not limited to the plan period: what is still in transit is the meeting's business whenever it left.
    """
    return Exchange.objects.awaiting_receipt(as_of).filter(agreement_id=plan.agreement_id)


def _receipts_outstanding(plan: Plan, as_of: dt.date) -> list[dict[str, Any]]:
    rows: Any = (  # sent_on is set: the filter says so
        receipts_outstanding(plan, as_of)
        .order_by("sent_on", "id")
        .values_list(
            "uid",
            "kind",
            "from_party__code",
            "to_party__code",
            "sent_on",
            "sent_reference",
            "quantity",
            "unit",
            "project__number",
        )
    )
    return [
        {
            "exchange": str(uid),
            "kind": kind,
            "from": from_code,
            "to": to_code,
            "sent_on": sent_on.isoformat(),
            "sent_reference": reference,
            "quantity": number(quantity),
            "unit": unit,
            "project": project_number,
            "days_waiting": (as_of - sent_on).days,
        }
        for uid, kind, from_code, to_code, sent_on, reference, quantity, unit, project_number in rows
    ]


def overdue_deliverables(plan: Plan, as_of: dt.date) -> QuerySet[Deliverable]:
    """Deliverables of the plan due before the date and not delivered by it."""
    return Deliverable.objects.filter(plan_item__plan=plan).overdue(as_of)


def _overdue(plan: Plan, as_of: dt.date) -> list[dict[str, Any]]:
    rows: Any = (  # due_on is set: the filter says so
        overdue_deliverables(plan, as_of)
        .order_by("due_on", "plan_item__position", "id")
        .values_list(
            "uid",
            "kind",
            "title",
            "due_on",
            "responsible_party__code",
            "plan_item__position",
            "plan_item__project__number",
        )
    )
    return [
        {
            "deliverable": str(uid),
            "kind": kind,
            "title": dict(title or {}),
            "due_on": due_on.isoformat(),
            "days_overdue": (as_of - due_on).days,
            "owed_by": owed_by,
            "position": position,
            "project": project_number,
        }
        for uid, kind, title, due_on, owed_by, position, project_number in rows
    ]


def _parties(plan: Plan) -> list[str]:
    return list(
        AgreementParty.objects.filter(agreement_id=plan.agreement_id)
        .order_by("position", "id")
        .values_list("party__code", flat=True)
    )


# --- the review ----------------------------------------------------------------------------------------


def compute_review(plan: Plan, as_of: dt.date) -> dict[str, Any]:
    """The figures of the review of `plan` as of `as_of`, JSON-ready (dates ISO, quantities as strings).

    An item's status as of the date is that of its latest progress report whose period ends on or before
    the date (ties: the one recorded last); "not_started" when there is none. "Planned" is the signed
    plan's items: its content is frozen from signature on, so its current items are the baseline (this
    function does not check that there is one: `services.review_figures` and `create_review` do).
    Eight queries, whatever the size of the plan.
    """
    counts, carry_over = _items(plan, as_of)
    completed = counts["by_status"][ProgressStatus.COMPLETED]
    cancelled = counts["by_status"][ProgressStatus.CANCELLED]
    planned = counts["total"]
    return {
        "schema": FIGURES_SCHEMA,
        "as_of": as_of.isoformat(),
        "plan": {
            "uid": str(plan.uid),
            "title": dict(plan.title or {}),
            "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(),
            "baseline_version": plan.signed_version,
        },
        "parties": _parties(plan),
        "items": {**counts, "by_side": _by_side(plan)},
        "completion": {
            "planned": planned,
            "completed": completed,
            "cancelled": cancelled,
            "carried_over": len(carry_over),
            "percent_complete": share(completed, planned),
        },
        "exchanges": {**_exchanges(plan, as_of), "receipts_outstanding": _receipts_outstanding(plan, as_of)},
        "overdue_deliverables": _overdue(plan, as_of),
        "carry_over": carry_over,
        "agreement_projects": Project.objects.filter(agreement_id=plan.agreement_id).count(),
    }


# --- the inputs' hash ----------------------------------------------------------------------------------


def review_inputs(plan: Plan, as_of: dt.date) -> dict[str, Any]:
    """The rows the figures are computed from, each as [id, version], by model; plus the scalars they read.

    Versions come from the audit chain's counter, so any change to one of these rows after the review,
    even one that leaves the figures as of the date unchanged (a receipt confirmed later), changes the
    hash; and a row added or removed (a late report for an earlier period) changes it too. The plan
    itself enters by id and baseline version only: its lifecycle moves on after the review (reviewed,
    closed) while its signed content cannot change.
    """

    def ids(qs: QuerySet[Any]) -> list[tuple[int, int]]:
        return list(qs.order_by("pk").values_list("pk", "version"))  # tuples: canonical JSON writes them as arrays

    items = PlanItem.objects.filter(plan=plan)
    exchanges = Exchange.objects.filter(
        Q(pk__in=exchanges_in_review(plan, as_of).values("pk")) | Q(pk__in=receipts_outstanding(plan, as_of))
    )
    party_ids = AgreementParty.objects.filter(agreement_id=plan.agreement_id).values("party_id")
    return {
        "plan": plan.pk,
        "baseline_version": plan.signed_version,
        "as_of": as_of.isoformat(),
        "agreement_projects": Project.objects.filter(agreement_id=plan.agreement_id).count(),
        "rows": {
            "directory.party": ids(Party.objects.filter(pk__in=party_ids)),
            "programmes.planitem": ids(items),
            "programmes.project": ids(Project.objects.filter(plan_items__plan=plan)),
            "programmes.planitemresponsibility": ids(PlanItemResponsibility.objects.filter(plan_item__plan=plan)),
            "programmes.deliverable": ids(Deliverable.objects.filter(plan_item__plan=plan)),
            "programmes.progressreport": ids(
                ProgressReport.objects.filter(plan_item__plan=plan, period_end__lte=as_of)
            ),
            "programmes.exchange": ids(exchanges),
        },
    }


def inputs_hash(plan: Plan, as_of: dt.date) -> str:
    """SHA-256 (hex) of the canonical JSON of `review_inputs`."""
    return hashlib.sha256(canonical(review_inputs(plan, as_of)).encode()).hexdigest()
