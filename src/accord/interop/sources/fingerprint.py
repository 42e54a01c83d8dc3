"""An import's fingerprint: a re-import of the same files, with nothing changed in Accord since, writes nothing.

When an import commits, it keeps (interop.ImportFingerprint) the SHA-256 of what it read (each file's name and
its bytes as decompressed, or an uploaded file's bytes as given; the encoding and sheet asked for; the importer's
own code) and the id of the newest audit chain entry. The published-data importers (CORDIS, treaties) and
`import_file` (every kind, every channel; not rows through a column mapping) keep one. A later import of files
with the same digest first asks the chain one question: has any record of the kinds the import reads or writes
been created, changed or deleted since that entry? If not, every record is still as that import left it, which is
what these files give: nothing is read into records, compared or written, and the report counts every record
unchanged. Otherwise (or with no fingerprint) the import compares record by record.

The decision is per import, not per batch of rows: what a row gives depends on the rest of the file (the first
row of a project or organisation gives its values; a repeated participation keeps its strongest role), so an
unchanged batch can still give other records than it did when a row elsewhere changed.

Every writer of an audited record appends to the chain (core.audit.append, under the chain's lock, ids in commit
order), so "no entry after N" is "no change after N". The import holds the chain's lock from before it reads the
stored records until it commits (`lock_chain`), so nothing changes between what it compares and the entry it keeps.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType
from typing import IO, Protocol

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.core.audit import chain_head
from accord.core.models import ChangeRecord
from accord.core.routers import pin_primary
from accord.interop.models import ImportFingerprint
from accord.interop.report import ImportReport

_CHUNK = 1 << 20


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def _read_digest(f: _Readable) -> tuple[str, int]:
    """SHA-256 and length of what is left to read in `f`, read in chunks."""
    h = hashlib.sha256()
    size = 0
    while chunk := f.read(_CHUNK):
        h.update(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def _file_digest(path: Path) -> tuple[str, int]:
    """SHA-256 and length of a file's bytes, gunzipped when it is gzip (as the importers read it), streamed.

    A damaged gzip stream is fingerprinted by its raw bytes: the import then reads it and refuses it."""
    with path.open("rb") as f:
        gz = f.read(2) == b"\x1f\x8b"
    try:
        with gzip.open(path, "rb") if gz else path.open("rb") as f:
            return _read_digest(f)
    except (EOFError, OSError, zlib.error):
        return hashlib.sha256(b"damaged\n" + path.read_bytes()).hexdigest(), -1


def _stream_digest(data: bytes | IO[bytes]) -> tuple[str, int] | None:
    """SHA-256 and length of an uploaded file's bytes as given (read through, then put back where it was), or None
    for a stream that cannot be read again."""
    if isinstance(data, bytes | bytearray):
        return hashlib.sha256(data).hexdigest(), len(data)
    if not data.seekable():
        return None
    start = data.tell()
    try:
        return _read_digest(data)
    finally:
        data.seek(start)


@dataclass(frozen=True)
class Source:
    """What an import reads, fingerprinted: its importer, digest, files, and the kinds of record it writes."""

    importer: str
    digest: str
    files: list[dict[str, object]]
    kinds: tuple[str, ...]  # "app_label.model", as the audit chain names them


def source(
    importer: str,
    files: Iterable[Path],
    *,
    code: Sequence[ModuleType],
    encoding: str | None,
    kinds: Sequence[type[models.Model]],
    options: Sequence[str] = (),
) -> Source:
    """Fingerprint `files` as `importer` reads them: each file's name and decompressed bytes, the encoding asked
    for, the importer's other `options` (a workbook's sheet), and the source code of the modules in `code` (a
    change to the importer may give other records)."""
    return _source(importer, [(path.name, *_file_digest(path)) for path in files], code, encoding, kinds, options)


def upload_source(
    importer: str,
    name: str,
    data: bytes | IO[bytes],
    *,
    code: Sequence[ModuleType],
    encoding: str | None,
    kinds: Sequence[type[models.Model]],
    options: Sequence[str] = (),
) -> Source | None:
    """`source` for one file given as bytes or an open file (an upload, a job's file), its bytes as given; None
    when the stream cannot be read twice."""
    digest = _stream_digest(data)
    if digest is None:
        return None
    return _source(importer, [(name, *digest)], code, encoding, kinds, options)


def _source(
    importer: str,
    files: Sequence[tuple[str, str, int]],
    code: Sequence[ModuleType],
    encoding: str | None,
    kinds: Sequence[type[models.Model]],
    options: Sequence[str],
) -> Source:
    h = hashlib.sha256(f"{importer}\n{encoding or ''}\n".encode())
    for option in options:
        h.update(f"{option}\n".encode())
    for module in code:
        h.update(hashlib.sha256(Path(str(module.__file__)).read_bytes()).digest())
    listed: list[dict[str, object]] = []
    for name, digest, size in files:
        listed.append({"name": name, "sha256": digest, "bytes": size})
        h.update(f"\n{name}\n{digest}".encode())
    return Source(importer, h.hexdigest(), listed, tuple(sorted({m._meta.label_lower for m in kinds})))


def unchanged(src: Source, *, dry_run: bool = False) -> ImportReport | None:
    """The report of a re-import that needs nothing done, or None when the import must compare its records.

    Nothing needs doing when the same files were imported before, that import's day-bound values still hold,
    and the audit chain has no entry on the kinds the import writes after the one the import kept.
    """
    pin_primary()  # the read that decides whether to write: the fingerprint beside the chain it names
    seen = ImportFingerprint.objects.filter(importer=src.importer, digest=src.digest).first()
    if seen is None or (seen.valid_until is not None and dt.date.today() > seen.valid_until):
        return None
    if _changed_since(seen.through, src.kinds):
        return None
    report = ImportReport(dry_run=dry_run, read_as=seen.read_as, rows=seen.rows)
    for kind, count in seen.records.items():
        report.unchanged[kind] += count
    report.notes.extend(seen.notes)
    report.notes.append(
        _(
            "these files are the ones imported on %(when)s UTC (SHA-256 %(digest)s…), and no record of the kinds "
            "the import reads or writes has changed since (audit entry #%(entry)s): every record is as that import "
            "left it, none was compared one by one, nothing was written"
        )
        % {"when": f"{seen.at:%Y-%m-%d %H:%M}", "digest": src.digest[:12], "entry": seen.through}
    )
    return report


def _changed_since(through: int, kinds: Sequence[str]) -> bool:
    """Whether the chain has an entry after `through` on a record of these kinds: one query on the primary key's
    range (the entries since the import, however long the chain is), each entry's kind checked as it is read.

    On SQLite the kind is written `+object_type` so the planner keeps to that range: without statistics it would
    rather walk the object index over every entry of these kinds ever written (tens of ms at 200,000 entries,
    growing with the chain). PostgreSQL takes the range by itself (it reads the index's true upper end)."""
    conn = connections[DEFAULT_DB_ALIAS]
    table = conn.ops.quote_name(ChangeRecord._meta.db_table)
    kind = "+object_type" if conn.vendor == "sqlite" else "object_type"
    sql = f"SELECT 1 FROM {table} WHERE id > %s AND {kind} IN ({', '.join(['%s'] * len(kinds))}) LIMIT 1"
    with conn.cursor() as cur:
        cur.execute(sql, [through, *kinds])
        return cur.fetchone() is not None


def lock_chain() -> None:
    """Inside the import's transaction, before it reads what is stored: no other change until it commits."""
    chain_head(lock=True)


def remember(src: Source, report: ImportReport, *, valid_until: dt.date | None, keep_notes: bool = True) -> None:
    """Keep the fingerprint of an import that succeeded, in its transaction, after its writes. `keep_notes`: the
    report's notes are about the files (rows merged, files skipped) and hold for a re-import; otherwise they are
    about what this import changed, which a re-import that writes nothing does not do again."""
    if not keep_notes:
        report = replace(report, notes=[])
    kinds = sorted(set(report.created) | set(report.updated) | set(report.unchanged))
    records = {k: report.created[k] + report.updated[k] + report.unchanged[k] for k in kinds}
    ImportFingerprint.objects.update_or_create(
        importer=src.importer,
        digest=src.digest,
        defaults={
            "files": src.files,
            "through": chain_head(),
            "rows": report.rows or 0,
            "records": records,
            "notes": list(report.notes),
            "read_as": report.read_as,
            "valid_until": valid_until,
            "at": timezone.now(),
        },
    )
