"""`accord backup` / `accord restore`: one file holding the database, the uploaded files and a manifest.

The file is a gzipped tar: `manifest.json` (Accord version, migrations, rows per table, the audit
chain's head), the database (`database.sqlite3`, a copy made with SQLite's online backup API, or
`database.pgdump`, pg_dump's custom format) and `media/` (everything under MEDIA_ROOT). The manifest
is computed from the same snapshot as the copy, so a restore can compare counts exactly.

The secret key is not included: it only signs sessions and CSRF tokens, and a backup must not carry it.
Files of the data dir an app registers (carry_data_file: a federation node's key, its identity towards its
peers) are included under `data/`, with their SHA-256 in the manifest, and put back by restore (mode 600): a
restored node keeps its identity. The backup file is written mode 600 for that reason too: whoever holds it holds
every record and can sign as the node.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections, transaction

import accord
from accord.core.errors import DomainError
from accord.core.verify import VerifyReport, verify

FORMAT = "accord-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA_PREFIX = "media/"
DATA_PREFIX = "data/"


@dataclass(frozen=True)
class DataFile:
    name: str  # relative to the data dir
    what: str  # what it is, for messages ("the federation node key")
    needed: Any  # () -> bool: does the database (restored) need it (a node is recorded)


_data_files: dict[str, DataFile] = {}


def carry_data_file(name: str, what: str, needed: Any) -> None:
    """Include `<data dir>/name` in every backup (when it exists) and put it back on restore (apps call this)."""
    _data_files[name] = DataFile(name, what, needed)


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


class BackupError(DomainError):
    code = "backup_failed"


@dataclass
class RestoreSummary:
    tables: int = 0
    rows: int = 0
    media_files: int = 0
    report: VerifyReport | None = None
    mismatches: list[str] = field(default_factory=list)  # "table: N in the backup, M restored"
    pending_migrations: int = 0
    data_files: list[str] = field(default_factory=list)  # the data dir's files put back
    notes: list[str] = field(default_factory=list)  # what the operator must know (a node key not in the backup)

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.report is not None and self.report.ok


# --- what a database holds -----------------------------------------------------------------------


def _vendor() -> str:
    return connection.vendor


def _counts(cur: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cur.execute(f"SELECT count(*) FROM {quote(table)}")
        counts[table] = int(cur.fetchone()[0])
    return counts


def _facts(cur: Any, tables: list[str], quote: Any) -> dict[str, Any]:
    """Migrations, counts and chain head, read through `cur` (one snapshot)."""
    migrations: list[str] = []
    if "django_migrations" in tables:
        cur.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cur.fetchall()]
    head: dict[str, Any] | None = None
    if "core_changerecord" in tables:
        cur.execute("SELECT id, hash FROM core_changerecord ORDER BY id DESC LIMIT 1")
        row = cur.fetchone()
        head = {"id": int(row[0]), "hash": row[1]} if row else None
    return {"migrations": migrations, "counts": _counts(cur, tables, quote), "chain_head": head}


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return [r[0] for r in rows]


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def database_is_empty() -> bool:
    """No audit entries and no accounts: nothing a restore could overwrite that anyone would miss."""
    tables = set(connection.introspection.table_names())
    with connection.cursor() as cur:
        for table in ("core_changerecord", "auth_user"):
            if table in tables:
                cur.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
                if cur.fetchone():
                    return False
    return True


# --- PostgreSQL client tools -----------------------------------------------------------------------


def _pg_args() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])  # never on the command line, where `ps` would show it
    return args, env


def _run_pg(tool: str, args: list[str]) -> None:
    exe = shutil.which(tool)
    if exe is None:
        raise BackupError(f"{tool} was not found on PATH; install the PostgreSQL client tools")
    conn_args, env = _pg_args()
    done = subprocess.run([exe, *args, *conn_args], env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
        raise BackupError(f"{tool} failed: {reason}")


# --- backup ----------------------------------------------------------------------------------------


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _media_files() -> Iterator[Path]:
    root = Path(settings.MEDIA_ROOT)
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path


def _snapshot_sqlite(work: Path) -> tuple[Path, dict[str, Any]]:
    """Copy the live database with the online backup API (consistent while others write), then read it."""
    copy = work / SQLITE_MEMBER
    source = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    target = sqlite3.connect(str(copy))
    try:
        source.backup(target)
    finally:
        source.close()
    try:
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        facts = _facts(target.cursor(), _sqlite_tables(target), _sqlite_quote)
    finally:
        target.close()
    return copy, facts


def _snapshot_postgresql(work: Path) -> tuple[Path, dict[str, Any]]:
    """pg_dump inside an exported snapshot, so the manifest's counts are those of the dump."""
    dump = work / PG_MEMBER
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot()")
        snapshot_id = cur.fetchone()[0]
        tables = [t for t in connection.introspection.table_names(cur)]
        facts = _facts(cur, tables, connection.ops.quote_name)
        _run_pg(
            "pg_dump",
            ["--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot_id}", "--file", str(dump)],
        )
    return dump, facts


