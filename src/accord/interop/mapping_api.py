"""The column-mapping step in the API (joins interop's router): propose, preview, import through a mapping,
and the stored mappings. For administrators, as imports are."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Form, Status
from ninja.files import UploadedFile

from accord.core.api import Error
from accord.core.errors import Forbidden, ValidationFailed
from accord.core.visibility import principal
from accord.interop.api import ImportQueued, _kind, router
from accord.interop.jobs import queue_import
from accord.interop.limits import limit
from accord.interop.mapping import Mapping, import_mapped, preview, propose, stored_mapping
from accord.interop.models import ImportMapping
from accord.interop.readers import _too_large, format_of
from accord.interop.report import ImportRefused
from accord.interop.services import save_mapping
from accord.jobs.api import job_page, job_url


def _admin(request: HttpRequest) -> None:
    if not principal(request.user).is_admin:
        raise Forbidden("imports and their mappings are for administrators")


def _mapping(kind: str, mapping: str | None, name: str | None) -> Mapping:
    if name:
        return stored_mapping(kind, name)
    if not mapping:
        raise ValidationFailed({"mapping": ["give a mapping (JSON) or the name of a stored one (map)"]})
    try:
        data = json.loads(mapping)
    except json.JSONDecodeError as exc:
        raise ValidationFailed({"mapping": [f"not JSON: {exc.msg} (column {exc.colno})"]}) from None
    return Mapping.from_dict(data, kind=kind)


def _stored(stored: ImportMapping) -> dict[str, Any]:
    return {"id": stored.pk, "uid": str(stored.uid), "version": stored.version, **stored.as_file()}


@router.post(
    "/imports/{kind}/mapping-proposal",
    response={200: dict[str, Any], 401: Error, 403: Error, 422: Any},
    summary="Propose a column mapping for a file",
)
def mapping_proposal(request: HttpRequest, kind: str, file: UploadedFile = File(...)) -> Any:  # noqa: B008
    """Which of the file's columns fills which field (by header in English, Chinese or Russian, or by content),
    with the reason for each and the first values of each column."""
    _admin(request)
    try:
        proposal = propose(_kind(kind), file, file.name or "upload.csv")
    except ImportRefused as refused:
        return Status(422, refused.as_dict())
    return {"mapping": proposal.mapping.as_file(), "reasons": proposal.reasons, "samples": proposal.samples}


@router.post(
    "/imports/{kind}/mapping-preview",
    response={200: dict[str, Any], 401: Error, 403: Error, 422: Any},
    summary="Preview a file through a column mapping",
)
def mapping_preview(
    request: HttpRequest,
    kind: str,
    file: UploadedFile = File(...),  # noqa: B008
    mapping: str | None = Form(None),
    map: str | None = Form(None),
) -> Any:
    """The first 20 rows as Accord would store them, each cell with its problem if any, and a dry run of the
    whole file (counts, or every problem by the file's own row and column). Writes nothing."""
    _admin(request)
    result = preview(_mapping(_kind(kind), mapping, map), file, file.name or "upload.csv")
    return {
        "columns": [{"field": key, "source": source} for key, source in result.header],
        "rows": [
            {"row": number, "cells": [{"value": value, "problem": problem or None} for value, problem in cells]}
            for number, cells in result.rows
        ],
        "left_out": result.left_out,
        "report": result.report.as_dict() if result.report else None,
        "problems": [p.as_dict() for p in result.problems],
        # A file above ACCORD_IMPORT_INLINE_MAX_BYTES: no dry run here; POST .../mapped?dry_run=true queues one.
        "dry_run_as_job": result.dry_run_as_job,
    }


@router.post(
    "/imports/{kind}/mapped",
    response={200: dict[str, Any], 201: dict[str, Any], 202: ImportQueued, 401: Error, 403: Error, 422: Any},
    summary="Import a file through a column mapping",
)
def import_through_mapping(
    request: HttpRequest,
    response: HttpResponse,
    kind: str,
    file: UploadedFile = File(...),  # noqa: B008
    mapping: str | None = Form(None),
    map: str | None = Form(None),
    dry_run: bool = False,
) -> Any:
    """As POST /imports/{kind}, the file's columns read through `mapping` (JSON) or the stored mapping `map`; a
    file larger than ACCORD_IMPORT_INLINE_MAX_BYTES is imported (or dry-run) by the imports worker, as there:
    202, the job's URL in `url` and `Location`."""
    _admin(request)
    chosen = _mapping(_kind(kind), mapping, map)
    name = file.name or "upload.csv"
    size = file.size or 0
    if size > limit("ACCORD_IMPORT_INLINE_MAX_BYTES"):
        try:
            format_of(name)
        except ImportRefused as refused:
            return Status(422, refused.as_dict())
        if size > limit("ACCORD_IMPORT_MAX_BYTES"):
            return Status(422, _too_large(name).as_dict())
        job = queue_import(
            kind=kind, upload=file, filename=name, user=request.user, dry_run=dry_run, mapping=chosen.as_file()
        )
        url = job_url(job)
        response["Location"] = url
        message = f"The file ({size // 1024} KB) is imported in the background: poll {url} for its progress"
        return Status(202, {"code": "queued", "message": message, "job": job.pk, "url": url, "page": job_page(job)})
    try:
        report = import_mapped(chosen, file, name, dry_run=dry_run)
    except ImportRefused as refused:
        return Status(422, refused.as_dict())
    return Status(200 if dry_run else 201, report.as_dict())


@router.get("/mappings", response={200: list[dict[str, Any]], 401: Error, 403: Error}, summary="Stored mappings")
def mappings(request: HttpRequest, kind: str | None = None) -> Any:
    _admin(request)
    rows = ImportMapping.objects.all()
    return [_stored(m) for m in (rows.filter(kind=kind) if kind else rows)]


@router.get("/mappings/{mapping_id}", response={200: dict[str, Any], 401: Error, 403: Error, 404: Error})
def mapping_detail(request: HttpRequest, mapping_id: int) -> Any:
    """One stored mapping, as the file `accord import --map` reads."""
    _admin(request)
    found = ImportMapping.objects.filter(pk=mapping_id).first()
    if found is None:
        raise Http404(f"no mapping {mapping_id}")
    return _stored(found)


@router.post("/mappings", response={201: dict[str, Any], 401: Error, 403: Error, 409: Error, 422: Error})
def mapping_save(request: HttpRequest) -> Any:
    """Store a mapping by its name (a new version when the name exists; `version` guards the overwrite).
    The body is the mapping as `GET /mappings/{id}` gives it (JSON): name, kind, columns, constants, split, dedup."""
    _admin(request)
    try:
        payload = json.loads(request.body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed({"mapping": [f"not JSON: {exc}"]}) from None
    mapping = Mapping.from_dict(payload)
    version = payload.get("version")
    if version is not None and not isinstance(version, int):
        raise ValidationFailed({"version": ["a whole number"]})
    saved = save_mapping(str(payload.get("name") or ""), mapping, expected_version=version)
    return Status(201, _stored(saved))
