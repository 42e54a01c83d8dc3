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
from collections.abc import Callable, Mapping, Sequence
from functools import cache
from json.encoder import encode_basestring as _encode_str
from typing import Any, NamedTuple

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from accord.core.actor import current_actor
from accord.core.localized import LocalizedText
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
    return _snapshot_fn(type(obj))(obj)


def _snapshot_each(obj: models.Model) -> dict[str, Any]:
    """snapshot(), each column's conversion chosen on the way (the definition the planned one keeps to)."""
    return {f.attname: _jsonable(f, f.value_from_object(obj)) for f in obj._meta.concrete_fields}


_PLAIN = frozenset({str, int, bool, float, type(None)})


def _datetime_json(f: models.Field) -> Callable[[Any], Any]:
    # The last value converted and its text, as one tuple (replaced whole, so threads never see half of it): the
    # records of a batch share their timestamps.
    last: list[tuple[Any, Any]] = [(object(), None)]

    def conv(v: Any) -> Any:
        seen, text = last[0]
        if v is seen:
            return text
        # isoformat(): what _jsonable gives for one already aware and in UTC.
        text = v.isoformat() if type(v) is dt.datetime and v.tzinfo is dt.UTC else _jsonable(f, v)
        last[0] = (v, text)
        return text

    return conv


def _date_json(f: models.Field) -> Callable[[Any], Any]:
    def conv(v: Any) -> Any:
        if type(v) is dt.date:
            return v.isoformat()
        return _jsonable(f, v)

    return conv


def _any_json(f: models.Field) -> Callable[[Any], Any]:
    return lambda v: _jsonable(f, v)


@cache
def _snapshot_fn(model: type[models.Model]) -> Callable[[models.Model], dict[str, Any]]:
    """snapshot(obj) for this model, with each field's conversion chosen once (the same result as _snapshot_each)."""
    plan: list[tuple[str, frozenset[type], Callable[[Any], Any]]] = []
    for f in model._meta.concrete_fields:
        if type(f).value_from_object is not models.Field.value_from_object:
            return _snapshot_each
        if isinstance(f, models.DateTimeField):
            plan.append((f.attname, frozenset({type(None)}), _datetime_json(f)))
        elif isinstance(f, models.DateField):
            plan.append((f.attname, frozenset({type(None)}), _date_json(f)))
        elif isinstance(f, models.DecimalField):
            plan.append((f.attname, frozenset({type(None)}), _any_json(f)))
        else:  # _jsonable passes these types through untouched
            plan.append((f.attname, _PLAIN, _any_json(f)))

    def snap(obj: models.Model) -> dict[str, Any]:
        d = obj.__dict__  # a column's value is its attribute's (a foreign key's id read without its descriptor)
        out = {}
        try:
            for attname, plain, conv in plan:
                v = d[attname]
                out[attname] = v if type(v) in plain else conv(v)
        except KeyError:  # a deferred column: read through the attribute
            for attname, plain, conv in plan:
                v = getattr(obj, attname)
                out[attname] = v if type(v) in plain else conv(v)
        return out

    return snap


