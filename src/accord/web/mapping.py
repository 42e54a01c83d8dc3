"""/data/map/: a user's own spreadsheet in, without a script (administrators, as imports).

Upload a file; Accord proposes which column fills which field (interop.mapping.propose); adjust it, give
constants, split multi-valued cells, pick the key columns, preview 20 rows as they would be stored and a dry
run of the whole file, save the mapping by name for next month's file, and import (a background job).
The page only gathers the choices: the mapping's rules, the preview and the import are interop.mapping's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accord.core.errors import DomainError, ValidationFailed
from accord.core.visibility import principal
from accord.interop.jobs import store_upload
from accord.interop.limits import limit
from accord.interop.mapping import Mapping, preview, propose, stored_mapping, targets
from accord.interop.models import ImportMapping
from accord.interop.report import ImportRefused
from accord.interop.services import KINDS, save_mapping, spec_for
from accord.jobs.services import enqueue

SESSION = "accord_mapping"
CONSTANT_SLOTS = 3


def _kinds() -> list[tuple[str, str]]:
    return [(k, str(spec_for(k).model._meta.verbose_name_plural).capitalize()) for k in KINDS]


def _open(state: dict[str, Any]) -> Any:
    """The uploaded file, open for reading: the mapping step streams a large CSV (interop.readers), so the page
    never holds the whole file."""
    return default_storage.open(state["stored"], "rb")


@login_required
@require_http_methods(["GET", "POST"])
def mapping_page(request: HttpRequest) -> HttpResponse:
    if not principal(request.user).is_admin:
        return render(request, "403.html", status=403)
    state: dict[str, Any] | None = request.session.get(SESSION)
    if request.method == "POST" and request.POST.get("action") == "upload":
        return _upload(request)
    if request.method == "POST" and request.POST.get("action") == "restart":
        request.session.pop(SESSION, None)
        return redirect("web:data-map")
    if state is None:
        return _first_step(request)
    if request.method == "GET":
        return _editor(request, state, Mapping.from_dict(state["mapping"], kind=state["kind"]))
    return _act(request, state)


def _first_step(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    context = {"kinds": _kinds(), "stored": ImportMapping.objects.all(), "error": error}
    return render(request, "web/mapping.html", context, status=status)


def _upload(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    kind = request.POST.get("kind", "")
    if kind not in KINDS:
        return _first_step(request, _("Choose the kind of records the file holds."), 400)
    if upload is None:
        return _first_step(request, _("Choose a file."), 400)
    if upload.size is not None and upload.size > limit("ACCORD_IMPORT_MAX_BYTES"):
        return _first_step(request, _("The file is too large to import at once."), 400)
    stored = store_upload(upload, upload.name or "file")  # copied in chunks, under a name of our own
    state: dict[str, Any] = {"stored": stored, "filename": upload.name or "file", "kind": kind}
    try:
        with _open(state) as fh:
            proposal = propose(kind, fh, state["filename"])
    except ImportRefused as refused:
        default_storage.delete(stored)
        return _first_step(request, "; ".join(str(p) for p in refused.problems[:5]), 400)
    mapping = proposal.mapping
    chosen = request.POST.get("stored", "")
    if chosen:
        try:
            mapping = stored_mapping(kind, chosen)
        except DomainError as exc:
            default_storage.delete(stored)
            return _first_step(request, str(exc), 400)
        for header in proposal.header:  # a column the saved mapping does not know is left out
            mapping.columns.setdefault(header, "")
    state.update(
        header=proposal.header,
        samples={h: v[:3] for h, v in proposal.samples.items()},
        reasons=proposal.reasons if not chosen else {},
        mapping=mapping.as_file(),
        name=chosen,
    )
    request.session[SESSION] = state
    return redirect("web:data-map")


def _from_post(request: HttpRequest, state: dict[str, Any]) -> Mapping:
    columns: dict[str, str] = {}
    split: dict[str, str] = {}
    for i, header in enumerate(state["header"]):
        columns[header] = request.POST.get(f"target-{i}", "")
        separator = request.POST.get(f"split-{i}", "")
        if separator.strip() or separator == " ":
            split[header] = separator.strip() or " "
    constants = {}
    for n in range(CONSTANT_SLOTS):
        target, value = request.POST.get(f"const-field-{n}", ""), request.POST.get(f"const-value-{n}", "").strip()
        if target and value:
            constants[target] = value
    dedup = [k for k in request.POST.getlist("dedup") if k]
    return Mapping.from_dict(
        {"columns": columns, "constants": constants, "split": split, "dedup": dedup}, kind=state["kind"]
    )


def _act(request: HttpRequest, state: dict[str, Any]) -> HttpResponse:
    action = request.POST.get("action", "preview")
    state["name"] = request.POST.get("name", state.get("name", ""))
    try:
        mapping = _from_post(request, state)
    except ValidationFailed as exc:
        return _editor(request, state, None, errors=exc.errors, status=422)
    state["mapping"] = mapping.as_file()
    request.session[SESSION] = state
    if action == "save":
        try:
            saved = save_mapping(state["name"], mapping)
        except DomainError as exc:
            errors = getattr(exc, "errors", None) or {"name": [str(exc)]}
            return _editor(request, state, mapping, errors=errors, status=422)
        messages.success(request, _("Saved the mapping “%(name)s”.") % {"name": saved.name})
        return redirect("web:data-map")
    if action in ("import", "dry-run"):
        dry_run = action == "dry-run"
        job = enqueue(
            "import",
            {
                "kind": state["kind"],
                "stored_name": state["stored"],
                "filename": state["filename"],
                "dry_run": dry_run,
                "mapping": mapping.as_file(),
                # A dry run leaves the file to the mapping session (the import that follows reads it again); the
                # import deletes it when it ends, and the worker sweeps what a session left behind.
                "keep_upload": dry_run,
            },
            user=request.user,
            title=(_("Dry run of importing %(file)s") if dry_run else _("Importing %(file)s"))
            % {"file": state["filename"]},
        )
        if not dry_run:
            request.session.pop(SESSION, None)
        return redirect("jobs:detail", job.pk)
    with _open(state) as fh:  # a large file: its first rows shown, its dry run offered as a job
        result = preview(mapping, fh, state["filename"])
    return _editor(request, state, mapping, result=result)


def _editor(
    request: HttpRequest,
    state: dict[str, Any],
    mapping: Mapping | None,
    *,
    errors: dict[str, list[str]] | None = None,
    result: Any = None,
    status: int = 200,
) -> HttpResponse:
    spec = spec_for(state["kind"])
    chosen = mapping.as_file() if mapping is not None else state["mapping"]
    rows = [
        {
            "index": i,
            "header": header,
            "samples": state["samples"].get(header, []),
            "target": chosen["columns"].get(header, ""),
            "split": chosen["split"].get(header, ""),
            "reason": state["reasons"].get(header, ""),
            "errors": (errors or {}).get(header, []),
        }
        for i, header in enumerate(state["header"])
    ]
    constants = list(chosen["constants"].items())[:CONSTANT_SLOTS]
    constants += [("", "")] * (CONSTANT_SLOTS - len(constants))
    context = {
        "state": state,
        "kind_label": str(spec.model._meta.verbose_name_plural).capitalize(),
        "targets": targets(spec),
        "rows": rows,
        "constants": list(enumerate(constants)),
        "dedup": chosen["dedup"],
        "errors": errors or {},
        "other_errors": {k: v for k, v in (errors or {}).items() if k not in state["header"]},
        "result": result,
        "report": _report_lines(spec, result.report) if result is not None and result.report is not None else None,
        "labels": dict(targets(spec)),
    }
    return render(request, "web/mapping.html", context, status=status)


def _report_lines(spec: Any, report: Any) -> list[str]:
    """What the dry run would do, in the reader's language, naming the kind's records (not the report's nouns)."""
    lines = []
    for counts, text in (
        (report.created, _("%(n)s %(noun)s to create")),
        (report.updated, _("%(n)s %(noun)s to update")),
        (report.unchanged, _("%(n)s %(noun)s unchanged")),
    ):
        for noun, n in sorted(counts.items()):
            if n:
                label = str(spec.model._meta.verbose_name) if noun == spec.noun else noun
                lines.append(text % {"n": n, "noun": label})
    return lines
