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
