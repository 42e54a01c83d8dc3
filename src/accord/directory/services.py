"""Domain operations on parties, organisations, people and positions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from accord.core import services as records
from accord.core.errors import ValidationFailed
from accord.directory.models import Organisation, OrganisationName, OrganisationSuccession, Party, Person, Position


def create_party(**fields: Any) -> Party:
    return records.create(Party, **fields)


def update_party(party: Party, *, expected_version: int, **changes: Any) -> Party:
    return records.update(party, expected_version=expected_version, **changes)


def create_organisation(**fields: Any) -> Organisation:
    return records.create(Organisation, related=fields.get("party"), **fields)


def update_organisation(organisation: Organisation, *, expected_version: int, **changes: Any) -> Organisation:
    return records.update(organisation, expected_version=expected_version, related=organisation.party, **changes)


@transaction.atomic
def add_organisation_name(
    organisation: Organisation, name: dict[str, str], valid_from: dt.date | None = None, valid_to: dt.date | None = None
) -> OrganisationName:
    """Record a name the organisation bore over a period; periods of one organisation must not overlap."""
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
    return records.create(Person, **fields)


def update_person(person: Person, *, expected_version: int, **changes: Any) -> Person:
    return records.update(person, expected_version=expected_version, **changes)


def add_position(person: Person, organisation: Organisation, title: dict[str, str], **fields: Any) -> Position:
    return records.create(Position, related=person, person=person, organisation=organisation, title=title, **fields)
