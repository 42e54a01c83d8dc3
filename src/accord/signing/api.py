"""The API's signing endpoint: a plan signed for one party. It joins the plans resource of programmes' API
(POST /plans/{ref}/sign), as signing builds on programmes and programmes does not know it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Status

from accord.core.api import expected_version
from accord.core.refs import find
from accord.directory.models import Person
from accord.programmes.api import SignatureOut, SignIn, _errors, _party, _plan, plans_w
from accord.signing.services import rendered_texts
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
        texts=rendered_texts(plan),
        signed_on=payload.signed_on or dt.date.today(),
        signed_at=payload.signed_at or None,
        expected_version=version,
        otp=payload.otp,
    )
    return Status(201, signature)