def create_backup(path: Path) -> dict[str, Any]:
    """Write the backup file at `path` (replaced only once complete); return its manifest."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="accord-backup-") as tmp:
        work = Path(tmp)
        if _vendor() == "sqlite":
            db_file, facts = _snapshot_sqlite(work)
        elif _vendor() == "postgresql":
            db_file, facts = _snapshot_postgresql(work)
        else:  # pragma: no cover - Accord runs on these two only
            raise BackupError(f"cannot back up a {_vendor()} database")
        media = list(_media_files())
        carried = carried_files()
        manifest = {
            "format": FORMAT,
            "accord_version": accord.__version__,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": {"vendor": _vendor(), "member": db_file.name},
            **facts,
            "media_files": len(media),
            "data_files": {name: _sha256(data) for name, data in carried.items()},
        }
        partial = path.with_name(f".{path.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode())
                tar.add(db_file, arcname=db_file.name)
                root = Path(settings.MEDIA_ROOT)
                for file in media:
                    tar.add(file, arcname=MEDIA_PREFIX + file.relative_to(root).as_posix())
                for name, data in carried.items():
                    _add_bytes(tar, DATA_PREFIX + name, data)
            os.chmod(partial, 0o600)  # it holds every record, internal ones included
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return manifest


# --- restore ---------------------------------------------------------------------------------------


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with tarfile.open(path, "r:gz") as tar:
            member = tar.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            manifest = json.loads(member.read())
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (tarfile.TarError, KeyError, json.JSONDecodeError, OSError) as exc:
        raise BackupError(f"{path}: not an Accord backup ({exc})") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r} (expected {FORMAT})")
    return manifest


@contextmanager
def _unpacked(path: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="accord-restore-") as tmp, tarfile.open(path, "r:gz") as tar:
        # The "data" filter refuses absolute paths, "..", links out of the tree and device files.
        tar.extractall(tmp, filter="data")
        yield Path(tmp)


def _restore_sqlite(db_file: Path) -> None:
    connections.close_all()
    source = sqlite3.connect(str(db_file))
    target = sqlite3.connect(str(settings.DATABASES["default"]["NAME"]))
    try:
        source.backup(target)  # replaces every page of the live database, WAL included
    finally:
        source.close()
        target.close()


def _restore_postgresql(dump: Path) -> None:
    connections.close_all()
    _run_pg(
        "pg_restore", ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", str(dump)]
    )


def _restore_media(unpacked: Path) -> int:
    source = unpacked / MEDIA_PREFIX.rstrip("/")
    if not source.is_dir():
        return 0
    root = Path(settings.MEDIA_ROOT)
    count = 0
    for file in sorted(source.rglob("*")):
        if file.is_file():
            target = root / file.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
            count += 1
    return count


def restore_backup(path: Path, *, force: bool = False) -> RestoreSummary:
    """Put the backup at `path` into the configured database and MEDIA_ROOT, then verify and count."""
    path = Path(path)
    manifest = read_manifest(path)
    vendor = manifest["database"]["vendor"]
    if vendor != _vendor():
        raise BackupError(f"{path}: a {vendor} backup cannot be restored into a {_vendor()} database")
    carried: dict[str, str] = manifest.get("data_files") or {}
    check_data_files(carried, force=force)
    if not force and not database_is_empty():
        raise BackupError("the database is not empty; restoring would replace it (give --force to do so)")
    summary = RestoreSummary()
    with _unpacked(path) as unpacked:
        db_file = unpacked / manifest["database"]["member"]
        if not db_file.is_file():
            raise BackupError(f"{path}: the database copy is missing")
        if vendor == "sqlite":
            _restore_sqlite(db_file)
        else:
            _restore_postgresql(db_file)
        summary.media_files = _restore_media(unpacked)
        summary.data_files = _restore_data_files(unpacked, carried, summary.mismatches)
    connections.close_all()
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
        facts = _facts(cur, tables, connection.ops.quote_name)
    expected: dict[str, int] = manifest["counts"]
    for table, count in sorted(expected.items()):
        got = facts["counts"].get(table)
        if got != count:
            summary.mismatches.append(
                f"{table}: {count} rows in the backup, {got if got is not None else 'no table'} restored"
            )
    if facts["chain_head"] != manifest["chain_head"]:
        summary.mismatches.append(
            f"audit chain head: {manifest['chain_head']} in the backup, {facts['chain_head']} restored"
        )
    if summary.media_files != manifest["media_files"]:
        summary.mismatches.append(
            f"media: {manifest['media_files']} files in the backup, {summary.media_files} restored"
        )
    summary.tables = len(expected)
    summary.rows = sum(facts["counts"].get(t, 0) for t in expected)
    summary.pending_migrations = len(_known_migrations() - set(facts["migrations"]))
    summary.report = verify()
    for name, data_file in sorted(_data_files.items()):
        if name not in carried and not (Path(settings.DATA_DIR) / name).is_file() and data_file.needed():
            summary.notes.append(
                f"{data_file.what} is not in this backup (made before backups held it) nor at "
                f"{Path(settings.DATA_DIR) / name}: put the copy you kept there, or this installation cannot act "
                "as itself"
            )
    return summary


def carried_files() -> dict[str, bytes]:
    """The registered files of the data dir that exist, by name: what a backup made now holds under data/."""
    out = {}
    for name in sorted(_data_files):
        file = Path(settings.DATA_DIR) / name
        if file.is_file():
            out[name] = file.read_bytes()
    return out


def check_data_files(carried: dict[str, str], *, force: bool) -> None:
    """Refuse (before anything is restored) to replace a file of the data dir that differs from the backup's."""
    for name, digest in carried.items():
        here = Path(settings.DATA_DIR) / name
        if name in _data_files and here.is_file() and _sha256(here.read_bytes()) != digest and not force:
            raise BackupError(
                f"{here} is not {_data_files[name].what} in the backup; restoring would replace "
                "it (give --force to do so: the one here is moved aside, not deleted)"
            )


def _restore_data_files(unpacked: Path, carried: dict[str, str], mismatches: list[str]) -> list[str]:
    """Put back the data dir's files the backup holds (mode 600); one already there and different is moved aside."""
    done = []
    for name, digest in sorted(carried.items()):
        source = unpacked / DATA_PREFIX / name
        if name not in _data_files or not source.is_file():
            mismatches.append(f"{name}: in the manifest, not in the backup")
            continue
        data = source.read_bytes()
        if _sha256(data) != digest:
            mismatches.append(f"{name}: its copy in the backup does not match the manifest")
            continue
        target = Path(settings.DATA_DIR) / name
        if target.is_file() and target.read_bytes() == data:
            done.append(name)
            continue
        if target.exists():
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
            target.replace(target.with_name(f"{name}.replaced-{stamp}"))
        partial = target.with_name(f".{name}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        partial.replace(target)
        done.append(name)
    return done


def _known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}
