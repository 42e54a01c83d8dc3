"""Validation of records before they are written: one engine for a single record and for a batch.

A record is checked as Model.full_clean() would (its fields, the model's clean()), and further: a None in
a NOT NULL column that full_clean lets through (blank=True) is refused rather than left to the database
(an IntegrityError, a 500), and uniqueness (unique fields, unique constraints, conditional ones too) is
checked in the batch and against stored rows. The services validate one record as a batch of one, the
bulk importers many: the same bad record gets the same errors, naming its fields, through either.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.core import validators as dj_validators
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.expressions import DatabaseDefault

from accord.core.errors import ValidationFailed
from accord.core.localized import LocalizedText, LocalizedTextField, normalize_tag
from accord.core.text import UNSAFE, unsafe_in, unsafe_in_value, unsafe_message


def validate(obj: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Field rules, the model's clean() and uniqueness; raise ValidationFailed naming each field.

    `exclude` names fields known to be valid already (on update: the unchanged ones). Check constraints
    are left to the database: the models' clean() states the same rules with better messages.
    """
    errors = validate_many([obj], exclude=exclude)
    if errors:
        raise ValidationFailed(errors[0])


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
    not_null = _not_null_checks(model, frozenset(skip))
    for i, obj in enumerate(objs):
        for f in not_null:
            if getattr(obj, f.attname) is None and f.name not in errors.get(i, {}):
                errors.setdefault(i, {})[f.name] = [str(f.error_messages["null"])]
    texts = _text_fields(model, frozenset(skip))
    for i, obj in enumerate(objs):
        for fname, message in _unsafe_text_errors(obj, texts):
            errors.setdefault(i, {}).setdefault(fname, []).append(message)
    if check_unique:
        failed = {i: set(fields) for i, fields in errors.items()}  # before the collisions are added
        for i, fname, message in _unique_errors(objs, skip, failed):
            errors.setdefault(i, {}).setdefault(fname, []).append(message)
    return errors


@cache
def _not_null_checks(model: type[models.Model], skip: frozenset[str]) -> list[models.Field]:
    """The NOT NULL columns a record must not hold None in. full_clean() lets None through a blank=True one
    (the database would refuse it: an IntegrityError, a 500); the key and the timestamps save() sets are left."""
    return [
        f
        for f in model._meta.concrete_fields
        if not f.null
        and not f.primary_key
        and f.name not in skip
        and not getattr(f, "auto_now", False)
        and not getattr(f, "auto_now_add", False)
    ]


@cache
def _text_fields(model: type[models.Model], skip: frozenset[str]) -> list[models.Field]:
    """The columns holding text (plain, or inside JSON such as a localized text) to check for characters XML
    cannot carry (core.text): one of them stored makes exports and documents of the record fail."""
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField) and f.name not in skip
    ]


def _unsafe_text_errors(obj: models.Model, fields: list[models.Field]) -> Iterator[tuple[str, str]]:
    for f in fields:
        message = _unsafe_value_message(getattr(obj, f.attname))
        if message is not None:
            yield f.name, message


def _unsafe_value_message(value: Any) -> str | None:
    """What the field's error says of a character XML cannot carry in `value` (the first one), or None."""
    if isinstance(value, str):
        char = unsafe_in(value)
        if char is not None:
            return unsafe_message(char)
    elif isinstance(value, dict | list):
        for where, char in unsafe_in_value(value):
            return unsafe_message(char, where)
    return None


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
    text: bool  # a CharField or TextField: to_python() returns any str (subclasses too) unchanged


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
        text=fast_types == (str,),
    )


def _certainly_valid(c: _FieldCheck, value: Any) -> bool:
    """Whether Field.clean(value) would return `value` itself without raising (False: ask Field.clean)."""
    if type(value) not in c.fast_types and not (c.text and isinstance(value, str)):
        return False  # a choices enum member (a str subclass) is text to a text field: its to_python keeps it
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
        attname = f.attname
        values = []
        for obj in objs:
            d = obj.__dict__  # the id without the descriptor's call (a deferred one through it)
            values.append(d[attname] if attname in d else getattr(obj, attname))
        found = list(_foreign_key_column_errors(f, values))
        for i, value in enumerate(values):
            if value is not _UNSET:
                setattr(objs[i], attname, value)
        for i, messages in found:
            yield i, f.name, messages


_UNSET: Any = object()  # a value _foreign_key_column_errors leaves as it was


