"""`accord verify`: walk the audit chain, then check the stored rows against it.

Reports every problem it finds, in order; the first one is what the CLI prints as the one-line reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.apps import apps
from django.db import connections, models, router

from accord.core.audit import ENTRY_COLUMNS, GENESIS, canonical, entry_hash, payload_of, snapshot_value
from accord.core.models import AccordModel, ChangeRecord


@dataclass
class Problem:
    where: str  # "change record #12" or "programmes.plan 3"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class VerifyReport:
    entries: int = 0
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# Further checks apps add from their AppConfig.ready() (e.g. signing: every signature verifies).
# Each is called with the report after the chain and the rows have been checked, and appends Problems.
EXTRA_CHECKS: list[Callable[[VerifyReport], None]] = []


def register_check(check: Callable[[VerifyReport], None]) -> None:
    if check not in EXTRA_CHECKS:
        EXTRA_CHECKS.append(check)


def audited_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, AccordModel)]


def _digest(data: dict | None) -> bytes:
    """What a state is compared by: sha256 of its canonical JSON (orjson's, the reference where it cannot)."""
    try:
        text = orjson.dumps(data, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # ints past 64 bits, non-str keys: the reference serialiser takes them
        text = canonical(data).encode()
    return hashlib.sha256(text).digest()


def _hash_matches(prev_hash: str, payload: dict, stored: str) -> bool:
    """Whether the entry's hash covers this payload. orjson first: where its text is the canonical text the
    hash matches, and a match cannot be an accident; where it is not (floats are written differently), the
    reference serialiser decides."""
    try:
        text = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
        if hashlib.sha256(b"%s\n%s" % (prev_hash.encode(), text)).hexdigest() == stored:
            return True
    except TypeError:
        pass
    return entry_hash(prev_hash, payload) == stored


@dataclass(slots=True)
class _State:
    """The last entry about one object: all the walk keeps per object, so 10M objects fit in memory."""

    entry: int  # change record id
    digest: bytes | None  # of the state it left; None: deleted
    version: int | None


# --- reading fast ------------------------------------------------------------------------------------------
# verify reads every entry and every row ever written, so it reads them from the driver as tuples and turns
# the few typed columns into what the ORM and core.audit.snapshot would give, column by column, instead of
# through the ORM's per-row converters (that was over half of its time). Where a fast reading and the
# record disagree, the row is read again the ORM's way before anything is reported: a gap here can cost
# time, never a false alarm.


def _rows(model: type[models.Model], columns: list[str]) -> Iterator[tuple[Any, ...]]:
    """The model's table as driver tuples in id order, in chunks (a server-side cursor on PostgreSQL)."""
    conn = connections[router.db_for_read(model)]
    q = conn.ops.quote_name
    sql = (
        f"SELECT {', '.join(q(c) for c in columns)} FROM {q(model._meta.db_table)} ORDER BY {q(model._meta.pk.column)}"
    )
    with conn.chunked_cursor() as cur:
        cur.execute(sql)
        while chunk := cur.fetchmany(5000):
            yield from chunk


def _aware(conn: Any) -> Callable[[Any], dt.datetime | None]:
    """A stored timestamp as the ORM gives it: aware, in the connection's zone when stored naive."""
    zone = conn.timezone

    def read(v: Any) -> dt.datetime | None:
        if v is None:
            return None
        if isinstance(v, str):
            v = dt.datetime.fromisoformat(v)
        return v if v.tzinfo else v.replace(tzinfo=zone)

    return read


def _json(v: Any) -> Any:
    if not isinstance(v, (str, bytes)):
        return v  # already decoded by the driver (or NULL)
    try:
        return orjson.loads(v)
    except orjson.JSONDecodeError:  # what orjson refuses (NaN, ints past 64 bits) the reference decoder takes
        return json.loads(v)


def _uid(v: Any) -> str | None:
    return None if v is None else str(v if isinstance(v, uuid.UUID) else uuid.UUID(v))


def _snapshot_reader(f: models.Field, conn: Any) -> Callable[[Any], Any] | None:
    """snapshot_value(f, <the ORM's value>) from the driver's value; None when the two are the same value."""
    if isinstance(f, models.ForeignKey):
        f = f.target_field
    if isinstance(f, models.DateTimeField):
        aware = _aware(conn)
        return lambda v: None if v is None else aware(v).astimezone(dt.UTC).isoformat()  # type: ignore[union-attr]
    if isinstance(f, models.DateField):
        return lambda v: None if v is None else (dt.date.fromisoformat(v) if isinstance(v, str) else v).isoformat()
    if isinstance(f, models.BooleanField):
        return lambda v: None if v is None else bool(v)
    if isinstance(f, models.UUIDField):
        return _uid
    if isinstance(f, models.JSONField):
        return _json
    if isinstance(f, models.FileField):
        return lambda v: v or None
    if isinstance(f, (models.IntegerField, models.AutoField, models.CharField, models.TextField)):
        return None
    # Anything else (decimals: SQLite hands back floats) goes through the ORM's own converters.
    col = f.get_col(f.model._meta.db_table)
    converters = conn.ops.get_db_converters(col) + col.get_db_converters(conn)  # as the SQL compiler does

    def read(v: Any) -> Any:
        for convert in converters:
            v = convert(v, col, conn)
        return snapshot_value(f, v)

    return read


_WALKED = ("id", *ENTRY_COLUMNS, "prev_hash", "hash")


def _entries() -> Iterator[tuple[Any, dict[str, Any], str, str]]:
    """(id, entry columns as the ORM gives them, prev_hash, hash) of every chain entry in order."""
    conn = connections[router.db_for_read(ChangeRecord)]
    by_name = {f.attname: f for f in ChangeRecord._meta.concrete_fields}
    typed = {"at": _aware(conn), "object_uid": _uid, "before": _json, "after": _json}
    readers = [typed.get(c) for c in ENTRY_COLUMNS]
    for pk, *columns, prev_hash, stored_hash in _rows(ChangeRecord, [by_name[c].column for c in _WALKED]):
        values = {c: (r(v) if r else v) for c, r, v in zip(ENTRY_COLUMNS, readers, columns, strict=True)}
        yield pk, values, prev_hash, stored_hash


def _entry_as_orm_reads_it(pk: int) -> dict[str, Any]:
    return dict(zip(ENTRY_COLUMNS, ChangeRecord.objects.filter(pk=pk).values_list(*ENTRY_COLUMNS).get(), strict=True))


def _walk_chain(report: VerifyReport) -> dict[tuple[str, str], _State]:
    """Check every entry's hash and link, and that it follows from the object's entry before it.

    Return the last state recorded for each object. The hash is not keyed, so someone who knows the
    scheme can append a correctly chained entry; the sequence checks make such an entry show unless it
    is consistent with the object's history and its stored row (which takes changing more than one row).
    """
    latest: dict[tuple[str, str], _State] = {}
    prev = GENESIS
    delete = ChangeRecord.Action.DELETE.value
    for pk, values, prev_hash, stored_hash in _entries():
        report.entries += 1
        if prev_hash != prev:
            report.problems.append(
                Problem(
                    f"change record #{pk}", "does not follow the entry before it (an entry was removed or inserted)"
                )
            )
        if not _hash_matches(prev_hash, payload_of(values), stored_hash):
            values = _entry_as_orm_reads_it(pk)
            if not _hash_matches(prev_hash, payload_of(values), stored_hash):
                report.problems.append(Problem(f"change record #{pk}", "its content does not match its hash (edited)"))
        prev = stored_hash
        key = (values["object_type"], values["object_id"])
        last = latest.get(key)
        problem = _out_of_sequence(pk, values, last)
        if problem:
            report.problems.append(Problem(f"change record #{pk}", problem))
        digest = None if values["action"] == delete else _digest(values["after"])
        if last is None:
            latest[key] = _State(pk, digest, values["object_version"])
        else:
            last.entry, last.digest, last.version = pk, digest, values["object_version"]
    return latest


def _after_of(entry: int) -> dict | None:
    """The state an entry recorded, read again (only when a comparison needs more than digests)."""
    return ChangeRecord.objects.filter(pk=entry).values_list("after", flat=True).first()


def _out_of_sequence(pk: int, rec: dict, last: _State | None) -> str | None:
    """Why entry `pk` cannot follow the object's previous entry (a replayed or forged entry), or None."""
    subject = f"{rec['object_type']} {rec['object_id']}"
    action = rec["action"]
    live = last is not None and last.digest is not None
    if action == ChangeRecord.Action.CREATE:
        if live:
            assert last is not None
            return f"creates {subject}, which change record #{last.entry} shows exists already (replayed or forged)"
        return None
    if not live:
        state = f"change record #{last.entry} shows it deleted" if last else "no entry before it created it"
        return f"{action}s {subject}, but {state} (replayed or forged)"
    assert last is not None
    # Every update bumps the version; a delete records the version it removed.
    version = rec["object_version"]
    if (
        version is not None
        and last.version is not None
        and (version < last.version or (action == ChangeRecord.Action.UPDATE and version == last.version))
    ):
        return (
            f"{action}s {subject} at version {version}, "
            f"but change record #{last.entry} left it at version {last.version} (replayed or forged)"
        )
    if _digest(rec["before"]) == last.digest:
        return None  # the usual case, settled without reading the earlier entry again
    before, after = rec["before"] or {}, _after_of(last.entry) or {}
    # Only columns both know: a migration may add or drop a column between the two entries.
    differs = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    if differs:
        return (
            f"gives {subject}'s {', '.join(differs)} before the change otherwise than "
            f"change record #{last.entry} left them (changed behind Accord's back, or forged)"
        )
    return None


def _snapshots(model: type[models.Model]) -> Iterator[tuple[Any, dict[str, Any]]]:
    """(pk, snapshot) of every stored row, as core.audit.snapshot gives it, read as tuples in pk order."""
    conn = connections[router.db_for_read(model)]
    fields = list(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    readers = [_snapshot_reader(f, conn) for f in fields]
    pk_at = names.index(model._meta.pk.attname)
    for row in _rows(model, [f.column for f in fields]):
        yield row[pk_at], {n: (r(v) if r else v) for n, r, v in zip(names, readers, row, strict=True)}


def _snapshot_as_orm_reads_it(model: type[models.Model], pk: Any) -> dict[str, Any]:
    fields = list(model._meta.concrete_fields)
    row = model._base_manager.filter(pk=pk).values_list(*(f.attname for f in fields)).get()  # every row, as _rows
    return {f.attname: snapshot_value(f, v) for f, v in zip(fields, row, strict=True)}


def verify() -> VerifyReport:
    report = VerifyReport()
    latest = _walk_chain(report)
    for model in audited_models():
        label = model._meta.label_lower
        for pk, data in _snapshots(model):
            report.rows += 1
            state = latest.pop((label, str(pk)), None)
            if state is None:
                report.problems.append(Problem(f"{label} {pk}", "has no change record (written behind Accord's back)"))
            elif state.digest is None:
                report.problems.append(
                    Problem(f"{label} {pk}", f"exists, but change record #{state.entry} says it was deleted")
                )
            elif (  # a fast reading that does not match is read again the ORM's way before it counts
                _digest(data) != state.digest and _digest(data := _snapshot_as_orm_reads_it(model, pk)) != state.digest
            ):
                after = _after_of(state.entry) or {}
                if canonical(data) != canonical(after):
                    changed = sorted(k for k in set(data) | set(after) if data.get(k) != after.get(k))
                    report.problems.append(
                        Problem(
                            f"{label} {pk}",
                            f"differs from change record #{state.entry} in {', '.join(changed)} "
                            "(changed behind Accord's back)",
                        )
                    )
    audited_labels = {m._meta.label_lower for m in audited_models()}
    for (label, pk), state in latest.items():
        if state.digest is not None and label in audited_labels:
            report.problems.append(
                Problem(
                    f"{label} {pk}",
                    f"is missing, but change record #{state.entry} says it exists (deleted behind Accord's back)",
                )
            )
    for check in EXTRA_CHECKS:
        check(report)
    return report
