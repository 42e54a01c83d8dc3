"""core.bulk.delete_many: records deleted as core.services.delete deletes one, as one batch: an audit entry each with
the record's last state, a stale or still-referred record refusing the whole batch with nothing deleted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.core.audit import snapshot
from accord.core.bulk import delete_many
from accord.core.errors import StaleVersion, ValidationFailed
from accord.core.models import ChangeRecord
from accord.core.verify import verify
from accord.programmes import services
from accord.programmes.choices import CarryOver
from accord.programmes.models import PlanItem, PlanItemResponsibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_plan(seed):
    return services.draft_next_plan(seed.plan_1960, title={"en": "1961 plan"})


def test_each_record_gets_its_delete_entry_with_its_last_state(next_plan):
    responsibilities = list(PlanItemResponsibility.objects.filter(plan_item__plan=next_plan).order_by("id"))
    assert len(responsibilities) > 10
    states = {r.pk: snapshot(r) for r in responsibilities}
    last = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first()
    delete_many(responsibilities, related=lambda r: r.plan_item)
    assert not PlanItemResponsibility.objects.filter(pk__in=states).exists()
    entries = list(ChangeRecord.objects.filter(id__gt=last).order_by("id"))
    assert [(e.action, int(e.object_id)) for e in entries] == [("delete", pk) for pk in states]
    assert all(e.before == states[int(e.object_id)] and e.after is None for e in entries)
    assert {e.related_id for e in entries} == {str(r.plan_item_id) for r in responsibilities}
    assert verify().ok


def test_a_record_changed_since_it_was_read_refuses_the_batch(next_plan):
    items = list(next_plan.items.order_by("position")[:3])
    PlanItem.objects.filter(pk=items[1].pk).update(version=items[1].version + 1)  # changed meanwhile
    entries = ChangeRecord.objects.count()
    with pytest.raises(StaleVersion):
        delete_many(items)
    assert next_plan.items.filter(pk__in=[i.pk for i in items]).count() == 3
    assert ChangeRecord.objects.count() == entries


def test_a_record_still_referred_to_refuses_the_batch_naming_it(seed, next_plan):
    """The 1960 plan's items are continued by the 1961 draft's (carried_over_from, PROTECT)."""
    continued = PlanItem.objects.get(carried_into__plan=next_plan, position=1)
    free = list(PlanItem.objects.filter(plan=seed.plan_1960).exclude(carried_into__isnull=False))
    batch = [*free[:2], continued]
    entries, items = ChangeRecord.objects.count(), PlanItem.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        delete_many(batch)
    assert refused.value.errors["__all__"][0].startswith(f"“{continued}” is still referred to by: plan item")
    assert (ChangeRecord.objects.count(), PlanItem.objects.count()) == (entries, items)


def test_leaving_many_items_out_deletes_them_a_kind_at_a_time(next_plan):
    """decide_carry_over's dropped items, their responsibilities and deliverables: three deletes and three audit
    appends in all however many items are left out, then the rest renumbered."""
    proposed = list(next_plan.items.order_by("position"))
    assert all(i.carry_over == CarryOver.PROPOSED for i in proposed)
    dropped, kept = proposed[:30], proposed[30:]
    entries = ChangeRecord.objects.count()
    responsibilities = PlanItemResponsibility.objects.filter(plan_item__in=dropped).count()
    with CaptureQueriesContext(connection) as ctx:
        decision = services.decide_carry_over(next_plan, expected_version=next_plan.version, drop=dropped)
    assert decision.dropped == 30 and not PlanItem.objects.filter(pk__in=[i.pk for i in dropped]).exists()
    deletes = [q for q in ctx.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) <= 4, [q["sql"][:90] for q in deletes]  # a kind at a time (the search index's own too)
    assert len(ctx.captured_queries) <= len(kept) + 40  # the renumbering's UPDATE per item kept, the rest constant
    assert ChangeRecord.objects.count() - entries == 30 + responsibilities + len(kept)
    assert list(next_plan.items.order_by("position").values_list("position", flat=True)) == list(range(1, 13))
    assert verify().ok
