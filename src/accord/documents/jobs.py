"""The document job: generating a document from the records in the background (accord.jobs runs it)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accord.documents.models import Document
from accord.documents.renderers import get_kind, resolve
from accord.documents.services import generate_document
from accord.jobs.models import Job
from accord.jobs.registry import Context, JobKind, Outcome, register
from accord.programmes.models import Plan

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
    p = ctx.parameters
    ctx.progress(10, gettext_noop("Reading the records"))
    record = resolve(get_kind(p["kind"]), p["ref"])
    generated = generate_document(
        p["kind"], p["ref"], p.get("language") or None, p["format"], layout=p.get("layout") or "parallel"
    )
    ctx.progress(90, gettext_noop("Stored the document"))
    rendering = generated.rendering
    assert rendering is not None  # a format was asked for, so a rendering was stored
    return Outcome(
        stored_name=rendering.file.name,
        file_name=document_file_name(p["kind"], record, generated.content.languages, p["format"]),
        content_type=CONTENT_TYPES.get(p["format"], "application/octet-stream"),
        result={"document": str(generated.document.uid), "sha256": rendering.sha256, "size": rendering.size},
    )


def document_title(p: dict[str, Any]) -> str:
    """e.g. "Communiqué of “Moscow, 1960” (zh, pdf)", in the reader's language (one read of the record)."""
    record = resolve(get_kind(p["kind"]), p["ref"])
    return _("%(what)s of “%(record)s” (%(language)s, %(format)s)") % {
        "what": Document.Kind(p["kind"]).label,
        "record": record,
        "language": p.get("language") or _("every language"),
        "format": p["format"],
    }


register(JobKind("document", generate_document_job, "Generate a document from the records", title=document_title))


def prepare_signed_plan_text(plan: Plan) -> None:
    """Queue the PDF of a plan text just signed, when the plan is long (ACCORD_PREPARE_PDF_ITEMS items or
    more), for once the signature is committed: laid out in the background by the system, stored with the
    hash of its source, so a reader downloads the stored file (or generating it again finds it) and never
    waits for the layout. The text is the authentic languages side by side, what "generate" gives by default.
    """
    threshold = getattr(settings, "ACCORD_PREPARE_PDF_ITEMS", 0)
    if threshold <= 0 or plan.items.count() < threshold:
        return
    parameters = {"kind": "plan_text", "ref": str(plan.uid), "language": "", "format": "pdf", "layout": "parallel"}
    title = document_title(parameters)
    transaction.on_commit(
        lambda: Job.objects.create(kind="document", parameters=parameters, title=title[:300], queue=Job.Queue.DEFAULT)
    )
