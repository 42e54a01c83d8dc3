"""The API's signing endpoints: a plan signed for one party (POST /plans/{ref}/sign, joining programmes' plans
resource, as signing builds on programmes and programmes does not know it); /signatures, each with its check
(GET /signatures/{ref}/verify); a signatory's key (POST /people/{ref}/signing-key)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest
from ninja import Router, Schema, Status

from accord.agreements.models import Signature
from accord.core.api import expected_version, read_endpoints, readable
from accord.core.refs import find
from accord.directory.api import people_w
from accord.directory.models import Person
from accord.programmes.api import SignatureOut, SignIn, _errors, _party, _plan, plans_w
from accord.programmes.models import Plan
from accord.signing.filters import SignatureFilters
from accord.signing.services import check_signature, texts_to_sign
from accord.signing.services import create_signing_key as create_key
from accord.signing.services import sign_plan as sign


@plans_w.post(
    "/{ref}/sign",
    response={201: SignatureOut, **_errors(401, 403, 404, 409, 412, 422, 428)},
    summary="Sign (one party)",
)
def sign_plan(request: HttpRequest, ref: str, payload: SignIn) -> Any:
    """Sign the current version for a party with the signatory's key; the passphrase is used and forgotten."""
    party = _party(payload.party)
    plan = _plan(request, ref)  # who may sign for the party is sign_plan's rule
    version = expected_version(request, plan)
    signatory = find(Person.objects.all(), payload.signatory_id, "person")
    signature = sign(
        plan,
        party=party,
        signatory=signatory,
        passphrase=payload.passphrase,
        texts=texts_to_sign(plan, party=party),
        signed_on=payload.signed_on or dt.date.today(),
        signed_at=payload.signed_at or None,
        expected_version=version,
        otp=payload.otp,
    )
    return Status(201, signature)


# --- /signatures: who signed what; a signature checked as anyone can, offline --------------------------------


class SignatureReadOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    plan_id: int | None  # the plan it signs (signatures of other records: none)
    target_version: int
    party_id: int
    party: str
    signatory_id: int | None
    capacity: dict[str, str]
    signed_on: dt.date | None
    signed_at: dict[str, str]
    content_hash: str
    signature: str
    public_key: str
    visibility: str

    @staticmethod
    def resolve_plan_id(obj: Signature) -> int | None:
        return obj.target_id if obj.target_type_id == ContentType.objects.get_for_model(Plan).pk else None

    @staticmethod
    def resolve_party(obj: Signature) -> str:
        return obj.party.code


class VerificationOut(Schema):
    ok: bool
    reason: str  # why it does not hold; empty when it does
    superseded: bool  # it signs a version the plan has since left


class SigningKeyIn(Schema):
    passphrase: str  # seals the private key; used once here and forgotten


class SigningKeyOut(Schema):
    id: int
    uid: uuid.UUID
    person_id: int
    public_key: str
    fingerprint: str
    revoked_on: dt.date | None


signatures = Router(tags=["signatures"])
read_endpoints(signatures, Signature, SignatureReadOut, name="signatures", related=("party",), filters=SignatureFilters)


@signatures.get("/{ref}/verify", response={200: VerificationOut, **_errors(404)}, summary="Check it")
def verify(request: HttpRequest, ref: str) -> Any:
    """Check the signature against the content stored when it was signed, and that against the records then."""
    signature = find(readable(Signature, request).select_related("party"), ref, "signature")
    check = check_signature(signature)
    return {"ok": check.ok, "reason": check.reason, "superseded": check.superseded}


@people_w.post(
    "/{ref}/signing-key",
    response={201: SigningKeyOut, **_errors(401, 403, 404, 422)},
    summary="Make the person's signing key",
)
def create_signing_key(request: HttpRequest, ref: str, payload: SigningKeyIn) -> Any:
    """An Ed25519 key pair for a signatory, its private key sealed under the passphrase (at least 12 characters);
    made by a coordinator of the person's party. The passphrase is not kept: the signatory gives it to sign."""
    person = find(readable(Person, request), ref, "person")
    return Status(201, create_key(person, payload.passphrase))
