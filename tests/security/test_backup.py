"""`accord backup` / `accord restore` as an operator runs them: real processes, fresh data directories.

The round trip must keep every row, every uploaded file and every signature, and the audit chain must verify.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.processes import database_url, fresh_installation
from tests.processes import run_accord as run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("backup")]  # one worker: the module shares a server

# Prints "<valid> <signed>": plan signatures whose Ed25519 signature and attestation hold.
SIGNATURES = (
    "from accord.agreements.models import Signature; from accord.signing.services import check_signature; "
    "s = list(Signature.objects.exclude(signature='')); print(sum(check_signature(x).ok for x in s), len(s))"
)


def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables if not t.startswith("sqlite_")
        }


def manifest_of(backup: Path) -> dict[str, Any]:
    with tarfile.open(backup) as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.loads(member.read())


def rewrite_manifest(backup: Path, target: Path, change: dict[str, Any]) -> None:
    """A copy of `backup` whose manifest says something else (as a damaged or doctored file would)."""
    with tarfile.open(backup) as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member)
            if member.name == "manifest.json":
                assert data is not None
                manifest = json.loads(data.read())
                manifest.update(change)
                raw = json.dumps(manifest).encode()
                member.size = len(raw)
                dst.addfile(member, io.BytesIO(raw))
            else:
                dst.addfile(member, data)


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> tuple[Path, Path]:
    """A data directory with the seed programme (`accord migrate` and `accord demo`: the session's template) and
    an uploaded file, and its backup."""
    source = fresh_installation(installation_template, tmp_path_factory.mktemp("source"))
    upload = source / "media" / "agreements" / "texts" / "protocol-zh.txt"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_text("中华人民共和国政府和苏维埃社会主义共和国联盟政府议定书", encoding="utf-8")
    backup = tmp_path_factory.mktemp("backups") / "accord.backup"
    done = run(source, "backup", str(backup))
    assert done.returncode == 0, done.stderr
    assert "backup written" in done.stdout
    return source, backup


def test_sqlite_round_trip_keeps_every_row_file_and_signature(sqlite_backup, tmp_path):
    source, backup = sqlite_backup
    manifest = manifest_of(backup)
    assert manifest["format"] == "accord-backup/1" and manifest["database"]["vendor"] == "sqlite"
    assert manifest["counts"] == sqlite_counts(source / "accord.sqlite3")
    assert manifest["counts"]["programmes_project"] == 122
    assert oct(backup.stat().st_mode & 0o777) == "0o600"
    with tarfile.open(backup) as tar:
        names = tar.getnames()
    assert "secret_key" not in " ".join(names)
    assert "media/agreements/texts/protocol-zh.txt" in names

    target = tmp_path / "restored"
    done = run(target, "restore", str(backup))
    assert done.returncode == 0, done.stderr
    assert "ok: counts equal the manifest and the audit chain verifies" in done.stdout
    assert sqlite_counts(target / "accord.sqlite3") == manifest["counts"]
    restored = target / "media" / "agreements" / "texts" / "protocol-zh.txt"
    assert restored.read_bytes() == (source / "media" / "agreements" / "texts" / "protocol-zh.txt").read_bytes()
    assert run(target, "verify").stdout.startswith("ok:")
    valid, signed = map(int, run(target, "shell", "-c", SIGNATURES).stdout.split()[-2:])
    assert signed >= 2 and valid == signed


def test_restore_refuses_a_database_in_use_unless_forced(sqlite_backup):
    source, backup = sqlite_backup
    refused = run(source, "restore", str(backup))
    assert refused.returncode == 1
    assert "not empty" in refused.stderr and "--force" in refused.stderr
    forced = run(source, "restore", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr


def test_restore_reports_a_count_that_differs_from_the_manifest(sqlite_backup, tmp_path):
    _, backup = sqlite_backup
    manifest = manifest_of(backup)
    doctored = tmp_path / "doctored.backup"
    rewrite_manifest(backup, doctored, {"counts": {**manifest["counts"], "programmes_project": 123}})
    done = run(tmp_path / "restored", "restore", str(doctored))
    assert done.returncode == 1
    assert "programmes_project: 123 rows in the backup, 122 restored" in done.stderr


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a tar file")
    done = run(tmp_path / "data", "restore", str(junk))
    assert done.returncode == 1
    assert "not an Accord backup" in done.stderr.strip().splitlines()[-1]


# --- PostgreSQL: pg_dump of the (seeded) test database, pg_restore into a new one ----------------------


def _on_postgresql() -> bool:
    return os.environ.get("ACCORD_DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.skipif(not _on_postgresql(), reason="runs when the suite runs on PostgreSQL")
def test_postgresql_round_trip_keeps_every_row_and_signature(scratch_database, tmp_path):
    from django.conf import settings

    source_url = database_url(settings.DATABASES["default"]["NAME"])  # the test database, seeded and committed
    backup = tmp_path / "pg.backup"
    done = run(tmp_path / "source", "backup", str(backup), database_url=source_url)
    assert done.returncode == 0, done.stderr
    manifest = manifest_of(backup)
    assert manifest["database"] == {"vendor": "postgresql", "member": "database.pgdump"}
    assert manifest["counts"]["programmes_project"] == 122

    target_url = database_url(scratch_database)
    restored = run(tmp_path / "target", "restore", str(backup), database_url=target_url)
    assert restored.returncode == 0, restored.stderr
    assert "ok: counts equal the manifest" in restored.stdout
    assert run(tmp_path / "target", "verify", database_url=target_url).stdout.startswith("ok:")
    signatures = run(tmp_path / "target", "shell", "-c", SIGNATURES, database_url=target_url)
    valid, signed = map(int, signatures.stdout.split()[-2:])
    assert signed >= 2 and valid == signed
    again = run(tmp_path / "target", "restore", str(backup), database_url=target_url)
    assert again.returncode == 1 and "not empty" in again.stderr
