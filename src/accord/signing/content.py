"""What a signature on a plan covers: the plan's content as a JSON object, and the signed payload around it.

The content is everything the parties agree to in a version: the plan and its agreement, the parties,
and the items in order with their objectives, responsibilities and deliverables. Lifecycle fields
(status, version counter, signature date) and what is done later (delivery dates, progress) are not
content. Organisations are named as in force on the first day of the plan's period, so a renaming
recorded later as a dated name leaves what was signed intact.

Every value is a string, an integer, null, a list or an object with ASCII keys (language tags, field
names): nothing whose canonical form depends on floating-point formatting.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import connections
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast

from accord.agreements.models import AgreementParty
from accord.directory.models import Organisation
from accord.programmes.models import Deliverable, Plan, PlanItem, PlanItemResponsibility
from accord.signing.crypto import canonical_bytes, sha256_hex

PAYLOAD_FORMAT = "accord-signed-plan/1"
# Roles of the parties whose signatures make a plan signed (as the plan lifecycle counts them).
SIGNING_ROLES = (AgreementParty.Role.SIGNATORY, AgreementParty.Role.PARTY)


class UnsignableContent(ValueError):
    """The stored records hold something signed content cannot (written behind Accord's back)."""


def _text(value: Mapping[str, str] | None) -> dict[str, str]:
    """A localized text as a plain object. Keys must be ASCII (language tags): see crypto.canonical_bytes."""
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise UnsignableContent(f"a localized text is not an object of language to text: {value!r}")
    out = value if type(value) is dict else dict(value)
    try:
        # One C-level pass each: every key and every value must be text, and the keys ASCII.
        ascii_keys = "".join(out).isascii()
        "".join(out.values())
    except TypeError:
        raise UnsignableContent(f"a localized text holds something other than text: {out!r}") from None
    if not ascii_keys:
        raise UnsignableContent(f"a language tag is not ASCII: {sorted(out)}")
    return out


def _date(value: Any) -> str | None:
    # A date object from the ORM or PostgreSQL; already ISO text from a raw SQLite row.
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def plan_content(plan: Plan) -> dict[str, Any]:
    """The content of `plan` as stored now, as a JSON-ready object (see the module docstring).

    This runs on every signature and every verification, over some 5,000 rows for a 1,000-item plan, so
    the ORM writes the queries but their rows are read raw: Django's per-value converters (UUID objects,
    JSON decoding one value at a time) would cost more than everything else together.
    """
    agreement = plan.agreement
    parties = [
        {"code": code, "name": _text(name), "role": role}
        for code, name, role in _rows(
            AgreementParty.objects.filter(agreement=agreement)
            .order_by("position", "id")
            .values_list("party__code", "party__name", "role"),
            json_columns=(1,),
        )
    ]
    items = _rows(
        PlanItem.objects.filter(plan=plan)
        .order_by("position", "id")
        .values_list(
            "id",
            _as_text("uid"),
            "position",
            "objectives",
            _as_text("carried_over_from__uid"),
            _as_text("project__uid"),
            "project__number",
            "project__title",
        ),
        json_columns=(3, 7),
    )
    resp_rows = _rows(
        PlanItemResponsibility.objects.filter(plan_item__plan=plan).values_list(
            "plan_item_id", "organisation_id", _as_text("organisation__uid"), "side__code"
        )
    )
    # One entry per organisation, shared by its responsibilities: a plan names few organisations many times.
    orgs: dict[int, dict[str, Any]] = {org_id: {"uid": _uid(org_uid)} for _item, org_id, org_uid, _side in resp_rows}
    for org in Organisation.objects.filter(pk__in=orgs).prefetch_related("names"):
        orgs[org.pk]["name"] = _text(org.name_on(plan.period_start))
    responsibilities: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for item_id, org_id, _uid_value, side in sorted(resp_rows, key=lambda r: (r[0], r[3], orgs[r[1]]["uid"])):
        responsibilities[item_id].append({"organisation": orgs[org_id], "side": side})
    deliverables: dict[int, list[dict[str, Any]]] = defaultdict(list)
    deliv_rows = _rows(
        Deliverable.objects.filter(plan_item__plan=plan).values_list(
            "id", "plan_item_id", _as_text("uid"), "kind", "title", "due_on", "responsible_party__code"
        ),
        json_columns=(4,),
    )
    # Sorted here, not in SQL: SQLite and PostgreSQL put NULL dates at opposite ends.
    for _id, item_id, uid, kind, title, due_on, party in sorted(
        deliv_rows, key=lambda r: (r[5] is None, _date(r[5]) or "", r[0])
    ):
        deliverables[item_id].append(
            {"uid": _uid(uid), "kind": kind, "title": _text(title), "due_on": _date(due_on), "responsible_party": party}
        )
    return {
        "uid": str(plan.uid),
        "title": _text(plan.title),
        "kind": plan.kind,
        "period": {"start": _date(plan.period_start), "end": _date(plan.period_end)},
        "revision": plan.revision,
        "agreement": {"uid": str(agreement.uid), "title": _text(agreement.title)},
        "parties": parties,
        "items": [
            {
                "uid": _uid(uid),
                "position": position,
                "project": {"uid": _uid(project_uid), "number": number, "title": _text(title)},
                "objectives": _text(objectives),
                "carried_over_from": _uid(source_uid) if source_uid else None,
                "responsibilities": responsibilities.get(item_id, []),
                "deliverables": deliverables.get(item_id, []),
            }
            for item_id, uid, position, objectives, source_uid, project_uid, number, title in items
        ],
    }


def content_sha256(plan: Plan) -> str:
    """SHA-256 of the canonical bytes of `plan_content(plan)`: what a party's approval of a version records, so
    that two nodes agree a plan only on the same content (programmes.services.content_hash)."""
    return sha256_hex(canonical_bytes(plan_content(plan)))


def _rows(queryset: QuerySet[Any, Any], json_columns: tuple[int, ...] = ()) -> list[tuple[Any, ...]]:
    """The rows of a values_list() query as the database driver returns them, JSON columns decoded.

    All JSON values of a query are decoded in one json.loads call: one pass of the C parser instead of
    thousands of Python-level calls.
    """
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cur:
        cur.execute(sql, params)
        rows = [list(row) for row in cur.fetchall()]
    if json_columns and rows:
        cells = [(r, c) for r in rows for c in json_columns]
        texts = [
            v if isinstance(v, str) else json.dumps(v) if v is not None else "null" for v in (r[c] for r, c in cells)
        ]
        try:
            values = json.loads("[" + ",".join(texts) + "]", parse_float=_no_float, parse_constant=_no_float)
        except json.JSONDecodeError as exc:
            raise UnsignableContent(f"a stored text is not valid JSON ({exc.msg})") from None
        for (row, col), value in zip(cells, values, strict=True):
            row[col] = value
    return [tuple(r) for r in rows]


def _no_float(text: str) -> Any:
    raise UnsignableContent(f"a stored text holds the number {text}; signed content has no floating-point numbers")


def _as_text(field: str) -> Cast:
    # UUIDs read as text: PostgreSQL's own text form is the dashed one, and the driver skips making UUID objects.
    return Cast(field, output_field=CharField())


def _uid(value: Any) -> str:
    """A UUID as text in its usual dashed form (SQLite stores 32 hex digits, PostgreSQL gives the dashed form)."""
    if isinstance(value, str):
        if len(value) == 36:
            return value
        if len(value) == 32:
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(str(value)))


def signed_payload(content: Mapping[str, Any], *, version: int, texts: Mapping[str, str]) -> dict[str, Any]:
    """The object whose RFC 8785 bytes a signatory signs: the content of one version and its texts' hashes."""
    return {"format": PAYLOAD_FORMAT, "plan": dict(content), "version": version, "texts": dict(texts)}


def signing_party_codes(content: Mapping[str, Any]) -> list[str]:
    """The codes of the parties whose signatures the content needs, in the agreement's order."""
    return [p["code"] for p in content["parties"] if p["role"] in SIGNING_ROLES]


def attestation_statement(
    *,
    payload_sha256: str,
    party: str,
    signatory: Mapping[str, str],
    capacity: Mapping[str, str],
    signed_on: str | None,
    signed_at: Mapping[str, str],
    public_key: str,
) -> dict[str, Any]:
    """What the attestation signs: who signed the payload with this hash, for which party, as what, when, where."""
    return {
        "format": "accord-signature-attestation/1",
        "payload_sha256": payload_sha256,
        "party": party,
        "signatory": _text(signatory),
        "capacity": _text(capacity),
        "signed_on": signed_on,
        "signed_at": _text(signed_at),
        "public_key": public_key,
    }
