"""Domain operations on meetings: delegations, attendees, agenda.

Who may: the agreement's coordinators add meetings and their parts; a record filed under a party (a delegation,
its members, an attendee or agenda item owned by one side) is filed by that party's coordinator only
(agreements.services.check_owner, the rule programmes and reviews use too), and removed by them only
(core.permissions "delete": the owner's coordinators; a shared part, any coordinator of the agreement).
Once the minutes are final, the delegations (whose parties signed them off) no longer change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accord.agreements.services import check_owner, check_parties
from accord.core import services as records
from accord.core.errors import TransitionRefused, ValidationFailed
from accord.core.permissions import require_actor, require_actor_create
from accord.directory.models import Organisation, Party, Person
from accord.meetings.models import AgendaItem, Delegation, DelegationMember, Meeting, MeetingAttendee, Minutes


def create_meeting(**fields: Any) -> Meeting:
    require_actor_create(_("a meeting"), agreement=fields.get("agreement"))
    check_owner(fields.get("owner_party"), fields.get("agreement"), _("a meeting"))
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
    _refuse_if_minutes_final(meeting)
    if sum(1 for _person, role, _capacity in members if role == DelegationMember.Role.HEAD) > 1:
        raise ValidationFailed({"members": [_("a delegation has one head")]})
    for person, _role, _capacity in members:
        _check_member_side(person, party, field="members")
    check_parties(meeting.agreement, party=party)
    fields.setdefault("owner_party", party)
    _check_part(
        meeting,
        fields["owner_party"],
        _("the delegation of %(party)s to “%(meeting)s”") % {"party": party.code, "meeting": meeting},
    )
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
        raise ValidationFailed({"role": [_("%(delegation)s already has a head") % {"delegation": delegation}]})
    _refuse_if_minutes_final(delegation.meeting)
    _check_part(delegation.meeting, delegation.party, _("a member of %(delegation)s") % {"delegation": delegation})
    _check_member_side(person, delegation.party, field="person")
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
    """Someone present for a party is that party's to record (and remove); a guest of no party is shared."""
    if fields.get("party") is not None:
        check_parties(meeting.agreement, party=fields["party"])
        fields.setdefault("owner_party", fields["party"])
    _check_part(meeting, fields.get("owner_party"), _("an attendee of “%(meeting)s”") % {"meeting": meeting})
    return records.create(MeetingAttendee, related=meeting, meeting=meeting, person=person, **fields)


def add_agenda_item(meeting: Meeting, **fields: Any) -> AgendaItem:
    _check_part(meeting, fields.get("owner_party"), _("an agenda item of “%(meeting)s”") % {"meeting": meeting})
    if "position" not in fields:
        last = meeting.agenda_items.order_by("-position").values_list("position", flat=True).first()
        fields["position"] = (last or 0) + 1
    return records.create(AgendaItem, related=meeting, meeting=meeting, **fields)


def update_agenda_item(item: AgendaItem, *, expected_version: int, **changes: Any) -> AgendaItem:
    """Change an agenda item's title, kind, plan or the decision taken on it (its number: move_agenda_item)."""
    require_actor("change", item)
    if "owner_party" in changes:
        check_owner(changes["owner_party"], item.meeting.agreement_id, f"“{item}”")
    return records.update(item, expected_version=expected_version, related=item.meeting, **changes)


def _check_member_side(person: Person, party: Party, *, field: str) -> None:
    """A delegation is made of its party's people (or of people filed under no party: an interpreter, a guest)."""
    if person.party_id is not None and person.party_id != party.pk:
        message = _("%(person)s is of another party than the %(party)s delegation")
        raise ValidationFailed({field: [message % {"person": person, "party": party.code}]})


def delegations_frozen(meeting: Meeting) -> bool:
    """Whether the delegations no longer change (the pages ask it to offer no add or remove that would be refused)."""
    return Minutes.objects.filter(meeting=meeting, status=Minutes.Status.FINAL).exists()


def _refuse_if_minutes_final(meeting: Meeting) -> None:
    """The delegations are the parties that sign the minutes off: once those are final, who came stays."""
    final = Minutes.objects.filter(meeting=meeting, status=Minutes.Status.FINAL).values_list("finalised_on", flat=True)
    if final.exists():
        message = _("the minutes of “%(meeting)s” are final (since %(since)s): its delegations no longer change")
        raise TransitionRefused(message % {"meeting": meeting, "since": final.first()}, field="delegations")


@transaction.atomic
def remove_delegation(delegation: Delegation, *, expected_version: int | None = None) -> None:
    """Remove a delegation with its members: by its party's coordinator, before the minutes are final."""
    require_actor("delete", delegation)
    _refuse_if_minutes_final(delegation.meeting)
    for member in delegation.members.all():
        records.delete(member, related=delegation)
    records.delete(delegation, expected_version=expected_version, related=delegation.meeting)


def remove_delegation_member(member: DelegationMember, *, expected_version: int | None = None) -> None:
    require_actor("delete", member)
    _refuse_if_minutes_final(member.delegation.meeting)
    records.delete(member, expected_version=expected_version, related=member.delegation)


def remove_attendee(attendee: MeetingAttendee, *, expected_version: int | None = None) -> None:
    require_actor("delete", attendee)
    records.delete(attendee, expected_version=expected_version, related=attendee.meeting)


@transaction.atomic
def remove_agenda_item(item: AgendaItem, *, expected_version: int | None = None) -> None:
    """Remove an agenda item; the items after it move up, so the agenda stays numbered 1, 2, 3 ..."""
    require_actor("delete", item)
    meeting = item.meeting
    records.delete(item, expected_version=expected_version, related=meeting)
    for later in meeting.agenda_items.filter(position__gt=item.position).order_by("position"):
        records.update(later, expected_version=later.version, related=meeting, position=later.position - 1)


@transaction.atomic
def move_agenda_item(item: AgendaItem, *, to: int) -> AgendaItem:
    """Put an agenda item at number `to` (1 to the number of items); those between move by one, so the agenda
    stays numbered 1, 2, 3 ..."""
    require_actor("change", item)
    meeting = item.meeting
    items = list(meeting.agenda_items.select_for_update().order_by("position", "id"))
    if not 1 <= to <= len(items):
        raise ValidationFailed({"position": [_("an agenda item's number is from 1 to %(n)s") % {"n": len(items)}]})
    moving = next(i for i in items if i.pk == item.pk)
    items.remove(moving)
    items.insert(to - 1, moving)
    # Numbers are unique per meeting: those that change step aside first (past the end), then take their place.
    changed = [(i, n) for n, i in enumerate(items, start=1) if i.position != n]
    for offset, (other, _n) in enumerate(changed, start=1):
        records.update(other, expected_version=other.version, related=meeting, position=len(items) + offset)
    for other, n in changed:
        records.update(other, expected_version=other.version, related=meeting, position=n)
    return moving
