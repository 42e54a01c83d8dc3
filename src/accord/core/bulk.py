"""Audited writes of many records at once, for imports.

The same rules as core.services (field validation, the model's clean(), uniqueness) and the same audit
chain, but paid per batch instead of per record: uniqueness is checked with one query per field and
batch, rows go in with bulk INSERTs, and the chain entries are hashed in Python and inserted together
under the chain's lock. Validation collects every record's errors before anything is written, so an
importer can report all bad rows at once; the caller's transaction makes the whole import all or nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, TypeVar

from django.core import validators as dj_validators
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import DatabaseDefault
from django.db.models.fields import NOT_PROVIDED, AutoFieldMixin
from django.utils import timezone

from accord.core.actor import current_actor
from accord.core.audit import GENESIS, _fields, _hash_text, _jsonable, canonical, payload_of, snapshot
from accord.core.errors import DomainError
from accord.core.models import ChangeRecord
from accord.core.routers import pin_primary
from accord.core.rows import write_columns
from accord.core.search import index_changed
from accord.core.services import _condition_holds, _is_editable, _unique_constraint_errors, stale_error

M = TypeVar("M", bound=models.Model)

# The PostgreSQL chain lock, the same key accord_append_change takes (core migration 0002).
_PG_CHAIN_LOCK = "SELECT pg_advisory_xact_lock(71752329204292)"
_HEAD = "SELECT hash FROM core_changerecord ORDER BY id DESC LIMIT 1"
BATCH = 2000


class RecordsInvalid(DomainError):
    """Some records of a batch break the rules. `errors` maps each record's index to {field: [messages]}."""

    code = "validation_failed"

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.errors = errors
        first = min(errors)
        fields = "; ".join(f"{f}: {', '.join(m)}" for f, m in errors[first].items())
        super().__init__(f"{len(errors)} record(s) are invalid; the first (#{first}): {fields}")


def validate_many(
    objs: Sequence[models.Model], *, exclude: Iterable[str] = (), check_unique: bool = True
) -> dict[int, dict[str, list[str]]]:
    """Every record's errors by index (empty when all are valid). Uniqueness is checked in the batch too.

    The same checks as full_clean(), but a foreign key's "does the referenced row exist" costs one query
    per key and chunk of distinct ids instead of one per record.
    """
    skip = {"uid", *exclude}
    errors: dict[int, dict[str, list[str]]] = {}
    if not objs:
        return errors
    for i, fname, messages in _foreign_key_errors(objs, skip):
        errors.setdefault(i, {}).setdefault(fname, []).extend(messages)
    model = type(objs[0])
    fk_names = {f.name for f in _checked_foreign_keys(model)}
    per_record = frozenset(skip | fk_names)
    full_clean = _full_clean_fn(model, per_record)
    for i, obj in enumerate(objs):
        try:
            full_clean(obj)
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                errors.setdefault(i, {}).setdefault(fname, []).extend(messages)
    if check_unique:
        for i, fname, message in _unique_errors(objs, skip):
            errors.setdefault(i, {}).setdefault(fname, []).append(message)
    return errors


# --- per-record field validation ---------------------------------------------------------------------
#
# full_clean() spends most of its time proving that valid values are valid: to_python, a walk over the
# choices, the null and blank checks and every validator, through several layers of calls per field.
# The plan below answers "certainly valid and left as it is" for the common value types with the same
# checks done inline; any other value goes through the field's own clean(), so what is accepted, what
# is stored back and every message stay exactly Django's.

# Field classes whose to_python() returns a value of these exact types unchanged.
_UNCHANGED_BY_TO_PYTHON: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.IntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveBigIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BigIntegerField: (int,),
    models.AutoField: (int,),
    models.BigAutoField: (int,),
    models.SmallAutoField: (int,),
    models.DateField: (dt.date,),
    models.DateTimeField: (dt.datetime,),
    models.UUIDField: (uuid.UUID,),
}


