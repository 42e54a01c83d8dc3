"""The built-in job kinds: generating a document; imports and exports when accord.interop offers them."""

from __future__ import annotations

import importlib
from typing import Any

from django.utils.text import slugify

from accord.jobs.registry import Context, JobKind, Outcome, register

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def document_file_name(kind: str, record: Any, languages: list[str], fmt: str) -> str:
    """e.g. communique-1960-02-moscow-zh.pdf: what it is, of which record, in which languages."""
    label = slugify(str(record))[:60].strip("-") or str(record.pk)
    return f"{kind}-{label}-{'+'.join(languages)}.{fmt}"


def generate_document_job(ctx: Context) -> Outcome:
    from accord.documents.renderers import get_kind, resolve
    from accord.documents.services import generate_document

    p = ctx.parameters
    ctx.progress(10, "Reading the records")
    record = resolve(get_kind(p["kind"]), p["ref"])
    generated = generate_document(
        p["kind"], p["ref"], p.get("language") or None, p["format"], layout=p.get("layout") or "parallel"
    )
    ctx.progress(90, "Stored the document")
    rendering = generated.rendering
    assert rendering is not None  # a format was asked for, so a rendering was stored
    return Outcome(
        stored_name=rendering.file.name,
        file_name=document_file_name(p["kind"], record, generated.content.languages, p["format"]),
        content_type=CONTENT_TYPES.get(p["format"], "application/octet-stream"),
        result={"document": str(generated.document.uid), "sha256": rendering.sha256, "size": rendering.size},
    )


register(JobKind("document", generate_document_job, "Generate a document from the records"))


def _interop() -> Any | None:
    try:
        return importlib.import_module("accord.interop.services")
    except ImportError:
        return None


def import_job(ctx: Context) -> Outcome:
    """Import an uploaded file (kept in the default storage) with accord.interop.services.import_file."""
    from django.core.files.storage import default_storage

    services = _interop()
    if services is None or not hasattr(services, "import_file"):
        raise RuntimeError("imports are not available in this version (accord.interop.services.import_file)")
    p = ctx.parameters
    ctx.progress(5, "Reading the file")
    with default_storage.open(p["stored_name"], "rb") as fh:
        data = fh.read()
    ctx.progress(20, "Importing")
    from accord.core.errors import DomainError
    from accord.interop.report import ImportRefused

    try:
        report = services.import_file(p["kind"], data, p.get("filename", ""), dry_run=bool(p.get("dry_run")))
    except ImportRefused as refused:  # every place that is wrong, not only the first, on the job's page
        lines = [str(problem) for problem in refused.problems[:200]]
        more = len(refused.problems) - len(lines)
        raise DomainError("\n".join([refused.message, *lines, *([f"… and {more} more"] if more > 0 else [])])) from None
    as_dict = getattr(report, "as_dict", None)
    return Outcome(result=as_dict() if callable(as_dict) else str(report))


def export_job(ctx: Context) -> Outcome:
    """Export records with accord.interop.services.export_stream, as the requesting user sees them."""
    from django.contrib.auth import get_user_model

    from accord.jobs.models import Job

    services = _interop()
    if services is None or not hasattr(services, "export_stream"):
        raise RuntimeError("exports are not available in this version (accord.interop.services.export_stream)")
    p = ctx.parameters
    job = Job.objects.get(pk=ctx.job_id)
    user = get_user_model().objects.get(pk=job.requested_by_id) if job.requested_by_id else None
    ctx.progress(10, "Exporting")
    # The kind's filters, as its list page and API take them ({"agreement": "1"}); refused alike, naming them.
    filters = services.export_filters(p["kind"], p.get("filters") or {}, user=user)
    withheld = services.export_withheld(p["kind"], user=user, filters=filters)
    chunks = services.export_stream(p["kind"], p["format"], user=user, withheld=withheld, filters=filters)
    data = b"".join(c.encode() if isinstance(c, str) else bytes(c) for c in chunks)
    return Outcome(data=data, file_name=f"{p['kind']}.{p['format']}")


def queue_export(*, kind: str, fmt: str, filters: dict[str, str], user: Any) -> tuple[int, str]:
    """An export too large to stream in a request, queued for `user` (interop.api's export): (job id, page URL)."""
    from django.urls import reverse

    from accord.jobs.services import enqueue

    title = f"Export of {kind} ({fmt})"
    job = enqueue("export", {"kind": kind, "format": fmt, "filters": filters}, user=user, title=title)
    return job.pk, reverse("jobs:detail", args=[job.pk])


register(JobKind("import", import_job, "Import records from a file"))
register(JobKind("export", export_job, "Export records to a file"))
