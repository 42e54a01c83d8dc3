"""The three writes every aggregate's services are built from: create, update, delete.

Each validates the record (field rules and the model's clean()), writes it, and appends one audit
entry, inside the caller's transaction. Updates carry the version the caller saw; a stale one is refused.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from accord.core.audit import record_change, snapshot
from accord.core.errors import StaleVersion, ValidationFailed
from accord.core.models import ChangeRecord
from accord.core.routers import pin_primary
from accord.core.rows import fetch_for_update, write_columns
from accord.core.search import index_changed
from accord.core.visibility import inherit_from_parents

M = TypeVar("M", bound=models.Model)


def validate(obj: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Field rules, the model's clean() and uniqueness; raise ValidationFailed naming each field.

    `exclude` names fields known to be valid already (on update: the unchanged ones). Check constraints
    are left to the database: the models' clean() states the same rules with better messages, and Django
    would spend a query on each. Unique constraints cost one plain query each, and none when their
    condition does not apply.
    """
    skip = {"uid", *exclude}  # uid is a fresh UUIDv7, guarded by its unique index
    errors: dict[str, list[str]] = {}
    try:
        obj.full_clean(exclude=skip, validate_unique=True, validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    # full_clean lets None through a blank=True column that is NOT NULL (the database would refuse it: a 500).
    for f in obj._meta.concrete_fields:
        if f.null or f.primary_key or f.name in skip or f.name in errors or getattr(f, "auto_now", False):
            continue
        if getattr(f, "auto_now_add", False) or getattr(obj, f.attname) is not None:
            continue
        errors[f.name] = [str(f.error_messages["null"])]
    for field, message in _unique_constraint_errors(obj, skip):
        errors.setdefault(field, []).append(message)
    if errors:
        raise ValidationFailed(errors)


def _unique_constraint_errors(obj: models.Model, skip: set[str]) -> Iterator[tuple[str, str]]:
    model = type(obj)
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint) or not constraint.fields:
            continue
        if set(constraint.fields) <= skip:
            continue  # none of its fields changed
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


@transaction.atomic
def create(model: type[M], *, related: models.Model | None = None, **fields: Any) -> M:
    pin_primary()  # this context now reads its own writes (and validates against the primary)
    inherit_from_parents(model, fields)  # a part made without its own visibility takes its parent's
    obj = model(**fields)
    validate(obj)
    obj.save(force_insert=True)
    record_change(obj, ChangeRecord.Action.CREATE, before=None, after=snapshot(obj), related=related)
    index_changed([obj])
    return obj


def stale_error(model: type[models.Model], pk: Any, label: str, expected: int, current: int) -> StaleVersion:
    """Describe what changed since `expected`: who, when, which fields (from the audit chain)."""
    since = list(
        ChangeRecord.objects.filter(
            object_type=model._meta.label_lower, object_id=str(pk), object_version__gt=expected
        ).order_by("id")
    )
    fields: set[str] = set()
    for rec in since:
        fields.update(rec.changed_fields())
    last = since[-1] if since else None
    return StaleVersion(
        label,
        expected=expected,
        current=current,
        changed_by=last.actor_name if last else None,
        changed_at=last.at if last else None,
        fields=fields,
    )


def ensure_version(obj: models.Model, expected_version: int) -> None:
    """Refuse (StaleVersion: who changed it, when, what) unless the stored record is at `expected_version`."""
    model = type(obj)
    stored = model._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
    if stored is not None and stored != expected_version:
        raise stale_error(model, obj.pk, f"{model._meta.verbose_name} “{obj}”", expected_version, stored)


@transaction.atomic
def update(obj: M, *, expected_version: int, related: models.Model | None = None, **changes: Any) -> M:
    """Apply `changes` to `obj` if it is still at `expected_version`; bump the version; audit the diff.

    The row is re-read under a lock so the check and the write are one step, whatever `obj` held.
    Only the columns that changed are written (with the version guard in the WHERE clause as well).
    """
    pin_primary()
    model = type(obj)
    unknown = [k for k in changes if not _is_editable(model, k)]
    if unknown:
        raise ValidationFailed({k: ["is not a field that can be changed here"] for k in unknown})
    current = fetch_for_update(model, obj.pk)
    if current is None:
        raise ValidationFailed({"__all__": [f"{model._meta.verbose_name} {obj.pk} no longer exists"]})
    stored_version = current.version  # type: ignore[attr-defined]
    if stored_version != expected_version:
        raise stale_error(model, obj.pk, f"{model._meta.verbose_name} “{current}”", expected_version, stored_version)
    before = snapshot(current)
    for name, value in changes.items():
        setattr(current, name, value)
    changed = {f.name for f in model._meta.concrete_fields if f.name in changes or f.attname in changes}
    validate(current, exclude=[f.name for f in model._meta.concrete_fields if f.name not in changed])
    current.version = stored_version + 1  # type: ignore[attr-defined]
    current.updated_at = timezone.now()  # type: ignore[attr-defined]
    after = snapshot(current)
    # clean() may derive other columns (a text's hash from its body): write whatever differs.
    dirty = {attname: getattr(current, attname) for attname, value in after.items() if before[attname] != value}
    written = write_columns(model, obj.pk, stored_version, dirty)
    if written != 1:  # pragma: no cover - only reachable without row locks
        raise stale_error(model, obj.pk, str(current), expected_version, stored_version + 1)
    record_change(current, ChangeRecord.Action.UPDATE, before=before, after=after, related=related)
    index_changed([current])
    # Hand the caller's instance the stored state.
    for f in model._meta.concrete_fields:
        setattr(obj, f.attname, getattr(current, f.attname))
    return obj


@transaction.atomic
def delete(obj: models.Model, *, expected_version: int | None = None, related: models.Model | None = None) -> None:
    pin_primary()
    model = type(obj)
    current = model._default_manager.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        return
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        raise stale_error(model, obj.pk, str(current), expected_version, current.version)  # type: ignore[attr-defined]
    before = snapshot(current)
    try:
        current.delete()
    except models.ProtectedError as exc:
        names = sorted({f"{o._meta.verbose_name}" for o in exc.protected_objects})
        raise ValidationFailed(
            {"__all__": [f"“{current}” is still referred to by: {', '.join(names)}; remove those first"]}
        ) from None
    current.pk = before["id"]
    record_change(current, ChangeRecord.Action.DELETE, before=before, after=None, related=related)
    index_changed([current], deleted=True)


# Managed by the base model: never set through a change.
_PROTECTED_FIELDS = frozenset({"id", "uid", "version", "created_at", "updated_at"})


def _is_editable(model: type[models.Model], name: str) -> bool:
    return any(name in (f.name, f.attname) and f.name not in _PROTECTED_FIELDS for f in model._meta.concrete_fields)
