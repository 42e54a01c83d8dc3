"""Each side keeps its own directory, on every channel: the services refuse the other side's coordinator and the
roles that change nothing (the pages, the admin, the API and the CLI call these services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from accord.core.actor import acting_as, actor_for_user
from accord.core.errors import Forbidden
from accord.core.models import ChangeRecord
from accord.directory import services

pytestmark = pytest.mark.django_db


def as_user(username: str):  # type: ignore[no-untyped-def]
    return acting_as(actor_for_user(get_user_model().objects.get(username=username)))


def test_a_coordinator_keeps_their_sides_directory(seed):
    with as_user("cn-coordinator"):
        org = services.create_organisation(party=seed.cn, name={"zh": "北京农业大学"}, name_from=dt.date(1949, 9, 1))
        services.rename_organisation(org, {"zh": "北京农业大学（新）"}, dt.date(1960, 1, 1))
        person = services.create_person(party=seed.cn, name={"zh": "丁颖"})
        services.add_position(person, org, {"zh": "教授"})
        services.record_succession(seed.cas, org, "split")
        party = services.create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    assert [n.valid_to for n in org.names.order_by("valid_from")] == [dt.date(1959, 12, 31), None]
    assert person.positions.get().organisation == org and party.code == "MN"


@pytest.mark.parametrize("username", ["su-coordinator", "cas-reporter", "cn-observer"])
def test_others_may_not_change_a_sides_directory(seed, username):
    before = ChangeRecord.objects.count()
    with as_user(username):
        with pytest.raises(Forbidden):
            services.create_organisation(party=seed.cn, name={"en": "Forged"})
        with pytest.raises(Forbidden):
            services.create_person(party=seed.cn, name={"en": "Forged"})
        with pytest.raises(Forbidden):
            services.add_position(seed.wu_heng, seed.cas, {"en": "Forged"})
        with pytest.raises(Forbidden):
            services.rename_organisation(seed.cas, {"en": "Forged"}, dt.date(1970, 1, 1))
        with pytest.raises(Forbidden):
            services.update_organisation(seed.cas, expected_version=seed.cas.version, name={"en": "Forged"})
        with pytest.raises(Forbidden):
            services.record_succession(seed.cas, seed.tsinghua, "merged")
    assert ChangeRecord.objects.count() == before


def test_only_coordinators_add_parties(seed):
    for username in ("cas-reporter", "cn-observer"):
        with as_user(username), pytest.raises(Forbidden):
            services.create_party(code="MN", name={"en": "Mongolia"}, languages=["mn"])
