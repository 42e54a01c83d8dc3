"""/imports, /exports and /templates: the same imports and exports as `accord import` / `accord export`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import get_language
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from accord.core.api import Error
from accord.core.errors import Forbidden, ValidationFailed
from accord.core.throttle import HoldingSlot, check_rate, take_slot
from accord.core.visibility import principal
from accord.interop import services
from accord.interop.encoding import EncodingRefused, codec_name
from accord.interop.jobs import queue_export, queue_import
from accord.interop.limits import limit
from accord.interop.readers import _too_large, format_of
from accord.interop.report import ImportRefused
from accord.jobs.api import job_page, job_url

router = Router(tags=["import and export"])
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class Queued(Schema):
    code: str
    message: str
    job: int
    url: str


def _kind(kind: str) -> str:
    if kind not in services.KINDS:
        raise ValidationFailed({"kind": [f"unknown kind {kind!r}; one of: {', '.join(services.KINDS)}"]})
    return kind


def _format(fmt: str) -> str:
    if fmt not in CONTENT_TYPES:
        raise ValidationFailed({"format": [f"unknown format {fmt!r}; one of: csv, xlsx, json"]})
    return fmt


@router.get(
    "/exports/{kind}",
    response={200: None, 202: Queued, 422: Error, 429: Error},
    summary="Export records",
    operation_id="export",
)
def export(request: HttpRequest, response: HttpResponse, kind: str, format: str = "csv") -> Any:
    """Every record of `kind` the caller may read, streamed (constant memory); formula cells are neutralised.

    Any other query parameter is one of the kind's filters, the same as its list page and its API list take
    (`/exports/projects?agreement=3&field=physics`): the export of what the list shows. A refused value, or a
    name that is no filter of the kind, is a 422 naming it.

    Exports are the costliest reads, so they are bounded (docs/security.md): a rate per client (429 with
    Retry-After; anonymous clients by address, stricter), a few at once server-wide (429 when all are busy),
    anonymous exports cut at a number of records (`Accord-Truncated: <given> of <total>`, and a note sheet in
    XLSX), and a signed-in account's export past a size made as a background job (202 with the job's page)."""
    check_rate(
        request,
        "export",
        anonymous_per_minute=settings.ACCORD_EXPORT_RATE_ANONYMOUS,
        per_minute=settings.ACCORD_EXPORT_RATE_ACCOUNT,
    )
    fmt = _format(format)
    given = {name: request.GET.get(name, "") for name in request.GET if name != "format"}
    filters = services.export_filters(_kind(kind), given, user=request.user)
    plan = services.export_plan(kind, user=request.user, filters=filters)
    if plan.as_job:
        job, url = queue_export(kind=kind, fmt=fmt, filters=given, user=request.user)
        message = f"{plan.total} records are exported in the background: the file is offered on the job's page ({url})"
        response["Location"] = url
        return Status(202, {"code": "queued", "message": message, "job": job, "url": url})
    release = take_slot("export", settings.ACCORD_EXPORT_SLOTS)
    try:
        withheld = services.export_withheld(kind, user=request.user, filters=filters)
        stream = services.export_stream(kind, fmt, user=request.user, withheld=withheld, filters=filters, plan=plan)
    except BaseException:
        release()
        raise
    streamed = StreamingHttpResponse(HoldingSlot(stream, release), content_type=CONTENT_TYPES[fmt])
    if plan.truncated:
        streamed["Accord-Truncated"] = f"{plan.cap} of {plan.total}"
    streamed["Content-Disposition"] = f'attachment; filename="accord-{kind}.{fmt}"'
    # Parts of composites the caller reads (a plan's items) left out because they may not see them.
    streamed["Accord-Withheld"] = str(withheld)
    return streamed


@router.get("/templates/{kind}", response={200: None, 422: Error}, summary="Empty import template")
def template(request: HttpRequest, kind: str, format: str = "xlsx", language: str | None = None) -> HttpResponse:
    """Headers in the caller's language (or `language`), ready to fill in and import."""
    fmt = _format(format)
    body = services.template(_kind(kind), fmt, language=language or get_language() or "en")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="accord-{kind}-template.{fmt}"'
    return response


class ImportQueued(Schema):
    code: str
    message: str
    job: int
    url: str
    page: str


@router.post(
    "/imports/{kind}",
    response={
        200: dict[str, Any],
        201: dict[str, Any],
        202: ImportQueued,
        401: Error,
        403: Error,
        422: dict[str, Any],
    },
    summary="Import a file",
)
def import_records(
    request: HttpRequest,
    response: HttpResponse,
    kind: str,
    file: UploadedFile = File(...),  # noqa: B008
    dry_run: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
) -> Any:
    """All or nothing: every problem is listed by row and column and nothing is written; `dry_run` only reports.

    `encoding` names a CSV or JSON file's encoding (utf-8, gb18030, cp1251, cp1252, utf-16, …); without it the
    encoding is decided from the whole file, and a file that reads two ways is refused as ambiguous. `sheet`
    names a workbook's sheet (else the first). The answer says how the file was read (`read_as`) and shows
    decoded rows from across the file (`preview`). Imports reach across parties' records, so they are for
    administrators.

    A file larger than ACCORD_IMPORT_INLINE_MAX_BYTES (2 MB) is imported in the background by the imports worker:
    the answer is 202 with the job's URL (`url`, and the `Location` header); poll it (`GET /api/v1/jobs/{id}`) for
    `progress` until `status` is done (`result`: what was created, updated, left alone), failed (`result`: every
    problem by row and column; nothing was written) or cancelled (`POST /api/v1/jobs/{id}/cancel`). The upload is
    deleted when the job ends.
    """
    if not principal(request.user).is_admin:
        raise Forbidden("imports are for administrators; ask yours, or send the file to your coordinator")
    name = file.name or f"upload.{kind}"
    size = file.size or 0
    if size > limit("ACCORD_IMPORT_INLINE_MAX_BYTES"):
        try:  # what can be told at once is told at once: the kind, the file's type, the encoding's name
            format_of(name)
            if encoding:
                codec_name(encoding)
        except ImportRefused as refused:
            return Status(422, refused.as_dict())
        except EncodingRefused as exc:
            raise ValidationFailed({"encoding": [exc.reason]}) from None
        if size > limit("ACCORD_IMPORT_MAX_BYTES"):
            return Status(422, _too_large(name).as_dict())
        job = queue_import(
            kind=_kind(kind),
            upload=file,
            filename=name,
            user=request.user,
            dry_run=dry_run,
            encoding=encoding,
            sheet=sheet,
        )
        url = job_url(job)
        message = f"The file ({size // 1024} KB) is imported in the background: poll {url} for its progress"
        response["Location"] = url  # where the job is, as a 202 says (RFC 9110 15.3.3)
        return Status(202, {"code": "queued", "message": message, "job": job.pk, "url": url, "page": job_page(job)})
    try:
        report = services.import_file(_kind(kind), file, name, dry_run=dry_run, encoding=encoding, sheet=sheet)
    except ImportRefused as refused:
        return Status(422, refused.as_dict())
    return Status(200 if dry_run else 201, report.as_dict())
