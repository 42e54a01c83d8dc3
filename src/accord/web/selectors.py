"""Read-side queries for the pages."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, Q, QuerySet, Subquery

from accord.agreements.models import Agreement, AgreementParty
from accord.agreements.pages import plans_counted
from accord.core.visibility import count_parts, visible
from accord.meetings.models import Meeting
from accord.programmes.models import Plan
from accord.web.dashboard.freshness import CACHE_SECONDS, audience, chain_head

# The first page summarises: how many agreements the reader may see, the latest few of them with their latest plans
# and meetings, and links to the paginated lists for the rest. Its size does not grow with the database.
HOME_AGREEMENTS = 10
HOME_PLANS = 5  # per agreement shown
HOME_MEETINGS = 5  # per agreement shown


def agreements_overview(user: Any) -> QuerySet[Agreement]:
    """The latest HOME_AGREEMENTS agreements `user` may see (the most recently signed first, drafts last), each
    with its parties, its latest HOME_PLANS plans (`latest_plans`, with item counts) and HOME_MEETINGS meetings
    (`latest_meetings`), how many plans and meetings it has and its project counts: one query for the agreements
    and one per prefetched relation, whatever the size of the database. How many there are in all:
    `agreement_total`."""
    plans = plans_counted(visible(Plan.objects.all(), user), user)
    plans = plans.order_by("-period_start", "-revision", "-id")[:HOME_PLANS]
    meetings = visible(Meeting.objects.all(), user).order_by("-end_on", "-id")[:HOME_MEETINGS]
    plan_count, _ = count_parts(Agreement, "plans", user)
    meeting_count, _ = count_parts(Agreement, "meetings", user)
    public_only = not getattr(user, "is_staff", False)
    project_filter = Q(projects__visibility="public") if public_only else Q()
    readable = visible(Agreement.objects.all(), user).order_by()
    latest = readable.order_by(F("signed_on").desc(nulls_last=True), "-id").values("pk")[:HOME_AGREEMENTS]
    return (
        Agreement.objects.filter(pk__in=Subquery(latest))
        .annotate(
            plan_count=plan_count,
            meeting_count=meeting_count,
            project_count=Count("projects", filter=project_filter, distinct=True),
            illustrative_project_count=Count(
                "projects", filter=project_filter & Q(projects__is_illustrative=True), distinct=True
            ),
        )
        .prefetch_related(
            Prefetch("agreement_parties", queryset=AgreementParty.objects.select_related("party")),
            Prefetch("plans", queryset=plans, to_attr="latest_plans"),
            Prefetch("meetings", queryset=meetings, to_attr="latest_meetings"),
        )
        .order_by(F("signed_on").desc(nulls_last=True), "-id")
    )


def agreement_total(user: Any) -> int:
    """How many agreements `user` may read, counted once per audience (who may read the same records) and chain head
    (every change to a record, an agreement's visibility or parties included, moves it): the first page's time does
    not grow with a catalogue it does not list (a party coordinator's count at 61,340 agreements took 26-29 ms of
    each home page, a correlated EXISTS per agreement; now two lookups by key until something changes)."""
    key = f"home:agreements:{audience(user)}:{chain_head()}"
    total = cache.get(key)
    if total is None:
        total = visible(Agreement.objects.all(), user).count()
        cache.set(key, total, timeout=CACHE_SECONDS)
    return int(total)