def _foreign_key_column_errors(f: models.ForeignKey, values: list[Any]) -> Iterator[tuple[int, list[str]]]:
    """(index, messages) for each bad value of the foreign key's column, as full_clean() words them; one query per
    chunk of distinct ids. `values` is rewritten in place: each value as to_python() gives it, _UNSET where the
    record keeps what it holds (empty, or refused)."""
    # Each distinct value is checked once (a column repeats a few ids); by type and value, so 1 and True differ.
    outcome: dict[tuple[type, Any], tuple[Any, list[str] | None]] = {}
    pending: dict[Any, list[int]] = {}
    if set(map(type, values)) == {int}:  # the usual column, ids alone: each distinct one checked and looked up once
        distinct = dict.fromkeys(values)
        if all(_foreign_key_value(f, v) == (v, None) for v in distinct):  # each kept as it is
            absent = set(distinct) - _existing(f, list(distinct))
            for i, v in enumerate(values):
                if v in absent:
                    pending.setdefault(v, []).append(i)
            for v, indexes in pending.items():
                message = _no_such_row(f, v)
                for i in indexes:
                    yield i, message
            return
    for i, raw in enumerate(values):
        try:
            key: tuple[type, Any] = (type(raw), raw)
            known = outcome.get(key)
        except TypeError:  # unhashable: checked alone
            key, known = (type(raw), id(raw)), None
        if known is None:
            known = outcome[key] = _foreign_key_value(f, raw)
        value, messages = known
        if messages is not None:
            values[i] = _UNSET
            yield i, messages
            continue
        values[i] = value
        if value is _UNSET or value is None:
            continue
        pending.setdefault(value, []).append(i)
    found = _existing(f, list(pending))
    for value, indexes in pending.items():
        if value not in found:
            message = _no_such_row(f, value)
            for i in indexes:
                yield i, message


def _existing(f: models.ForeignKey, values: list[Any]) -> set[Any]:
    """Those of `values` that a row of the foreign key's target holds: one query per chunk."""
    target = f.target_field.attname
    manager = f.remote_field.model._base_manager
    raw_sql = _raw_lookup(manager, [f.target_field])
    step = _IN_CHUNK if raw_sql else 500
    found: set[Any] = set()
    for start in range(0, len(values), step):
        chunk = values[start : start + step]
        if raw_sql:
            found |= {r[0] for r in _select_in(f.remote_field.model, [f.target_field], [chunk])}
        else:
            found |= set(manager.filter(**{f"{target}__in": chunk}).values_list(target, flat=True))
    return found


def _no_such_row(f: models.ForeignKey, value: Any) -> list[str]:
    """full_clean()'s message for a foreign key naming no row."""
    return ValidationError(
        f.error_messages["invalid"],
        code="invalid",
        params={
            "model": f.remote_field.model._meta.verbose_name,
            "pk": value,
            "field": f.remote_field.field_name,
            "value": value,
        },
    ).messages


def _foreign_key_value(f: models.ForeignKey, raw: Any) -> tuple[Any, list[str] | None]:
    """(the value to keep, or _UNSET; the messages, or None) for one value of a foreign key's column."""
    if f.blank and raw in f.empty_values:
        return _UNSET, None
    try:
        value = f.to_python(raw)
        if value is None:
            f.validate(value, None)  # null / blank: the field's own message (the record is not read for them)
            return _UNSET, None
        f.run_validators(value)
    except ValidationError as exc:
        return _UNSET, exc.messages
    return value, None


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
    where, params = _in_lists(conn, [f.column for f in fields], values)
    sql = f"SELECT {', '.join(q(f.column) for f in fields)}, {q(meta.pk.column)} FROM {q(meta.db_table)} WHERE {where}"
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return [tuple(r) for r in cur.fetchall()]


def _in_lists(conn: Any, columns: Sequence[str], values: Sequence[Sequence[Any]]) -> tuple[str, list[Any]]:
    """The SQL condition "each column IN its values", and its parameters. On PostgreSQL a list of texts or of
    integers goes as one array (`= ANY(%s)`): the driver adapts one array faster than thousands of parameters."""
    q = conn.ops.quote_name
    parts: list[str] = []
    params: list[Any] = []
    for column, vs in zip(columns, values, strict=True):
        kinds = set(map(type, vs))
        if conn.vendor == "postgresql" and len(kinds) == 1 and kinds <= {str, int}:
            parts.append(f"{q(column)} = ANY(%s)")
            params.append(list(vs))
        else:
            parts.append(f"{q(column)} IN ({', '.join(['%s'] * len(vs))})")
            params += vs
    return " AND ".join(parts), params