def _validator_check(v: Callable[[Any], Any]) -> Callable[[Any], bool]:
    """A predicate true only when validator `v` accepts the value (inline for Django's common ones)."""
    kind = type(v)
    limit = getattr(v, "limit_value", None)
    if kind is dj_validators.MaxLengthValidator and type(limit) is int:
        return lambda x: len(x) <= limit
    if kind is dj_validators.MinValueValidator and type(limit) is int:
        return lambda x: x >= limit
    if kind is dj_validators.MaxValueValidator and type(limit) is int:
        return lambda x: x <= limit
    if kind is dj_validators.ProhibitNullCharactersValidator:
        return lambda x: "\x00" not in str(x)

    def call(x: Any) -> bool:
        try:
            v(x)
        except ValidationError:
            return False
        return True

    return call


@dataclass(frozen=True)
class _FieldCheck:
    field: models.Field
    name: str
    attname: str
    blank: bool
    empty_values: list[Any]
    fast_types: tuple[type, ...]  # empty: always the field's own clean()
    choices: frozenset[Any] | None
    null: bool
    checks: tuple[Callable[[Any], bool], ...]


def _field_check(f: models.Field) -> _FieldCheck:
    fast_types = _UNCHANGED_BY_TO_PYTHON.get(type(f), ())
    choices: frozenset[Any] | None = None
    if fast_types and f.editable and f.choices is not None:
        try:
            choices = frozenset(k for k, _ in f.flatchoices)
        except TypeError:  # unhashable keys: leave the walk to Django
            fast_types = ()
    return _FieldCheck(
        field=f,
        name=f.name,
        attname=f.attname,
        blank=f.blank,
        empty_values=list(f.empty_values),
        fast_types=fast_types,
        choices=choices,
        null=f.null,
        checks=tuple(_validator_check(v) for v in f.validators) if fast_types else (),
    )


def _certainly_valid(c: _FieldCheck, value: Any) -> bool:
    """Whether Field.clean(value) would return `value` itself without raising (False: ask Field.clean)."""
    if type(value) not in c.fast_types:
        return False
    if type(value) is dt.datetime and value.tzinfo is None:
        return False  # naive: Django warns and converts; leave it to it
    if c.field.editable:
        # Field.validate: choices, then null, then blank (value is not None here).
        if c.choices is not None and value not in c.empty_values and value not in c.choices:
            return False
        if not c.blank and value in c.empty_values:
            return False
    if value in c.empty_values:
        return True  # run_validators skips empty values
    return all(check(value) for check in c.checks)


@cache
def _full_clean_fn(model: type[models.Model], exclude: frozenset[str]) -> Callable[[models.Model], None]:
    """obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False), planned once."""
    if model.full_clean is not models.Model.full_clean or model.clean_fields is not models.Model.clean_fields:
        return lambda obj: obj.full_clean(exclude=set(exclude), validate_unique=False, validate_constraints=False)
    plan = [_field_check(f) for f in model._meta.fields if f.name not in exclude and not f.generated]

    def full_clean(obj: models.Model) -> None:
        # Model.clean_fields(), with the plan's shortcut for values that are certainly valid.
        field_errors: dict[str, Any] = {}
        for c in plan:
            raw = getattr(obj, c.attname)
            if c.blank and raw in c.empty_values:
                continue
            if _certainly_valid(c, raw):
                continue
            if isinstance(raw, DatabaseDefault):
                continue
            try:
                setattr(obj, c.attname, c.field.clean(raw, obj))
            except ValidationError as e:
                field_errors[c.name] = e.error_list
        # Model.full_clean(): clean() runs whatever the fields said.
        errors: dict[str, Any] = {}
        if field_errors:
            errors = ValidationError(field_errors).update_error_dict(errors)
        try:
            obj.clean()
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    return full_clean


def _checked_foreign_keys(model: type[models.Model]) -> list[models.ForeignKey]:
    """The foreign keys whose existence check can be batched (those without limit_choices_to)."""
    return [
        f
        for f in model._meta.fields
        if isinstance(f, models.ForeignKey) and not f.remote_field.limit_choices_to and not f.generated
    ]


