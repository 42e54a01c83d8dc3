"""Shared helpers for the review tests: the seed's review date, and progress reported on a seed item."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.programmes import services as programmes
from accord.programmes.models import PlanItem, ProgressReport

MEETING_END = dt.date(1960, 2, 24)  # the delegations' meeting that reviewed the 1959 plan


def report_on(item: PlanItem, status: str, percent: int, period_end: dt.date) -> ProgressReport:
    """A progress report by the item's Chinese coordinating institute for the year up to `period_end`."""
    coordinator = item.project.participations.get(side__code="CN").organisation
    return programmes.record_progress(
        item,
        reporting_organisation=coordinator,
        period_start=dt.date(period_end.year, 1, 1),
        period_end=period_end,
        status=status,
        percent=percent,
    )


@pytest.fixture
def item_1(seed) -> PlanItem:
    """Item 1 of the 1959 plan: completed in the seed."""
    return seed.plan_1959.items.select_related("project").get(position=1)


@pytest.fixture(autouse=True)
def _without_the_seed_review(db):
    """These tests build the review of 1959 from scratch; the seed already holds the one the meeting
    published, so each test starts without it (inside its own rolled-back transaction)."""
    from accord.core import services as records
    from accord.meetings.models import AgendaItem, Review

    for review in Review.objects.all():
        for item in AgendaItem.objects.filter(review=review):
            records.update(item, expected_version=item.version, review=None)
        for statement in review.statements.all():
            records.delete(statement)
        records.delete(review)
