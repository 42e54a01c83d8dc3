"""Domain operations on meetings: delegations, attendees, agenda."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accord.core import services as records
from accord.core.errors import ValidationFailed
from accord.directory.models import Organisation, Party, Person
from accord.meetings.models import AgendaItem, Delegation, DelegationMember, Meeting, MeetingAttendee


def create_meeting(**fields: Any) -> Meeting:
    return records.create(Meeting, related=fields.get("agreement"), **fields)


def update_meeting(meeting: Meeting, *, expected_version: int, **changes: Any) -> Meeting:
    return records.update(meeting, expected_version=expected_version, related=meeting.agreement, **changes)


@transaction.atomic
def add_delegation(
    meeting: Meeting,
    party: Party,
    *,
    organisation: Organisation | None = None,
    members: Iterable[tuple[Person, str, dict[str, str]]] = (),
    **fields: Any,
) -> Delegation:
    """A party's delegation with its members (person, role, position held then). At most one head."""
    members = list(members)
    if sum(1 for _, role, _ in members if role == DelegationMember.Role.HEAD) > 1:
        raise ValidationFailed({"members": ["a delegation has one head"]})
    fields.setdefault("owner_party", party)
    delegation = records.create(
        Delegation, related=meeting, meeting=meeting, party=party, organisation=organisation, **fields
    )
    for person, role, capacity in members:
        add_delegation_member(delegation, person, role=role, capacity=capacity)
    return delegation


def add_delegation_member(
    delegation: Delegation, person: Person, *, role: str = DelegationMember.Role.MEMBER, capacity: dict | None = None
) -> DelegationMember:
    if role == DelegationMember.Role.HEAD and delegation.members.filter(role=DelegationMember.Role.HEAD).exists():
        raise ValidationFailed({"role": [f"{delegation} already has a head"]})
    return records.create(
        DelegationMember,
        related=delegation,
        delegation=delegation,
        person=person,
        role=role,
        capacity=capacity or {},
        owner_party=delegation.party,
    )


def add_attendee(meeting: Meeting, person: Person, **fields: Any) -> MeetingAttendee:
    return records.create(MeetingAttendee, related=meeting, meeting=meeting, person=person, **fields)


def add_agenda_item(meeting: Meeting, **fields: Any) -> AgendaItem:
    if "position" not in fields:
        last = meeting.agenda_items.order_by("-position").values_list("position", flat=True).first()
        fields["position"] = (last or 0) + 1
    return records.create(AgendaItem, related=meeting, meeting=meeting, **fields)