def _foreign_key_errors(objs: Sequence[models.Model], skip: set[str]) -> Iterable[tuple[int, str, list[str]]]:
    """What full_clean() says of each foreign key (null, bad value, no such row), with batched existence checks."""
    model = type(objs[0])
    if any(type(o) is not model for o in objs):
        raise TypeError("validate_many takes records of one model")
    for f in _checked_foreign_keys(model):
        if f.name in skip:
            continue
        pending: dict[Any, list[int]] = {}
        for i, obj in enumerate(objs):
            raw = getattr(obj, f.attname)
            if f.blank and raw in f.empty_values:
                continue
            try:
                value = f.to_python(raw)
                if value is None:
                    f.validate(value, obj)  # null / blank: the field's own message
                    continue
                f.run_validators(value)
            except ValidationError as exc:
                yield i, f.name, exc.messages
                continue
            setattr(obj, f.attname, value)
            pending.setdefault(value, []).append(i)
        target = f.target_field.attname
        values = list(pending)
        manager = f.remote_field.model._base_manager
        raw = _raw_lookup(manager, [f.target_field])
        step = _IN_CHUNK if raw else 500
        for start in range(0, len(values), step):
            chunk = values[start : start + step]
            if raw:
                found = {r[0] for r in _select_in(f.remote_field.model, [f.target_field], [chunk])}
            else:
                found = set(manager.filter(**{f"{target}__in": chunk}).values_list(target, flat=True))
            for value in chunk:
                if value in found:
                    continue
                message = ValidationError(
                    f.error_messages["invalid"],
                    code="invalid",
                    params={
                        "model": f.remote_field.model._meta.verbose_name,
                        "pk": value,
                        "field": f.remote_field.field_name,
                        "value": value,
                    },
                ).messages
                for i in pending[value]:
                    yield i, f.name, message


# Rows per IN list of the batched lookups done in plain SQL (SQLite allows 32,766 parameters a statement).
_IN_CHUNK = 10_000


def _raw_lookup(manager: models.Manager[Any], fields: Sequence[models.Field]) -> bool:
    """Whether a lookup on these columns can be plain SQL: a manager that filters nothing, and columns
    whose stored values read back as the Python values the records hold (text, integers), with no
    converter; building the ORM query for thousands of values costs more than the database's answer."""
    if type(manager) is not models.Manager:
        return False
    for f in fields:
        target = f.target_field if isinstance(f, models.ForeignKey) else f
        if type(target) not in (models.CharField, models.TextField) and _UNCHANGED_BY_TO_PYTHON.get(type(target)) != (
            int,
        ):
            return False
    return True


