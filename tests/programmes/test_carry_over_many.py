"""Deciding on many carried-over items at once, item numbers that stay 1..N, and the next plan's default period."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accord.core.actor import Actor, acting_as
from accord.core.errors import Forbidden, StaleVersion, TransitionRefused, ValidationFailed
from accord.core.models import ChangeRecord
from accord.programmes import services
from accord.programmes.choices import CarryOver, PlanStatus
from accord.programmes.models import Plan, PlanItem
from accord.programmes.selectors import number_order

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def next_plan(seed):
    """The 1961 plan drafted from the signed 1960 plan: its 42 items proposed for carry-over."""
    return services.draft_next_plan(seed.plan_1960, title={"en": "1961 plan"})


def positions(plan: Plan) -> list[int]:
    return list(plan.items.order_by("position", "id").values_list("position", flat=True))


def audit_count() -> int:
    return ChangeRecord.objects.count()


def test_the_next_plan_covers_the_next_calendar_year_even_after_a_leap_year(seed, next_plan):
    # 1960 is a leap year: the period after 1960-01-01 – 1960-12-31 is 1961-01-01 – 1961-12-31, not … 1962-01-01.
    assert (next_plan.period_start, next_plan.period_end) == (D(1961, 1, 1), D(1961, 12, 31))
    assert services.next_period(seed.plan_1960) == (D(1961, 1, 1), D(1961, 12, 31))


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (D(1959, 1, 1), D(1959, 12, 31), (D(1960, 1, 1), D(1960, 12, 31))),  # into a leap year
        (D(1960, 1, 1), D(1961, 12, 31), (D(1962, 1, 1), D(1963, 12, 31))),  # two years
        (D(1960, 1, 1), D(1960, 3, 31), (D(1960, 4, 1), D(1960, 6, 30))),  # a quarter: 91 days, then 91
        (D(1960, 7, 1), D(1961, 6, 30), (D(1961, 7, 1), D(1962, 6, 30))),  # a year from July
        (D(1960, 1, 10), D(1960, 1, 19), (D(1960, 1, 20), D(1960, 1, 29))),  # ten days: ten days again
    ],
)
def test_next_period_is_as_long_in_calendar_terms(seed, start, end, expected):
    assert services.next_period(Plan(period_start=start, period_end=end)) == expected


def test_many_items_are_carried_over_in_one_transaction_one_audit_entry_each(next_plan):
    proposed = list(next_plan.items.order_by("position"))
    assert len(proposed) == 42
    before = audit_count()
    decision = services.decide_carry_over(next_plan, expected_version=next_plan.version, accept=proposed)
    assert len(decision.accepted) == 42 and decision.dropped == 0
    assert set(next_plan.items.values_list("carry_over", flat=True)) == {CarryOver.ACCEPTED}
    assert audit_count() - before == 42  # one per item; the draft plan itself did not change
    # Decided now: the plan can be proposed.
    services.transition_plan(next_plan, PlanStatus.PROPOSED, expected_version=next_plan.version)


def test_leaving_items_out_keeps_the_numbers_dense(next_plan):
    proposed = list(next_plan.items.order_by("position"))
    first, third = proposed[0], proposed[2]
    before = audit_count()
    decision = services.decide_carry_over(next_plan, expected_version=next_plan.version, drop=[first, third])
    assert decision.dropped == 2
    assert not PlanItem.objects.filter(pk__in=[first.pk, third.pk]).exists()
    assert PlanItem.objects.filter(pk=first.carried_over_from_id).exists()  # the earlier plan's item stays
    assert positions(next_plan) == list(range(1, 41))  # 1..40, not 2, 4, 5, …
    # The item that was 2 is now 1, the one that was 4 is now 2.
    assert PlanItem.objects.get(pk=proposed[1].pk).position == 1
    assert PlanItem.objects.get(pk=proposed[3].pk).position == 2
    written = ChangeRecord.objects.order_by("id")[before:]
    deleted_items = [r for r in written if r.object_type == "programmes.planitem" and r.action == "delete"]
    renumbered = [r for r in written if r.object_type == "programmes.planitem" and r.action == "update"]
    assert len(deleted_items) == 2 and len(renumbered) == 40  # every item after the first moved up once


def test_removing_one_item_renumbers_the_rest(seed, next_plan):
    items = list(next_plan.items.order_by("position"))
    services.drop_carry_over(items[5], expected_version=items[5].version)
    assert positions(next_plan) == list(range(1, 42))
    last = PlanItem.objects.get(pk=items[-1].pk)
    services.remove_plan_item(last, expected_version=last.version)
    assert positions(next_plan) == list(range(1, 41))


def test_renumbering_writes_each_item_moved_and_reads_the_plan_once(seed, next_plan):
    """Items renumbered 1..N move as one batch: an UPDATE and an audit entry per item moved and a constant number of
    other statements, not a re-read of each item with its plan and project."""
    first = next_plan.items.order_by("position").first()
    PlanItem.objects.filter(pk=first.pk).update(position=100)  # to the end, behind the services' back: all move
    entries = audit_count()
    with CaptureQueriesContext(connection) as ctx:
        assert services.renumber_items(next_plan) == 42
    updates = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "programmes_planitem"')]
    assert len(updates) == 42 and positions(next_plan) == list(range(1, 43))
    assert len(ctx.captured_queries) - len(updates) <= 10, [q["sql"][:80] for q in ctx.captured_queries]
    assert audit_count() - entries == 42
    assert PlanItem.objects.get(pk=first.pk).position == 42


def test_a_stale_decision_changes_nothing(next_plan):
    items = list(next_plan.items.order_by("position")[:3])
    before = audit_count()
    with pytest.raises(StaleVersion):
        services.decide_carry_over(next_plan, expected_version=next_plan.version + 1, accept=items)
    assert audit_count() == before
    assert set(next_plan.items.values_list("carry_over", flat=True)) == {CarryOver.PROPOSED}


def test_an_item_decided_already_or_of_another_plan_refuses_the_whole_decision(seed, next_plan):
    items = list(next_plan.items.order_by("position")[:3])
    services.accept_carry_over(items[0], expected_version=items[0].version)
    other = seed.plan_1960.items.first()
    before = audit_count()
    with pytest.raises(TransitionRefused) as err:
        services.decide_carry_over(next_plan, expected_version=next_plan.version, accept=items[1:], drop=[items[0]])
    assert err.value.field == "items" and "no longer a proposed carry-over" in err.value.message
    with pytest.raises(TransitionRefused, match="not an item of"):
        services.decide_carry_over(next_plan, expected_version=next_plan.version, accept=[items[1], other])
    with pytest.raises(ValidationFailed):
        services.decide_carry_over(next_plan, expected_version=next_plan.version, accept=[items[1]], drop=[items[1]])
    with pytest.raises(ValidationFailed):
        services.decide_carry_over(next_plan, expected_version=next_plan.version)
    assert audit_count() == before
    assert positions(next_plan) == list(range(1, 43))


def test_only_a_coordinator_of_the_agreement_decides(seed, next_plan):
    reporter = get_user_model().objects.get(username="cas-reporter")
    items = list(next_plan.items.order_by("position")[:2])
    before = audit_count()
    with acting_as(Actor(reporter.pk, reporter.username, "test-request")), pytest.raises(Forbidden):
        services.decide_carry_over(next_plan, expected_version=next_plan.version, drop=items)
    assert audit_count() == before


def test_a_signed_plan_is_not_renumbered_or_decided_on(seed):
    signed = seed.plan_1960
    item = signed.items.order_by("position").first()
    with pytest.raises(TransitionRefused):
        services.remove_plan_item(item, expected_version=item.version)
    with pytest.raises(TransitionRefused):
        services.decide_carry_over(signed, expected_version=signed.version, drop=[item])


def test_project_numbers_sort_as_numbers():
    numbers = ["10", "2", "101", "1", "11", "12a", "12", "A-3", "3"]
    assert sorted(numbers, key=number_order) == ["1", "2", "3", "10", "11", "12", "12a", "101", "A-3"]


def test_asking_whether_any_item_is_still_proposed_reads_the_undecided_items_only(seed):
    """A plan page asks it several times (its carry-over steps, the count): a probe of the partial index of undecided
    items (programmes 0008), not a scan of the plan's thousands of items."""
    proposed = seed.plan_1960.items.filter(carry_over=CarryOver.PROPOSED)
    with CaptureQueriesContext(connection) as ctx:
        proposed.exists()
        proposed.count()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a few rows: the planner would rightly read the table
        for query in ctx.captured_queries:
            explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
            cursor.execute(explain + query["sql"])
            assert "planitem_proposed_idx" in str(cursor.fetchall()), query["sql"]


