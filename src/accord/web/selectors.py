"""Read-side queries for the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from accord.agreements.models import Agreement, AgreementParty
from accord.core.visibility import count_parts, visible
from accord.meetings.models import Meeting
from accord.programmes.models import Plan


def agreements_overview(user: Any) -> QuerySet[Agreement]:
    """Agreements with parties, plans (with item counts), meetings and project counts, in a fixed number of queries."""
    shown, hidden = count_parts(Plan, "items", user)  # the items the reader may see; the others are said withheld
    plans = visible(Plan.objects.all(), user).annotate(item_count=shown, items_withheld=hidden)
    plans = plans.order_by("period_start", "revision")
    meetings = visible(Meeting.objects.all(), user).order_by("end_on")
    public_only = not getattr(user, "is_staff", False)
    project_filter = Q(projects__visibility="public") if public_only else Q()
    return (
        visible(Agreement.objects.all(), user)
        .annotate(
            project_count=Count("projects", filter=project_filter, distinct=True),
            illustrative_project_count=Count(
                "projects", filter=project_filter & Q(projects__is_illustrative=True), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch("agreement_parties", queryset=AgreementParty.objects.select_related("party")),
            Prefetch("plans", queryset=plans),
            Prefetch("meetings", queryset=meetings),
        )
        .order_by("signed_on", "id")
    )
