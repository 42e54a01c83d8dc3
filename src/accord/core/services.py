"""The three writes every aggregate's services are built from: create, update, delete.

Each validates the record (field rules and the model's clean()), writes it, and appends one audit
entry, inside the caller's transaction. Updates carry the version the caller saw; a stale one is refused.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.db.models import F

from accord.core.audit import record_change, snapshot
from accord.core.errors import StaleVersion, ValidationFailed
from accord.core.models import ChangeRecord

M = TypeVar("M", bound=models.Model)


def validate(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run Django's field validation and the model's clean(); raise ValidationFailed by field."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=True, validate_constraints=True)
    except ValidationError as exc:
        raise ValidationFailed(exc.message_dict) from None


@transaction.atomic
def create(model: type[M], *, related: models.Model | None = None, **fields: Any) -> M:
    obj = model(**fields)
    validate(obj)
    obj.save(force_insert=True)
    record_change(obj, ChangeRecord.Action.CREATE, before=None, after=snapshot(obj), related=related)
    return obj


def _refuse_stale(model: type[models.Model], pk: Any, label: str, expected: int, current: int) -> StaleVersion:
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


@transaction.atomic
def update(obj: M, *, expected_version: int, related: models.Model | None = None, **changes: Any) -> M:
    """Apply `changes` to `obj` if it is still at `expected_version`; bump the version; audit the diff.

    The row is re-read under a lock so the check and the write are one step, whatever `obj` held.
    """
    model = type(obj)
    try:
        current = model._default_manager.select_for_update().get(pk=obj.pk)
    except ObjectDoesNotExist:
        raise ValidationFailed({"__all__": [f"{model._meta.verbose_name} {obj.pk} no longer exists"]}) from None
    stored_version = current.version  # type: ignore[attr-defined]
    if stored_version != expected_version:
        raise _refuse_stale(model, obj.pk, f"{model._meta.verbose_name} “{current}”", expected_version, stored_version)
    before = snapshot(current)
    unknown = [k for k in changes if not _is_editable(model, k)]
    if unknown:
        raise ValidationFailed({k: ["is not a field that can be changed here"] for k in unknown})
    for name, value in changes.items():
        setattr(current, name, value)
    validate(current)
    current.version = stored_version + 1  # type: ignore[attr-defined]
    # The version guard in the WHERE clause keeps the write safe even where row locks are not available.
    values = {f.attname: getattr(current, f.attname) for f in model._meta.concrete_fields if not f.primary_key}
    for f in model._meta.concrete_fields:
        if getattr(f, "auto_now", False):
            values[f.attname] = f.pre_save(current, add=False)
    values["version"] = F("version") + 1
    updated = model._default_manager.filter(pk=obj.pk, version=stored_version).update(**values)
    if updated != 1:  # pragma: no cover - only reachable without row locks
        raise _refuse_stale(model, obj.pk, str(current), expected_version, stored_version + 1)
    after = snapshot(current)
    record_change(current, ChangeRecord.Action.UPDATE, before=before, after=after, related=related)
    # Hand the caller's instance the stored state.
    for f in model._meta.concrete_fields:
        setattr(obj, f.attname, getattr(current, f.attname))
    return obj


@transaction.atomic
def delete(obj: models.Model, *, expected_version: int | None = None, related: models.Model | None = None) -> None:
    model = type(obj)
    current = model._default_manager.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        return
    if expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
        raise _refuse_stale(model, obj.pk, str(current), expected_version, current.version)  # type: ignore[attr-defined]
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


# Managed by the base model: never set through a change.
_PROTECTED_FIELDS = frozenset({"id", "uid", "version", "created_at", "updated_at"})


def _is_editable(model: type[models.Model], name: str) -> bool:
    return any(name in (f.name, f.attname) and f.name not in _PROTECTED_FIELDS for f in model._meta.concrete_fields)