def _select_in(
    model: type[models.Model], fields: Sequence[models.Field], values: Sequence[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """(each field's value..., pk) of the rows whose every field is IN its list of values."""
    conn = connections[DEFAULT_DB_ALIAS]
    q = conn.ops.quote_name
    meta = model._meta
    where = " AND ".join(
        f"{q(f.column)} IN ({', '.join(['%s'] * len(vs))})" for f, vs in zip(fields, values, strict=True)
    )
    sql = f"SELECT {', '.join(q(f.column) for f in fields)}, {q(meta.pk.column)} FROM {q(meta.db_table)} WHERE {where}"
    with conn.cursor() as cur:
        cur.execute(sql, [v for vs in values for v in vs])
        return [tuple(r) for r in cur.fetchall()]


def _unique_errors(objs: Sequence[models.Model], skip: set[str]) -> Iterable[tuple[int, str, str]]:
    """Collisions inside the batch and with stored rows, one query per unique key and chunk."""
    model = type(objs[0])
    meta = model._meta
    keys: list[tuple[str, ...]] = [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    conditional: list[models.UniqueConstraint] = []
    for c in meta.constraints:
        if isinstance(c, models.UniqueConstraint) and c.fields:
            if c.condition is None:
                keys.append(tuple(c.fields))
            else:
                conditional.append(c)
    attname = {f.name: f.attname for f in meta.concrete_fields}
    concrete = {f.name: f for f in meta.concrete_fields}
    for key in keys:
        if set(key) <= skip:
            continue
        label = key[-1]
        seen: dict[tuple[Any, ...], int] = {}
        candidates: dict[tuple[Any, ...], int] = {}
        for i, obj in enumerate(objs):
            value = tuple(getattr(obj, attname[n]) for n in key)
            if any(v is None for v in value):
                continue
            if value in seen:
                yield i, label, f"repeats the {', '.join(key)} of record #{seen[value]} in the same batch"
                continue
            seen[value] = i
            candidates[value] = i
        own_pks = {o.pk for o in objs if o.pk is not None and not o._state.adding}
        items = list(candidates.items())
        key_fields = [concrete[n] for n in key]
        raw = _raw_lookup(model._default_manager, [*key_fields, meta.pk])
        step = _IN_CHUNK // len(key) if raw else 500
        for start in range(0, len(items), step):
            chunk = items[start : start + step]
            columns = [attname[n] for n in key]
            # Each column IN the chunk's values: a superset of the keys, matched exactly here (an OR of
            # several hundred ANDs costs Django more to build than the database to answer).
            in_values = [list({v[n] for v, _ in chunk}) for n in range(len(columns))]
            if raw:
                stored: Iterable[Sequence[Any]] = _select_in(model, key_fields, in_values)
            else:
                lookup = {f"{c}__in": vs for c, vs in zip(columns, in_values, strict=True)}
                stored = model._default_manager.filter(**lookup).values_list(*columns, "pk")
            found = {tuple(row[:-1]): row[-1] for row in stored}
            for value, i in chunk:
                pk = found.get(value)
                if pk is not None and pk not in own_pks and pk != objs[i].pk:
                    yield i, label, f"{meta.verbose_name} with this {', '.join(key)} already exists"
    if conditional:  # rare: the per-record check (it also repeats the plain keys, hence the filter)
        plain = {k[-1] for k in keys}
        for i, obj in enumerate(objs):
            for fname, message in _unique_constraint_errors(obj, skip):
                if fname not in plain:
                    yield i, fname, message
        # ... which only compares with stored rows: two new records of the batch may collide with each other.
        for c in conditional:
            if set(c.fields) <= skip:
                continue
            first: dict[tuple[Any, ...], int] = {}
            for i, obj in enumerate(objs):
                if _condition_holds(c.condition, obj) is False:  # type: ignore[arg-type]
                    continue
                value = tuple(getattr(obj, attname[n]) for n in c.fields)
                if any(v is None or v == "" for v in value):
                    continue
                if value in first:
                    yield (
                        i,
                        c.fields[-1],
                        f"repeats the {', '.join(c.fields)} of record #{first[value]} in the same batch",
                    )
                else:
                    first[value] = i


@dataclass
class _Entry:
    obj: models.Model
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    related: models.Model | None = None
    repr: str | None = None  # the object's repr when the caller has it cheaper than str(obj)


@dataclass
class ChainWriter:
    """Audit entries gathered during a bulk write and appended to the chain in one go."""

    entries: list[_Entry] = field(default_factory=list)

    def add(self, obj: models.Model, action: str, before: Any, after: Any, related: models.Model | None) -> None:
        self.entries.append(_Entry(obj, action, before, after, related))

    def flush(self) -> None:
        if self.entries:
            append_entries(self.entries)
            self.entries = []


# --- snapshots and entry text ------------------------------------------------------------------------

_PLAIN = frozenset({str, int, bool, float, type(None)})


def _datetime_json(f: models.Field) -> Callable[[Any], Any]:
    def conv(v: Any) -> Any:
        if type(v) is dt.datetime and v.tzinfo is dt.UTC:
            return v.isoformat()  # what _jsonable gives: already aware and in UTC
        return _jsonable(f, v)

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
    """core.audit.snapshot(obj) for this model, with each field's conversion chosen once (same result)."""
    plan: list[tuple[str, frozenset[type], Callable[[Any], Any]]] = []
    for f in model._meta.concrete_fields:
        if type(f).value_from_object is not models.Field.value_from_object:
            return snapshot
        if isinstance(f, models.DateTimeField):
            plan.append((f.attname, frozenset({type(None)}), _datetime_json(f)))
        elif isinstance(f, models.DateField):
            plan.append((f.attname, frozenset({type(None)}), _date_json(f)))
        elif isinstance(f, models.DecimalField):
            plan.append((f.attname, frozenset({type(None)}), _any_json(f)))
        else:  # _jsonable passes these types through untouched
            plan.append((f.attname, _PLAIN, _any_json(f)))

    def snap(obj: models.Model) -> dict[str, Any]:
        out = {}
        for attname, plain, conv in plan:
            v = getattr(obj, attname)
            out[attname] = v if type(v) in plain else conv(v)
        return out

    return snap


_canonical_value = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def _payload_text(head: dict[str, str], tail: dict[str, Any], before: str, after: str) -> str:
    """canonical(payload_of(values)), composed from parts already in canonical JSON.

    json.dumps writes an object as "{" + '"key":value' pairs in sorted key order joined by "," + "}",
    each value as it would write it alone; so the entry's constant parts are encoded once per batch and
    the snapshots once per record. tests/core/test_bulk.py checks the identity.
    """
    parts = {**head, "before": before, "after": after}
    parts.update({k: _canonical_value(v) for k, v in tail.items()})
    return "{" + ",".join(f'"{k}":{parts[k]}' for k in _PAYLOAD_KEYS) + "}"


_PAYLOAD_KEYS = tuple(
    sorted(
        (
            "at",
            "actor_id",
            "actor",
            "request",
            "action",
            "object",
            "object_id",
            "object_uid",
            "object_version",
            "repr",
            "related",
            "related_id",
            "before",
            "after",
        )
    )
)


# --- appending -----------------------------------------------------------------------------------------


def append_entries(entries: Sequence[_Entry]) -> None:
    """Append entries to the chain, in order, under the chain's lock, with one bulk insert per batch.

    Each snapshot is encoded to canonical JSON once: that text is both part of the hashed payload and
    what the before/after columns store (it decodes to the same object; key order and spacing are not
    part of what JSON means, and PostgreSQL's jsonb keeps neither).
    """
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("audited changes must be written inside transaction.atomic()")
    actor = current_actor()
    now = timezone.now()
    fields = _fields()
    columns = [f.column for f in fields] + ["prev_hash", "hash"]
    by_attname = {f.attname: f for f in fields}
    # Constant for the batch: encoded and adapted once.
    at_text = payload_of({**dict.fromkeys(_PAYLOAD_SOURCES), "at": now})["at"]
    head_common = {
        "at": _canonical_value(at_text),
        "actor_id": _canonical_value(actor.user_id),
        "actor": _canonical_value(actor.name[:200]),
        "request": _canonical_value(actor.request_id[:64]),
    }
    at_db = by_attname["at"].get_db_prep_save(now, conn)
    actor_id_db = by_attname["actor_id"].get_db_prep_save(actor.user_id, conn)
    actor_name_db = by_attname["actor_name"].get_db_prep_save(actor.name[:200], conn)
    request_db = by_attname["request_id"].get_db_prep_save(actor.request_id[:64], conn)
    uid_db = _uuid_param(conn)
    heads: dict[tuple[str, str], dict[str, str]] = {}
    labels: dict[type[models.Model], str] = {}
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(_PG_CHAIN_LOCK)
        cur.execute(_HEAD)
        row = cur.fetchone()
        prev = row[0] if row else GENESIS
        rows = []
        for e in entries:
            obj = e.obj
            label = labels.get(type(obj))
            if label is None:
                label = labels[type(obj)] = obj._meta.label_lower
            related = e.related
            related_type = related._meta.label_lower if related is not None else ""
            head = heads.get((e.action, label))
            if head is None:
                head = heads[(e.action, label)] = {
                    **head_common,
                    "action": _canonical_value(e.action),
                    "object": _canonical_value(label),
                }
            object_id = str(obj.pk)
            uid = getattr(obj, "uid", None)
            version = getattr(obj, "version", None)
            object_repr = (e.repr if e.repr is not None else str(obj))[:300]
            related_id = str(related.pk) if related is not None else ""
            before = canonical(e.before) if e.before is not None else None
            after = canonical(e.after) if e.after is not None else None
            payload = _payload_text(
                head,
                {
                    "object_id": object_id,
                    "object_uid": str(uid) if uid else None,
                    "object_version": version,
                    "repr": object_repr,
                    "related": related_type,
                    "related_id": related_id,
                },
                before or "null",
                after or "null",
            )
            digest = _hash_text(prev, payload)
            rows.append(
                (
                    at_db,
                    actor_id_db,
                    actor_name_db,
                    request_db,
                    e.action,
                    label,
                    object_id,
                    uid_db(uid) if uid is not None else None,
                    version,
                    object_repr,
                    related_type,
                    related_id,
                    before,
                    after,
                    prev,
                    digest,
                )
            )
            prev = digest
        _insert_rows(conn, cur, "core_changerecord", columns, rows)


# The keys payload_of() reads, to call it for the batch's timestamp alone.
_PAYLOAD_SOURCES = (
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


def _uuid_param(conn: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """What UUIDField.get_db_prep_save makes of a UUID on this database (hex text where not native)."""
    if conn.features.has_native_uuid_field:
        return lambda u: u if type(u) is uuid.UUID else uuid.UUID(str(u))
    return lambda u: u.hex if type(u) is uuid.UUID else uuid.UUID(str(u)).hex


def _insert_rows(
    conn: BaseDatabaseWrapper, cur: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """Insert prepared rows: COPY on PostgreSQL, one prepared statement run per row on SQLite.

    Both take the values as the driver gets them from Django's own adaptation (or as text a column
    parses, for JSON), with no SQL compiled per row.
    """
    if not rows:
        return
    names = ", ".join(conn.ops.quote_name(c) for c in columns)
    quoted = conn.ops.quote_name(table)
    if conn.vendor == "postgresql":
        with cur.cursor.copy(f"COPY {quoted} ({names}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row(r)
    else:
        cur.executemany(f"INSERT INTO {quoted} ({names}) VALUES ({', '.join(['%s'] * len(columns))})", rows)


# --- inserting records -------------------------------------------------------------------------------


class _Unplanned(Exception):
    """A value the planned insert does not know how to pass: Django's bulk_create takes the batch."""


def _param_fn(f: models.Field, conn: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """value -> driver parameter, as f.get_db_prep_save(value, conn) gives it, with the common types inline."""
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    kind = type(target)
    prep = f.get_db_prep_save
    pg = conn.vendor == "postgresql"
    fast: Callable[[Any], Any] | None = None
    fast_type: type | tuple[type, ...] = ()
    if kind in (models.CharField, models.TextField):
        fast_type, fast = str, (lambda v: v)
    elif kind in _UNCHANGED_BY_TO_PYTHON and _UNCHANGED_BY_TO_PYTHON[kind] == (int,):
        fast_type, fast = int, (lambda v: v)
    elif kind is models.BooleanField:
        fast_type, fast = bool, (lambda v: v)
    elif kind is models.DateField:
        fast_type, fast = dt.date, ((lambda v: v) if pg else str)
    elif kind is models.DateTimeField:
        adapt_datetime: Callable[[Any], Any] = conn.ops.adapt_datetimefield_value
        fast_type = dt.datetime
        fast = (lambda v: v) if pg else adapt_datetime  # aware ones only: naive ones take Django's path
    elif kind is models.UUIDField:
        fast_type, fast = uuid.UUID, ((lambda v: v) if pg else (lambda v: v.hex))
    elif isinstance(target, models.JSONField) and type(target).get_db_prep_save is models.JSONField.get_db_prep_save:
        encoder = target.encoder
        # adapt_json_value: json.dumps with the field's encoder (PostgreSQL: the same text, parsed as jsonb).
        fast_type, fast = (dict, list), (lambda v: json.dumps(v, cls=encoder))
    none_param = prep(None, conn)

    def generic(v: Any) -> Any:
        if hasattr(v, "resolve_expression"):
            raise _Unplanned
        p = prep(v, conn)
        if pg and hasattr(p, "obj"):  # psycopg wrappers (Jsonb): COPY takes the JSON text
            p = json.dumps(p.obj, cls=getattr(target, "encoder", None))
        return p

    if fast is None:
        return lambda v: None if v is None and none_param is None else generic(v)
    if fast_type is str or fast_type is int or fast_type is bool:
        return lambda v: v if type(v) is fast_type or (v is None and none_param is None) else generic(v)
    adapt: Callable[[Any], Any] = fast

    def param(v: Any) -> Any:
        if v is None and none_param is None:
            return None
        if type(v) is fast_type or (type(fast_type) is tuple and isinstance(v, fast_type)):
            if isinstance(v, dt.datetime) and v.tzinfo is None:
                return generic(v)
            return adapt(v)
        return generic(v)

    return param


@dataclass(frozen=True)
class _InsertPlan:
    table: str
    pk: models.Field
    columns: list[str]
    fields: list[models.Field]
    getters: list[Callable[[models.Model], Any]]
    params: list[Callable[[Any], Any]]
    related_check: Callable[[models.Model], bool]


def _insert_plan(model: type[models.Model], conn: BaseDatabaseWrapper) -> _InsertPlan | None:
    """The model's columns and how to read and adapt each, or None when bulk_create must do it."""
    meta = model._meta
    if meta.parents or not isinstance(meta.pk, AutoFieldMixin) or conn.vendor not in ("sqlite", "postgresql"):
        return None
    fields = [f for f in meta.local_concrete_fields]
    if any(f.generated or f.db_default is not NOT_PROVIDED or (f.db_returning and f is not meta.pk) for f in fields):
        return None
    getters: list[Callable[[models.Model], Any]] = []
    for f in fields:
        if type(f).pre_save is models.Field.pre_save:
            getters.append(lambda obj, a=f.attname: getattr(obj, a))
        else:  # auto_now(_add), LocalizedTextField: the field decides what is saved
            getters.append(lambda obj, f=f: f.pre_save(obj, True))
    return _InsertPlan(
        table=meta.db_table,
        pk=meta.pk,
        columns=[f.column for f in fields],
        fields=fields,
        getters=getters,
        params=[_param_fn(f, conn) for f in fields],
        related_check=_related_check(model),
    )


def _related_check(model: type[models.Model]) -> Callable[[models.Model], bool]:
    """A predicate false when Model._prepare_related_fields_for_save() would do nothing to `obj`.

    That is: every related object held in memory is saved and its key is the one the record holds.
    True (let Django check and refuse or repair) otherwise, and always for models with generic relations.
    """
    if model._meta.private_fields:
        return lambda obj: True
    rels = [
        (f.cache_name, f.attname, f.target_field.attname)  # type: ignore[attr-defined]
        for f in model._meta.concrete_fields
        if f.is_relation
    ]

    def check(obj: models.Model) -> bool:
        cache = obj._state.fields_cache
        for cache_name, attname, target in rels:
            if cache_name in cache:
                rel = cache[cache_name]
                if rel is None:
                    continue
                own = getattr(obj, attname)
                if own is None or own == "" or getattr(rel, target) != own or rel.pk is None:
                    return True
        return False

    return check


_plans: dict[tuple[type[models.Model], str], _InsertPlan | None] = {}


def _reserve_ids(conn: BaseDatabaseWrapper, cur: Any, plan: _InsertPlan, n: int) -> list[int]:
    """n new primary keys, in increasing order, as the database would have given them."""
    table, column = plan.table, plan.pk.column
    if conn.vendor == "postgresql":
        cur.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, n])
        return sorted(r[0] for r in cur.fetchall())
    # SQLite: the IMMEDIATE transaction holds the database's single write lock, so no one else can take
    # these ids before the insert. AUTOINCREMENT never reuses an id: start past both the largest id
    # stored and the largest ever handed out.
    cur.execute(f"SELECT max({conn.ops.quote_name(column)}) FROM {conn.ops.quote_name(table)}")
    top = cur.fetchone()[0] or 0
    cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    row = cur.fetchone()
    start = max(top, row[0] if row and row[0] is not None else 0) + 1
    return list(range(start, start + n))


def _bulk_insert(model: type[M], objs: Sequence[M]) -> None:
    """Insert new records and give each its id, as bulk_create does, without compiling SQL per row."""
    conn = connections[DEFAULT_DB_ALIAS]
    key = (model, conn.vendor)
    if key not in _plans:
        _plans[key] = _insert_plan(model, conn)
    plan = _plans[key]
    if plan is None or any(o.pk is not None for o in objs):
        _django_bulk_create(model, objs)
        return
    pk_index = plan.fields.index(plan.pk)
    rows: list[list[Any]] = []
    try:
        for obj in objs:
            if plan.related_check(obj):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
            rows.append([p(g(obj)) for g, p in zip(plan.getters, plan.params, strict=True)])
    except _Unplanned:
        _django_bulk_create(model, objs)
        return
    with conn.cursor() as cur:
        ids = _reserve_ids(conn, cur, plan, len(objs))
        for row, pk in zip(rows, ids, strict=True):
            row[pk_index] = pk
        _insert_rows(conn, cur, plan.table, plan.columns, rows)
    attname = plan.pk.attname
    for obj, pk in zip(objs, ids, strict=True):
        setattr(obj, attname, pk)
        obj._state.adding = False
        obj._state.db = conn.alias


def _django_bulk_create(model: type[M], objs: Sequence[M]) -> None:
    for start in range(0, len(objs), BATCH):
        model._default_manager.bulk_create(objs[start : start + BATCH], batch_size=BATCH)
    if any(o.pk is None for o in objs):  # pragma: no cover - both supported databases return ids
        raise RuntimeError("the database did not return the new rows' ids")


def create_many(
    model: type[M],
    objs: Sequence[M],
    *,
    validate: bool = True,
    related: Callable[[M], models.Model | None] | None = None,
    describe: Callable[[M], str] | None = None,
) -> list[M]:
    """Validate all `objs` (RecordsInvalid lists every bad one), insert them and audit each, in one transaction.

    `describe` gives each record's repr for its audit entry when the caller can say str(obj) more cheaply.
    """
    objs = list(objs)
    if not objs:
        return objs
    pin_primary()  # validation and what follows read the primary
    if validate:
        errors = validate_many(objs)
        if errors:
            raise RecordsInvalid(errors)
    with transaction.atomic():
        _bulk_insert(model, objs)
        snap = _snapshot_fn(model)
        append_entries(
            [
                _Entry(
                    o,
                    ChangeRecord.Action.CREATE,
                    None,
                    snap(o),
                    related(o) if related else None,
                    describe(o) if describe else None,
                )
                for o in objs
            ]
        )
        index_changed(objs)
    return objs


@dataclass
class Change:
    """One record to update: the stored instance as read, the version it was read at, and the new values."""

    obj: models.Model
    changes: dict[str, Any]
    expected_version: int | None = None


def update_many(
    changes: Sequence[Change], *, related: Callable[[models.Model], models.Model | None] | None = None
) -> list[models.Model]:
    """Apply each change whose values differ; validate all first; bump versions; audit. Returns those written.

    Each row is written with its version in the WHERE clause, so a concurrent change makes the whole
    batch fail with StaleVersion instead of being overwritten.
    """
    if not changes:
        return []
    pin_primary()
    model = type(changes[0].obj)
    unknown = {k for c in changes for k in c.changes if not _is_editable(model, k)}
    if unknown:
        raise RecordsInvalid({0: {k: ["is not a field that can be changed here"] for k in sorted(unknown)}})
    pending: list[tuple[models.Model, int, dict[str, Any]]] = []
    for c in changes:
        obj = c.obj
        before = snapshot(obj)
        for name, value in c.changes.items():
            setattr(obj, name, value)
        pending.append((obj, c.expected_version or obj.version, before))  # type: ignore[attr-defined]
    errors = validate_many([p[0] for p in pending])
    if errors:
        raise RecordsInvalid(errors)
    written: list[models.Model] = []
    entries: list[_Entry] = []
    now = timezone.now()
    with transaction.atomic():
        for obj, version, before in pending:
            after = snapshot(obj)
            if after == before:
                continue
            obj.version = version + 1  # type: ignore[attr-defined]
            obj.updated_at = now  # type: ignore[attr-defined]
            after = snapshot(obj)
            dirty = {a: getattr(obj, a) for a, v in after.items() if before[a] != v}
            if write_columns(model, obj.pk, version, dirty) != 1:
                stored = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
                raise stale_error(model, obj.pk, str(obj), version, stored or version)
            entries.append(_Entry(obj, ChangeRecord.Action.UPDATE, before, after, related(obj) if related else None))
            written.append(obj)
        if entries:
            append_entries(entries)
        index_changed(written)
    return written
