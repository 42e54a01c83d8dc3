"""The meeting page asks the database as many times however large its delegations, attendance and agenda grow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.core.actor import Actor, acting_as
from accord.directory.services import create_person
from accord.meetings import services
from accord.meetings.models import DelegationMember, Meeting

pytestmark = pytest.mark.django_db


def _queries(client: Any, url: str) -> tuple[int, str]:
    client.get(url)  # warm the process-wide caches (content types, the permission rules) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _grow(meeting: Meeting, seed: Any, n: int, start: int) -> None:
    """n more members in each side's delegation, n more attendees and n more agenda items."""
    delegations = {d.party_id: d for d in meeting.delegations.all()}
    with acting_as(Actor(None, "meeting-queries", "test", system=True)):
        for i in range(start, start + n):
            for party in (seed.cn, seed.su):
                person = create_person(name={"en": f"Member {party.code} {i}"}, party=party)
                services.add_delegation_member(delegations[party.pk], person, role=DelegationMember.Role.MEMBER)
            guest = create_person(name={"en": f"Guest {i}"}, party=seed.cn)
            services.add_attendee(meeting, guest, party=seed.cn)
            services.add_agenda_item(meeting, title={"en": f"Agenda item {i}"})


@pytest.mark.parametrize("who", ["admin", "cn-coordinator"])
def test_the_meeting_page_queries_do_not_grow_with_its_delegations(client, seed, who):
    with acting_as(Actor(None, "meeting-queries", "test", system=True)):
        meeting = services.create_meeting(
            agreement=seed.protocol,
            title={"en": "Session with growing delegations"},
            start_on=dt.date(1961, 3, 1),
            end_on=dt.date(1961, 3, 10),
        )
        services.add_delegation(meeting, seed.cn, members=[(seed.wu_heng, DelegationMember.Role.HEAD, {})])
        services.add_delegation(meeting, seed.su, members=[(seed.aleksenko, DelegationMember.Role.HEAD, {})])
    _grow(meeting, seed, 1, 0)
    client.force_login(get_user_model().objects.get(username=who))
    url = f"/meetings/{meeting.pk}/"
    few, shown = _queries(client, url)
    assert "Member CN 0" in shown and "Member SU 0" in shown and "Agenda item 0" in shown
    _grow(meeting, seed, 6, 1)
    many, shown = _queries(client, url)
    assert "Member CN 6" in shown and "Member SU 6" in shown and "Guest 6" in shown and "Agenda item 6" in shown
    assert many == few, (few, many)