def _unique_keys(model: type[models.Model]) -> tuple[list[tuple[str, ...]], list[models.UniqueConstraint]]:
    """The model's unique keys (fields, unconditional constraints) and its conditional unique constraints."""
    meta = model._meta
    keys: list[tuple[str, ...]] = [(f.name,) for f in meta.concrete_fields if f.unique and not f.primary_key]
    conditional: list[models.UniqueConstraint] = []
    for c in meta.constraints:
        if isinstance(c, models.UniqueConstraint) and c.fields:
            if c.condition is None:
                keys.append(tuple(c.fields))
            else:
                conditional.append(c)
    return keys, conditional


def _unfailed(
    key: tuple[str, ...], values: Iterable[tuple[Any, ...]], failed: dict[int, set[str]]
) -> Iterator[tuple[Any, ...]]:
    """Each record's values of `key`, or (None,) — never compared, as NULLs do not collide — where a field of the
    key already failed: full_clean() leaves such fields out of validate_unique, and a value the column cannot hold
    (an integer beyond its range, a NUL character on PostgreSQL) made the lookup itself fail, a server error
    instead of the field's message."""
    if not failed:  # the common case, a valid batch: nothing to look at per record (imports pass 10^5 records)
        yield from values
        return
    fields = set(key)
    for i, value in enumerate(values):
        yield (None,) if i in failed and failed[i] & fields else value


def _unique_key_errors(
    model: type[models.Model],
    key: tuple[str, ...],
    values: Iterable[tuple[Any, ...]],
    pks: Sequence[Any],
    own_pks: set[Any],
    message: Callable[[int], str],
) -> Iterator[tuple[int, str, str]]:
    """Collisions of one unique key inside the batch and with stored rows, one query per chunk.

    `values` gives each record's key values (its columns of `key`, in order), `pks` each record's id (None when
    new), `message(i)` what the record says of a stored collision.
    """
    meta = model._meta
    attname = {f.name: f.attname for f in meta.concrete_fields}
    concrete = {f.name: f for f in meta.concrete_fields}
    label = key[-1]
    seen: dict[tuple[Any, ...], int] = {}
    candidates: dict[tuple[Any, ...], int] = {}
    for i, value in enumerate(values):
        if None in value:
            continue
        if value in seen:
            yield i, label, f"repeats the {', '.join(key)} of record #{seen[value]} in the same batch"
            continue
        seen[value] = i
        candidates[value] = i
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
            if pk is not None and pk not in own_pks and pk != pks[i]:
                yield i, label, message(i)


def _unique_errors(
    objs: Sequence[models.Model], skip: set[str], failed: dict[int, set[str]]
) -> Iterable[tuple[int, str, str]]:
    """Collisions inside the batch and with stored rows, one query per unique key and chunk; a key with a field
    that already failed (`failed`: the fields with errors so far, by record) is not looked up (`_unfailed`)."""
    model = type(objs[0])
    meta = model._meta
    keys, conditional = _unique_keys(model)
    attname = {f.name: f.attname for f in meta.concrete_fields}
    own_pks = {o.pk for o in objs if o.pk is not None and not o._state.adding}
    pks = [o.pk for o in objs]
    for key in keys:
        if set(key) <= skip:
            continue
        names = [attname[n] for n in key]

        def values(names: list[str] = names) -> Iterator[tuple[Any, ...]]:
            for obj in objs:
                d = obj.__dict__  # the columns without the descriptors' calls (a deferred one through them)
                yield tuple(d[a] if a in d else getattr(obj, a) for a in names)

        def stored_message(i: int, key: tuple[str, ...] = key) -> str:
            return "; ".join(objs[i].unique_error_message(model, key).messages)

        yield from _unique_key_errors(model, key, _unfailed(key, values(), failed), pks, own_pks, stored_message)
    if conditional:  # rare: the per-record check (it also repeats the plain keys, hence the filter)
        plain = {k[-1] for k in keys}
        for i, obj in enumerate(objs):
            for fname, message in _unique_constraint_errors(obj, skip, failed.get(i, set())):
                if fname not in plain:
                    yield i, fname, message
        # ... which only compares with stored rows: two new records of the batch may collide with each other.
        for c in conditional:
            if set(c.fields) <= skip:
                continue
            first: dict[tuple[Any, ...], int] = {}
            for i, obj in enumerate(objs):
                if failed.get(i, set()) & set(c.fields):
                    continue
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


