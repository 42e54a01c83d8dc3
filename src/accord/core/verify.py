"""`accord verify`: walk the audit chain, then check the stored rows against it.

Reports every problem it finds, in order; the first one is what the CLI prints as the one-line reason.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connections, models, router
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from accord.core.audit import (
    _SORTED_KEYS,
    ENTRY_COLUMNS,
    GENESIS,
    _at_text,
    _encode_str,
    canonical,
    entry_hash,
    payload_of,
    snapshot_value,
)
from accord.core.audit import _json_text as _scalar_json
from accord.core.models import AccordModel, ChangeRecord, VerifyCheckpoint


@dataclass
class Problem:
    where: str  # "change record #12" or "programmes.plan 3"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class VerifyReport:
    entries: int = 0  # in the chain (through the checkpoint and after it)
    rows: int = 0  # rows checked
    since: int | None = None  # the checkpoint this run started after (None: from the first entry)
    checked: int = 0  # entries walked after the checkpoint
    head: tuple[int, str] | None = None  # the last entry walked: (id, hash)
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


# The last entry about one object, all the walk keeps per object (so 10M objects fit in memory): (change record
# id, digest of the state it left or None when it deleted the object, the object's version). A plain tuple: a
# range walked in a worker comes back pickled with one for each object it saw, and dataclasses took longer to
# pickle and unpickle (in the parent, one range after another) than the worker took to walk them (bench.verify).
_State = tuple[int, bytes | None, int | None]


# --- reading fast ------------------------------------------------------------------------------------------
# verify reads every entry and every row ever written, so it reads them from the driver as tuples and turns
# the few typed columns into what the ORM and core.audit.snapshot would give, column by column, instead of
# through the ORM's per-row converters (that was over half of its time). Where a fast reading and the
# record disagree, the row is read again the ORM's way before anything is reported: a gap here can cost
# time, never a false alarm.


def _rows(
    model: type[models.Model],
    columns: list[str],
    lo: int | None = None,
    hi: int | None = None,
    *,
    as_stored: frozenset[str] = frozenset(),
    ids: Sequence[Any] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """The model's table (lo < pk <= hi, when given; only the rows of `ids`, when given) as driver tuples in pk
    order, in chunks (a server-side cursor on PostgreSQL).

    `as_stored`: columns given as text, without the driver's converter for their type (the walk caches a time
    by its text, writes a uid as text and JSON again in canonical form): on SQLite the text it stores (Django's
    timestamp parser took a tenth of the walk); on PostgreSQL the column cast to text, a time in ISO 8601 (the
    DateStyle psycopg needs anyway; Django's time zone loader and psycopg's jsonb decoding by the json module
    took a third of the walk's reading)."""
    conn = connections[router.db_for_read(model)]
    q = conn.ops.quote_name
    pk = q(model._meta.pk.column)
    where = [f"{pk} > %s" for v in [lo] if v is not None] + [f"{pk} <= %s" for v in [hi] if v is not None]
    params = [v for v in (lo, hi) if v is not None]
    if ids is not None:
        where.append(f"{pk} IN ({', '.join(['%s'] * len(ids))})" if ids else "1 = 0")
        params += list(ids)
    # SQLite's unary + returns its operand unchanged; an expression has no declared type, so no converter.
    sqlite = conn.vendor == "sqlite"

    def read(c: str) -> str:
        if c not in as_stored:
            return q(c)
        return "+" + q(c) if sqlite else q(c) + "::text"

    sql = (
        f"SELECT {', '.join(map(read, columns))} FROM {q(model._meta.db_table)}"
        f"{' WHERE ' + ' AND '.join(where) if where else ''} ORDER BY {pk}"
    )
    with conn.chunked_cursor() as cur:
        cur.execute(sql, params)
        while chunk := cur.fetchmany(20000):
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
    # SQLite's hex digits as Django writes them: str(UUID(v)) without the parse (other text gives a text no
    # snapshot or hash matches, and is then read the slow ways, which name it).
    if type(v) is str and len(v) == 32 and v.islower():
        return f"{v[:8]}-{v[8:12]}-{v[12:16]}-{v[16:20]}-{v[20:]}"
    if type(v) is str and len(v) == 36 and v.islower():  # PostgreSQL's uuid as text: str(UUID(v)) already
        return v
    return None if v is None else str(v if isinstance(v, uuid.UUID) else uuid.UUID(v))


# The columns _snapshots reads as text (_rows' `as_stored`), which gives the snapshot's text without a parse when
# it is in the form the database writes (a time in UTC; anything else is parsed as before).
_AS_TEXT = (models.DateTimeField, models.DateField, models.UUIDField)


def _snapshot_reader(f: models.Field, conn: Any) -> Callable[[Any], Any] | None:
    """snapshot_value(f, <the ORM's value>) from the driver's value; None when the two are the same value."""
    if isinstance(f, models.ForeignKey):
        f = f.target_field
    if isinstance(f, models.DateTimeField):
        aware = _aware(conn)
        # SQLite stores times naive in the connection's zone, UTC: "1960-02-26 09:30:00[.000001]"; PostgreSQL's
        # text is in the session's zone, UTC: "1960-02-26 09:30:00[.000001]+00" (fewer digits when they end in 0).
        utc = conn.timezone is dt.UTC
        plain, offset = ((19, 26), "") if conn.vendor == "sqlite" else ((22, 29), "+00")

        def read_time(v: Any) -> str | None:
            if v is None:
                return None
            if utc and type(v) is str and len(v) in plain and v[10] == " " and v.endswith(offset):
                # What the parse and isoformat() below give for it.
                return v[:10] + "T" + v[11 : len(v) - len(offset)] + "+00:00"
            return aware(v).astimezone(dt.UTC).isoformat()  # type: ignore[union-attr]

        return read_time
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


def _entries(lo: int | None = None, hi: int | None = None) -> Iterator[tuple[Any, dict[str, Any], str, str]]:
    """(id, entry columns as the ORM gives them, prev_hash, hash) of the chain entries lo < id <= hi in order."""
    conn = connections[router.db_for_read(ChangeRecord)]
    by_name = {f.attname: f for f in ChangeRecord._meta.concrete_fields}
    typed = {"at": _aware(conn), "object_uid": _uid, "before": _json, "after": _json}
    readers = [typed.get(c) for c in ENTRY_COLUMNS]
    columns = [by_name[c].column for c in _WALKED]
    for pk, *values, prev_hash, stored_hash in _rows(ChangeRecord, columns, lo, hi):
        entry = {c: (r(v) if r else v) for c, r, v in zip(ENTRY_COLUMNS, readers, values, strict=True)}
        yield pk, entry, prev_hash, stored_hash


def _entry_as_orm_reads_it(pk: int) -> dict[str, Any]:
    return dict(zip(ENTRY_COLUMNS, ChangeRecord.objects.filter(pk=pk).values_list(*ENTRY_COLUMNS).get(), strict=True))


# --- walking the chain in ranges ------------------------------------------------------------------------
# The chain is cut into ranges of ids, each walked on its own (in a process of its own when the database
# can be shared): its hashes, its links, and each object's entries after its first in the range. What
# crosses a boundary (the link into a range's first entry, each object's first entry in a range against
# its last before) is settled afterwards, in order, by _join. Problems carry their entry's id and are
# sorted by it, so the report reads as one walk from the first entry would have.

_LINK, _HASH, _SEQUENCE = 0, 1, 2
_Found = tuple[int, int, Problem]  # (entry id, which check, problem)
_Key = tuple[str, str]


# An object's first entry in a range, what checking it against the object's entry before needs: (change record
# id, action, version, digest of its `before` or None for a create, which is not compared). A tuple, as _State.
_First = tuple[int, str, int | None, bytes | None]


@dataclass
class _Range:
    first: int | None = None  # id of its first entry
    first_prev: str = ""  # that entry's prev_hash
    last: int = 0  # id of its last entry
    last_hash: str = ""
    entries: int = 0
    found: list[_Found] = field(default_factory=list)
    firsts: dict[_Key, _First] = field(default_factory=dict)
    lasts: dict[_Key, _State] = field(default_factory=dict)


# The hashed payload is rebuilt as text from the columns as the driver gives them, as append() writes it:
# the JSON columns as stored (SQLite keeps the canonical text append wrote; PostgreSQL's jsonb is encoded
# again), each timestamp converted once per append. An entry whose text does not give its hash this way is
# read again the slow ways before it counts (_entries, then the ORM).
_PAYLOAD_ORDER: tuple[str, ...] = ("action", "actor", "actor_id", "after", "at", "before", "object", "object_id")
_PAYLOAD_ORDER += ("object_uid", "object_version", "related", "related_id", "repr", "request")
if tuple(k for k, _ in _SORTED_KEYS) != _PAYLOAD_ORDER:
    raise AssertionError("verify's payload template no longer matches the entry's columns")
_TEMPLATE = "{" + ",".join(f'"{k}":%s' for k in _PAYLOAD_ORDER) + "}"


def _json_text(v: Any) -> str:
    """SQLite: the stored text. PostgreSQL: jsonb's text (its own key order and spacing), encoded again."""
    if v is None:
        return "null"
    return orjson.dumps(_json(v), option=orjson.OPT_SORT_KEYS).decode()


def _json_text_fallback(v: Any) -> str:
    return canonical(_json(v))


def _uid_text(v: Any) -> str:
    return "null" if v is None else f'"{_uid(v)}"'  # a uid's text needs no escaping


def _walked_as_text(conn: Any) -> frozenset[str]:
    """The chain's columns the walk reads as text (_rows' `as_stored`): those whose converter in the driver costs
    more than it gives."""
    names = ["at"] if conn.vendor == "sqlite" else ["at", "object_uid", "before", "after"]
    by_name = {f.attname: f.column for f in ChangeRecord._meta.concrete_fields}
    return frozenset(by_name[n] for n in names)


def _walk_range(lo: int | None, hi: int | None) -> _Range:
    """Check the entries lo < id <= hi: hashes, links after the first, each object's sequence after its first."""
    conn = connections[router.db_for_read(ChangeRecord)]
    by_name = {f.attname: f for f in ChangeRecord._meta.concrete_fields}
    aware, at_texts = _aware(conn), dict[Any, str]()
    stored_as_text = conn.vendor == "sqlite"  # the JSON text append() wrote, as it wrote it
    typed = {"at": aware, "object_uid": _uid, "before": _json, "after": _json}
    readers = [typed.get(c) for c in ENTRY_COLUMNS]
    out = _Range()
    prev: str | None = None
    delete, create = ChangeRecord.Action.DELETE.value, ChangeRecord.Action.CREATE.value
    update = ChangeRecord.Action.UPDATE.value
    lasts, firsts, found = out.lasts, out.firsts, out.found
    kinds: dict[str, str] = {}
    sha, enc, scalar, template = hashlib.sha256, _encode_str, _scalar_json, _TEMPLATE
    for row in _rows(ChangeRecord, [by_name[c].column for c in _WALKED], lo, hi, as_stored=_walked_as_text(conn)):
        pk, at, actor_id, actor, request, action, otype, oid, uid, version, orepr, rtype, rid, before, after, p, h = row
        out.entries += 1
        if prev is None:
            out.first, out.first_prev = pk, p
        elif p != prev:
            found.append((pk, _LINK, Problem(f"change record #{pk}", _NOT_FOLLOWING)))
        at_text = at_texts.get(at)
        if at_text is None:
            try:
                at_text = at_texts[at] = enc(_at_text(aware(at)))  # type: ignore[arg-type]
            except (TypeError, ValueError):  # not a timestamp (edited): the text cannot match, read the slow ways
                at_text = ""
        if stored_as_text:
            before_text = "null" if before is None else before
            after_text = "null" if after is None else after
        else:
            try:
                before_text, after_text = _json_text(before), _json_text(after)
            except TypeError:  # what orjson cannot write (ints past 64 bits): the reference serialiser
                before_text, after_text = _json_text_fallback(before), _json_text_fallback(after)
        text = template % (
            enc(action),
            enc(actor),
            scalar(actor_id),
            after_text,
            at_text,
            before_text,
            enc(otype),
            enc(oid),
            _uid_text(uid),
            scalar(version),
            enc(rtype),
            enc(rid),
            enc(orepr),
            enc(request),
        )
        if sha(f"{p}\n{text}".encode()).hexdigest() == h:
            before_digest = sha(before_text.encode()).digest()
            digest = None if action == delete else sha(after_text.encode()).digest()
        else:  # read the slow ways before it counts
            values = _slow_reading(pk, p, h, readers, row[1:-2])
            if values is None:  # edited: its columns as they are decide the sequence checks
                found.append((pk, _HASH, Problem(f"change record #{pk}", _EDITED)))
                before_digest = sha(before_text.encode()).digest()
                digest = None if action == delete else sha(after_text.encode()).digest()
            else:
                action, otype, oid = values["action"], values["object_type"], values["object_id"]
                version = values["object_version"]
                before_digest = _digest(values["before"])
                digest = None if action == delete else _digest(values["after"])
        prev, out.last = h, pk
        key = (kinds.setdefault(otype, otype), oid)  # one string per kind: pickled once, not once per object
        last = lasts.get(key)
        if last is None:  # checked against the object's entry before this range by _join
            firsts[key] = (pk, action, version, None if action == create else before_digest)
        else:
            # The usual case inline (an update of a live object at a later version, from the state its last entry
            # left): what _out_of_sequence would pass without reading anything.
            _, last_digest, last_version = last
            usual = action == update and last_digest is not None and before_digest == last_digest
            if not (usual and (version is None or last_version is None or version > last_version)):
                problem = _out_of_sequence(pk, key, action, version, None, before_digest, last)
                if problem:
                    found.append((pk, _SEQUENCE, Problem(f"change record #{pk}", problem)))
        lasts[key] = (pk, digest, version)
    out.last_hash = prev or ""
    return out


def _slow_reading(
    pk: int, prev_hash: str, stored: str, readers: list[Callable[[Any], Any] | None], row: tuple[Any, ...]
) -> dict[str, Any] | None:
    """The entry's columns (ENTRY_COLUMNS' values in `row`) read the slow ways, with `readers` then through the
    ORM, when one of them gives its hash; None when none does (edited), a column no reading can take (a time
    that is no time) included."""

    def typed() -> dict[str, Any]:
        return {c: (r(v) if r else v) for c, r, v in zip(ENTRY_COLUMNS, readers, row, strict=True)}

    for read in (typed, lambda: _entry_as_orm_reads_it(pk)):
        try:
            values = read()
            if _hash_matches(prev_hash, payload_of(values), stored):
                return values
        except (TypeError, ValueError, AttributeError):  # AttributeError: the ORM's reading of such a time (None)
            pass
    return None


def _walk_range_in_worker(lo: int | None, hi: int | None) -> _Range:
    try:
        return _walk_range(lo, hi)
    finally:
        connections.close_all()


_NOT_FOLLOWING = "does not follow the entry before it (an entry was removed or inserted)"
_EDITED = "its content does not match its hash (edited)"


def _parallel_possible() -> bool:
    """Whether worker processes can read what this process reads: not an in-memory database, not inside a
    transaction whose writes only this connection sees (tests)."""
    conn = connections[router.db_for_read(ChangeRecord)]
    if conn.in_atomic_block:
        return False
    return not (conn.vendor == "sqlite" and conn.is_in_memory_db())  # type: ignore[attr-defined]


def _ranges(lo: int, hi: int, parts: int) -> list[tuple[int | None, int | None]]:
    """`parts` ranges of ids covering lo < id <= hi."""
    step = max(1, -(-(hi - lo) // parts))
    cuts = [*range(lo, hi, step), hi]
    return list(itertools.pairwise(cuts))


# Below this many entries one range in this process is faster than starting workers.
PARALLEL_FROM = 20_000


def _free_cores() -> int:
    """The cores not already busy (by the load average): on a shared machine, workers beyond them only
    take turns with each other (measured slower than one, bench.verify)."""
    cores = os.cpu_count() or 1
    return max(1, min(cores, int(cores - os.getloadavg()[0] + 0.5)))


def _walk(after: int, start: str, workers: int | None, parts: int | None) -> list[_Range]:
    """Walk the entries after id `after` in ranges (in parallel where it pays), in order."""
    bounds = ChangeRecord.objects.filter(pk__gt=after).aggregate(lo=models.Min("pk"), hi=models.Max("pk"))
    if bounds["hi"] is None:
        return []
    lo, hi = bounds["lo"] - 1, bounds["hi"]
    workers = workers or _free_cores()
    if parts is None:
        parts = workers * 4 if workers > 1 and hi - lo >= PARALLEL_FROM else 1
    ranges = _ranges(lo, hi, parts)
    if workers > 1 and len(ranges) > 1 and _parallel_possible():
        connections.close_all()  # a forked worker must not share this process's connection
        with multiprocessing.get_context("fork").Pool(min(workers, len(ranges))) as pool:
            return pool.starmap(_walk_range_in_worker, ranges)
    return [_walk_range(a, b) for a, b in ranges]


def _join(
    report: VerifyReport,
    ranges: list[_Range],
    start: str,
    earlier: Callable[[_Key], _State | None],
) -> tuple[dict[_Key, _State], list[_Found]]:
    """Check what crosses the ranges' boundaries, in order; return each object's last state and the problems.

    `start` is the hash the first entry must follow; `earlier(key)` the object's state before the first range.
    """
    latest: dict[_Key, _State] = {}
    found: list[_Found] = []
    prev = start
    for part in ranges:
        if part.first is None:
            continue
        report.entries += part.entries
        if part.first_prev != prev:
            found.append((part.first, _LINK, Problem(f"change record #{part.first}", _NOT_FOLLOWING)))
        prev = part.last_hash
        report.head = (part.last, part.last_hash)
        found.extend(part.found)
        for key, (entry, action, version, before) in part.firsts.items():
            last = latest[key] if key in latest else earlier(key)
            problem = _out_of_sequence(entry, key, action, version, None, before, last)
            if problem:
                found.append((entry, _SEQUENCE, Problem(f"change record #{entry}", problem)))
        latest.update(part.lasts)
    return latest, found


def _walk_chain(
    report: VerifyReport, *, after: int = 0, start: str = GENESIS, workers: int | None = None, parts: int | None = None
) -> dict[_Key, _State]:
    """Check every entry after id `after` (its hash and link, and that it follows from the object's entry
    before it); return the last state recorded for each object seen.

    The hash is not keyed, so someone who knows the scheme can append a correctly chained entry; the
    sequence checks make such an entry show unless it is consistent with the object's history and its
    stored row (which takes changing more than one row).
    """
    latest, found = _join(report, _walk(after, start, workers, parts), start, lambda key: _state_before(key, after))
    found.sort(key=lambda f: (f[0], f[1]))
    report.problems.extend(p for _, _, p in found)
    return latest


def _state_before(key: _Key, through: int) -> _State | None:
    """The object's state as its last entry up to id `through` left it (None: no entry; nothing before 1)."""
    if through <= 0:
        return None
    row = (
        ChangeRecord.objects.filter(object_type=key[0], object_id=key[1], pk__lte=through)
        .order_by("-pk")
        .values_list("pk", "action", "after", "object_version")
        .first()
    )
    if row is None:
        return None
    pk, action, after, version = row
    return (pk, None if action == ChangeRecord.Action.DELETE else _digest(after), version)


def _after_of(entry: int) -> dict | None:
    """The state an entry recorded, read again (only when a comparison needs more than digests)."""
    return ChangeRecord.objects.filter(pk=entry).values_list("after", flat=True).first()


def _before_of(entry: int) -> dict | None:
    return ChangeRecord.objects.filter(pk=entry).values_list("before", flat=True).first()


def _out_of_sequence(
    pk: int,
    key: _Key,
    action: str,
    version: int | None,
    before: dict | None,
    before_digest: bytes | None,
    last: _State | None,
) -> str | None:
    """Why entry `pk` cannot follow the object's previous entry (a replayed or forged entry), or None.

    Its `before` is given as the state or as its digest (then read again only if it differs). Called for every
    entry after an object's first: the message's subject is written only when there is something to report."""
    last_entry, last_digest, last_version = last if last is not None else (0, None, None)
    live = last_digest is not None
    if action == ChangeRecord.Action.CREATE:
        if live:
            return (
                f"creates {key[0]} {key[1]}, which change record #{last_entry} shows exists already "
                "(replayed or forged)"
            )
        return None
    if not live:
        state = f"change record #{last_entry} shows it deleted" if last else "no entry before it created it"
        return f"{action}s {key[0]} {key[1]}, but {state} (replayed or forged)"
    # Every update bumps the version; a delete records the version it removed.
    if (
        version is not None
        and last_version is not None
        and (version < last_version or (action == ChangeRecord.Action.UPDATE and version == last_version))
    ):
        return (
            f"{action}s {key[0]} {key[1]} at version {version}, "
            f"but change record #{last_entry} left it at version {last_version} (replayed or forged)"
        )
    if (before_digest if before_digest is not None else _digest(before)) == last_digest:
        return None  # the usual case, settled without reading the earlier entry again
    if before_digest is not None:
        before = _before_of(pk)
    before, after = before or {}, _after_of(last_entry) or {}
    # Only columns both know: a migration may add or drop a column between the two entries.
    differs = sorted(k for k in set(before) & set(after) if before[k] != after[k])
    if differs:
        return (
            f"gives {key[0]} {key[1]}'s {', '.join(differs)} before the change otherwise than "
            f"change record #{last_entry} left them (changed behind Accord's back, or forged)"
        )
    return None


def _snapshots(
    model: type[models.Model], lo: int | None = None, hi: int | None = None, *, ids: Sequence[Any] | None = None
) -> Iterator[tuple[Any, dict[str, Any] | None]]:
    """(pk, snapshot) of every stored row (lo < pk <= hi, when given; of `ids`, when given), as core.audit.snapshot
    gives it, read as tuples in pk order; the snapshot None where a column cannot be read so."""
    conn = connections[router.db_for_read(model)]
    fields = list(model._meta.concrete_fields)
    names = [f.attname for f in fields]
    readers = [_snapshot_reader(f, conn) for f in fields]
    pk_at = names.index(model._meta.pk.attname)
    as_text = frozenset(f.column for f in fields if isinstance(f, _AS_TEXT))
    for row in _rows(model, [f.column for f in fields], lo, hi, as_stored=as_text, ids=ids):
        try:
            yield row[pk_at], {n: (r(v) if r else v) for n, r, v in zip(names, readers, row, strict=True)}
        except (TypeError, ValueError):  # a column holding what its type cannot (SQLite): _row_problem names it
            yield row[pk_at], None


def _snapshot_as_orm_reads_it(model: type[models.Model], pk: Any) -> dict[str, Any]:
    fields = list(model._meta.concrete_fields)
    row = model._base_manager.filter(pk=pk).values_list(*(f.attname for f in fields)).get()  # every row, as _rows
    return {f.attname: snapshot_value(f, v) for f, v in zip(fields, row, strict=True)}


def _row_problem(
    label: str, pk: Any, model: type[models.Model], data: dict[str, Any] | None, state: _State | None
) -> Problem | None:
    """What is wrong with a stored row given the last entry about it, or None. `data` None: the fast reading
    could not read it."""
    if state is None:
        return Problem(f"{label} {pk}", "has no change record (written behind Accord's back)")
    entry, digest, _ = state
    if digest is None:
        return Problem(f"{label} {pk}", f"exists, but change record #{entry} says it was deleted")
    if data is not None and _digest(data) == digest:
        return None
    # A fast reading that does not match is read again the ORM's way before it counts.
    try:
        data = _snapshot_as_orm_reads_it(model, pk)
    except (TypeError, ValueError, ValidationError, AttributeError):  # a uid, date or JSON that is none
        return Problem(
            f"{label} {pk}", "cannot be read: a column holds what its type cannot (changed behind Accord's back)"
        )
    if _digest(data) == digest:
        return None
    after = _after_of(entry) or {}
    if canonical(data) != canonical(after):
        changed = sorted(k for k in set(data) | set(after) if data.get(k) != after.get(k))
        return Problem(
            f"{label} {pk}",
            f"differs from change record #{entry} in {', '.join(changed)} (changed behind Accord's back)",
        )
    return None


def _missing(latest: dict[_Key, _State]) -> list[Problem]:
    audited_labels = {m._meta.label_lower for m in audited_models()}
    return [
        Problem(
            f"{label} {pk}",
            f"is missing, but change record #{entry} says it exists (deleted behind Accord's back)",
        )
        for (label, pk), (entry, digest, _) in latest.items()
        if digest is not None and label in audited_labels
    ]


# The rows are checked in parts too: each audited table cut into ranges of ids, each checked against the states
# the walk left (`latest`, which a forked worker inherits rather than receives), giving back its problems and the
# ids it found. In the parent, one after another, as one pass over the tables in order would have.
_LATEST: dict[_Key, _State] = {}  # the states the workers check against, set just before they are forked


def _check_rows_range(label: str, lo: int | None, hi: int | None) -> tuple[list[Problem], list[Any]]:
    """The problems of `label`'s rows lo < pk <= hi against _LATEST, and the ids of the rows found."""
    model = apps.get_model(label)
    problems: list[Problem] = []
    found: list[Any] = []
    latest = _LATEST
    for pk, data in _snapshots(model, lo, hi):
        found.append(pk)
        problem = _row_problem(label, pk, model, data, latest.get((label, str(pk))))
        if problem:
            problems.append(problem)
    return problems, found


def _check_rows_range_in_worker(label: str, lo: int | None, hi: int | None) -> tuple[list[Problem], list[Any]]:
    try:
        return _check_rows_range(label, lo, hi)
    finally:
        connections.close_all()


def _row_ranges(workers: int) -> list[tuple[str, int | None, int | None]]:
    """(model label, lo, hi): each audited table whole, or in ranges of ids when it is large and workers share it."""
    out: list[tuple[str, int | None, int | None]] = []
    for model in audited_models():
        label = model._meta.label_lower
        if workers > 1 and isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
            bounds = model._base_manager.aggregate(lo=models.Min("pk"), hi=models.Max("pk"))
            if bounds["hi"] is not None and bounds["hi"] - bounds["lo"] >= PARALLEL_FROM:
                out += [(label, a, b) for a, b in _ranges(bounds["lo"] - 1, bounds["hi"], workers * 4)]
                continue
        out.append((label, None, None))
    return out


def _check_all_rows(report: VerifyReport, latest: dict[_Key, _State], workers: int = 1) -> None:
    global _LATEST
    tasks = _row_ranges(workers)
    _LATEST = latest
    try:
        if workers > 1 and sum(lo is not None for _, lo, _ in tasks) > 1 and _parallel_possible():
            connections.close_all()  # a forked worker must not share this process's connection
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.starmap(_check_rows_range_in_worker, tasks)
        else:
            results = [_check_rows_range(*task) for task in tasks]
    finally:
        _LATEST = {}
    for (label, _, _), (problems, found) in zip(tasks, results, strict=True):
        report.rows += len(found)
        report.problems.extend(problems)
        for pk in found:
            latest.pop((label, str(pk)), None)
    report.problems.extend(_missing(latest))


def _check_touched_rows(report: VerifyReport, latest: dict[_Key, _State]) -> None:
    """The rows of the objects the checked entries are about (an incremental run)."""
    by_label: dict[str, list[str]] = {}
    for label, pk in latest:
        by_label.setdefault(label, []).append(pk)
    for model in audited_models():
        label = model._meta.label_lower
        ids = by_label.get(label)
        if not ids:
            continue
        # Read as the full run reads every row (_snapshots): a column holding what its type cannot is named.
        wanted = sorted(model._meta.pk.to_python(i) for i in ids)
        for at in range(0, len(wanted), 500):
            for pk, data in _snapshots(model, ids=wanted[at : at + 500]):
                report.rows += 1
                problem = _row_problem(label, pk, model, data, latest.pop((label, str(pk))))
                if problem:
                    report.problems.append(problem)
    report.problems.extend(_missing(latest))


# --- checkpoints -------------------------------------------------------------------------------------------


def _checkpoint_signature(through: int, head: str, entries: int, at: dt.datetime) -> str:
    text = f"{through}\n{head}\n{entries}\n{at.astimezone(dt.UTC).isoformat()}"
    return salted_hmac("accord.core.verify.checkpoint", text, algorithm="sha256").hexdigest()


def save_checkpoint(through: int, head: str, entries: int) -> VerifyCheckpoint:
    at = timezone.now()
    return VerifyCheckpoint.objects.create(
        through=through, head=head, entries=entries, at=at, signature=_checkpoint_signature(through, head, entries, at)
    )


def _usable_checkpoint(report: VerifyReport) -> VerifyCheckpoint | None:
    """The latest checkpoint, if it is genuine and its entry still has its hash; a problem if not."""
    point = VerifyCheckpoint.objects.order_by("-through", "-pk").first()
    if point is None:
        return None
    where = f"verify checkpoint through change record #{point.through}"
    expected = _checkpoint_signature(point.through, point.head, point.entries, point.at)
    if not constant_time_compare(expected, point.signature):
        report.problems.append(Problem(where, "its signature does not hold (written behind Accord's back)"))
        return None
    stored = ChangeRecord.objects.filter(pk=point.through).values_list("hash", flat=True).first()
    if stored != point.head:
        now = "the entry is gone" if stored is None else f"the entry's hash is now {stored[:12]}…"
        report.problems.append(
            Problem(where, f"its head {point.head[:12]}… no longer matches: {now} (the chain was rewritten)")
        )
        return None
    return point


def verify(
    *, since_checkpoint: bool = False, checkpoint: bool = False, workers: int | None = None, parts: int | None = None
) -> VerifyReport:
    """Check the chain and the stored rows against it.

    since_checkpoint: start after the latest checkpoint whose head still matches, checking only the entries
    after it and the rows they are about (a checkpoint that no longer matches is a problem, and the run
    starts over). checkpoint: when all is well, record how far the chain was verified.
    workers / parts: processes and ranges the chain is walked in (default: one process per idle core); the rows
    of a full run are checked in as many processes.
    """
    report = VerifyReport()
    # Decided once: the walk's own workers raise the load average the next phase would read.
    workers = workers or _free_cores()
    # Every run holds the chain to the last checkpoint: a chain rewritten consistently since (every hash
    # recomputed) walks clean, and only the head the checkpoint vouched for shows it.
    point = _usable_checkpoint(report)
    if not since_checkpoint:
        point = None
    if point is None:
        latest = _walk_chain(report, workers=workers, parts=parts)
        _check_all_rows(report, latest, workers)
    else:
        report.since = point.through
        latest = _walk_chain(report, after=point.through, start=point.head, workers=workers, parts=parts)
        report.checked = report.entries
        report.entries += point.entries
        _check_touched_rows(report, latest)
    for check in EXTRA_CHECKS:
        try:
            check(report)
        except (TypeError, ValueError, ValidationError, AttributeError) as exc:  # a row no reading can take, which
            # the rows' check has named already: the run goes on to report it rather than stop here
            report.problems.append(
                Problem(f"{check.__module__}.{check.__qualname__}", f"could not finish ({type(exc).__name__}: {exc})")
            )
    # Through the last entry walked: entries appended during the run are the next run's.
    if checkpoint and report.ok and report.head is not None:
        save_checkpoint(report.head[0], report.head[1], report.entries)
    return report
