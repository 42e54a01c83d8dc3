"""/agreements: read; register one with its parties, change it, add a party or an authentic text (through
agreements.services: a coordinator registers agreements of their own party and changes those it is a party to)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from accord.agreements import services
from accord.agreements.filters import AgreementFilters
from accord.agreements.models import Agreement, AgreementParty, AuthenticText
from accord.core.api import errors, list_endpoint, patch_endpoint, read_endpoints, readable, resolve_refs, respond_with
from accord.core.errors import ValidationFailed
from accord.core.ids import record_id
from accord.core.refs import find
from accord.directory.models import Party


class AgreementPartyOut(Schema):
    party_id: int
    code: str
    role: str
    position: int
    represented_by: dict[str, str]

    @staticmethod
    def resolve_code(obj: object) -> str:
        return obj.party.code  # type: ignore[attr-defined]


class AgreementOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    kind: str
    title: dict[str, str]
    short_title: dict[str, str]
    reference: str
    parent_id: int | None
    signed_on: dt.date | None
    signed_at: dict[str, str]
    entry_into_force_on: dt.date | None
    end_on: dt.date | None
    status: str
    authentic_languages: list[str]
    parties: list[AgreementPartyOut]
    visibility: str

    @staticmethod
    def resolve_parties(obj: Agreement) -> list[object]:
        return list(obj.agreement_parties.all())


class AuthenticTextOut(Schema):
    id: int
    uid: uuid.UUID
    language: str
    title: str
    body: str
    sha256: str
    is_authentic: bool


router = Router()
agreements = Router(tags=["agreements"])
read_endpoints(
    agreements,
    Agreement,
    AgreementOut,
    name="agreements",
    prefetch=("agreement_parties__party",),
    filters=AgreementFilters,
)
router.add_router("/agreements", agreements)


# --- writes ------------------------------------------------------------------------------------------------


class AgreementPartyIn(Schema):
    party: str  # the party's code (CN) or id
    role: str = AgreementParty.Role.SIGNATORY
    represented_by: dict[str, str] = {}


class AgreementIn(Schema):
    kind: str = Agreement.Kind.AGREEMENT
    title: dict[str, str]
    short_title: dict[str, str] = {}
    reference: str = ""
    parent_id: int | str | None = None
    signed_on: dt.date | None = None
    signed_at: dict[str, str] = {}
    entry_into_force_on: dt.date | None = None
    end_on: dt.date | None = None
    status: str = Agreement.Status.DRAFT
    authentic_languages: list[str] = []
    parties: list[AgreementPartyIn]
    visibility: str = "bilateral"
    external_id: str | None = None


class AgreementPatch(Schema):
    kind: str | None = None
    title: dict[str, str] | None = None
    short_title: dict[str, str] | None = None
    reference: str | None = None
    signed_on: dt.date | None = None
    signed_at: dict[str, str] | None = None
    entry_into_force_on: dt.date | None = None
    end_on: dt.date | None = None
    status: str | None = None
    authentic_languages: list[str] | None = None
    visibility: str | None = None


class AuthenticTextIn(Schema):
    language: str
    title: str = ""
    body: str
    is_authentic: bool = True


def party_named(value: str | int, field: str = "party") -> Party:
    """A party by its code (CN) or id; bad input naming `field` otherwise."""
    text = str(value).strip()
    pk = record_id(text)
    party = Party.objects.filter(pk=pk).first() if pk is not None else None
    party = party or Party.objects.filter(code__iexact=text).first()
    if party is None:
        raise ValidationFailed({field: [f"no party with code or id {text!r}"]})
    return party


def _agreement(request: HttpRequest, ref: str) -> Agreement:
    return find(readable(Agreement, request), ref, "agreement")


@agreements.post("", response={201: AgreementOut, **errors(401, 403, 422)}, summary="Register an agreement")
def create_agreement(request: HttpRequest, payload: AgreementIn, response: HttpResponse) -> Any:
    """An agreement with its parties in order (the first is side A); a coordinator registers their party's."""
    fields = payload.dict(exclude_none=True)
    parties = [
        (party_named(p["party"], f"parties.{i}.party"), p["role"], p["represented_by"])
        for i, p in enumerate(fields.pop("parties"))
    ]
    fields = resolve_refs(request, fields, {"parent": Agreement})
    agreement = services.create_agreement(parties=parties, **fields)
    return Status(201, respond_with(response, agreement))


patch_endpoint(agreements, Agreement, AgreementPatch, AgreementOut, services.update_agreement)


@agreements.post(
    "/{ref}/parties", response={201: AgreementOut, **errors(401, 403, 404, 422)}, summary="Add a party to it"
)
def add_party(request: HttpRequest, ref: str, payload: AgreementPartyIn, response: HttpResponse) -> Any:
    agreement = _agreement(request, ref)
    with transaction.atomic():  # the party and whom it is represented by, or neither
        link = services.add_party(agreement, party_named(payload.party), payload.role)
        if payload.represented_by:
            services.set_represented_by(link, payload.represented_by, expected_version=link.version)
    agreement.refresh_from_db()
    return Status(201, respond_with(response, agreement))


list_endpoint(
    agreements,
    "/{ref}/texts",
    AuthenticTextOut,
    name="agreement_texts",
    summary="Its texts, one per language",
    records=lambda request, ref: readable(AuthenticText, request).filter(agreement=_agreement(request, ref)),
)


@agreements.post(
    "/{ref}/texts", response={201: AuthenticTextOut, **errors(401, 403, 404, 422)}, summary="Add a language version"
)
def add_authentic_text(request: HttpRequest, ref: str, payload: AuthenticTextIn) -> Any:
    """One language version of the agreement (authentic ones in its authentic languages), hashed."""
    return Status(201, services.add_authentic_text(_agreement(request, ref), **payload.dict()))
