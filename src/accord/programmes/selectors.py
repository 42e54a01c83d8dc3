"""Read-side queries for programmes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery

from accord.programmes.models import Plan, PlanItem, ProgressReport


def latest_reports(
    plan: Plan, as_of: dt.date | None = None, item_ids: Iterable[int] | None = None
) -> QuerySet[ProgressReport]:
    """Each item's latest progress report (up to `as_of`): latest period end, then the one recorded last.
    With `item_ids`, of those items only (a page of a plan's items).

    One statement, shaped for each database (measured with bench/review.py): PostgreSQL sorts the plan's
    reports once and keeps the first per item (DISTINCT ON); SQLite is fastest with a correlated subquery
    per item on the report's plan-item index, reading the chosen reports by primary key.
    """
    dated = {"period_end__lte": as_of} if as_of is not None else {}
    ids = list(item_ids) if item_ids is not None else None
    if connection.vendor == "postgresql":
        some = {"plan_item_id__in": ids} if ids is not None else {}
        return (
            ProgressReport.objects.filter(plan_item__plan=plan, **dated, **some)
            .order_by("plan_item_id", "-period_end", "-id")
            .distinct("plan_item_id")
        )
    latest = ProgressReport.objects.filter(plan_item=OuterRef("pk"), **dated).order_by("-period_end", "-id")
    items = PlanItem.objects.filter(plan=plan) if ids is None else PlanItem.objects.filter(plan=plan, id__in=ids)
    return ProgressReport.objects.filter(
        id__in=items.order_by().annotate(latest=Subquery(latest.values("id")[:1])).values("latest")
    ).order_by()


def latest_progress(plan: Plan, as_of: dt.date | None = None) -> dict[int, tuple[str, int]]:
    """{item id: (status, percent)} of each item's latest report (up to `as_of`); items without one are absent."""
    rows = latest_reports(plan, as_of).values_list("plan_item_id", "status", "percent")
    return {item_id: (status, percent) for item_id, status, percent in rows}


def number_order(number: str) -> tuple[int, int, str]:
    """Sort key of a project number read as people read it: 2 before 10 before 101, then the rest as text
    ("12a" after "12"); numbers that do not start with a digit come after those that do."""
    digits = len(number) - len(number.lstrip("0123456789"))
    if digits == 0:
        return (1, 0, number)
    return (0, int(number[:digits]), number[digits:])
