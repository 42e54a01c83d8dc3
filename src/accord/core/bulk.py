"""Audited writes of many records at once, for imports.

The same rules as core.services (field validation, the
model's clean(), uniqueness) and the same audit chain, but paid per batch instead of per record: uniqueness is
checked with one query per field and batch, rows go in with bulk INSERTs, and the chain entries are appended
together by core.audit.append. Validation collects every record's errors before anything is written, so an
importer can report all bad rows at once; the caller's transaction makes the whole import all or nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

import orjson
from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields import NOT_PROVIDED, AutoFieldMixin
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone

from accord.core.audit import (
    ONE_TEXT,
    Entry,
    _snapshot_fn,
    append,
    entry,
    snapshot,
    snapshot_supported,
    snapshot_texts,
)
from accord.core.errors import DomainError
from accord.core.localized import LocalizedText, LocalizedTextField
from accord.core.models import ChangeRecord
from accord.core.permissions import check_node_side, node_side_checked
from accord.core.routers import pin_primary
from accord.core.rows import write_columns
from accord.core.search import index_changed, index_created_rows
from accord.core.services import _is_editable, stale_error, still_referred
from accord.core.validation import _UNCHANGED_BY_TO_PYTHON, Rows, rows_supported, validate_many, validate_rows

__all__ = [
    "BATCH",
    "Change",
    "NewRows",
    "RecordsInvalid",
    "build",
    "create_many",
    "create_rows",
    "delete_many",
    "fewer_collections",
    "insert_rows",
    "parent_by",
    "prepare_rows",
    "stored_instances",
    "unchanged_keys",
    "update_many",
    "validate_many",
    "values_by_key",
]

M = TypeVar("M", bound=models.Model)

BATCH = 2000


class RecordsInvalid(DomainError):
    """Some records of a batch break the rules. `errors` maps each record's index to {field: [messages]}."""

    code = "validation_failed"

    def __init__(self, errors: dict[int, dict[str, list[str]]]):
        self.errors = errors
        first = min(errors)
        fields = "; ".join(f"{f}: {', '.join(m)}" for f, m in errors[first].items())
        super().__init__(f"{len(errors)} record(s) are invalid; the first (#{first}): {fields}")


