"""How each channel asks for a change: the record pages, the workflow steps, the JSON API, the admin, the import.

Each driver takes a logged-in test client, the record and the change, and returns the response. They build
requests as a browser or an API client would (the form as shown, with the version the user saw), so the matrix
in test_matrix.py only states who changes what, through which channel, and what must come of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model
from django.urls import reverse

from accord.core.localized import LocalizedTextField
from accord.core.pages.records import record_types
from accord.interop.services import export_rows

BY_KIND = {rt.kind: rt for rt in record_types()}  # the record pages, by kind


def _plain(value: Any) -> Any:
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return "" if value is None else value


# --- record pages ----------------------------------------------------------------------------------------


def page_edit(client: Any, kind: str, record: Model, changes: dict[str, Any]) -> Any:
    """POST the record's edit form (/<kind>/<id>/edit/) as shown, with `changes` applied."""
    data: dict[str, Any] = {"version": record.version}  # type: ignore[attr-defined]
    edit = BY_KIND[kind].edit
    assert edit is not None, kind
    for name in edit.fields:
        value = changes.get(name, getattr(record, name))
        if isinstance(record._meta.get_field(name), LocalizedTextField):
            data.update({f"{name}__{tag}": text for tag, text in dict(value or {}).items()})
        else:
            data[name] = _plain(value)
    return client.post(reverse(BY_KIND[kind].url_name("edit"), args=[record.pk]), data)


def workflow_step(client: Any, slug: str, record: Model, name: str, data: dict[str, Any]) -> Any:
    """POST a workflow step's form (/workflow/<slug>/<id>/<name>/)."""
    body = {"version": record.version, **{k: _plain(v) for k, v in data.items()}}  # type: ignore[attr-defined]
    return client.post(reverse("web:step", args=[slug, record.pk, name]), body)


# --- the JSON API ------------------------------------------------------------------------------------------


def api_patch(client: Any, path: str, record: Model, changes: dict[str, Any]) -> Any:
    """PATCH /api/v1/<path>/<id> with If-Match: the version the client saw."""
    body = {(f"{k}_id" if isinstance(v, Model) else k): _plain(v) for k, v in changes.items()}
    return client.patch(
        f"/api/v1/{path}/{record.pk}",
        json.dumps(body),
        content_type="application/json",
        HTTP_IF_MATCH=str(record.version),  # type: ignore[attr-defined]
    )


def api_post(client: Any, url: str, body: dict[str, Any], *, version: int | None = None) -> Any:
    headers = {"HTTP_IF_MATCH": str(version)} if version is not None else {}
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


# --- the admin ---------------------------------------------------------------------------------------------


def _admin_form_data(form: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for bound in form:
        value = bound.value()  # as the form renders it (JSON as text, a choice as its key)
        if value is None or value is False:
            continue
        data[bound.html_name] = json.dumps(value) if isinstance(value, (dict, list)) else value
    return data


def admin_change(client: Any, record: Model, changes: dict[str, Any], *, stale: bool = False) -> Any:
    """POST the record's admin change form as shown, with `changes` applied (and an old version if `stale`)."""
    opts = record._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
    shown = client.get(url)
    assert shown.status_code == 200, shown.status_code
    data = _admin_form_data(shown.context["adminform"].form) if "adminform" in shown.context else {}
    for name, value in changes.items():
        data[name] = json.dumps(value) if isinstance(value, dict) else _plain(value)
    if stale:
        data["expected_version"] = record.version - 1  # type: ignore[attr-defined]
    for inline in shown.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        data.update({management.add_prefix(k): v for k, v in management.initial.items()})
    return client.post(url, data)


def admin_add(client: Any, model: type[Model], fields: dict[str, Any]) -> Any:
    opts = model._meta
    data = {k: json.dumps(v) if isinstance(v, dict) else _plain(v) for k, v in fields.items()}
    return client.post(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"), data)


# --- the import ------------------------------------------------------------------------------------------


def import_change(client: Any, kind: str, record: Model, column: str, value: str) -> Any:
    """Import one row, the record as exported with `column` changed, through POST /api/v1/imports/<kind>."""
    header, rows = export_rows(kind)
    row = next(r for r in rows if str(r[0]) == str(record.uid))  # type: ignore[attr-defined]
    cells = [_plain(v) for v in row]
    cells[header.index(column)] = value
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerow(cells)
    upload = SimpleUploadedFile(f"{kind}.csv", out.getvalue().encode(), content_type="text/csv")
    return client.post(f"/api/v1/imports/{kind}", {"file": upload})