def _statements(action) -> int:
    with CaptureQueriesContext(connection) as ctx:
        action()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("copy", ["draft_next_plan", "amend_plan"])
def test_copying_a_plan_takes_as_many_statements_for_three_times_the_items(seed, copy):
    """Issue 18: the next plan and an amendment copy items, responsibilities and deliverables a kind at a time
    (validated together, an audit entry per record), so a 1,000-item plan is not 31,015 statements (the next plan)
    or 38,017 (an amendment), one record after another, while its coordinator waits."""
    from bench.pages import big_plan

    small = Plan.objects.get(pk=big_plan(seed.protocol.pk, 10, prefix="S", year=2030))
    large = Plan.objects.get(pk=big_plan(seed.protocol.pk, 30, prefix="L", year=2032))
    named = {"title": {"en": "The next plan"}} if copy == "draft_next_plan" else {}
    action = getattr(services, copy)
    entries = audit_count()
    assert _statements(lambda: action(small, **named)) == _statements(lambda: action(large, **named))
    # 40 items, each with two responsibilities and a deliverable (an amendment copies it; a next plan does not
    # until its item is accepted), and the two plans: an audit entry each, as one at a time gave.
    per_item = 4 if copy == "amend_plan" else 3
    assert audit_count() - entries == 2 + 40 * per_item


