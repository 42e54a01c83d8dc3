"""The import and export jobs: files read or written in the background (accord.jobs runs them).

Imports run on the "imports" queue (a worker of their own), read the upload from disk as it streams, report their
progress as they go, stop when cancelled, and delete the upload when they end, whatever the end. Uploads a crash
left behind are swept by the worker (sweep_uploads)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accord.interop import mapping, services
from accord.interop.limits import limit
from accord.interop.report import ImportRefused, ImportReport
from accord.jobs.models import Job
from accord.jobs.registry import Context, JobKind, JobRefused, Outcome, register, register_upkeep
from accord.jobs.services import enqueue

log = logging.getLogger(__name__)
UPLOADS = "imports"  # the folder of the default storage uploads wait in for their job
IMPORTABLE_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".ods", ".json")


def store_upload(upload: IO[bytes] | Any, filename: str) -> str:
    """Keep an upload where the job can read it, under a fresh name of our own (the client's name is only a
    label), copied in chunks: a large upload is never held in memory. Returns its name in the default storage."""
    lowered = filename.lower()
    extension = next((e for e in IMPORTABLE_EXTENSIONS if lowered.endswith(e)), "")
    return default_storage.save(f"{UPLOADS}/{uuid.uuid4().hex}{extension}", upload)


def import_job(ctx: Context) -> Outcome:
    """Import an uploaded file (kept in the default storage) with accord.interop.services.import_file."""
    p = ctx.parameters
    ctx.progress(2, gettext_noop("Reading the file"))

    def progress(share: float | None, rows: int) -> None:
        # Reading and checking the rows is most of the work; the last tenth is the commit and the report.
        ctx.progress(5 + int(85 * share) if share is not None else 50, gettext_noop("Importing"))

    try:
        with default_storage.open(p["stored_name"], "rb") as fh:
            if p.get("mapping"):  # the file's own columns, read through the mapping the user chose on /data/map/
                chosen = mapping.Mapping.from_dict(p["mapping"], kind=p["kind"])
                report = mapping.import_mapped(
                    chosen, fh, p.get("filename", ""), dry_run=bool(p.get("dry_run")), progress=progress
                )
            else:
                named = {k: p[k] for k in ("encoding", "sheet") if p.get(k)}
                report = services.import_file(
                    p["kind"], fh, p.get("filename", ""), dry_run=bool(p.get("dry_run")), progress=progress, **named
                )
    except ImportRefused as refused:  # every place that is wrong, not only the first, on the job's page and API
        # In the job's language (the asker's), as the page that asked would have written it.
        lines = [str(problem) for problem in refused.problems[:200]]
        more = refused.total - len(lines)
        others = [ngettext("… and %(count)s more", "… and %(count)s more", more) % {"count": more}] if more > 0 else []
        read = [_("Read as %(how)s.") % {"how": refused.read_as}] if refused.read_as else []
        preview = ImportReport(preview=refused.preview).preview_text()
        raise JobRefused(
            "\n".join([refused.message, *lines, *others, *read, *([preview] if preview else [])]), refused.as_dict()
        ) from None
    as_dict = getattr(report, "as_dict", None)
    return Outcome(result=as_dict() if callable(as_dict) else str(report))


def import_ended(parameters: dict[str, Any], status: str) -> None:
    """An upload is deleted when its job ends (done, failed or cancelled). Kept: the file a mapping session goes on
    using after a dry run (`keep_upload`), and a failed import's for ACCORD_IMPORT_KEEP_FAILED_HOURS (then swept)."""
    name = parameters.get("stored_name")
    if not name or parameters.get("keep_upload"):
        return
    if status == Job.Status.FAILED and limit("ACCORD_IMPORT_KEEP_FAILED_HOURS") > 0:
        return
    default_storage.delete(name)


def sweep_uploads(now: dt.datetime | None = None) -> list[str]:
    """Delete the uploads nobody needs any more, whatever stopped them being deleted (a server killed between
    the upload and its job, a worker killed for good): those of jobs that have ended (a failed one's after
    ACCORD_IMPORT_KEEP_FAILED_HOURS), and those no job names that are older than ACCORD_IMPORT_ORPHAN_HOURS (a
    mapping session's file, or a request that died before queuing its job). The names deleted."""
    now = now or timezone.now()
    try:
        _dirs, files = default_storage.listdir(UPLOADS)
    except FileNotFoundError:
        return []
    if not files:
        return []
    owners: dict[str, tuple[str | None, Any]] = {}
    for state, finished, parameters in Job.objects.filter(kind="import").values_list(
        "status", "finished_at", "parameters"
    ):
        name = (parameters or {}).get("stored_name")
        if name:
            owners[name] = (state, finished)
    keep_failed = dt.timedelta(hours=limit("ACCORD_IMPORT_KEEP_FAILED_HOURS"))
    orphan_age = dt.timedelta(hours=limit("ACCORD_IMPORT_ORPHAN_HOURS"))
    deleted = []
    for file in files:
        name = f"{UPLOADS}/{file}"
        owner, finished = owners.get(name, (None, None))
        if owner in (Job.Status.QUEUED, Job.Status.RUNNING):
            continue
        if owner == Job.Status.FAILED and finished is not None and now - finished < keep_failed:
            continue
        if owner is None:
            try:
                modified = default_storage.get_modified_time(name)
            except OSError:
                continue
            if now - modified < orphan_age:
                continue
        default_storage.delete(name)
        deleted.append(name)
    if deleted:
        log.info("swept %s upload(s) no job needs", len(deleted))
    return deleted


def queue_import(
    *,
    kind: str,
    upload: Any,
    filename: str,
    user: Any,
    dry_run: bool,
    encoding: str | None = None,
    sheet: str | None = None,
    mapping: dict[str, Any] | None = None,
) -> Job:
    """A file too large to import within a request, kept on disk and imported by the imports worker (through
    `mapping`, a column mapping as Mapping.as_file gives it, when there is one)."""
    stored = store_upload(upload, filename)
    parameters: dict[str, Any] = {
        "kind": kind,
        "stored_name": stored,
        "filename": filename[-200:],
        "dry_run": dry_run,
        "encoding": encoding or None,
        "sheet": sheet or None,
    }
    if mapping is not None:
        parameters["mapping"] = mapping
    return enqueue("import", parameters, user=user, title=import_title(parameters))


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


register(
    JobKind(
        "import",
        import_job,
        "Import records from a file",
        title=import_title,
        queue=Job.Queue.IMPORTS,
        ended=import_ended,
    )
)
register(JobKind("export", export_job, "Export records to a file", title=export_title))
register_upkeep("sweep-uploads", sweep_uploads, every_seconds=600)
