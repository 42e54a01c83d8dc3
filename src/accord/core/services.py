"""The three writes every aggregate's services are built from: create, update, delete.

Each validates the record (field rules and the model's clean()), writes it, and appends one audit
entry, inside the caller's transaction. Updates carry the version the caller saw; a stale one is refused.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.core.audit import record_change, snapshot
from accord.core.errors import StaleVersion, ValidationFailed
from accord.core.models import ChangeRecord
from accord.core.permissions import check_node_side
from accord.core.routers import pin_primary
from accord.core.rows import fetch_for_update, write_columns
from accord.core.search import index_changed
from accord.core.validation import validate
from accord.core.visibility import inherit_from_parents

__all__ = ["create", "delete", "ensure_version", "stale_error", "update", "validate"]

M = TypeVar("M", bound=models.Model)


@transaction.atomic
def create(model: type[M], *, related: models.Model | None = None, **fields: Any) -> M:
    pin_primary()  # this context now reads its own writes (and validates against the primary)
    inherit_from_parents(model, fields)  # a part made without its own visibility takes its parent's
    obj = model(**fields)
    check_node_side([obj])
    validate(obj)
    obj.save(force_insert=True)
    record_change(obj, ChangeRecord.Action.CREATE, before=None, after=snapshot(obj), related=related)
    index_changed([obj], created=True)
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
def update(
    obj: M,
    *,
    expected_version: int,
    related: models.Model | None = None,
    new_version: Any = None,  # int | None; Any so that callers' **changes (dict[str, object]) still type-check
    **changes: Any,
) -> M:
    """Apply `changes` to `obj` if it is still at `expected_version`; bump the version; audit the diff.

    Changes that leave every column as stored are no change: nothing is written, the version stays.
    `new_version` (federation: a change replicated from the record's keeper) sets the version the keeper's
    node gave it instead of the next one, so both nodes count a record's versions alike.

    The row is re-read under a lock so the check and the write are one step, whatever `obj` held.
    Only the columns that changed are written (with the version guard in the WHERE clause as well).
    """
    pin_primary()
    model = type(obj)
    unknown = [k for k in changes if not _is_editable(model, k)]
    if unknown:
        raise ValidationFailed({k: [_("is not a field that can be changed here")] for k in unknown})
    current = fetch_for_update(model, obj.pk)
    if current is None:
        raise ValidationFailed(
            {"__all__": [_("%(kind)s %(id)s no longer exists") % {"kind": model._meta.verbose_name, "id": obj.pk}]}
        )
    stored_version = current.version  # type: ignore[attr-defined]
    if stored_version != expected_version:
        raise stale_error(model, obj.pk, f"{model._meta.verbose_name} “{current}”", expected_version, stored_version)
    before = snapshot(current)
    changed = {f.name for f in model._meta.concrete_fields if f.name in changes or f.attname in changes}
    check_node_side([current], changed=changed)  # kept elsewhere as stored
    for name, value in changes.items():
        setattr(current, name, value)
    check_node_side([current], changed=changed)  # or put on another side by the change
    validate(current, exclude=[f.name for f in model._meta.concrete_fields if f.name not in changed])
    if snapshot(current) == before and new_version in (None, stored_version):
        # Nothing differs from what is stored (the same values, or values that clean to them): a no-op on every
        # channel. The version stays, no audit entry is written, the caller's instance holds the stored state.
        for f in model._meta.concrete_fields:
            setattr(obj, f.attname, getattr(current, f.attname))
        return obj
    current.version = new_version if new_version is not None else stored_version + 1  # type: ignore[attr-defined]
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
    check_node_side([current])
    before = snapshot(current)
    try:
        current.delete()
    except models.ProtectedError as exc:
        raise still_referred(current, exc) from None
    current.pk = before["id"]
    record_change(current, ChangeRecord.Action.DELETE, before=before, after=None, related=related)
    index_changed([current], deleted=True)


def still_referred(record: models.Model, exc: models.ProtectedError) -> ValidationFailed:
    """The refusal of a delete the database's PROTECT links stop: which kinds of record still refer to `record`."""
    names = sorted({f"{o._meta.verbose_name}" for o in exc.protected_objects})
    return ValidationFailed(
        {
            "__all__": [
                _("“%(record)s” is still referred to by: %(names)s; remove those first")
                % {"record": record, "names": ", ".join(names)}
            ]
        }
    )


# Managed by the base model: never set through a change.
_PROTECTED_FIELDS = frozenset({"id", "uid", "version", "created_at", "updated_at"})


def _is_editable(model: type[models.Model], name: str) -> bool:
    return any(name in (f.name, f.attname) and f.name not in _PROTECTED_FIELDS for f in model._meta.concrete_fields)
