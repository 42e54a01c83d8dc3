"""Domain operations on meetings: delegations, attendees, agenda.

Who may: the agreement's coordinators add meetings and their parts; a record filed under a party (a delegation,
its members, an attendee or agenda item owned by one side) is filed by that party's coordinator only
(agreements.services.check_owner, the rule programmes and reviews use too)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accord.agreements.services import check_owner, check_parties
from accord.core import services as records
from accord.core.errors import ValidationFailed
from accord.core.permissions import require_actor, require_actor_create
from accord.directory.models import Organisation, Party, Person
from accord.meetings.models import AgendaItem, Delegation, DelegationMember, Meeting, MeetingAttendee


def create_meeting(**fields: Any) -> Meeting:
    require_actor_create("a meeting", agreement=fields.get("agreement"))
    check_owner(fields.get("owner_party"), fields.get("agreement"), "a meeting")
    return records.create(Meeting, related=fields.get("agreement"), **fields)


def update_meeting(meeting: Meeting, *, expected_version: int, **changes: Any) -> Meeting:
    require_actor("change", meeting)
    if "owner_party" in changes:
        check_owner(changes["owner_party"], meeting.agreement_id, f"“{meeting}”")
    return records.update(meeting, expected_version=expected_version, related=meeting.agreement, **changes)


def _check_part(meeting: Meeting, owner: Party | None, what: str) -> None:
    """A part of a meeting is added by a coordinator of the meeting's agreement who may see the meeting; one filed
    under a party, by that party's coordinator."""
    require_actor("view", meeting)
    require_actor_create(what, party=owner, agreement=meeting.agreement)
    check_owner(owner, meeting.agreement_id, what)


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
    check_parties(meeting.agreement, party=party)
    fields.setdefault("owner_party", party)
    _check_part(meeting, fields["owner_party"], f"the delegation of {party.code} to “{meeting}”")
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
    _check_part(delegation.meeting, delegation.party, f"a member of {delegation}")
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
    _check_part(meeting, fields.get("owner_party"), f"an attendee of “{meeting}”")
    return records.create(MeetingAttendee, related=meeting, meeting=meeting, person=person, **fields)


def add_agenda_item(meeting: Meeting, **fields: Any) -> AgendaItem:
    _check_part(meeting, fields.get("owner_party"), f"an agenda item of “{meeting}”")
    if "position" not in fields:
        last = meeting.agenda_items.order_by("-position").values_list("position", flat=True).first()
        fields["position"] = (last or 0) + 1
    return records.create(AgendaItem, related=meeting, meeting=meeting, **fields)