def _json_text(value: Any) -> str:
    """canonical(value) for one value of a snapshot or an entry, cheaply for the common types (the same text)."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if isinstance(value, dict) and all(type(k) is str and type(v) is str for k, v in value.items()):
        # json.dumps(sort_keys=True) writes an object as its items sorted, each "key":value.
        return "{" + ",".join(_encode_str(k) + ":" + _encode_str(v) for k, v in sorted(value.items())) + "}"
    if isinstance(value, str):  # a choices member: written as its text
        return _encode_str(value)
    return canonical(value)


_OBJECTS = frozenset({dict, LocalizedText})
# Types whose equal values have one text (JSON, or a driver's parameter): unlike objects ({"n": 1} == {"n": True}).
ONE_TEXT = frozenset({str, int, bool, type(None), dt.datetime, dt.date, uuid.UUID})


def _json_texts(values: Sequence[Any]) -> list[str]:
    """[_json_text(v) for v in values], a column of one common type at a time."""
    kinds = set(map(type, values))
    if all(issubclass(k, str) for k in kinds) and kinds:  # text, or a choices member: its text
        return list(map(_encode_str, values))
    if kinds == {int}:
        return list(map(int.__repr__, values))
    if kinds == {type(None)}:
        return ["null"] * len(values)
    if kinds == {bool}:
        return ["true" if v else "false" for v in values]
    return [_json_text(v) for v in values]


@cache
def _column_plan(model: type[models.Model]) -> list[tuple[str, Callable[[Any], Any] | None]] | None:
    """Per concrete column (snapshot's order): its attname and the conversion snapshot() applies to a value not of a
    plain type (None: _jsonable's); None when a column's value is not its attribute's (a file)."""
    plan: list[tuple[str, Callable[[Any], Any] | None]] = []
    for f in model._meta.concrete_fields:
        if type(f).value_from_object is not models.Field.value_from_object:
            return None
        if isinstance(f, models.DateTimeField):
            plan.append((f.attname, _datetime_json(f)))
        elif isinstance(f, models.DateField):
            plan.append((f.attname, _date_json(f)))
        elif isinstance(f, models.DecimalField):
            plan.append((f.attname, _any_json(f)))
        else:
            plan.append((f.attname, None))
    return plan


def snapshot_supported(model: type[models.Model]) -> bool:
    """Whether snapshot_texts() can take this model's records as columns."""
    return _column_plan(model) is not None


def snapshot_texts(model: type[models.Model], columns: Mapping[str, Sequence[Any]]) -> list[str]:
    """canonical(snapshot(obj)) of each record given as columns ({attname: values, one per record}, every
    concrete column): the same text, composed from each value's JSON once (keys in canonical, sorted, order)."""
    plan = _column_plan(model)
    if plan is None:
        raise ValueError(f"{model.__name__}'s snapshots need its instances")
    n = len(columns[plan[0][0]])
    texts: dict[str, list[str]] = {}
    for attname, conv in plan:
        values = columns[attname]
        kinds = set(map(type, values))
        if len(kinds) == 1 and kinds <= ONE_TEXT and values.count(values[0]) == len(values):
            values = values[:1]  # one value for every record (a batch's timestamp, a default): its JSON once
        if conv is not None:
            values = [v if v is None else conv(v) for v in values]
        elif kinds == {uuid.UUID}:
            values = list(map(str, values))  # _jsonable's text of a UUID
        elif not kinds <= _PLAIN | _OBJECTS and not all(issubclass(k, str) for k in kinds):
            # (an object's JSON is its own: _jsonable copies it; a choices member is its text)
            field = next(f for f in model._meta.concrete_fields if f.attname == attname)
            values = [v if type(v) in _PLAIN else _jsonable(field, v) for v in values]
        texts[attname] = _json_texts(values)
        if len(texts[attname]) == 1 and n > 1:
            texts[attname] *= n
    names = sorted(texts)
    template = "{" + ",".join(_encode_str(a).replace("%", "%%") + ":%s" for a in names) + "}"
    return [template % parts for parts in zip(*(texts[a] for a in names), strict=True)]


def snapshot_value(field: models.Field, value: Any) -> Any:
    """One column of snapshot() from the value a values_list() query gives (a file field's is its name)."""
    if isinstance(field, models.FileField):
        return value or None
    return _jsonable(field, value)


def canonical(value: Any) -> str:
    """Canonical JSON for hashing: sorted keys, no spaces, UTF-8. Values are str/int/bool/None/list/dict."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, payload: dict[str, Any]) -> str:
    """sha256 of the previous hash, a newline and the canonical payload, as hex."""
    return _hash_text(prev_hash, canonical(payload))


def entry_payload(rec: ChangeRecord) -> dict[str, Any]:
    """What an entry's hash covers: everything in it except its own id and hashes."""
    return payload_of({c: getattr(rec, c) for c in ENTRY_COLUMNS})


# Each column an append writes, in order, and its key in the hashed payload. The one definition of an
# entry: the writer below, payload_of() and verify all read it.
_PAYLOAD_KEYS = {
    "at": "at",
    "actor_id": "actor_id",
    "actor_name": "actor",
    "request_id": "request",
    "action": "action",
    "object_type": "object",
    "object_id": "object_id",
    "object_uid": "object_uid",
    "object_version": "object_version",
    "object_repr": "repr",
    "related_type": "related",
    "related_id": "related_id",
    "before": "before",
    "after": "after",
}
ENTRY_COLUMNS = tuple(_PAYLOAD_KEYS)
# Payload keys in canonical (sorted) order, with the column each comes from.
_SORTED_KEYS = tuple(sorted((key, column) for column, key in _PAYLOAD_KEYS.items()))
# The keys each entry has its own value for (the others are the append's: who and when), in that order.
_SHARED_KEYS = ("at", "actor_id", "actor", "request")
_OWN_KEYS: tuple[str, ...] = ("action", "after", "before", "object", "object_id", "object_uid", "object_version")
_OWN_KEYS += ("related", "related_id", "repr")
if tuple(k for k, _ in _SORTED_KEYS if k not in _SHARED_KEYS) != _OWN_KEYS:
    raise AssertionError("append()'s payload template no longer matches the entry's columns")


def payload_of(v: dict[str, Any]) -> dict[str, Any]:
    """The hashed payload of an entry from its column values (the timestamp in UTC, the uid as text)."""
    out = {key: v[column] for column, key in _PAYLOAD_KEYS.items()}
    out["at"] = _at_text(v["at"])
    out["object_uid"] = str(v["object_uid"]) if v["object_uid"] else None
    return out


def _at_text(at: dt.datetime) -> str:
    at = at if timezone.is_aware(at) else timezone.make_aware(at, dt.UTC)
    return at.astimezone(dt.UTC).isoformat()


# --- appending -------------------------------------------------------------------------------------

# The chain's PostgreSQL advisory lock, held by every appender until its transaction ends. SQLite needs
# none: its IMMEDIATE transactions already hold the database's single write lock.
CHAIN_LOCK = 71752329204292
# PostgreSQL: one round trip takes the lock and then reads the head (a fresh snapshot after the lock:
# accord_chain_head is a volatile function, core migration 0004).
_PG_HEAD = "SELECT accord_chain_head(%s)"
_SQLITE_HEAD = "SELECT hash FROM core_changerecord ORDER BY id DESC LIMIT 1"
_STORED_COLUMNS = (*ENTRY_COLUMNS, "client_request_id", "prev_hash", "hash")
_INSERT = (
    f"INSERT INTO core_changerecord ({', '.join(_STORED_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_STORED_COLUMNS))})"
)
_COPY = f"COPY core_changerecord ({', '.join(_STORED_COLUMNS)}) FROM STDIN"


class Entry(NamedTuple):
    """One entry to append: what changed. Who acted and when are the append's, the same for every entry.

    `before` and `after` are the snapshots as canonical JSON text (canonical(snapshot(obj))), or None:
    encoded once, that text is both hashed and stored (it decodes to the same object; PostgreSQL's jsonb
    keeps neither key order nor spacing).
    """

    action: str
    object_type: str
    object_id: str
    object_uid: uuid.UUID | None
    object_version: int | None
    object_repr: str
    related_type: str
    related_id: str
    before: str | None
    after: str | None


def entry(
    obj: models.Model,
    action: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    related: models.Model | None = None,
    repr: str | None = None,  # the entry's repr, when the caller has it cheaper than str(obj)
) -> Entry:
    """The entry for a change of `obj` (`related`: the parent whose history shows it too)."""
    return Entry(
        action,
        obj._meta.label_lower,
        str(obj.pk),
        getattr(obj, "uid", None),
        getattr(obj, "version", None),
        (repr if repr is not None else str(obj))[:300],
        related._meta.label_lower if related is not None else "",
        str(related.pk) if related is not None else "",
        canonical(before) if before is not None else None,
        canonical(after) if after is not None else None,
    )


def append(entries: Sequence[Entry], *, at: dt.datetime | None = None) -> str:
    """Append `entries` to the chain, in order, and return the last one's hash. The only writer of the chain.

    Must run inside the transaction that wrote the changes; takes the chain's lock until it ends. The hashed
    payload is composed from parts already in canonical JSON: json.dumps writes an object as its "key":value
    pairs in sorted key order, each value as it would write it alone, so the parts shared by the batch are
    encoded once and each snapshot once (tests/core/test_audit.py checks the identity with canonical()).
    Written with fixed SQL rather than the ORM: this runs on every audited write, and building an ORM query
    costs more than the work.
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("audited changes must be written inside transaction.atomic()")
    actor = current_actor()
    at = at or timezone.now()
    actor_name, request_id, client_id = actor.name[:200], actor.request_id[:64], actor.client_request_id[:64]
    shared = {"at": _json_text(_at_text(at)), "actor_id": _json_text(actor.user_id), "actor": _json_text(actor_name)}
    shared["request"] = _json_text(request_id)
    # The payload as a template: the batch's shared parts in place, %s for each entry's own (_OWN_KEYS).
    parts = [f'"{k}":' + (shared[k].replace("%", "%%") if k in shared else "%s") for k, _ in _SORTED_KEYS]
    template = "{" + ",".join(parts) + "}"
    prep = {f.attname: f for f in ChangeRecord._meta.concrete_fields}
    at_db = prep["at"].get_db_prep_save(at, conn)
    actor_id_db = prep["actor_id"].get_db_prep_save(actor.user_id, conn)
    uid_db = _uuid_param(conn)
    pg = conn.vendor == "postgresql"
    rows = []
    with conn.cursor() as cur:
        cur.execute(_PG_HEAD if pg else _SQLITE_HEAD, [CHAIN_LOCK] if pg else None)
        row = cur.fetchone()
        prev = (row[0] if row else None) or GENESIS
        for e in entries:
            uid = e.object_uid
            # In _OWN_KEYS' order: action, after, before, object, object_id, object_uid, object_version, related,
            # related_id, repr.
            payload = template % (
                _encode_str(e.action),
                e.after or "null",
                e.before or "null",
                _encode_str(e.object_type),
                _encode_str(e.object_id),
                _encode_str(str(uid)) if uid else "null",
                _json_text(e.object_version),
                _encode_str(e.related_type),
                _encode_str(e.related_id),
                _encode_str(e.object_repr),
            )
            digest = hashlib.sha256((prev + "\n" + payload).encode()).hexdigest()
            rows.append(
                (
                    at_db,
                    actor_id_db,
                    actor_name,
                    request_id,
                    e.action,
                    e.object_type,
                    e.object_id,
                    uid_db(uid) if uid is not None else None,
                    e.object_version,
                    e.object_repr,
                    e.related_type,
                    e.related_id,
                    e.before,
                    e.after,
                    client_id,
                    prev,
                    digest,
                )
            )
            prev = digest
        if len(rows) == 1:
            cur.execute(_INSERT, rows[0])
        elif pg:
            with cur.cursor.copy(_COPY) as copy:
                for r in rows:
                    copy.write_row(r)
        elif rows:  # the driver's own executemany: Django's wrapper costs per row
            conn.connection.executemany(_INSERT.replace("%s", "?"), rows)
    return prev


def _uuid_param(conn: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """What UUIDField.get_db_prep_save makes of a UUID on this database (hex text where not native)."""
    if conn.features.has_native_uuid_field:
        return lambda u: u if type(u) is uuid.UUID else uuid.UUID(str(u))
    return lambda u: u.hex if type(u) is uuid.UUID else uuid.UUID(str(u)).hex


def record_change(
    obj: models.Model,
    action: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    related: models.Model | None = None,
) -> str:
    """Append one entry for `obj` and return its hash. Must run inside the transaction that wrote the change."""
    return append([entry(obj, action, before, after, related)])


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
