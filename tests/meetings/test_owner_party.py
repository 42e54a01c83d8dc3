"""A record's owner is a party of its agreement and, for a coordinator, their own party: meetings, their parts,
reviews' statements and documents meet the rule programmes meet (agreements.services.check_owner), on every
channel that adds them (the services, the admin, the workflow page). A refusal writes nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accord.core.actor import acting_as, actor_for_user
from accord.core.errors import Forbidden, ValidationFailed
from accord.core.models import ChangeRecord
from accord.directory.services import create_party
from accord.meetings import services
from accord.meetings.models import AgendaItem, Delegation, Meeting, MeetingAttendee, ReviewStatement
from accord.meetings.services.reviews import add_statement, create_review, update_statement
from tests.channels.channels import admin_add, workflow_step

pytestmark = pytest.mark.django_db


def user(name: str) -> Any:
    return get_user_model().objects.get(username=name)


def as_user(name: str) -> Any:
    return acting_as(actor_for_user(user(name), "test-request"))


@contextlib.contextmanager
def nothing_written(model: Any) -> Iterator[None]:
    before = ChangeRecord.objects.count(), model._default_manager.count()
    yield
    assert (ChangeRecord.objects.count(), model._default_manager.count()) == before


def meeting_fields(seed: Any, **extra: Any) -> dict[str, Any]:
    return {
        "agreement": seed.protocol,
        "title": {"en": "Second session"},
        "start_on": dt.date(1961, 3, 1),
        "end_on": dt.date(1961, 3, 10),
        **extra,
    }


def test_a_coordinator_adds_meetings_of_their_own_side_or_shared_ones(seed):
    with as_user("cn-coordinator"), nothing_written(Meeting), pytest.raises(Forbidden) as refused:
        services.create_meeting(**meeting_fields(seed, owner_party=seed.su, visibility="internal"))
    assert "SU" in refused.value.message and "each side records its own side" in refused.value.message
    with as_user("cn-observer"), nothing_written(Meeting), pytest.raises(Forbidden):
        services.create_meeting(**meeting_fields(seed))
    with as_user("cn-coordinator"):
        own = services.create_meeting(**meeting_fields(seed, owner_party=seed.cn, visibility="internal"))
        shared = services.create_meeting(**meeting_fields(seed, title={"en": "Third session"}))
    assert (own.owner_party, shared.owner_party) == (seed.cn, None)


def test_a_meeting_owned_by_a_party_outside_the_agreement_is_refused_to_everyone(seed):
    third = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    for name in ("cn-coordinator", "admin"):
        with as_user(name), nothing_written(Meeting), pytest.raises(ValidationFailed) as refused:
            services.create_meeting(**meeting_fields(seed, owner_party=third))
        assert refused.value.field == "owner_party" and "GB is not a party of" in refused.value.message


def test_each_side_adds_its_own_delegation_attendees_and_agenda_items(seed):
    meeting = services.create_meeting(**meeting_fields(seed))  # shared, by the system
    with as_user("cn-coordinator"):
        with nothing_written(Delegation), pytest.raises(Forbidden, match="delegation of SU"):
            services.add_delegation(meeting, seed.su)
        with nothing_written(MeetingAttendee), pytest.raises(Forbidden, match="each side records its own side"):
            services.add_attendee(meeting, seed.petukhov, party=seed.su, owner_party=seed.su)
        with nothing_written(AgendaItem), pytest.raises(Forbidden, match="each side records its own side"):
            services.add_agenda_item(meeting, title={"en": "Soviet item"}, owner_party=seed.su)
        delegation = services.add_delegation(meeting, seed.cn)
        attendee = services.add_attendee(meeting, seed.petukhov)  # shared by the parties
        item = services.add_agenda_item(meeting, title={"en": "Review of the 1960 plan"})
    assert (delegation.owner_party, attendee.owner_party, item.owner_party) == (seed.cn, None, None)
    with as_user("su-coordinator"), pytest.raises(Forbidden, match="member of"):
        services.add_delegation_member(delegation, seed.petukhov)
    with as_user("cn-observer"), nothing_written(AgendaItem), pytest.raises(Forbidden):
        services.add_agenda_item(meeting, title={"en": "Observed"})


def test_the_admin_refuses_an_attendee_filed_under_a_party_outside_the_agreement(seed, client):
    third = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    meeting = services.create_meeting(**meeting_fields(seed))
    client.force_login(user("admin"))
    fields = {"meeting": meeting, "person": seed.petukhov, "visibility": "bilateral"}
    with nothing_written(MeetingAttendee):
        response = admin_add(client, MeetingAttendee, {**fields, "owner_party": third})
    assert response.status_code == 422 and "GB is not a party of" in response.content.decode()
    response = admin_add(client, MeetingAttendee, {**fields, "owner_party": seed.su})
    assert response.status_code == 302 and meeting.attendees.get().owner_party == seed.su


def test_a_party_writes_only_its_own_statement_on_the_page(seed):
    review = create_review(seed.plan_1960, dt.date(1960, 6, 30))
    client = Client()
    client.force_login(user("cn-coordinator"))
    data = {"language": "en", "text": "The Soviet side is satisfied."}
    with nothing_written(ReviewStatement):  # the page does not offer the other side (a 400 if forced)
        response = workflow_step(client, "reviews", review, "statement", {**data, "party": seed.su})
    assert response.status_code == 400
    with as_user("cn-coordinator"), nothing_written(ReviewStatement), pytest.raises(Forbidden, match="under SU"):
        add_statement(review, seed.su, {"en": "Written for the other side"})  # what any other channel meets
    response = workflow_step(client, "reviews", review, "statement", {**data, "party": seed.cn})
    assert response.status_code == 302 and review.statements.get().party == seed.cn
    statement = review.statements.get()
    with as_user("su-coordinator"), nothing_written(ReviewStatement), pytest.raises(Forbidden):
        update_statement(statement, expected_version=statement.version, text={"en": "Changed by the other side"})