def _unique_constraint_errors(obj: models.Model, skip: set[str], failed: set[str]) -> Iterator[tuple[str, str]]:
    model = type(obj)
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields:
            continue
        if set(constraint.fields) <= skip:
            continue  # none of its fields changed
        if set(constraint.fields) & failed:
            continue  # a field that already failed: not looked up (as full_clean's validate_unique)
        if constraint.condition is not None:
            applies = _condition_holds(constraint.condition, obj)
            if applies is None:  # not a condition we can read here: let Django ask the database
                try:
                    constraint.validate(model, obj)  # type: ignore[attr-defined]
                except ValidationError as exc:
                    yield constraint.fields[-1], "; ".join(exc.messages)
                continue
            if not applies:
                continue
        attnames = {f.name: f.attname for f in model._meta.concrete_fields}
        lookup = {attnames[name]: getattr(obj, attnames[name]) for name in constraint.fields}
        if any(v is None for v in lookup.values()):
            continue  # NULLs never collide
        others = model._default_manager.filter(**lookup)
        if constraint.condition is not None:
            others = others.filter(constraint.condition)
        if not obj._state.adding:
            others = others.exclude(pk=obj.pk)
        if others.exists():
            if constraint.violation_error_message != constraint.default_violation_error_message:
                message = str(constraint.get_violation_error_message())
            else:
                message = "; ".join(obj.unique_error_message(model, tuple(constraint.fields)).messages)
            yield constraint.fields[-1], message


def _condition_holds(q: models.Q, obj: models.Model) -> bool | None:
    """Evaluate a constraint condition made of exact comparisons on the record's own fields; None if it is not."""
    results = []
    for child in q.children:
        if isinstance(child, models.Q):
            result = _condition_holds(child, obj)
        else:
            lookup, value = child  # type: ignore[misc]
            name, _, op = lookup.partition("__")
            attname = next((f.attname for f in obj._meta.concrete_fields if f.name == name), None)
            if attname is None or op not in ("", "exact") or hasattr(value, "resolve_expression"):
                return None
            result = getattr(obj, attname) == value
        if result is None:
            return None
        results.append(result)
    holds = all(results) if q.connector == models.Q.AND else any(results)
    return not holds if q.negated else holds


# --- validation by column ----------------------------------------------------------------------------
#
# New records given as columns (core.bulk.create_rows) are validated a column at a time: each field's rules over
# its column, each distinct value once, foreign keys and unique keys by one set lookup per chunk, the model's
# clean() by its clean_rows() where it has one. What a column or clean_rows() cannot vouch for (a value of another
# type, one the rule refuses or rewrites) is validated as before, record by record on a model instance, so every
# message, and every value the rules rewrite, is the same as validate_many() gives for the same records.


class Rows:
    """New records of one model as columns: each attname's values, one per record, in the records' order."""

    def __init__(self, model: type[models.Model], columns: dict[str, list[Any]], n: int) -> None:
        self.model = model
        self.columns = columns
        self.n = n

    def __getitem__(self, attname: str) -> list[Any]:
        return self.columns[attname]

    def __setitem__(self, attname: str, values: list[Any]) -> None:
        self.columns[attname] = values

    def record(self, i: int) -> dict[str, Any]:
        """Record i as {attname: value}."""
        return {a: c[i] for a, c in self.columns.items()}


