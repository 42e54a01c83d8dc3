"""/parties, /organisations (dated names, successions), /people (positions): read, and create and change through
directory.services (each party's coordinators keep their side; parties themselves are the administrators')."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from accord.core.api import errors, patch_endpoint, read_endpoints, readable, resolve_refs, respond_with
from accord.core.refs import find
from accord.directory import services
from accord.directory.filters import OrganisationFilters, PersonFilters
from accord.directory.models import Organisation, Party, Person


class PartyOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    code: str
    kind: str
    name: dict[str, str]
    languages: list[str]


class OrganisationNameOut(Schema):
    id: int
    name: dict[str, str]
    valid_from: dt.date | None
    valid_to: dt.date | None


class SuccessionOut(Schema):
    id: int
    predecessor_id: int
    successor_id: int
    kind: str
    on: dt.date | None


class OrganisationOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    party_id: int
    kind: str
    name: dict[str, str]
    parent_id: int | None
    identifiers: dict[str, str]
    aliases: list[str]
    founded_on: dt.date | None
    dissolved_on: dt.date | None
    visibility: str
    is_illustrative: bool
    names: list[OrganisationNameOut]  # the names it bore, dated
    successions: list[SuccessionOut]  # what it became (it is the predecessor)
    predecessions: list[SuccessionOut]  # what it succeeded (it is the successor)

    @staticmethod
    def resolve_names(obj: Organisation) -> list[Any]:
        return list(obj.names.all())

    @staticmethod
    def resolve_successions(obj: Organisation) -> list[Any]:
        return list(obj.successions.all())

    @staticmethod
    def resolve_predecessions(obj: Organisation) -> list[Any]:
        return list(obj.predecessions.all())


class PositionOut(Schema):
    id: int
    uid: uuid.UUID
    organisation_id: int
    title: dict[str, str]
    start_on: dt.date | None
    end_on: dt.date | None


class PersonOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    name: dict[str, str]
    orcid: str
    party_id: int | None
    positions: list[PositionOut]

    @staticmethod
    def resolve_positions(obj: Person) -> list[Any]:
        return list(obj.positions.all())


router = Router()
resources: dict[str, Router] = {}
for path, model, schema, filters, prefetch in (
    ("parties", Party, PartyOut, None, ()),
    ("organisations", Organisation, OrganisationOut, OrganisationFilters, ("names", "successions", "predecessions")),
    ("people", Person, PersonOut, PersonFilters, ("positions",)),
):
    resource = Router(tags=[path])
    read_endpoints(resource, model, schema, name=path.replace("-", "_"), filters=filters, prefetch=prefetch)
    router.add_router(f"/{path}", resource)
    resources[path] = resource
parties_w, organisations_w, people_w = resources["parties"], resources["organisations"], resources["people"]

_REFS: dict[str, type[Model]] = {"party": Party, "parent": Organisation, "organisation": Organisation}


# --- parties ---------------------------------------------------------------------------------------------


class PartyIn(Schema):
    code: str
    kind: str = "state"
    name: dict[str, str]
    languages: list[str] = []


class PartyPatch(Schema):
    kind: str | None = None
    name: dict[str, str] | None = None
    languages: list[str] | None = None


@parties_w.post("", response={201: PartyOut, **errors(401, 403, 422)}, summary="Add a party (administrators)")
def create_party(request: HttpRequest, payload: PartyIn, response: HttpResponse) -> Any:
    return Status(201, respond_with(response, services.create_party(**payload.dict())))


patch_endpoint(parties_w, Party, PartyPatch, PartyOut, services.update_party)


# --- organisations ---------------------------------------------------------------------------------------


class OrganisationIn(Schema):
    party_id: int | str
    kind: str = "institute"
    name: dict[str, str]
    parent_id: int | str | None = None
    identifiers: dict[str, str] = {}
    aliases: list[str] = []
    founded_on: dt.date | None = None
    dissolved_on: dt.date | None = None
    visibility: str = "public"
    external_id: str | None = None


class OrganisationPatch(Schema):
    kind: str | None = None
    name: dict[str, str] | None = None
    parent_id: int | str | None = None
    identifiers: dict[str, str] | None = None
    aliases: list[str] | None = None
    founded_on: dt.date | None = None
    dissolved_on: dt.date | None = None
    visibility: str | None = None


class OrganisationNameIn(Schema):
    name: dict[str, str]
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class SuccessionIn(Schema):
    successor_id: int | str
    kind: str
    on: dt.date | None = None


def _party_ref(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """`party_id` may be the party's code (CN) as well as its id or uid."""
    return resolve_refs(request, data, _REFS)


@organisations_w.post("", response={201: OrganisationOut, **errors(401, 403, 422)}, summary="Add an organisation")
def create_organisation(request: HttpRequest, payload: OrganisationIn, response: HttpResponse) -> Any:
    fields = _party_ref(request, payload.dict(exclude_none=True))
    return Status(201, respond_with(response, services.create_organisation(**fields)))


patch_endpoint(
    organisations_w, Organisation, OrganisationPatch, OrganisationOut, services.update_organisation, refs=_REFS
)


@organisations_w.post(
    "/{ref}/names", response={201: OrganisationNameOut, **errors(401, 403, 404, 422)}, summary="Add a dated name"
)
def add_organisation_name(request: HttpRequest, ref: str, payload: OrganisationNameIn) -> Any:
    organisation = find(readable(Organisation, request), ref, "organisation")
    return Status(201, services.add_organisation_name(organisation, **payload.dict()))


@organisations_w.post(
    "/{ref}/successions",
    response={201: SuccessionOut, **errors(401, 403, 404, 422)},
    summary="Record its successor (renamed, merged, split, succeeded)",
)
def record_succession(request: HttpRequest, ref: str, payload: SuccessionIn) -> Any:
    predecessor = find(readable(Organisation, request), ref, "organisation")
    fields = resolve_refs(request, payload.dict(), {"successor": Organisation})
    return Status(201, services.record_succession(predecessor, **fields))


# --- people ----------------------------------------------------------------------------------------------


class PersonIn(Schema):
    name: dict[str, str]
    orcid: str = ""
    party_id: int | str | None = None
    external_id: str | None = None


class PersonPatch(Schema):
    name: dict[str, str] | None = None
    orcid: str | None = None


class PositionIn(Schema):
    organisation_id: int | str
    title: dict[str, str]
    start_on: dt.date | None = None
    end_on: dt.date | None = None


@people_w.post("", response={201: PersonOut, **errors(401, 403, 422)}, summary="Add a person")
def create_person(request: HttpRequest, payload: PersonIn, response: HttpResponse) -> Any:
    fields = _party_ref(request, payload.dict(exclude_none=True))
    return Status(201, respond_with(response, services.create_person(**fields)))


patch_endpoint(people_w, Person, PersonPatch, PersonOut, services.update_person)


@people_w.post("/{ref}/positions", response={201: PositionOut, **errors(401, 403, 404, 422)}, summary="Add a position")
def add_position(request: HttpRequest, ref: str, payload: PositionIn) -> Any:
    person = find(readable(Person, request), ref, "person")
    fields = resolve_refs(request, payload.dict(), _REFS)
    return Status(201, services.add_position(person, **fields))
