"""Audited writes of many records at once, for imports.

The same rules as core.services (field validation, the model's clean(), uniqueness) and the same audit
chain, but paid per batch instead of per record: uniqueness is checked with one query per field and
batch, rows go in with bulk INSERTs, and the chain entries are hashed in Python and inserted together
under the chain's lock. Validation collects every record's errors before anything is written, so an
importer can report all bad rows at once; the caller's transaction makes the whole import all or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from accord.core.actor import current_actor
from accord.core.audit import GENESIS, _fields, _hash_text, _payload, canonical, snapshot
from accord.core.errors import DomainError
from accord.core.models import ChangeRecord
from accord.core.routers import pin_primary
from accord.core.rows import write_columns
from accord.core.search import index_changed
from accord.core.services import _is_editable, _unique_constraint_errors, stale_error

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
    fk_names = {f.name for f in _checked_foreign_keys(type(objs[0]))}
    per_record = skip | fk_names
    for i, obj in enumerate(objs):
        try:
            obj.full_clean(exclude=per_record, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for fname, messages in exc.message_dict.items():
                errors.setdefault(i, {}).setdefault(fname, []).extend(messages)
    if check_unique:
        for i, fname, message in _unique_errors(objs, skip):
            errors.setdefault(i, {}).setdefault(fname, []).append(message)
    return errors


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
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
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


def _unique_errors(objs: Sequence[models.Model], skip: set[str]) -> Iterable[tuple[int, str, str]]:
    """Collisions inside the batch and with stored rows, one query per unique key and chunk."""
    model = type(objs[0])
    meta = model._meta
    keys: list[tuple[str, ...]] = [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    conditional = False
    for c in meta.constraints:
        if isinstance(c, models.UniqueConstraint) and c.fields:
            if c.condition is None:
                keys.append(tuple(c.fields))
            else:
                conditional = True
    attname = {f.name: f.attname for f in meta.concrete_fields}
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
        for start in range(0, len(items), 500):
            chunk = items[start : start + 500]
            columns = [attname[n] for n in key]
            # Each column IN the chunk's values: a superset of the keys, matched exactly here (an OR of
            # several hundred ANDs costs Django more to build than the database to answer).
            lookup = {f"{c}__in": list({v[n] for v, _ in chunk}) for n, c in enumerate(columns)}
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


@dataclass
class _Entry:
    obj: models.Model
    action: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    related: models.Model | None = None


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


def append_entries(entries: Sequence[_Entry]) -> None:
    """Append entries to the chain, in order, under the chain's lock, with one multi-row insert per batch."""
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("audited changes must be written inside transaction.atomic()")
    actor = current_actor()
    now = timezone.now()
    fields = _fields()
    columns = [f.column for f in fields] + ["prev_hash", "hash"]
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute(_PG_CHAIN_LOCK)
        cur.execute(_HEAD)
        row = cur.fetchone()
        prev = row[0] if row else GENESIS
        rows = []
        for e in entries:
            values = {
                "at": now,
                "actor_id": actor.user_id,
                "actor_name": actor.name[:200],
                "request_id": actor.request_id[:64],
                "action": e.action,
                "object_type": e.obj._meta.label_lower,
                "object_id": str(e.obj.pk),
                "object_uid": getattr(e.obj, "uid", None),
                "object_version": getattr(e.obj, "version", None),
                "object_repr": str(e.obj)[:300],
                "related_type": e.related._meta.label_lower if e.related is not None else "",
                "related_id": str(e.related.pk) if e.related is not None else "",
                "before": e.before,
                "after": e.after,
            }
            digest = _hash_text(prev, canonical(_payload(values)))
            rows.append([*(f.get_db_prep_save(values[f.attname], conn) for f in fields), prev, digest])
            prev = digest
        per_row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        # Enough rows per statement to amortise it, few enough for SQLite's 32k-parameter limit.
        step = max(1, 30000 // len(columns))
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            sql = f"INSERT INTO core_changerecord ({', '.join(columns)}) VALUES " + ", ".join([per_row] * len(chunk))
            cur.execute(sql, [v for r in chunk for v in r])


def create_many(
    model: type[M],
    objs: Sequence[M],
    *,
    validate: bool = True,
    related: Callable[[M], models.Model | None] | None = None,
) -> list[M]:
    """Validate all `objs` (RecordsInvalid lists every bad one), insert them and audit each, in one transaction."""
    objs = list(objs)
    if not objs:
        return objs
    pin_primary()  # validation and what follows read the primary
    if validate:
        errors = validate_many(objs)
        if errors:
            raise RecordsInvalid(errors)
    with transaction.atomic():
        for start in range(0, len(objs), BATCH):
            model._default_manager.bulk_create(objs[start : start + BATCH], batch_size=BATCH)
        if any(o.pk is None for o in objs):  # pragma: no cover - both supported databases return ids
            raise RuntimeError("the database did not return the new rows' ids")
        append_entries(
            [_Entry(o, ChangeRecord.Action.CREATE, None, snapshot(o), related(o) if related else None) for o in objs]
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
