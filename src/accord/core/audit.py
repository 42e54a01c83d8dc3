"""The audit chain: every change a service writes is appended here, in the same transaction.

Who acts comes from the audit context, set once per request (middleware), CLI run or background job,
so services never thread a user argument through every call and nothing is written unattributed.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from typing import Any

from django.db import connection, models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accord.core.actor import current_actor
from accord.core.models import ChangeRecord

GENESIS = "0" * 64
_ADVISORY_LOCK_KEY = 0x4143434F5244  # "ACCORD": serialises appends to the chain on PostgreSQL


# --- snapshots -------------------------------------------------------------------------------------


def _jsonable(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.DateTimeField):
        value = field.to_python(value)
        if timezone.is_naive(value):
            value = timezone.make_aware(value, dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(field, models.DateField):
        return field.to_python(value).isoformat()
    if isinstance(field, models.DecimalField):
        d = decimal.Decimal(value)
        return str(d.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))) if field.decimal_places else str(d)
    if isinstance(value, FieldFile):
        return value.name or None
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, dict):
        return dict(value)
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The record as stored: every concrete column by attribute name (foreign keys as ids), JSON-ready."""
    return {f.attname: _jsonable(f, f.value_from_object(obj)) for f in obj._meta.concrete_fields}


def canonical(value: Any) -> str:
    """Canonical JSON for hashing: sorted keys, no spaces, UTF-8. Values are str/int/bool/None/list/dict."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(payload)}".encode()).hexdigest()


def entry_payload(rec: ChangeRecord) -> dict[str, Any]:
    """What an entry's hash covers: everything in it except its own id and hashes."""
    at = rec.at if timezone.is_aware(rec.at) else timezone.make_aware(rec.at, dt.UTC)
    return {
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor_id": rec.actor_id,
        "actor": rec.actor_name,
        "request": rec.request_id,
        "action": rec.action,
        "object": rec.object_type,
        "object_id": rec.object_id,
        "object_uid": str(rec.object_uid) if rec.object_uid else None,
        "object_version": rec.object_version,
        "repr": rec.object_repr,
        "related": rec.related_type,
        "related_id": rec.related_id,
        "before": rec.before,
        "after": rec.after,
    }


# --- appending -------------------------------------------------------------------------------------


def _chain_head() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
    # On SQLite the IMMEDIATE transaction already holds the database's single write lock.
    last = ChangeRecord.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS


def record_change(
    obj: models.Model,
    action: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    related: models.Model | None = None,
) -> ChangeRecord:
    """Append one entry for `obj`. Must run inside the transaction that wrote the change."""
    if not connection.in_atomic_block:
        raise RuntimeError("audited changes must be written inside transaction.atomic()")
    actor = current_actor()
    rec = ChangeRecord(
        at=timezone.now(),
        actor_id=actor.user_id,
        actor_name=actor.name[:200],
        request_id=actor.request_id[:64],
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_uid=getattr(obj, "uid", None),
        object_version=getattr(obj, "version", None),
        object_repr=str(obj)[:300],
        related_type=related._meta.label_lower if related is not None else "",
        related_id=str(related.pk) if related is not None else "",
        before=before,
        after=after,
    )
    rec.prev_hash = _chain_head()
    rec.hash = entry_hash(rec.prev_hash, entry_payload(rec))
    rec.save(force_insert=True)
    return rec


def history(obj: models.Model) -> models.QuerySet[ChangeRecord]:
    """The entries about `obj` and about records that name it as their parent, oldest first."""
    label, pk = obj._meta.label_lower, str(obj.pk)
    return ChangeRecord.objects.filter(
        models.Q(object_type=label, object_id=pk) | models.Q(related_type=label, related_id=pk)
    ).order_by("id")
