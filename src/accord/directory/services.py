"""Domain operations on parties, organisations, people and positions.

Each side keeps its own directory: a party's coordinators add and change its organisations, people and their
names and positions (core.permissions: a directory record is on its party's side); any coordinator may add a
party, the side of a new partner. Checked here, so the pages, the API, the admin and the CLI meet one rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accord.core import services as records
from accord.core.errors import ValidationFailed
from accord.core.permissions import require_actor, require_actor_create
from accord.directory.models import Organisation, OrganisationName, OrganisationSuccession, Party, Person, Position


def create_party(**fields: Any) -> Party:
    require_actor_create(_("a party"), anywhere=True)
    return records.create(Party, **fields)


def update_party(party: Party, *, expected_version: int, **changes: Any) -> Party:
    require_actor("change", party)
    return records.update(party, expected_version=expected_version, **changes)


@transaction.atomic
def create_organisation(*, name_from: dt.date | None = None, **fields: Any) -> Organisation:
    """An organisation of a party (added by that party's coordinators). `name_from`: the date its name is in force
    from, kept as its first dated name (documents show the name of their date)."""
    require_actor_create(_("an organisation"), party=fields.get("party"))
    organisation = records.create(Organisation, related=fields.get("party"), **fields)
    if name_from is not None:
        add_organisation_name(organisation, dict(organisation.name), valid_from=name_from)
    return organisation


def update_organisation(organisation: Organisation, *, expected_version: int, **changes: Any) -> Organisation:
    require_actor("change", organisation)
    if "party" in changes:  # moved to another side: that side's coordinators too
        require_actor_create(_("an organisation"), party=changes["party"])
    return records.update(organisation, expected_version=expected_version, related=organisation.party, **changes)


@transaction.atomic
def add_organisation_name(
    organisation: Organisation, name: dict[str, str], valid_from: dt.date | None = None, valid_to: dt.date | None = None
) -> OrganisationName:
    """Record a name the organisation bore over a period; periods of one organisation must not overlap."""
    require_actor("change", organisation)
    overlapping = organisation.names.all()
    for other in overlapping:
        if (valid_to is None or other.valid_from is None or other.valid_from <= valid_to) and (
            other.valid_to is None or valid_from is None or valid_from <= other.valid_to
        ):
            raise ValidationFailed({"valid_from": [_("overlaps the dated name “%(name)s”") % {"name": other}]})
    return records.create(
        OrganisationName,
        related=organisation,
        organisation=organisation,
        name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        is_illustrative=organisation.is_illustrative,
    )


@transaction.atomic
def rename_organisation(organisation: Organisation, name: dict[str, str], valid_from: dt.date) -> OrganisationName:
    """A later name, in force from `valid_from`: the name borne until then is kept as a dated name ending the day
    before, and the new one becomes the organisation's current name."""
    require_actor("change", organisation)
    names = list(organisation.names.order_by("valid_from", "id"))
    later = [n for n in names if n.valid_from is not None and n.valid_from >= valid_from]
    if later:
        message = _("must be after the start of the latest dated name “%(name)s”") % {"name": later[-1]}
        raise ValidationFailed({"valid_from": [message]})
    day_before = valid_from - dt.timedelta(days=1)
    still_open = [n for n in names if n.valid_to is None or n.valid_to >= valid_from]
    for current in still_open:
        records.update(current, expected_version=current.version, related=organisation, valid_to=day_before)
    if not names:  # the name borne so far was never dated: keep it, up to the day before
        add_organisation_name(organisation, dict(organisation.name), organisation.founded_on, day_before)
    dated = add_organisation_name(organisation, name, valid_from=valid_from)
    records.update(organisation, expected_version=organisation.version, related=organisation.party, name=name)
    return dated


def record_succession(
    predecessor: Organisation, successor: Organisation, kind: str, on: dt.date | None = None, **extra: Any
) -> OrganisationSuccession:
    """`successor` continued `predecessor` (renamed, merged, split off, succeeded): a change of both their sides."""
    require_actor("change", predecessor)
    require_actor("change", successor)
    if predecessor.pk == successor.pk:
        raise ValidationFailed({"successor": [_("an organisation does not succeed itself")]})
    if OrganisationSuccession.objects.filter(predecessor=predecessor, successor=successor).exists():
        message = _("“%(successor)s” is already recorded as continuing “%(predecessor)s”")
        raise ValidationFailed({"successor": [message % {"successor": successor, "predecessor": predecessor}]})
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
    """A person of a party's side (added by that party's coordinators), names in several scripts."""
    require_actor_create(_("a person"), party=fields.get("party"))
    return records.create(Person, **fields)


def update_person(person: Person, *, expected_version: int, **changes: Any) -> Person:
    require_actor("change", person)
    if "party" in changes:
        require_actor_create(_("a person"), party=changes["party"])
    return records.update(person, expected_version=expected_version, **changes)


def add_position(person: Person, organisation: Organisation, title: dict[str, str], **fields: Any) -> Position:
    require_actor("change", person)
    return records.create(Position, related=person, person=person, organisation=organisation, title=title, **fields)