def test_deciding_on_many_items_writes_each_and_reads_them_once(next_plan):
    """Accepting the 42 proposals is validated and audited as one batch: an UPDATE per item (each with its version
    guard) and a constant number of other statements, not a read of each item, its plan and its project (9,004
    statements for 1,000 items)."""
    proposed = list(next_plan.items.order_by("position"))
    with CaptureQueriesContext(connection) as ctx:
        services.decide_carry_over(next_plan, expected_version=next_plan.version, accept=proposed)
    updates = [q for q in ctx.captured_queries if q["sql"].startswith('UPDATE "programmes_planitem"')]
    assert len(updates) == 42
    assert len(ctx.captured_queries) - len(updates) <= 20, [q["sql"][:80] for q in ctx.captured_queries]


def test_a_copy_the_rules_refuse_names_the_item_and_writes_nothing(seed):
    """A responsibility of the signed plan whose side is no longer a party of the agreement (its party row removed
    behind the services' back) cannot be copied: the refusal names the item's number, and no plan is written."""
    from accord.agreements.models import AgreementParty

    item = seed.plan_1960.items.filter(responsibilities__isnull=False).order_by("position").first()
    side = item.responsibilities.first().side
    AgreementParty.objects.filter(agreement=seed.protocol, party=side).delete()
    plans, entries = Plan.objects.count(), audit_count()
    with pytest.raises(ValidationFailed) as refused:
        services.draft_next_plan(seed.plan_1960, title={"en": "1961 plan"})
    assert refused.value.errors == {"side": [f"item {item.position}: must be one of the parties of “{seed.protocol}”"]}
    assert (Plan.objects.count(), audit_count()) == (plans, entries)
    for language, said in (("zh-hans", f"条目{item.position}: "), ("ru", f"пункт {item.position}: ")):
        with translation.override(language), pytest.raises(ValidationFailed) as refused:
            services.draft_next_plan(seed.plan_1960, title={"en": "1961 plan"})
        assert refused.value.errors["side"][0].startswith(said)