def validate_rows(rows: Rows, make: Callable[[dict[str, Any]], models.Model]) -> dict[int, dict[str, list[str]]]:
    """validate_many() of these new records, by column: the same errors by index, and the same values rewritten
    (in `rows`). `make` makes a model instance of a record's values, for what is validated one by one."""
    model, n = rows.model, rows.n
    skip = {"uid"}
    errors: dict[int, dict[str, list[str]]] = {}
    if not n:
        return errors
    fks = _checked_foreign_keys(model)
    for f in fks:
        if f.name in skip:
            continue
        values = list(rows[f.attname])
        for i, messages in _foreign_key_column_errors(f, values):
            errors.setdefault(i, {}).setdefault(f.name, []).extend(messages)
        column = rows[f.attname]
        rows[f.attname] = [c if v is _UNSET else v for c, v in zip(column, values, strict=True)]
    per_record = frozenset(skip | {f.name for f in fks})
    one_by_one: set[int] = set()
    for c in _column_plan(model, per_record):
        one_by_one |= _uncertain(c, rows[c.attname])
    clean_rows = _clean_rows_of(model)
    if clean_rows is _EACH:
        one_by_one = set(range(n))
    elif clean_rows is not None:
        one_by_one |= clean_rows(rows, [i for i in range(n) if i not in one_by_one])
    if one_by_one:
        full_clean = _full_clean_fn(model, per_record)
        attnames = list(rows.columns)
        for i in sorted(one_by_one):
            obj = make(rows.record(i))
            try:
                full_clean(obj)
            except ValidationError as exc:
                for fname, messages in exc.message_dict.items():
                    errors.setdefault(i, {}).setdefault(fname, []).extend(messages)
            d = obj.__dict__
            for a in attnames:  # what the field rules and clean() stored back
                rows[a][i] = d[a] if a in d else getattr(obj, a)
    for field in _not_null_checks(model, frozenset(skip)):
        column = rows[field.attname]
        if None in column:
            for i, v in enumerate(column):
                if v is None and field.name not in errors.get(i, {}):
                    errors.setdefault(i, {})[field.name] = [str(field.error_messages["null"])]
    for field in _text_fields(model, frozenset(skip)):
        column = rows[field.attname]
        if _may_hold_unsafe(column):
            for i, v in enumerate(column):
                unsafe = _unsafe_value_message(v)
                if unsafe is not None:
                    errors.setdefault(i, {}).setdefault(field.name, []).append(unsafe)
    keys, conditional = _unique_keys(model)
    if conditional:
        raise ValueError(f"{model.__name__} has conditional unique constraints: validate its instances")
    attname = {f.name: f.attname for f in model._meta.concrete_fields}
    pks = [None] * n
    failed = {i: set(fields) for i, fields in errors.items()}  # before the collisions are added
    for key in keys:
        if set(key) <= skip:
            continue

        def stored_message(i: int, key: tuple[str, ...] = key) -> str:
            return "; ".join(make(rows.record(i)).unique_error_message(model, key).messages)

        key_values = _unfailed(key, zip(*(rows[attname[name]] for name in key), strict=True), failed)
        for i, fname, text in _unique_key_errors(model, key, key_values, pks, set(), stored_message):
            errors.setdefault(i, {}).setdefault(fname, []).append(text)
    return errors


def rows_supported(model: type[models.Model]) -> bool:
    """Whether validate_rows() can take this model's new records (no conditional unique constraint, the
    standard full_clean())."""
    return (
        not _unique_keys(model)[1]
        and model.full_clean is models.Model.full_clean
        and model.clean_fields is models.Model.clean_fields
    )


_EACH: Any = object()  # clean() must see every record one by one


def _defining_class(model: type, name: str) -> type | None:
    return next((k for k in model.__mro__ if name in k.__dict__), None)


@cache
def _clean_rows_of(model: type[models.Model]) -> Any:
    """None when the model's clean() is Django's (it checks nothing); its clean_rows() when the class that defines
    clean() defines that too (the same rules over a batch); else _EACH."""
    if model.clean is models.Model.clean:
        return None
    if _defining_class(model, "clean") is _defining_class(model, "clean_rows"):
        return model.clean_rows  # type: ignore[attr-defined]
    return _EACH


@cache
def _column_plan(model: type[models.Model], exclude: frozenset[str]) -> list[_FieldCheck]:
    return [_field_check(f) for f in model._meta.fields if f.name not in exclude and not f.generated]


def _uncertain(c: _FieldCheck, column: list[Any]) -> set[int]:
    """The records whose value full_clean() might refuse or rewrite: checked one by one on an instance."""
    if c.fast_types:
        kinds = set(map(type, column))
        if kinds == {str} and c.text and _texts_vouched(c, column):
            return set()
        if len(kinds) == 1:
            try:
                distinct = set(column)
            except TypeError:
                distinct = None
            if distinct is not None:
                bad = {v for v in distinct if not _vouched(c, v)}
                return {i for i, v in enumerate(column) if v in bad} if bad else set()
        return {i for i, v in enumerate(column) if not _vouched(c, v)}
    json_check = _json_check(c.field)
    if json_check is None:
        return set(range(len(column)))
    return {i for i, v in enumerate(column) if not ((c.blank and v in c.empty_values) or json_check(v))}


