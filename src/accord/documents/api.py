"""/documents: generated and uploaded documents, their publication state, texts and files; /approve and /publish;
and the "generate" sub-resources of the records documents are made from (meetings, plans, minutes, reviews)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db.models import Model
from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from accord.core.api import Error, expected_version, list_endpoint, read_endpoints, readable, respond_with
from accord.core.errors import ValidationFailed
from accord.core.permissions import require
from accord.core.refs import NotFound, find
from accord.directory.models import Party
from accord.documents import services
from accord.documents.filters import DocumentFilters
from accord.documents.models import Document, DocumentFile, DocumentText
from accord.documents.renderers import MEDIA_TYPES
from accord.meetings.api import meetings_w, minutes_w, reviews_w
from accord.meetings.models import Meeting, Minutes, Review
from accord.programmes.api import plans_w
from accord.programmes.models import Plan


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


# --- texts and files ----------------------------------------------------------------------------------------


class TextOut(Schema):
    id: int
    language: str
    body: str
    sha256: str


class FileOut(Schema):
    id: int
    languages: str
    layout: str
    format: str
    sha256: str
    size: int
    download: str  # the URL its bytes are read at

    @staticmethod
    def resolve_download(obj: DocumentFile) -> str:
        return f"/api/v1/documents/{obj.document_id}/files/{obj.pk}"


def _document(request: HttpRequest, ref: str) -> Document:
    return find(readable(Document, request), ref, "document")


list_endpoint(
    router,
    "/{ref}/texts",
    TextOut,
    name="document_texts",
    summary="Its texts, one per language",
    records=lambda request, ref: readable(DocumentText, request).filter(document=_document(request, ref)),
)


@router.get("/{ref}/texts/{language}", response={200: TextOut, **_errors(404)}, summary="Its text in one language")
def get_text(request: HttpRequest, ref: str, language: str) -> Any:
    document = _document(request, ref)
    text = readable(DocumentText, request).filter(document=document, language__iexact=language.strip()).first()
    if text is None:
        there = ", ".join(document.texts.values_list("language", flat=True)) or "none"
        raise NotFound(f"“{document}” has no text in {language!r} (languages: {there})", field="language")
    return text


list_endpoint(
    router,
    "/{ref}/files",
    FileOut,
    name="document_files",
    summary="Its stored renderings (HTML, PDF, DOCX)",
    records=lambda request, ref: readable(DocumentFile, request).filter(document=_document(request, ref)),
)


@router.get(
    "/{ref}/files/{file_id}",
    response={200: None, **_errors(404)},
    summary="Download a rendering",
    openapi_extra={
        "responses": {
            200: {
                "description": "The rendering's bytes",
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}} for media in MEDIA_TYPES.values()
                },
            }
        }
    },
)
def download_file(request: HttpRequest, ref: str, file_id: int) -> Any:
    """The bytes of a stored rendering, if the caller may read it (a published document's: anyone)."""
    document = _document(request, ref)
    rendering = readable(DocumentFile, request).filter(document=document, pk=file_id).first()
    if rendering is None:
        raise NotFound(f"“{document}” has no rendering {file_id} that you may read", field="file_id")
    try:
        handle = rendering.file.open("rb")
    except (FileNotFoundError, OSError):
        raise NotFound("the file is no longer stored; generate the document again", field="file_id") from None
    name = f"{document.kind}-{rendering.languages}.{rendering.format}"
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=MEDIA_TYPES[rendering.format])
    response["ETag"] = f'"{rendering.sha256}"'
    return response


# --- generating from the records: a sub-resource of the record, as the pages' "Generate" steps ---------------


class GenerateIn(Schema):
    language: str | None = None  # the record's languages: e.g. zh, ru, en (a plan text: its authentic languages)
    format: str | None = None  # html, pdf or docx: a rendering stored as well; none: the texts only
    layout: str = "parallel"


def _generate_endpoint(resource: Router, model: type[Model], kind: str) -> None:
    what = str(model._meta.verbose_name)

    def generate(request: HttpRequest, ref: str, payload: Any, response: HttpResponse) -> Any:
        record = find(readable(model, request), ref, what)
        require(request.user, "propose", record)  # generating stores a document: the coordinators' work
        generated = services.generate_document(kind, record, payload.language, payload.format, layout=payload.layout)
        document = Document.objects.prefetch_related("approvals__party").get(pk=generated.document.pk)
        return Status(201, respond_with(response, document))

    generate.__annotations__ = {"request": HttpRequest, "ref": str, "payload": GenerateIn, "response": HttpResponse}
    resource.post(
        f"/{{ref}}/generate-{kind.replace('_', '-')}",
        response={201: DocumentOut, **_errors(401, 403, 404, 409, 422)},
        summary=f"Generate its {kind.replace('_', ' ')} (stored as a draft)",
        operation_id=f"generate_{kind}",
    )(generate)


_generate_endpoint(meetings_w, Meeting, "communique")
_generate_endpoint(plans_w, Plan, "plan_text")
_generate_endpoint(minutes_w, Minutes, "minutes")
_generate_endpoint(reviews_w, Review, "review_report")
