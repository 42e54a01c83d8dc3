"""Read-side queries for programmes."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery

from accord.programmes.models import PlanItem, ProgressReport


def latest_progress(items: QuerySet[PlanItem], as_of: dt.date | None = None) -> dict[int, tuple[str, int]]:
    """Each item's latest reported (status, percent), by report period end, in one query."""
    reports = ProgressReport.objects.filter(plan_item=OuterRef("pk"))
    if as_of is not None:
        reports = reports.filter(period_end__lte=as_of)
    reports = reports.order_by("-period_end", "-id")
    rows = items.annotate(
        last_status=Subquery(reports.values("status")[:1]), last_percent=Subquery(reports.values("percent")[:1])
    ).values_list("pk", "last_status", "last_percent")
    return {pk: (status, percent) for pk, status, percent in rows if status is not None}