@contextlib.contextmanager
def fewer_collections(young: int = 100_000) -> Iterator[None]:
    """Run the cyclic garbage collector less often for the block (an import), then as before.

    An import makes hundreds of thousands of objects that live until it ends (rows read, records, entries);
    at the default threshold (a collection every 700 new objects) the collector walks them again and again:
    a quarter of a CORDIS import's time. Nothing is left uncollected: collections still run, just less often.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(young, before[0]), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


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


# --- making records --------------------------------------------------------------------------------


@cache
def _maker(model: type[models.Model]) -> Callable[[dict[str, Any]], models.Model] | None:
    """A function making `model(**fields)` for a dict of fields, planned once; None when Model.__init__ must.

    Model.__init__ walks every field through several calls (defaults, the foreign keys' descriptors) for each
    record; an import makes hundreds of thousands of them. The plan sets the same attributes: each field's
    value by name or attname, else its default, and a related object given by name both as its id and in the
    instance's cache of related objects, as ForwardManyToOneDescriptor.__set__ does for a saved object.
    """
    meta = model._meta
    if meta.parents:
        return None
    if type(model).__call__ is not type.__call__ or model.__init__ is not models.Model.__init__:
        return None
    plan: list[tuple[str, str, Any, Callable[[], Any], type[models.Model] | None, str]] = []
    for f in meta.concrete_fields:
        if f.is_relation:
            if not isinstance(f, models.ForeignKey) or len(f.foreign_related_fields) != 1:
                return None
            target = f.remote_field.model._meta.concrete_model
            plan.append((f.name, f.attname, f.cache_name, f.get_default, target, f.target_field.attname))
        elif f.descriptor_class is not DeferredAttribute:  # type: ignore[attr-defined]
            return None  # a field with its own descriptor: setting its attribute does more than store
        else:
            plan.append((f.name, f.attname, None, f._get_default, None, ""))  # type: ignore[attr-defined]
    new = object.__new__
    # Per set of given names (an import gives the same ones for every record): what to copy, what to default.
    layouts: dict[tuple[str, ...], tuple[Any, ...] | None] = {}

    def layout(given: tuple[str, ...]) -> tuple[Any, ...] | None:
        keys = set(given)
        constants: dict[str, Any] = {}
        computed: list[tuple[str, Callable[[], Any]]] = []
        copied: list[tuple[str, str]] = []
        related: list[tuple[str, str, Any, Any, str]] = []
        for name, attname, cache_name, default, target, target_attname in plan:
            if name in keys and attname in keys and name != attname:
                return None  # both: Django sets one, then the other
            if cache_name is not None and name in keys:
                related.append((name, attname, cache_name, target, target_attname))
            elif attname in keys or name in keys:
                copied.append((attname, attname if attname in keys else name))
            else:
                f: Any = meta.get_field(name)
                if (f.has_default() and callable(f.default)) or f.has_db_default():
                    computed.append((attname, default))  # a new value (or expression) per record
                else:  # a constant default, None or "": Django gives that one object to every record
                    constants[attname] = default()
        used = {n for n in keys if any(n in p[:2] for p in plan)}
        if used != keys:
            return None
        return constants, computed, copied, related

    def make(fields: dict[str, Any]) -> models.Model:
        given = tuple(fields)
        if given not in layouts:
            layouts[given] = layout(given)
        planned = layouts[given]
        if planned is None or router.routers:
            # Properties, a name that is no field, or database routers to ask: Django's own way (or its error).
            return model(**fields)
        constants, computed, copied, related = planned
        obj = new(model)
        state = ModelState()
        d = obj.__dict__
        d["_state"] = state
        d.update(constants)
        for attname, default in computed:
            d[attname] = default()
        for attname, key in copied:
            d[attname] = fields[key]
        for name, attname, cache_name, target, target_attname in related:
            rel = fields[name]
            if rel is None:
                d[attname] = None
            elif isinstance(rel, target) and getattr(rel, target_attname) is not None:
                # The descriptor's database bookkeeping, as it goes without routers.
                if state.db is None:
                    state.db = rel._state.db or DEFAULT_DB_ALIAS
                if rel._state.db is None:
                    rel._state.db = state.db
                if rel._state.db != state.db:
                    return model(**fields)  # Django refuses the relation
                d[attname] = getattr(rel, target_attname)
            else:
                return model(**fields)  # unsaved or of another kind: Django checks and refuses
            state.fields_cache[cache_name] = rel
        return obj

    return make


def build(model: type[M], rows: Sequence[dict[str, Any]]) -> list[M]:
    """[model(**fields) for fields in rows], the same instances made with fewer steps (see _maker)."""
    make = _maker(model)
    if make is None or signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return [model(**fields) for fields in rows]
    return [make(fields) for fields in rows]  # type: ignore[misc]


def values_by_key(
    model: type[models.Model], key: str, keys: Sequence[str], columns: Sequence[str], *, chunk: int = 2000
) -> list[tuple[Any, ...]]:
    """`model.objects.filter(<key>__in=keys).values_list(*columns)`, chunk by chunk, for text keys.

    The same rows and values (the fields' converters applied), but the query is compiled once per chunk size,
    not once per chunk: Django prepares every value of an IN list through several calls, which for an import's
    hundreds of thousands of keys costs more than the database's answer.
    """
    manager = model._default_manager
    conn = connections[manager.db]
    compiled: dict[int, tuple[Any, str]] = {}
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(keys), chunk):
        part = list(keys[start : start + chunk])
        if not all(type(k) is str for k in part):
            out += manager.filter(**{f"{key}__in": part}).values_list(*columns)
            continue
        if len(part) not in compiled:
            placeholder = [f"\x00{i}" for i in range(len(part))]  # distinct, so the IN list keeps its length
            query = manager.filter(**{f"{key}__in": placeholder}).values_list(*columns).query
            compiler = query.get_compiler(using=manager.db)
            sql, params = compiler.as_sql()
            if list(params) != placeholder:
                out += manager.filter(**{f"{key}__in": part}).values_list(*columns)
                continue
            compiled[len(part)] = (compiler, sql)
        compiler, sql = compiled[len(part)]
        with conn.cursor() as cur:
            cur.execute(sql, part)
            rows = cur.fetchall()
        out += compiler.results_iter(results=[rows], tuple_expected=True)
    return out


def _stored_reader(field: models.Field, conn: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    """A driver's value of `field` -> the Python value it stores, for comparing; None where they are the same.

    Only for comparing (a value this does not know stays as the driver gives it, and compares unequal):
    JSON decoded (SQLite and psycopg hand back its text), dates parsed where stored as text, booleans as bool.
    """
    if isinstance(field, models.JSONField):
        return _json_value
    if isinstance(field, models.DateTimeField):
        return lambda v: v  # compared as the driver gives it: never equal to a datetime on SQLite (full path)
    if isinstance(field, models.DateField):
        return lambda v: dt.date.fromisoformat(v) if type(v) is str else v
    if isinstance(field, models.BooleanField):
        return lambda v: bool(v) if type(v) is int else v
    if conn.vendor == "sqlite" and isinstance(field, models.UUIDField):
        return lambda v: uuid.UUID(v) if type(v) is str else v
    return None


def _json_value(v: Any) -> Any:
    if type(v) is str or type(v) is bytes:
        try:
            return orjson.loads(v)
        except orjson.JSONDecodeError:  # what orjson refuses (NaN, ints past 64 bits) the reference decoder takes
            return json.loads(v)
    return v


def unchanged_keys(
    model: type[models.Model],
    key: str,
    wanted: dict[str, tuple[Any, ...]],
    columns: Sequence[str],
    *,
    chunk: int = 2000,
) -> dict[str, Any]:
    """The keys of `wanted` whose stored record holds the wanted values in `columns`, each with that record's
    primary key: one query per chunk of keys, no model instances, nothing written.

    `wanted` maps each record's key (a unique text field, e.g. its external id) to its values, in the order of
    `columns`: field names, or a lookup through a foreign key ("party__code") to compare a related record by
    its own key, as a source names it. Stored values are read as the driver gives them and only decoded where
    the driver's form differs (JSON, dates stored as text): a value in any other form compares unequal, so a
    record is never counted unchanged wrongly; the caller writes what is not returned through the usual path
    (create_many / update_many), which compares again field by field. A key not stored is not returned.
    A foreign key named by its field name is compared by the related record's primary key.
    """
    manager = model._default_manager
    conn = connections[manager.db]
    readers: list[Callable[[Any], Any] | None] = []
    for column in columns:
        path = column.split("__")
        m: Any = model
        f: Any = None
        for i, name in enumerate(path):
            f = m._meta.get_field(name)
            if i < len(path) - 1:
                m = f.related_model
        if isinstance(f, models.ForeignKey):
            f = f.target_field
        readers.append(_stored_reader(f, conn))
    plain = all(r is None for r in readers)
    keys = [k for k in wanted if type(k) is str]
    compiled: dict[int, str] = {}
    same: dict[str, Any] = {}
    pk = model._meta.pk.attname
    with conn.cursor() as cur:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            if len(part) not in compiled:
                placeholder = [f"\x00{i}" for i in range(len(part))]  # distinct, so the IN list keeps its length
                query = manager.filter(**{f"{key}__in": placeholder}).values_list(key, pk, *columns).query
                sql, params = query.get_compiler(using=manager.db).as_sql()
                if list(params) != placeholder:  # pragma: no cover - a key field that rewrites its values
                    raise ValueError(f"{model.__name__}.{key} cannot be compared by key")
                compiled[len(part)] = sql
            cur.execute(compiled[len(part)], part)
            if plain:
                for k, pk_value, *values in cur.fetchall():
                    if wanted.get(k) == tuple(values):
                        same[k] = pk_value
            else:
                for k, pk_value, *values in cur.fetchall():
                    stored = tuple(v if r is None or v is None else r(v) for r, v in zip(readers, values, strict=True))
                    if wanted.get(k) == stored:
                        same[k] = pk_value
    return same


def stored_instances(model: type[M], columns: Sequence[str], rows: Sequence[Sequence[Any]], db: str) -> list[M]:
    """`model.from_db(db, columns, row)` for each row of these columns (attnames), with fewer steps.

    The same instances: marked as stored in `db`, holding the given columns, every other column deferred
    (read on first use, as Django does for a record read with only()).
    """
    meta = model._meta
    if meta.parents or signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return _from_db(model, columns, rows, db)
    if type(model).__call__ is not type.__call__ or model.__init__ is not models.Model.__init__:
        return _from_db(model, columns, rows, db)
    by_attname = {f.attname: f for f in meta.concrete_fields}
    # A column whose attribute does more than store when set (a file): Django's way.
    if not all(
        c in by_attname and (by_attname[c].is_relation or by_attname[c].descriptor_class is DeferredAttribute)  # type: ignore[attr-defined]
        for c in columns
    ):
        return _from_db(model, columns, rows, db)
    new = object.__new__
    out = []
    for row in rows:
        obj = new(model)
        state = ModelState()
        state.adding = False
        state.db = db
        d = obj.__dict__
        d["_state"] = state
        d.update(zip(columns, row, strict=True))
        out.append(obj)
    return out


def _from_db(model: type[M], columns: Sequence[str], rows: Sequence[Sequence[Any]], db: str) -> list[M]:
    order = [(f.attname, columns.index(f.attname)) for f in model._meta.concrete_fields if f.attname in columns]
    names = [a for a, _ in order]
    return [model.from_db(db, names, [row[i] for _, i in order]) for row in rows]


# --- inserting records -------------------------------------------------------------------------------


class _Unplanned(Exception):
    """A value the planned insert does not know how to pass: Django's bulk_create takes the batch."""


def _last_one(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """fn, remembering its last argument (by identity) and answer: for the one timestamp a batch shares."""
    last: list[tuple[Any, Any]] = [(object(), None)]  # replaced whole: threads never see half of it

    def call(v: Any) -> Any:
        seen, answer = last[0]
        if v is not seen:
            answer = fn(v)
            last[0] = (v, answer)
        return answer

    return call


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
        fast_type = dt.datetime
        # Aware ones only: naive ones take Django's path. A batch's records share their timestamps: the last
        # one's text is kept.
        fast = (lambda v: v) if pg else _last_one(conn.ops.adapt_datetimefield_value)
    elif kind is models.UUIDField:
        fast_type, fast = uuid.UUID, ((lambda v: v) if pg else (lambda v: v.hex))
    elif isinstance(target, models.JSONField) and type(target).get_db_prep_save is models.JSONField.get_db_prep_save:
        encoder = target.encoder
        # adapt_json_value: json.dumps with the field's encoder (PostgreSQL: the same text, parsed as jsonb).
        fast_type, fast = (dict, list), (_json_param if encoder is None else (lambda v: json.dumps(v, cls=encoder)))
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


_encode_ascii: Callable[[str], str] = json.encoder.encode_basestring_ascii


def _json_param(v: Any) -> str:
    """json.dumps(v): the same text, written directly for an object of texts (a localized text, identifiers)."""
    if (type(v) is dict or type(v) is LocalizedText) and all(type(k) is str and type(x) is str for k, x in v.items()):
        # json.dumps' defaults: ", " and ": " between items, keys in their order, every text ASCII-escaped.
        return "{" + ", ".join(_encode_ascii(k) + ": " + _encode_ascii(x) for k, x in v.items()) + "}"
    return json.dumps(v)


@dataclass(frozen=True)
class _InsertPlan:
    table: str
    pk: models.Field
    columns: list[str]
    fields: list[models.Field]
    getters: list[Callable[[models.Model], Any]]
    params: list[Callable[[Any], Any]]
    related_check: Callable[[models.Model], bool]
    # Per column: its attname and pre_save (None: the attribute is the value), and its parameter function.
    columns_read: list[tuple[str, Callable[[models.Model, bool], Any] | None, Callable[[Any], Any]]]
    # The attnames of the plain DateTimeFields with auto_now or auto_now_add: one timestamp for the batch.
    stamped: list[str]


def _insert_plan(model: type[models.Model], conn: BaseDatabaseWrapper) -> _InsertPlan | None:
    """The model's columns and how to read and adapt each, or None when bulk_create must do it."""
    meta = model._meta
    if meta.parents or not isinstance(meta.pk, AutoFieldMixin) or conn.vendor not in ("sqlite", "postgresql"):
        return None
    fields = [f for f in meta.local_concrete_fields]
    if any(f.generated or f.db_default is not NOT_PROVIDED or (f.db_returning and f is not meta.pk) for f in fields):
        return None
    getters: list[Callable[[models.Model], Any]] = []
    reads: list[Callable[[models.Model, bool], Any] | None] = []
    stamped: list[str] = []
    for f in fields:
        if type(f).pre_save is models.Field.pre_save:
            getters.append(lambda obj, a=f.attname: getattr(obj, a))
            reads.append(None)
        else:  # auto_now(_add), LocalizedTextField: the field decides what is saved
            getters.append(lambda obj, f=f: f.pre_save(obj, True))
            if type(f) is models.DateTimeField and (f.auto_now or f.auto_now_add):
                stamped.append(f.attname)  # pre_save would set timezone.now(): set once for the batch
                reads.append(None)
            else:
                reads.append(f.pre_save)
    params = [_param_fn(f, conn) for f in fields]
    return _InsertPlan(
        table=meta.db_table,
        pk=meta.pk,
        columns=[f.column for f in fields],
        fields=fields,
        getters=getters,
        params=params,
        related_check=_related_check(model),
        columns_read=[(f.attname, r, p) for f, r, p in zip(fields, reads, params, strict=True)],
        stamped=stamped,
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
        d = obj.__dict__
        for cache_name, attname, target in rels:
            if cache_name in cache:
                rel = cache[cache_name]
                if rel is None:
                    continue
                own = d[attname] if attname in d else getattr(obj, attname)
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
    if plan.stamped:
        now = timezone.now()
        for obj in objs:
            d = obj.__dict__
            for attname in plan.stamped:
                d[attname] = now
    reads = plan.columns_read
    related_check = plan.related_check
    try:
        for obj in objs:
            if related_check(obj):
                obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
            d = obj.__dict__
            try:
                rows.append([p(d[a]) if r is None else p(r(obj, True)) for a, r, p in reads])
            except KeyError:  # an attribute not in the instance's dict (deferred, or a property): ask for it
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
    check_node_side(objs)
    if validate:
        errors = validate_many(objs)
        if errors:
            raise RecordsInvalid(errors)
    with transaction.atomic():
        _bulk_insert(model, objs)
        snap = _snapshot_fn(model)
        create = ChangeRecord.Action.CREATE
        append(
            [
                entry(o, create, None, snap(o), related(o) if related else None, describe(o) if describe else None)
                for o in objs
            ]
        )
        index_changed(objs, created=True)
    return objs


def create_rows(
    model: type[M],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    related: str | None = None,
    describe: Callable[[Sequence[Any]], str] | None = None,
) -> list[Any]:
    """create_many() of new records given as plain tuples, without a model instance per record; their new ids.

    `columns` names each tuple's values by attname (a foreign key by its id: "party_id"); every other column takes
    its default. The same rules (core.validation.validate_rows: the same errors for the same values, RecordsInvalid
    by index), the same rows inserted, the same chain entry per record (the snapshot composed from the values,
    core.audit.snapshot_texts) and the same search index rows. `related` names the foreign key (attname) whose
    record an entry names as the parent; `describe(values)` gives an entry's repr from the record's values in
    `columns`' order, as validated (without it each record is made an instance for str()).

    A model the columns cannot carry (inherited, a column only its instance can give, conditional unique
    constraints, init signals listened to), or a command on a node (check_node_side reads instances), goes
    through create_many.
    """
    if not rows:
        return []
    return insert_rows(prepare_rows(model, columns, rows), related=related, describe=describe)


@dataclass
class NewRows:
    """New records validated by prepare_rows(), for insert_rows(): `errors` by index (empty: all valid)."""

    model: type[models.Model]
    columns: tuple[str, ...]
    errors: dict[int, dict[str, list[str]]]
    batch: Rows | None = None  # the records as columns, as validated (values the rules rewrote, rewritten)
    objs: list[Any] | None = None  # or as instances, for a model create_rows cannot take as columns

    def __len__(self) -> int:
        return len(self.objs) if self.objs is not None else (self.batch.n if self.batch is not None else 0)

    def column(self, attname: str) -> list[Any]:
        """Each record's value of one column, as validated."""
        if self.objs is not None:
            return [getattr(o, attname) for o in self.objs]
        return self.batch[attname] if self.batch is not None and self.batch.n else []


def prepare_rows(model: type[M], columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> NewRows:
    """The first half of create_rows(): new records' defaults filled and every rule checked, nothing written, for
    a caller that reports the errors of every batch before it writes any (an import of a file); insert_rows()
    writes them."""
    columns = tuple(columns)
    if not rows:
        return NewRows(model, columns, {}, batch=Rows(model, {c: [] for c in columns}, 0))
    pin_primary()
    conn = connections[DEFAULT_DB_ALIAS]
    key = (model, conn.vendor)
    if key not in _plans:
        _plans[key] = _insert_plan(model, conn)
    plan = _plans[key]
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    unknown = [c for c in columns if c not in by_attname]
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(unknown)} (name a foreign key by its attname)")
    if (
        plan is None
        or not _rows_supported(model, plan)
        or node_side_checked()
        or plan.pk.attname in columns
        or signals.pre_init.has_listeners(model)  # a listener expects the instances Django would make
        or signals.post_init.has_listeners(model)
    ):
        return _prepare_as_instances(model, columns, rows)
    n = len(rows)
    given = dict(zip(columns, zip(*rows, strict=True), strict=True))  # attname -> its values, one per record
    if len(given) != len(columns) or any(len(r) != len(columns) for r in rows):
        raise ValueError("each row must hold one value per column, each column named once")
    cols: dict[str, list[Any]] = {}
    for f in plan.fields:
        if f.attname in given:
            cols[f.attname] = list(given[f.attname])
        elif f is plan.pk or f.attname in plan.stamped:
            cols[f.attname] = [None] * n  # set on insert, as for an instance
        elif f.has_default() and callable(f.default):
            cols[f.attname] = [f.get_default() for _ in range(n)]
        else:
            cols[f.attname] = [f.get_default()] * n  # one object for every record, as Django gives it
    batch = Rows(model, cols, n)
    errors = validate_rows(batch, lambda values: _instance(model, values))
    return NewRows(model, columns, errors, batch=batch)


def insert_rows(
    new: NewRows, *, related: str | None = None, describe: Callable[[Sequence[Any]], str] | None = None
) -> list[Any]:
    """The second half of create_rows(): insert the records prepare_rows() validated, audit and index each; their
    new ids. RecordsInvalid if any was refused."""
    model, columns = new.model, new.columns
    if new.errors:
        raise RecordsInvalid(new.errors)
    if new.objs is not None:
        objs = new.objs
        create_many(
            model,
            objs,
            validate=False,
            related=parent_by(model, related) if related is not None else None,
            describe=(lambda o: describe(tuple(getattr(o, c) for c in columns))) if describe is not None else None,
        )
        return [o.pk for o in objs]
    batch = new.batch
    assert batch is not None
    n = batch.n
    if not n:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    plan = _plans[(model, conn.vendor)]
    assert plan is not None
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    cols = batch.columns
    for f in plan.fields:
        if type(f) is LocalizedTextField:  # as its pre_save makes it: a LocalizedText (the same JSON)
            cols[f.attname] = [LocalizedText(v) if type(v) is dict else v for v in cols[f.attname]]
    with transaction.atomic():
        if plan.stamped:
            now = timezone.now()
            for attname in plan.stamped:
                cols[attname] = [now] * n
        with conn.cursor() as cur:
            ids = _reserve_ids(conn, cur, plan, n)
            cols[plan.pk.attname] = ids
            params = [
                _column_params(f, p, cols[f.attname], conn) for f, p in zip(plan.fields, plan.params, strict=True)
            ]
            _insert_rows(conn, cur, plan.table, plan.columns, list(zip(*params, strict=True)))
        afters = snapshot_texts(model, cols)
        if describe is not None:
            reprs = [describe(values)[:300] for values in zip(*(cols[c] for c in columns), strict=True)]
        else:
            reprs = [str(_instance(model, batch.record(i), stored=True))[:300] for i in range(n)]
        if related is not None:
            target = by_attname[related].related_model._meta.label_lower  # type: ignore[union-attr]
            related_types = [target if v is not None else "" for v in cols[related]]
            related_ids = [str(v) if v is not None else "" for v in cols[related]]
        else:
            related_types = related_ids = [""] * n
        label = model._meta.label_lower
        create = ChangeRecord.Action.CREATE
        uids = cols.get("uid") or [None] * n
        versions = cols.get("version") or [None] * n
        append(
            [
                Entry(create, label, str(pk), uid, version, text, rtype, rid, None, after)
                for pk, uid, version, text, rtype, rid, after in zip(
                    ids, uids, versions, reprs, related_types, related_ids, afters, strict=True
                )
            ]
        )
        index_created_rows(model, ids, cols)
    return ids


def _column_params(
    f: models.Field, param: Callable[[Any], Any], values: list[Any], conn: BaseDatabaseWrapper
) -> list[Any]:
    """[param(v) for v in values]: the values themselves when each is of a type the driver takes as it is."""
    kinds = set(map(type, values))
    given = _as_given(f, conn)
    if kinds <= given:
        return values
    if str in given and all(issubclass(k, str) or k in given for k in kinds):
        return values  # a choices member too: get_db_prep_save hands a text field's str subclass on as it is
    first = values[0]
    if len(kinds) == 1 and kinds <= ONE_TEXT and values.count(first) == len(values):
        # One value for every record (the batch's timestamp): adapted once.
        return [param(first)] * len(values)
    if kinds == {uuid.UUID} and conn.vendor == "sqlite":
        return [u.hex for u in values]  # UUIDField's text where the database has no uuid type
    return list(map(param, values))


@cache
def _as_given_for(f: models.Field, vendor: str) -> frozenset[type]:
    target = f.target_field if isinstance(f, models.ForeignKey) else f
    kind = type(target)
    types: set[type] = set()
    if kind in (models.CharField, models.TextField):
        types = {str}
    elif kind in _UNCHANGED_BY_TO_PYTHON and _UNCHANGED_BY_TO_PYTHON[kind] == (int,):
        types = {int}
    elif kind is models.BooleanField:
        types = {bool}
    if types and f.get_db_prep_save(None, connections[DEFAULT_DB_ALIAS]) is None:
        types.add(type(None))
    return frozenset(types)  # what _param_fn passes through unchanged


def _as_given(f: models.Field, conn: BaseDatabaseWrapper) -> frozenset[type]:
    return _as_given_for(f, conn.vendor)


@cache
def _rows_supported_for(model: type[models.Model]) -> bool:
    return rows_supported(model) and snapshot_supported(model)


def _rows_supported(model: type[models.Model], plan: _InsertPlan) -> bool:
    """Whether create_rows can take this model's records as columns: every column's value is the record's (no
    field whose pre_save computes another, beside the batch's timestamps and a localized text's own type)."""
    for (_, read, _), f in zip(plan.columns_read, plan.fields, strict=True):
        if read is None or type(f) is LocalizedTextField:
            continue
        if isinstance(f, models.DateField) and not f.auto_now and not f.auto_now_add:
            continue  # its pre_save sets a date only for those
        return False
    return _rows_supported_for(model)


def _instance(model: type[M], values: dict[str, Any], *, stored: bool = False) -> M:
    """A model instance holding these values (attnames), for the rules and texts that read one."""
    make = _maker(model)
    obj = make(values) if make is not None else model(**values)
    if stored:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS
    return obj  # type: ignore[return-value]


def parent_by(model: type[models.Model], attname: str) -> Callable[[models.Model], models.Model | None]:
    """For create_many / update_many's `related`: the record a foreign key (attname) names, as an instance holding
    only its id (what an audit entry reads of it), not read from the database."""
    target: Any = next(f for f in model._meta.concrete_fields if f.attname == attname).related_model

    def parent(obj: models.Model) -> models.Model | None:
        value = getattr(obj, attname)
        return None if value is None else target(pk=value)

    return parent


def _prepare_as_instances(model: type[M], columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> NewRows:
    """prepare_rows() of a model it cannot take as columns: instances, validated as create_many validates them."""
    objs = build(model, [dict(zip(columns, r, strict=True)) for r in rows])
    check_node_side(objs)
    return NewRows(model, columns, validate_many(objs), objs=objs)


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
        check_node_side([obj], changed=c.changes)
        before = snapshot(obj)
        for name, value in c.changes.items():
            setattr(obj, name, value)
        pending.append((obj, c.expected_version or obj.version, before))  # type: ignore[attr-defined]
    for c in changes:
        check_node_side([c.obj], changed=c.changes)  # as changed: not put on another side either
    errors = validate_many([p[0] for p in pending])
    if errors:
        raise RecordsInvalid(errors)
    written: list[models.Model] = []
    entries: list[Entry] = []
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
            entries.append(entry(obj, ChangeRecord.Action.UPDATE, before, after, related(obj) if related else None))
            written.append(obj)
        if entries:
            append(entries)
        index_changed(written)
    return written


def delete_many(objs: Sequence[M], *, related: Callable[[M], models.Model | None] | None = None) -> None:
    """Delete `objs` (of one model, as read: not changed in memory) as core.services.delete deletes one, as one
    batch: each locked and still at the version it was read at (StaleVersion otherwise; one already gone is
    skipped), kept on this node's side, an audit entry each, out of the search index. A record still referred to (a
    PROTECT link) refuses the whole batch, naming the first such record; nothing is deleted."""
    objs = list(objs)
    if not objs:
        return
    pin_primary()
    model = type(objs[0])
    with transaction.atomic():
        locked = model._default_manager.select_for_update().filter(pk__in=[o.pk for o in objs])
        stored = dict(locked.values_list("pk", "version"))
        for obj in objs:
            if obj.pk in stored and stored[obj.pk] != obj.version:  # type: ignore[attr-defined]
                found = model._default_manager.get(pk=obj.pk)
                raise stale_error(model, obj.pk, str(found), obj.version, stored[obj.pk])  # type: ignore[attr-defined]
        # At the version read, so as stored: the caller's instances, with what they were read with (their reprs'
        # related records), give the entries.
        current = [o for o in objs if o.pk in stored]
        if not current:
            return
        check_node_side(current)
        snap = _snapshot_fn(model)
        befores = [snap(c) for c in current]
        try:
            model._default_manager.filter(pk__in=list(stored)).delete()
        except models.ProtectedError as exc:
            referred = {getattr(o, f.attname) for o in exc.protected_objects for f in _links_to(type(o), model)}
            raise still_referred(next((c for c in current if c.pk in referred), current[0]), exc) from None
        delete = ChangeRecord.Action.DELETE
        append(
            [entry(c, delete, b, None, related(c) if related else None) for c, b in zip(current, befores, strict=True)]
        )
        index_changed(current, deleted=True)


def _links_to(model: type[models.Model], target: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is target]
