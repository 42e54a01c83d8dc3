"""/parties, /organisations, /people."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Router, Schema

from accord.core.api import read_endpoints
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


class PersonOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    name: dict[str, str]
    orcid: str
    party_id: int | None


router = Router()
for path, model, schema, filters in (
    ("parties", Party, PartyOut, None),
    ("organisations", Organisation, OrganisationOut, OrganisationFilters),
    ("people", Person, PersonOut, PersonFilters),
):
    resource = Router(tags=[path])
    read_endpoints(resource, model, schema, name=path.replace("-", "_"), filters=filters)
    router.add_router(f"/{path}", resource)
