"""Tamper evidence: any single row of an audited table or of the audit chain changed, deleted or inserted
behind Accord's back is named by `verify()`, every time.

Each case tampers with raw SQL inside a savepoint, runs the real verify() and rolls back, so cases never
see each other. Foreign keys are created DEFERRABLE INITIALLY DEFERRED on both databases and the
savepoint is never committed, so a raw DELETE of a referenced row goes through without switching
foreign-key checks off (as it would for someone who did).

ACCORD_TAMPER_CASES (default 40) and ACCORD_TAMPER_SEED choose how many random cases and which;
every failure message carries the seed and case number to replay it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import os
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, models, transaction

from accord.accounts.services import issue_token
from accord.core.audit import entry_hash, entry_payload
from accord.core.models import AccordModel, ChangeRecord
from accord.core.verify import VerifyReport, audited_models, verify
from accord.directory.services import add_organisation_name
from accord.meetings.services import minutes as minutes_services

pytestmark = pytest.mark.django_db

CASES = int(os.environ.get("ACCORD_TAMPER_CASES", "40"))
SEED = int(os.environ.get("ACCORD_TAMPER_SEED", "19600226"))
# Covered first, whatever the draw: what signatures and agreed minutes rest on.
MUST = ["agreements.signature", "signing.signatureseal", "meetings.minutesrevision", "programmes.plan"]
KINDS = ["row-update", "row-delete", "row-insert", "chain-edit", "chain-delete", "chain-copy", "chain-forge"]


class NotApplicable(Exception):
    """This table, row or column cannot take this tampering (no rows, a check constraint refused it)."""


@dataclass
class Case:
    kind: str
    label: str
    detail: str
    expected: set[str]  # a problem must name one of these


class _Rollback(Exception):
    pass


skipped: list[str] = []  # why draws could not be applied, shown when too few could


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _exec(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _model(label: str) -> type[models.Model]:
    return next(m for m in audited_models() if m._meta.label_lower == label)


def _pick_pk(model: type[models.Model], rng: random.Random) -> Any:
    pks = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
    if not pks:
        raise NotApplicable(f"{model._meta.label_lower} has no rows")
    return rng.choice(pks)


def _different(field: models.Field, value: Any, rng: random.Random) -> Any:
    """A value of the field's type that differs from `value`."""
    if isinstance(field, models.ForeignKey):
        target = field.related_model
        assert not isinstance(target, str)
        others = list(target._default_manager.exclude(pk=value).order_by("pk").values_list("pk", flat=True)[:50])
        if not others:
            raise NotApplicable(f"no other {target._meta.label_lower} to point {field.name} at")
        return rng.choice(others)
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.JSONField):
        if isinstance(value, dict):
            return {**value, "zz": f"tampered {rng.randint(1, 999)}"}
        if isinstance(value, list):
            return [*value, "tampered"]
        return {"zz": "tampered"} if value is None else [value, "tampered"]
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.DateTimeField):
        return (value or dt.datetime(1960, 2, 26, tzinfo=dt.UTC)) + dt.timedelta(seconds=rng.randint(1, 10**6))
    if isinstance(field, models.DateField):
        return (value or dt.date(1960, 2, 26)) + dt.timedelta(days=rng.randint(1, 400))
    if isinstance(field, models.DecimalField):
        return (value or decimal.Decimal(0)) + 1
    if isinstance(field, models.IntegerField):
        return (value or 0) + rng.randint(1, 5)
    if isinstance(field, (models.CharField, models.TextField, models.FileField)):
        text = str(value or "")
        limit = getattr(field, "max_length", None)
        if limit and len(text) >= limit:
            return text[:-1] + ("#" if text.endswith("~") else "~")
        return text + "~"
    raise NotApplicable(f"no tampering for {type(field).__name__}")


def _update_column(model: type[models.Model], pk: Any, field: models.Field, value: Any) -> None:
    table, pk_col = model._meta.db_table, model._meta.pk.column
    _exec(
        f"UPDATE {_q(table)} SET {_q(field.column)} = %s WHERE {_q(pk_col)} = %s",
        [field.get_db_prep_save(value, connection), pk],
    )


def _insert_row(model: type[models.Model], values: dict[str, Any]) -> None:
    fields = [f for f in model._meta.concrete_fields if f.attname in values]
    _exec(
        f"INSERT INTO {_q(model._meta.db_table)} ({', '.join(_q(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})",
        [f.get_db_prep_save(values[f.attname], connection) for f in fields],
    )


