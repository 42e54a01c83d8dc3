"""The pages of organisations (names by date, successions, people) and people (positions)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accord.core.pages.listing import Column
from accord.core.pages.records import EditSpec, NewSpec, RecordType, register
from accord.core.permissions import may_create
from accord.core.visibility import principal, visible
from accord.directory.filters import OrganisationFilters, PersonFilters
from accord.directory.forms import OrganisationForm, PartyForm, PersonForm
from accord.directory.models import Organisation, OrganisationName, Party, Person, Position
from accord.directory.services import (
    create_organisation,
    create_party,
    create_person,
    update_organisation,
    update_party,
    update_person,
)


def _coordinates_any(user: Any) -> bool:
    """Offered "New" to those who keep a party's directory: its coordinators (and administrators)."""
    who = principal(user)
    return who.is_admin or bool(who.coordinates)


def _party_related(party: Party, user: Any, params: Any) -> dict[str, Any]:
    return {
        "organisations": list(visible(party.organisations.all(), user).order_by("id")[:200]),
        "agreements": list(
            visible(party.agreement_roles.all(), user)
            .select_related("agreement")
            .order_by("agreement__signed_on", "agreement_id")
        ),
        "languages": party.languages,
    }


def _organisation_related(org: Organisation, user: Any, params: Any) -> dict[str, Any]:
    return {
        "names": list(OrganisationName.objects.filter(organisation=org).order_by("valid_from", "id")),
        "successors": list(org.successions.select_related("successor").order_by("on", "id")),
        "predecessors": list(org.predecessions.select_related("predecessor").order_by("on", "id")),
        "children": list(visible(org.children.all(), user).order_by("id")),
        "participations": list(
            visible(org.participations.all(), user).select_related("project").order_by("project_id")[:100]
        ),
        "positions": list(org.positions.select_related("person").order_by("-start_on", "id")),
        "languages": org.party.languages,
    }


def _person_related(person: Person, user: Any, params: Any) -> dict[str, Any]:
    return {
        "positions": list(
            Position.objects.filter(person=person).select_related("organisation").order_by("-start_on", "id")
        ),
        "languages": person.party.languages if person.party else [],
    }


ORGANISATIONS = RecordType(
    kind="organisations",
    model=Organisation,
    label=_("Organisation"),
    label_plural=_("Organisations"),
    list_queryset=lambda: Organisation.objects.select_related("party"),
    detail_queryset=lambda: Organisation.objects.select_related("party", "parent"),
    columns=[
        Column(_("Name"), "name", ("party_id", "id")),
        Column(_("Kind"), "kind", ("kind",)),
        Column(_("Party"), "party", ("party__code",)),
        Column(_("Founded"), "founded", ("founded_on",)),
    ],
    filters=OrganisationFilters,
    search=("name",),
    default_sort="name",
    related=_organisation_related,
    edit=EditSpec(("name", "kind", "founded_on", "dissolved_on", "visibility"), update_organisation),
    create=NewSpec(
        ("name", "party", "kind", "founded_on", "visibility"),
        create_organisation,
        offered=_coordinates_any,
        form=OrganisationForm,
    ),
)


PEOPLE = RecordType(
    kind="people",
    model=Person,
    label=_("Person"),
    label_plural=_("People"),
    list_queryset=lambda: Person.objects.select_related("party"),
    detail_queryset=lambda: Person.objects.select_related("party"),
    columns=[
        Column(_("Name"), "name", ("id",)),
        Column(_("Party"), "party", ("party__code",)),
        Column(_("ORCID iD")),
    ],
    filters=PersonFilters,
    search=("name",),
    search_exact=("orcid",),
    default_sort="name",
    related=_person_related,
    edit=EditSpec(("name", "orcid"), update_person),
    create=NewSpec(("name", "party", "orcid"), create_person, offered=_coordinates_any, form=PersonForm),
)


PARTIES = RecordType(
    kind="parties",
    model=Party,
    label=_("Party"),
    label_plural=_("Parties"),
    list_queryset=lambda: Party.objects.all(),
    columns=[
        Column(_("Code"), "code", ("code",)),
        Column(_("Name")),
        Column(_("Kind"), "kind", ("kind", "code")),
        Column(_("Official languages")),
    ],
    search=("name",),
    search_exact=("code",),
    default_sort="code",
    related=_party_related,
    edit=EditSpec(("name", "kind"), update_party),
    # Any coordinator adds the side of a new partner (the service: may_create(anywhere=True)).
    create=NewSpec(
        ("code", "kind", "name"), create_party, offered=lambda user: may_create(user, anywhere=True), form=PartyForm
    ),
)

register(ORGANISATIONS, PEOPLE, PARTIES)
