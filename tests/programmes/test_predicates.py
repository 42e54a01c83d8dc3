""" "Overdue" and "awaiting receipt" are defined once, on the models' querysets; every caller uses them."""

import datetime as dt

import pytest

from accord.programmes.choices import TWO_SIDED_EXCHANGES
from accord.programmes.models import Deliverable, Exchange

pytestmark = pytest.mark.django_db

DATES = [dt.date(1959, 1, 1), dt.date(1959, 7, 1), dt.date(1960, 1, 1), dt.date(1960, 7, 1), dt.date(1961, 6, 1)]


def is_overdue(d: Deliverable, as_of: dt.date) -> bool:
    return d.due_on is not None and d.due_on < as_of and (d.delivered_on is None or d.delivered_on > as_of)


def is_awaiting(e: Exchange, as_of: dt.date | None) -> bool:
    if e.kind not in TWO_SIDED_EXCHANGES or e.sent_on is None:
        return False
    if as_of is None:
        return e.received_on is None
    return e.sent_on <= as_of and (e.received_on is None or e.received_on > as_of)


def test_overdue_deliverables_are_due_before_the_day_and_not_delivered_by_it(seed):
    found_any = False
    for as_of in DATES:
        expected = {d.pk for d in Deliverable.objects.all() if is_overdue(d, as_of)}
        assert set(Deliverable.objects.overdue(as_of).values_list("pk", flat=True)) == expected
        found_any |= bool(expected)
    assert found_any, "the seed should have an overdue deliverable on one of the dates"


def test_awaiting_receipt_is_sent_and_not_received_by_the_day(seed):
    found_any = False
    for as_of in [*DATES, None]:
        expected = {e.pk for e in Exchange.objects.all() if is_awaiting(e, as_of)}
        assert set(Exchange.objects.awaiting_receipt(as_of).values_list("pk", flat=True)) == expected
        found_any |= bool(expected)
    assert found_any, "the seed should have an exchange awaiting receipt on one of the dates"


def test_a_receipt_is_overdue_only_after_the_grace_days(seed):
    for as_of in DATES:
        late = set(Exchange.objects.receipt_overdue(as_of, 30).values_list("pk", flat=True))
        expected = {
            e.pk for e in Exchange.objects.all() if is_awaiting(e, as_of) and e.sent_on <= as_of - dt.timedelta(days=30)
        }
        assert late == expected


def test_the_review_figures_and_the_dashboard_use_the_same_predicates(seed):
    from accord.core.visibility import visible
    from accord.meetings.selectors import overdue_deliverables, receipts_outstanding
    from accord.web.dashboard import selectors as dashboard

    plan = seed.protocol.plans.order_by("period_start").first()
    for as_of in DATES:
        assert set(overdue_deliverables(plan, as_of)) == set(
            Deliverable.objects.filter(plan_item__plan=plan).overdue(as_of)
        )
        assert set(receipts_outstanding(plan, as_of)) == set(
            Exchange.objects.filter(agreement=plan.agreement).awaiting_receipt(as_of)
        )
        scope = dashboard.Scope(today=as_of)
        total, _rows = dashboard.overdue_deliverables(None, scope)
        assert total == visible(Deliverable.objects.overdue(as_of), None).count()
        total, _rows = dashboard.receipts_overdue(None, scope)
        assert total == visible(Exchange.objects.receipt_overdue(as_of, dashboard.RECEIPT_AFTER_DAYS), None).count()