# --- the tamperings ---------------------------------------------------------------------------------


def row_update(label: str, rng: random.Random) -> Case:
    model = _model(label)
    pk = _pick_pk(model, rng)
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    field = rng.choice(columns)
    value = model._default_manager.filter(pk=pk).values_list(field.attname, flat=True).get()
    _update_column(model, pk, field, _different(field, value, rng))
    return Case("row-update", label, f"{label} {pk}.{field.attname}", {f"{label} {pk}"})


def row_delete(label: str, rng: random.Random) -> Case:
    model = _model(label)
    pk = _pick_pk(model, rng)
    _exec(f"DELETE FROM {_q(model._meta.db_table)} WHERE {_q(model._meta.pk.column)} = %s", [pk])
    return Case("row-delete", label, f"{label} {pk}", {f"{label} {pk}"})


def row_insert(label: str, rng: random.Random) -> Case:
    """A copy of a row with a new id and uid; columns that must be unique are altered so it fits."""
    model = _model(label)
    pk = _pick_pk(model, rng)
    names = [f.attname for f in model._meta.concrete_fields]
    values = dict(zip(names, model._default_manager.filter(pk=pk).values_list(*names).get(), strict=True))
    new_pk = (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1000
    values[model._meta.pk.attname] = new_pk
    values["uid"] = uuid.uuid4()
    unique = {f.name for f in model._meta.concrete_fields if f.unique and not f.primary_key and f.name != "uid"}
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields and constraint.condition is None:
            # A plain column if there is one: another foreign key may well collide too.
            plain = [n for n in constraint.fields if not model._meta.get_field(n).is_relation]
            unique.add((plain or list(constraint.fields))[-1])
    for name in unique:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field)
        if values[field.attname] is not None:
            values[field.attname] = _different(field, values[field.attname], rng)
    _insert_row(model, values)
    return Case("row-insert", label, f"copy of {label} {pk} as {new_pk}", {f"{label} {new_pk}"})


def _pick_entry(rng: random.Random) -> ChangeRecord:
    ids = list(ChangeRecord.objects.order_by("id").values_list("id", flat=True))
    return ChangeRecord.objects.get(pk=rng.choice(ids))


def chain_edit(label: str, rng: random.Random) -> Case:
    rec = _pick_entry(rng)
    columns = [f for f in ChangeRecord._meta.concrete_fields if not f.primary_key]
    field = rng.choice(columns)
    value = getattr(rec, field.attname)
    if field.name == "actor":  # a user id: another user, or none
        others = list(get_user_model().objects.exclude(pk=value).values_list("pk", flat=True)[:20])
        new = rng.choice([None, *others]) if value is not None else rng.choice(others)
    elif field.name in ("hash", "prev_hash"):
        new = ("f" if value[0] != "f" else "e") + value[1:]
    else:
        new = _different(field, value, rng)
    _update_column(ChangeRecord, rec.pk, field, new)
    return Case("chain-edit", "core.changerecord", f"#{rec.pk}.{field.attname}", {f"change record #{rec.pk}"})


def chain_delete(label: str, rng: random.Random) -> Case:
    rec = _pick_entry(rng)
    _exec("DELETE FROM core_changerecord WHERE id = %s", [rec.pk])
    after = ChangeRecord.objects.filter(pk__gt=rec.pk).order_by("id").values_list("pk", flat=True).first()
    # The entry after it no longer follows; the head has none after it, so its object no longer matches.
    expected = {f"change record #{after}"} if after else {f"{rec.object_type} {rec.object_id}"}
    return Case("chain-delete", "core.changerecord", f"#{rec.pk}", expected)


def _append(rec: ChangeRecord, *, chained: bool) -> int:
    """Insert a copy of `rec` at the head: as copied, or correctly chained with a recomputed hash."""
    head = ChangeRecord.objects.order_by("-id").first()
    assert head is not None
    new_id = head.pk + 1
    rec.pk = new_id
    if chained:
        rec.prev_hash = head.hash
        rec.hash = entry_hash(rec.prev_hash, entry_payload(rec))
    values = {f.attname: getattr(rec, f.attname) for f in ChangeRecord._meta.concrete_fields}
    _insert_row(ChangeRecord, values)
    return new_id


