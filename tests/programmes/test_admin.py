"""Each step of the cycle is usable from the admin, through the same services and rules."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accord.core.models import ChangeRecord
from accord.programmes import services
from accord.programmes.models import Exchange, Plan, PlanApproval

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    user = get_user_model().objects.create_superuser("coordinator", password="a-long-demo-password")
    client.force_login(user)
    return client


def new_plan(seed):
    plan = services.create_plan(
        agreement=seed.protocol,
        title={"en": "1961 plan"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    services.add_plan_item(plan, seed.protocol.projects.get(number="3"))
    return plan


def act(client, model, action, pks):
    url = reverse(f"admin:programmes_{model}_changelist")
    return client.post(url, {"action": action, "_selected_action": [str(pk) for pk in pks]}, follow=True)


def test_propose_then_agree_through_the_admin(staff, seed):
    plan = new_plan(seed)
    response = act(staff, "plan", "move_to_proposed", [plan.pk])
    assert "Propose to the parties: 1 done." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == "proposed"
    for party in (seed.cn, seed.su):
        response = staff.post(
            reverse("admin:programmes_planapproval_add"),
            {"plan": plan.pk, "party": party.pk, "approved_on": "1961-01-20", "note": ""},
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    assert plan.status == "agreed"
    assert PlanApproval.objects.filter(plan=plan).count() == 2
    assert ChangeRecord.objects.filter(object_type="programmes.planapproval", actor_name="coordinator").count() == 2


def test_a_refused_action_changes_nothing_and_says_why(staff, seed):
    draft = new_plan(seed)
    entries = ChangeRecord.objects.count()
    response = act(staff, "plan", "move_to_closed", [draft.pk, seed.plan_1959.pk])
    text = response.content.decode()
    assert "cannot become closed" in text and "nothing was changed" in text
    assert ChangeRecord.objects.count() == entries
    assert Plan.objects.get(pk=seed.plan_1959.pk).status == "reviewed"


def test_carry_over_decisions_through_the_admin(staff, seed):
    plan = services.draft_next_plan(
        seed.plan_1960, title={"en": "1961"}, period_start=dt.date(1961, 1, 1), period_end=dt.date(1961, 12, 31)
    )
    first, second, *_rest = plan.items.order_by("position")
    act(staff, "planitem", "_accept", [first.pk])
    act(staff, "planitem", "_drop", [second.pk])
    first.refresh_from_db()
    assert first.carry_over == "accepted"
    assert not plan.items.filter(pk=second.pk).exists()


def test_entering_the_receipt_date_confirms_receipt(staff, seed):
    pending = Exchange.objects.get(kind="sample_shipment", from_party=seed.cn)
    url = reverse("admin:programmes_exchange_change", args=[pending.pk])
    form = staff.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k not in {"description"}}
    data.update(
        {
            "description": "{}",
            "received_on": "1960-02-20",
            "received_reference": "SU-PERMIT-60/12",
            "expected_version": pending.version,
            "quantity": "30",
            "sent_on": "1960-01-15",
        }
    )
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    response = staff.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    pending.refresh_from_db()
    assert (pending.received_on, pending.received_reference) == (dt.date(1960, 2, 20), "SU-PERMIT-60/12")
