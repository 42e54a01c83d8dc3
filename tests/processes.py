"""Running `accord` as an operator does, in its own process: a fresh data directory, and on PostgreSQL a
scratch database beside the test database (what a test transaction cannot show: settings of a real
connection, whole-database commands like backup and restore, a bulk load outside any transaction)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest


def run_accord(data_dir: Path, *args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"ACCORD_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["ACCORD_DATA_DIR"] = str(data_dir)
    if database_url:
        env["ACCORD_DATABASE_URL"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes], log_path: Path, seconds: float) -> None:
    """Until `accord serve` at `url` answers /health; its log in the failure if it dies or takes longer."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"accord serve did not come up:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.3)


@pytest.fixture
def scratch_database(django_db_setup, django_db_blocker) -> Iterator[str]:
    """A uniquely named empty database beside the test database, dropped at the end."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    name = f"accord_restore_{uuid.uuid4().hex[:12]}"
    params = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None}
    params |= {"password": db["PASSWORD"] or None, "dbname": "postgres", "autocommit": True}
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(name: str) -> str:
    """The URL of database `name` on the test database's server."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