def chain_copy(label: str, rng: random.Random) -> Case:
    rec = _pick_entry(rng)
    old = rec.pk
    new_id = _append(rec, chained=False)
    return Case("chain-copy", "core.changerecord", f"#{old} copied as #{new_id}", {f"change record #{new_id}"})


def chain_forge(label: str, rng: random.Random) -> Case:
    """Someone who knows the hash scheme replays an old entry, correctly chained, at the head."""
    rec = _pick_entry(rng)
    old = rec.pk
    new_id = _append(rec, chained=True)
    return Case("chain-forge", "core.changerecord", f"#{old} replayed as #{new_id}", {f"change record #{new_id}"})


TAMPER: dict[str, Callable[[str, random.Random], Case]] = {
    "row-update": row_update,
    "row-delete": row_delete,
    "row-insert": row_insert,
    "chain-edit": chain_edit,
    "chain-delete": chain_delete,
    "chain-copy": chain_copy,
    "chain-forge": chain_forge,
}


def _attempt(kind: str, label: str, rng: random.Random) -> tuple[Case, VerifyReport] | None:
    """Tamper, verify and roll back; None when this draw cannot be applied."""
    result: list[tuple[Case, VerifyReport]] = []
    try:
        with transaction.atomic():
            case = TAMPER[kind](label, rng)
            result.append((case, verify()))
            raise _Rollback
    except _Rollback:
        return result[0]
    except (NotApplicable, DatabaseError) as exc:
        skipped.append(f"{kind} {label}: {exc}")
        return None


@pytest.fixture
def every_table_has_rows(seed):
    """The seed leaves a few audited tables empty: fill them through the services first."""
    minutes = minutes_services.start_minutes(seed.meeting, {"zh": "纪要", "ru": "Протокол"}).minutes
    minutes_services.amend_minutes(minutes, based_on=1, body={"ru": "Протокол заседания"}, party=seed.su)
    add_organisation_name(seed.cas, {"en": "Academia Sinica"}, valid_to=dt.date(1949, 10, 31))
    issue_token(get_user_model().objects.get(username="cn-coordinator"), "tamper test")
    assert verify().ok


def test_the_models_under_test_are_every_audited_model():
    labels = {m._meta.label_lower for m in audited_models()}
    assert set(MUST) <= labels
    assert all(issubclass(m, AccordModel) and not m._meta.abstract for m in audited_models())


def test_every_single_row_tampering_is_named(every_table_has_rows):
    rng = random.Random(SEED)
    labels = sorted(m._meta.label_lower for m in audited_models())
    done: list[Case] = []
    draws = 0
    while len(done) < CASES:
        draws += 1
        assert draws < CASES * 3, f"seed {SEED}: only {len(done)} of {CASES} could be applied: {skipped[-5:]}"
        n = draws - 1
        # The first rounds go through every kind on the tables signatures and minutes rest on.
        first = n < 3 * len(MUST)
        kind = KINDS[n % 3] if first else KINDS[n % len(KINDS)]
        label = MUST[n // 3] if first else rng.choice(labels)
        outcome = _attempt(kind, label, rng)
        if outcome is None:
            continue
        case, report = outcome
        named = [str(p) for p in report.problems if p.where in case.expected]
        assert named, (
            f"seed {SEED}, case {len(done)}: {case.kind} {case.detail} went unnoticed; "
            f"verify said {[str(p) for p in report.problems[:5]] or 'ok'}"
        )
        done.append(case)
    kinds = {c.kind for c in done}
    assert kinds == set(KINDS), kinds
    assert {c.label for c in done if c.kind.startswith("row")} >= set(MUST)


def test_a_replayed_create_of_an_unchanged_row_is_named(every_table_has_rows):
    """The case the hash chain alone misses: a correctly chained copy of a record's only entry."""
    rec = (
        ChangeRecord.objects.filter(object_type="directory.person", action=ChangeRecord.Action.CREATE)
        .order_by("id")
        .first()
    )
    assert rec is not None
    first = rec.pk
    new_id = _append(rec, chained=True)
    problems = [str(p) for p in verify().problems]
    assert problems == [
        f"change record #{new_id}: creates directory.person {rec.object_id}, which change record #{first} "
        "shows exists already (replayed or forged)"
    ]
