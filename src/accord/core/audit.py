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
from functools import cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accord.core.actor import current_actor
from accord.core.models import ChangeRecord

GENESIS = "0" * 64


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


def snapshot_value(field: models.Field, value: Any) -> Any:
    """One column of snapshot() from the value a values_list() query gives (a file field's is its name)."""
    if isinstance(field, models.FileField):
        return value or None
    return _jsonable(field, value)


def canonical(value: Any) -> str:
    """Canonical JSON for hashing: sorted keys, no spaces, UTF-8. Values are str/int/bool/None/list/dict."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    """sha256 of the previous hash, a newline and the canonical payload, as hex (also computed in SQL on PostgreSQL)."""
    return _hash_text(prev_hash, canonical(payload))


def entry_payload(rec: ChangeRecord) -> dict[str, Any]:
    """What an entry's hash covers: everything in it except its own id and hashes."""
    return payload_of({c: getattr(rec, c) for c in ENTRY_COLUMNS})


def payload_of(v: dict[str, Any]) -> dict[str, Any]:
    at = v["at"] if timezone.is_aware(v["at"]) else timezone.make_aware(v["at"], dt.UTC)
    return {
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor_id": v["actor_id"],
        "actor": v["actor_name"],
        "request": v["request_id"],
        "action": v["action"],
        "object": v["object_type"],
        "object_id": v["object_id"],
        "object_uid": str(v["object_uid"]) if v["object_uid"] else None,
        "object_version": v["object_version"],
        "repr": v["object_repr"],
        "related": v["related_type"],
        "related_id": v["related_id"],
        "before": v["before"],
        "after": v["after"],
    }


# --- appending -------------------------------------------------------------------------------------

# The columns an append writes, in order. The hash is last: on PostgreSQL the database computes it.
ENTRY_COLUMNS = (
    "at",
    "actor_id",
    "actor_name",
    "request_id",
    "action",
    "object_type",
    "object_id",
    "object_uid",
    "object_version",
    "object_repr",
    "related_type",
    "related_id",
    "before",
    "after",
)
# PostgreSQL: one round trip takes the chain lock, reads the head, hashes and inserts (migration core 0002).
_PG_APPEND = "SELECT accord_append_change(%s, " + ", ".join(["%s"] * len(ENTRY_COLUMNS)) + ")"
# SQLite: the table name is Accord's own, so the statements are fixed text.
_SQLITE_HEAD = "SELECT hash FROM core_changerecord ORDER BY id DESC LIMIT 1"
_SQLITE_INSERT = (
    f"INSERT INTO core_changerecord ({', '.join((*ENTRY_COLUMNS, 'prev_hash', 'hash'))}) "
    f"VALUES ({', '.join(['%s'] * (len(ENTRY_COLUMNS) + 2))})"
)


@cache
def _fields() -> list[models.Field]:
    by_attname = {f.attname: f for f in ChangeRecord._meta.concrete_fields}
    return [by_attname[c] for c in ENTRY_COLUMNS]


def record_change(
    obj: models.Model,
    action: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    related: models.Model | None = None,
) -> str:
    """Append one entry for `obj` and return its hash. Must run inside the transaction that wrote the change.

    Written with fixed SQL rather than the ORM: this runs on every audited write, and building an ORM
    query (or even reaching the connection through its thread-local proxy) costs more than the work.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("audited changes must be written inside transaction.atomic()")
    actor = current_actor()
    values = {
        "at": timezone.now(),
        "actor_id": actor.user_id,
        "actor_name": actor.name[:200],
        "request_id": actor.request_id[:64],
        "action": action,
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "object_uid": getattr(obj, "uid", None),
        "object_version": getattr(obj, "version", None),
        "object_repr": str(obj)[:300],
        "related_type": related._meta.label_lower if related is not None else "",
        "related_id": str(related.pk) if related is not None else "",
        "before": before,
        "after": after,
    }
    payload = canonical(payload_of(values))
    params = [f.get_db_prep_save(values[f.attname], conn) for f in _fields()]
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(_PG_APPEND, [payload, *params])
            prev_hash, digest = cur.fetchone()[0].split(":")
        else:
            # The IMMEDIATE transaction already holds the database's single write lock.
            cur.execute(_SQLITE_HEAD)
            row = cur.fetchone()
            prev_hash = row[0] if row else GENESIS
            digest = _hash_text(prev_hash, payload)
            cur.execute(_SQLITE_INSERT, [*params, prev_hash, digest])
    return digest


def _hash_text(prev_hash: str, payload: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode()).hexdigest()


def history(obj: models.Model) -> models.QuerySet[ChangeRecord]:
    """The entries about `obj` and about records that name it as their parent, oldest first."""
    label, pk = obj._meta.label_lower, str(obj.pk)
    return ChangeRecord.objects.filter(
        models.Q(object_type=label, object_id=pk) | models.Q(related_type=label, related_id=pk)
    ).order_by("id")


def chain_head(*, lock: bool = False) -> int:
    """The id of the newest entry (0 for an empty chain).

    With `lock`, inside a transaction: no other transaction appends before this one ends (PostgreSQL: the
    appenders' lock, as accord_append_change takes it; SQLite's write transaction already excludes them), so
    what this transaction reads of the audited records is the state the chain holds at that entry.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    with conn.cursor() as cur:
        if lock and conn.vendor == "postgresql":
            cur.execute("SELECT pg_advisory_xact_lock(71752329204292)")  # the chain's lock (core 0002)
        cur.execute("SELECT MAX(id) FROM core_changerecord")
        row = cur.fetchone()
    return int(row[0] or 0) if row else 0
