"""Domain operations on parties, organisations, people and positions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy

from accord.core import services as records
from accord.core.errors import Forbidden, ValidationFailed
from accord.core.permissions import acting_user, may_create, require_actor_admin
from accord.directory.models import Organisation, OrganisationName, OrganisationSuccession, Party, Person, Position


def require_side(party: Any, what: str) -> None:
    """Each side keeps its own directory: a party's coordinators add and change its organisations, people and
    positions (administrators and system actors any party's); a record of no party is the administrators'."""
    user = acting_user()
    if user is not None and not may_create(user, party=party):
        raise Forbidden(f"You may not {what}: each party's coordinators keep their own side's records")


def create_party(**fields: Any) -> Party:
    require_actor_admin(gettext_lazy("add a party"))
    return records.create(Party, **fields)


def update_party(party: Party, *, expected_version: int, **changes: Any) -> Party:
    require_actor_admin(gettext_lazy("change a party"))
    return records.update(party, expected_version=expected_version, **changes)


def create_organisation(**fields: Any) -> Organisation:
    require_side(fields.get("party"), "add an organisation of this party")
    return records.create(Organisation, related=fields.get("party"), **fields)


def update_organisation(organisation: Organisation, *, expected_version: int, **changes: Any) -> Organisation:
    require_side(organisation.party, f"change “{organisation}”")
    if "party" in changes:
        require_side(changes["party"], f"move “{organisation}” to another party")
    return records.update(organisation, expected_version=expected_version, related=organisation.party, **changes)


@transaction.atomic
def add_organisation_name(
    organisation: Organisation, name: dict[str, str], valid_from: dt.date | None = None, valid_to: dt.date | None = None
) -> OrganisationName:
    """Record a name the organisation bore over a period; periods of one organisation must not overlap."""
    require_side(organisation.party, f"name “{organisation}”")
    overlapping = organisation.names.all()
    for other in overlapping:
        if (valid_to is None or other.valid_from is None or other.valid_from <= valid_to) and (
            other.valid_to is None or valid_from is None or valid_from <= other.valid_to
        ):
            raise ValidationFailed({"valid_from": [f"overlaps the dated name “{other}”"]})
    return records.create(
        OrganisationName,
        related=organisation,
        organisation=organisation,
        name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        is_illustrative=organisation.is_illustrative,
    )


def record_succession(
    predecessor: Organisation, successor: Organisation, kind: str, on: dt.date | None = None, **extra: Any
) -> OrganisationSuccession:
    require_side(successor.party, f"record what “{successor}” succeeded")
    if predecessor.pk == successor.pk:
        raise ValidationFailed({"successor": ["an organisation does not succeed itself"]})
    return records.create(
        OrganisationSuccession,
        related=successor,
        predecessor=predecessor,
        successor=successor,
        kind=kind,
        on=on,
        **extra,
    )


def create_person(**fields: Any) -> Person:
    require_side(fields.get("party"), "add a person of this party")
    return records.create(Person, **fields)


def update_person(person: Person, *, expected_version: int, **changes: Any) -> Person:
    require_side(person.party, f"change “{person}”")
    if "party" in changes:
        require_side(changes["party"], f"move “{person}” to another party")
    return records.update(person, expected_version=expected_version, **changes)


def add_position(person: Person, organisation: Organisation, title: dict[str, str], **fields: Any) -> Position:
    require_side(organisation.party, f"add a position at “{organisation}”")
    return records.create(Position, related=person, person=person, organisation=organisation, title=title, **fields)
