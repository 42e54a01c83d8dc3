"""/documents: generated and uploaded documents, their publication state; /approve and /publish."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from accord.core.api import Error, expected_version, read_endpoints, readable, respond_with
from accord.core.errors import ValidationFailed
from accord.core.permissions import require
from accord.core.refs import find
from accord.directory.models import Party
from accord.documents import services
from accord.documents.filters import DocumentFilters
from accord.documents.models import Document


class ApprovalOut(Schema):
    party: str
    approved_by: str
    approved_at: dt.datetime
    content_sha256: str
    current: bool  # of the text as it is now (an approval of an earlier text no longer counts)


class DocumentOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    kind: str
    origin: str
    title: dict[str, str]
    agreement_id: int
    meeting_id: int | None
    plan_id: int | None
    issued_on: dt.date | None
    status: str
    published_at: dt.datetime | None
    content_sha256: str
    owner_party_id: int | None
    visibility: str
    approvals: list[ApprovalOut]
    awaiting: list[str]  # the parties whose approval of the current text is still missing

    @staticmethod
    def resolve_approvals(document: Document) -> list[dict[str, Any]]:
        return [
            {
                "party": a.party.code,
                "approved_by": a.approved_by_name,
                "approved_at": a.approved_at,
                "content_sha256": a.content_sha256,
                "current": a.content_sha256 == document.content_sha256,
            }
            for a in document.approvals.all()
        ]

    @staticmethod
    def resolve_awaiting(document: Document) -> list[str]:
        return [] if document.is_published else [p.code for p in services.missing_approvals(document)]


class ApproveIn(Schema):
    party: str
    content_sha256: str | None = None  # the text the approver read; a text changed since is refused (409)


router = Router(tags=["documents"])
read_endpoints(router, Document, DocumentOut, name="documents", prefetch=("approvals__party",), filters=DocumentFilters)


def _errors(*codes: int) -> dict[int, Any]:
    return {c: Error for c in codes}


def _party(code: str) -> Party:
    party = Party.objects.filter(code=code.strip().upper()).first()
    if party is None:
        raise ValidationFailed({"party": [f"no party with code {code!r}"]})
    return party


@router.post(
    "/{ref}/approve",
    response={200: DocumentOut, **_errors(401, 403, 404, 409, 412, 422, 428)},
    summary="Approve the current text (one party)",
)
def approve_document(request: HttpRequest, ref: str, payload: ApproveIn, response: HttpResponse) -> Any:
    """One party approves the document's text as it is now; once every party has, it can be published."""
    party = _party(payload.party)
    document = find(readable(Document, request), ref, "document")
    require(request.user, "approve", document, party=party)
    services.approve_document(
        document, party, expected_version=expected_version(request, document), content_sha256=payload.content_sha256
    )
    document.refresh_from_db()
    return respond_with(response, document)


@router.post(
    "/{ref}/publish",
    response={200: DocumentOut, **_errors(401, 403, 404, 409, 412, 428)},
    summary="Publish (every party approved)",
)
def publish_document(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    """Make the document public (portal, OAI-PMH, downloads): every party must have approved its current text."""
    document = find(readable(Document, request), ref, "document")
    require(request.user, "publish", document)
    version = expected_version(request, document)
    return respond_with(response, services.publish_document(document, expected_version=version))
