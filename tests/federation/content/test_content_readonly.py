"""On a node, the other side's records are read-only for every local account, on every channel (a permissions rule)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accord.core.errors import Forbidden
from accord.core.permissions import can, kept_elsewhere
from tests.channels.channels import api_patch, page_edit

pytestmark = pytest.mark.django_db

NEW = {"en": "Changed title"}


def _client(username: str) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def _admin() -> Client:
    c = Client()
    c.force_login(get_user_model().objects.filter(is_superuser=True).first())
    return c


@pytest.mark.parametrize("who", ["su-coordinator", "admin"])
def test_the_other_sides_organisation_is_refused_on_the_page_and_the_api(seed, node, who):
    node("CN")
    client = _admin() if who == "admin" else _client(who)
    org = seed.su_committee
    assert kept_elsewhere(org)
    r = page_edit(client, "organisations", org, {"name": NEW})
    assert r.status_code == 403
    r = api_patch(client, "organisations", org, {"name": NEW})
    assert r.status_code == 403, r.content
    org.refresh_from_db()
    assert org.name != NEW
    page = client.get(f"/organisations/{org.pk}/").content.decode()
    assert 'data-testid="kept-by"' in page and 'data-testid="edit"' not in page


def test_our_own_records_and_shared_ones_stay_editable(seed, node):
    node("CN")
    client = _client("cn-coordinator")
    org = seed.cn_commission
    assert not kept_elsewhere(org)
    assert page_edit(client, "organisations", org, {"name": NEW}).status_code == 302
    assert 'data-testid="kept-by"' not in client.get(f"/organisations/{org.pk}/").content.decode()
    user = get_user_model().objects.get(username="cn-coordinator")
    assert can(user, "change", seed.protocol)  # shared: changed here, it travels as a proposal


def test_the_same_account_may_edit_it_in_a_hosted_installation(seed, settings):
    settings.ACCORD_NODE_PARTY = ""
    assert not kept_elsewhere(seed.su_committee)
    assert page_edit(_client("su-coordinator"), "organisations", seed.su_committee, {"name": NEW}).status_code == 302


def test_acting_for_the_other_party_is_refused_through_the_services(seed, node):
    """Signing or agreeing for the other side, or adding a record on its side, is that side's node's act."""
    from accord.core.actor import acting_as, actor_for_user
    from accord.core.permissions import may_create, require_actor

    node("CN")
    admin = get_user_model().objects.filter(is_superuser=True).first()
    assert not can(admin, "agree", seed.plan_1960, party=seed.su)
    assert not can(admin, "sign", seed.plan_1960, party=seed.su)
    assert can(admin, "agree", seed.plan_1960, party=seed.cn)
    assert not may_create(admin, party=seed.su) and may_create(admin, party=seed.cn)
    with acting_as(actor_for_user(admin)), pytest.raises(Forbidden):
        require_actor("change", seed.su_committee)


def test_the_receiving_side_still_confirms_receipt_of_what_the_other_side_sent(seed, node):
    from accord.programmes.models import Exchange

    node("SU")
    shipment = Exchange.objects.filter(from_party=seed.cn, to_party=seed.su).first()
    assert kept_elsewhere(shipment)
    user = get_user_model().objects.get(username="su-coordinator")
    assert can(user, "confirm_receipt", shipment) and not can(user, "change", shipment)


def test_commands_on_a_node_keep_to_its_side(seed, node):
    """`accord` commands run as a trusted actor; on a node they are held to its side like every account."""
    import datetime as dt

    from django.core.management import CommandError, call_command

    from accord.core import services as records
    from accord.core.actor import Actor, acting_as, cli_actor
    from accord.programmes.models import Exchange, PlanItem

    node("SU")
    from accord.programmes.models import Participation

    taking_part = Participation.objects.filter(organisation__party=seed.cn, project__plan_items__plan=seed.plan_1960)
    part = taking_part.select_related("organisation").first()
    item = PlanItem.objects.filter(plan=seed.plan_1960, project_id=part.project_id).first()
    args = ["--from", "1960-01-01", "--to", "1960-03-31", "--status", "on_track", "--percent", "10"]
    with acting_as(cli_actor("operator")):
        # A report for China's institution is China's node's to record.
        with pytest.raises(CommandError, match="kept by another side's node"):
            call_command("progress", "record", str(item.uid), "--organisation", str(part.organisation.uid), *args)
        with pytest.raises(Forbidden, match="kept by another side's node"):
            records.update(seed.cn_commission, expected_version=seed.cn_commission.version, aliases=["forged"])
        with pytest.raises(Forbidden):
            records.delete(seed.cn_commission)
        # Our own side's records, and shared ones, are ours to change.
        records.update(seed.su_committee, expected_version=seed.su_committee.version, aliases=["ГКНТ"])
        # Receipt of what China sent us is ours to confirm, and nothing else of it.
        sent = Exchange.objects.filter(from_party=seed.cn, to_party=seed.su, sent_on__isnull=False).first()
        if sent is not None:
            if sent.received_on is None:
                records.update(sent, expected_version=sent.version, received_on=dt.date(1960, 6, 1))
            sent.refresh_from_db()
            with pytest.raises(Forbidden):
                records.update(sent, expected_version=sent.version, description={"en": "forged"})
    seed.cn_commission.refresh_from_db()
    assert seed.cn_commission.aliases != ["forged"]
    # Other trusted actors (the demo, jobs, migrations) are not commands: unchanged.
    with acting_as(Actor(None, "job", "job-1", system=True)):
        records.update(seed.cn_commission, expected_version=seed.cn_commission.version, aliases=["by a job"])