def _texts_vouched(c: _FieldCheck, column: list[str]) -> bool:
    """Whether every text of the column is certainly valid, by the column at once (False: ask value by value):
    no choices to keep to, no empty text where blank is refused, and only a length limit or the null-character
    rule to meet, checked over the whole column."""
    if c.choices is not None or (not c.blank and c.field.editable and "" in column):
        return False
    for v in c.field.validators:
        kind = type(v)
        limit = getattr(v, "limit_value", None)
        if kind is dj_validators.MaxLengthValidator and type(limit) is int:
            if max(map(len, column)) > limit:
                return False
        elif kind is dj_validators.ProhibitNullCharactersValidator:
            if "\x00" in "".join(column):
                return False
        else:
            return False
    return True


def _vouched(c: _FieldCheck, v: Any) -> bool:
    return (c.blank and v in c.empty_values) or _certainly_valid(c, v) or isinstance(v, DatabaseDefault)


@cache
def _canonical_tag(tag: str) -> bool:
    try:
        return normalize_tag(tag) == tag
    except ValueError:
        return False


def _json_check(f: models.Field) -> Callable[[Any], bool] | None:
    """A predicate true only when f.clean(value) returns an equal value without raising, for a JSON field or a
    localized text; None for other fields (their values are checked one by one)."""
    if not isinstance(f, models.JSONField) or f.validators or f.encoder is not None or not f.editable:
        return None
    if type(f) is LocalizedTextField:
        required = not f.blank

        def localized(v: Any) -> bool:
            # clean_localized keeps an object whose tags are canonical and whose texts are trimmed and not empty.
            if type(v) is not dict and type(v) is not LocalizedText:
                return False
            if required and not v:
                return False
            for tag, text in v.items():
                if type(tag) is not str or type(text) is not str or not text or text.strip() != text:
                    return False
                if not _canonical_tag(tag):
                    return False
            return True

        return localized
    if type(f) is not models.JSONField:
        return None
    blank = f.blank

    def plain(v: Any) -> bool:
        if v is None:
            return False  # null or not: the field's own message or a None kept (one by one)
        if not blank and v in f.empty_values:
            return False
        return _plain_json(v)

    return plain


def _plain_json(v: Any) -> bool:
    """Whether json.dumps takes `v` as it is (text, numbers, booleans, None, lists, objects with text keys)."""
    kind = type(v)
    if kind is str or kind is int or kind is bool or v is None or kind is float:
        return True
    if kind is dict:
        return all(type(k) is str and _plain_json(x) for k, x in v.items())
    if kind is list:
        return all(_plain_json(x) for x in v)
    return False


def _may_hold_unsafe(column: list[Any]) -> bool:
    """False when no text in the column (plain, or in flat JSON) holds a character XML cannot carry."""
    parts: list[str] = []
    for v in column:
        kind = type(v)
        if kind is str:
            parts.append(v)
        elif v is None:
            continue
        elif kind is dict or kind is LocalizedText:
            for k, x in v.items():
                if type(k) is not str or (type(x) is not str and x is not None and type(x) not in (int, bool)):
                    return True
                parts.append(k)
                if type(x) is str:
                    parts.append(x)
        elif kind is list:
            if not all(type(x) is str for x in v):
                return True
            parts += v
        elif isinstance(v, str | dict | list):
            return True
    return UNSAFE.search("\n".join(parts)) is not None


def values_of(model: type[models.Model], column: str, ids: Iterable[Any]) -> dict[Any, Any]:
    """{id: the record's `column` as the driver gives it} for the records with these ids: a plain-SQL query per
    chunk of distinct ids, for a model's clean_rows() (a participation's project's agreement)."""
    meta = model._meta
    field: Any = meta.get_field(column)
    q = connections[DEFAULT_DB_ALIAS].ops.quote_name
    out: dict[Any, Any] = {}
    wanted = list(set(ids))
    for start in range(0, len(wanted), _IN_CHUNK):
        where, params = _in_lists(connections[DEFAULT_DB_ALIAS], [meta.pk.column], [wanted[start : start + _IN_CHUNK]])
        sql = f"SELECT {q(meta.pk.column)}, {q(field.column)} FROM {q(meta.db_table)} WHERE {where}"
        with connections[DEFAULT_DB_ALIAS].cursor() as cur:
            cur.execute(sql, params)
            out.update(cur.fetchall())
    return out
