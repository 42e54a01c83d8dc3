"""/agreements."""

from __future__ import annotations

import datetime as dt
import uuid

from ninja import Router, Schema

from accord.agreements.filters import AgreementFilters
from accord.agreements.models import Agreement
from accord.core.api import read_endpoints


class AgreementPartyOut(Schema):
    party_id: int
    code: str
    role: str
    position: int

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
