"""The import and export jobs: files read or written in the background (accord.jobs runs them)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accord.core.errors import DomainError
from accord.interop import mapping, services
from accord.interop.report import ImportRefused
from accord.jobs.models import Job
from accord.jobs.registry import Context, JobKind, Outcome, register
from accord.jobs.services import enqueue


def import_job(ctx: Context) -> Outcome:
    """Import an uploaded file (kept in the default storage) with accord.interop.services.import_file."""
    p = ctx.parameters
    ctx.progress(5, gettext_noop("Reading the file"))
    with default_storage.open(p["stored_name"], "rb") as fh:
        data = fh.read()
    ctx.progress(20, gettext_noop("Importing"))
    try:
        if p.get("mapping"):  # the file's own columns, read through the mapping the user chose on /data/map/
            chosen = mapping.Mapping.from_dict(p["mapping"], kind=p["kind"])
            report = mapping.import_mapped(chosen, data, p.get("filename", ""), dry_run=bool(p.get("dry_run")))
        else:
            named = {k: p[k] for k in ("encoding", "sheet") if p.get(k)}
            report = services.import_file(
                p["kind"], data, p.get("filename", ""), dry_run=bool(p.get("dry_run")), **named
            )
    except ImportRefused as refused:  # every place that is wrong, not only the first, on the job's page
        lines = [str(problem) for problem in refused.problems[:200]]
        more = refused.total - len(lines)
        read = [f"Read as {refused.read_as}"] if refused.read_as else []
        preview = [
            f"  row {r['row']}: " + " | ".join(f"{k}: {v}" for k, v in r["cells"].items()) for r in refused.preview
        ]
        raise DomainError(
            "\n".join([refused.message, *lines, *([f"… and {more} more"] if more > 0 else []), *read, *preview])
        ) from None
    as_dict = getattr(report, "as_dict", None)
    return Outcome(result=as_dict() if callable(as_dict) else str(report))


def export_job(ctx: Context) -> Outcome:
    """Export records with accord.interop.services.export_stream, as the requesting user sees them."""
    p = ctx.parameters
    job = Job.objects.get(pk=ctx.job_id)
    user = get_user_model().objects.get(pk=job.requested_by_id) if job.requested_by_id else None
    ctx.progress(10, gettext_noop("Exporting"))
    # The kind's filters, as its list page and API take them ({"agreement": "1"}); refused alike, naming them.
    filters = services.export_filters(p["kind"], p.get("filters") or {}, user=user)
    withheld = services.export_withheld(p["kind"], user=user, filters=filters)
    chunks = services.export_stream(p["kind"], p["format"], user=user, withheld=withheld, filters=filters)
    data = b"".join(c.encode() if isinstance(c, str) else bytes(c) for c in chunks)
    return Outcome(data=data, file_name=f"{p['kind']}.{p['format']}")


def queue_export(*, kind: str, fmt: str, filters: dict[str, str], user: Any) -> tuple[int, str]:
    """An export too large to stream in a request, queued for `user` (interop.api's export): (job id, page URL)."""
    title = f"Export of {kind} ({fmt})"
    job = enqueue("export", {"kind": kind, "format": fmt, "filters": filters}, user=user, title=title)
    return job.pk, reverse("jobs:detail", args=[job.pk])


def _kind_name(kind: str) -> str:
    try:
        return str(services.spec_for(kind).model._meta.verbose_name_plural)
    except Exception:
        return kind


def import_title(p: dict[str, Any]) -> str:
    what = {"file": Truncator(p["filename"]).chars(80), "kind": _kind_name(p["kind"])}
    if p.get("dry_run"):
        return _("Dry run of importing %(file)s (%(kind)s)") % what
    return _("Importing %(file)s (%(kind)s)") % what


def export_title(p: dict[str, Any]) -> str:
    return _("Export of %(kind)s (%(format)s)") % {"kind": _kind_name(p["kind"]), "format": p["format"].upper()}


register(JobKind("import", import_job, "Import records from a file", title=import_title))
register(JobKind("export", export_job, "Export records to a file", title=export_title))
