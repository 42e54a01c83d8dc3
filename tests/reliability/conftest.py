"""Real Accord installations for the reliability tests: `accord serve` and `accord` commands in subprocesses.

Each test gets its own data directory and, when the suite runs on PostgreSQL (ACCORD_DATABASE_URL set), its own
freshly created database ("accord_s2_<random>", dropped at the end). Migrating and loading the demo is slow, so
it is done once per session into a template that every installation copies (a file copy for SQLite,
CREATE DATABASE ... TEMPLATE for PostgreSQL). On PostgreSQL each xdist worker builds its own on purpose: both
reach these modules first (slow modules go out first), and one template shared under a lock left the other worker
waiting as long as the build took (measured in the PostgreSQL pass: a 52 s build and a 28 s wait, against two
builds of 25-26 s side by side), so sharing saved CPU but no time on two cores.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.processes import free_port, fresh_installation, wait_until_healthy


def _pg_base() -> dict[str, Any] | None:
    """Connection parameters of the suite's PostgreSQL server, or None when the suite runs on SQLite."""
    return _pg_params(os.environ.get("ACCORD_DATABASE_URL", ""))


def _pg_params(url: str) -> dict[str, Any] | None:
    """Connection parameters of the PostgreSQL server `url` names, or None when it names none."""
    if not url:
        return None
    import dj_database_url

    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"]:
        return None
    return {
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
    }


def _pg_admin(params: dict[str, Any], statement: str, *names: str) -> None:
    import psycopg
    from psycopg import sql

    connect = {k: v for k, v in params.items() if v is not None}
    with psycopg.connect(dbname="postgres", autocommit=True, **connect) as conn:
        conn.execute(sql.SQL(statement).format(*(sql.Identifier(n) for n in names)))


def _pg_url(params: dict[str, Any], name: str) -> str:
    auth = params["user"] or ""
    if params["password"]:
        auth += f":{params['password']}"
    host = params["host"] or "127.0.0.1"
    port = f":{params['port']}" if params["port"] else ""
    return f"postgres://{auth}{'@' if auth else ''}{host}{port}/{name}"


@dataclass
class Instance:
    """One installation: a data directory and (on PostgreSQL) a database of its own."""

    data_dir: Path
    database: str | None = None  # PostgreSQL database name; None on SQLite
    pg: dict[str, Any] | None = None
    logs: list[Path] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in {"ACCORD_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
        env["ACCORD_DATA_DIR"] = str(self.data_dir)
        env["ACCORD_LOG_LEVEL"] = "WARNING"
        env["PYTHONUNBUFFERED"] = "1"  # a killed process's log is complete up to the kill
        if self.pg is not None and self.database:
            env["ACCORD_DATABASE_URL"] = _pg_url(self.pg, self.database)
        return env

    @property
    def vendor(self) -> str:
        return "postgresql" if self.database else "sqlite"

    def accord(
        self, *args: str, timeout: float = 300, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `accord ARGS` against this installation (with `env` added to its environment) and return what it
        printed."""
        done = subprocess.run(
            [sys.executable, "-m", "accord", *args],
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"accord {' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def popen(self, *args: str, log: Path) -> subprocess.Popen[bytes]:
        with open(log, "wb") as fh:
            return subprocess.Popen(
                [sys.executable, "-m", "accord", *args], env=self.env, stdout=fh, stderr=subprocess.STDOUT
            )

    def token(self, user: str, scope: str = "read-write") -> str:
        out = self.accord("token", "issue", user, f"reliability-{secrets.token_hex(3)}", "--scope", scope)
        return out.stdout.splitlines()[0].strip()

    def sql(self, query: str) -> list[tuple[Any, ...]]:
        """Read-only SQL on this installation's database, outside Django (the test process uses its own)."""
        if self.database is None:
            import sqlite3

            lite = sqlite3.connect(self.data_dir / "accord.sqlite3", timeout=30)
            try:
                return lite.execute(query).fetchall()
            finally:
                lite.close()
        import psycopg

        assert self.pg is not None
        connect = {k: v for k, v in self.pg.items() if v is not None}
        with psycopg.connect(dbname=self.database, **connect) as conn:
            return conn.execute(query).fetchall()


class Installations:
    """Makes fresh installations from the session's template and removes them at the end."""

    def __init__(self, root: Path, sqlite_template: Path):
        self.root = root
        self.sqlite_template = sqlite_template  # the session's installation template (tests.processes)
        self.pg = _pg_base()
        self.suffix = secrets.token_hex(4)
        self.made: list[Instance] = []
        self.template: Instance | None = None

    def _template(self) -> Instance:
        if self.template is None and not self.pg:
            self.template = Instance(self.sqlite_template)  # migrated, demo loaded: shared, never written to
        if self.template is None:
            name = f"accord_s2_{self.suffix}_template" if self.pg else None
            if self.pg and name:
                _pg_admin(self.pg, "CREATE DATABASE {}", name)
            self.template = Instance(self.root / "template", name, self.pg)
            self.template.data_dir.mkdir()
            self.template.accord("migrate", "--verbosity", "0")
            self.template.accord("createcachetable")
            self.template.accord("demo")
        return self.template

    def new(self) -> Instance:
        template = self._template()
        n = len(self.made) + 1
        data_dir = self.root / f"instance-{n}"
        fresh_installation(template.data_dir, data_dir)
        name = None
        if self.pg:
            name = f"accord_s2_{self.suffix}_{n}"
            _pg_admin(self.pg, "CREATE DATABASE {} TEMPLATE {}", name, template.database or "")
        instance = Instance(data_dir, name, self.pg)
        self.made.append(instance)
        return instance

    def drop_all(self) -> None:
        if not self.pg:
            return
        for instance in [*self.made, *([self.template] if self.template else [])]:
            if instance.database:
                with suppress(Exception):
                    _pg_admin(self.pg, "DROP DATABASE IF EXISTS {} WITH (FORCE)", instance.database)


@pytest.fixture(scope="session")
def installations(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Installations]:
    # The SQLite template only on SQLite: on PostgreSQL the installations copy a template database of their own.
    sqlite_template = Path() if _pg_base() else request.getfixturevalue("installation_template")
    made = Installations(tmp_path_factory.mktemp("reliability"), sqlite_template)
    try:
        yield made
    finally:
        made.drop_all()


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


@contextmanager
def serving(
    instance: Instance,
    *,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
    extra_args: tuple[str, ...] = (),
    port: int | None = None,
) -> Iterator[Server]:
    """`accord serve` on a free loopback port (or `port`: a server started again where it was); stopped (SIGTERM,
    then SIGKILL) when the block ends. A free port another worker's server took first: started again on another."""
    env = {**instance.env, **(extra_env or {})}
    attempts = 1 if port else 3
    for attempt in range(attempts):
        chosen = port or free_port()
        log = instance.data_dir / f"serve-{chosen}.log"
        with open(log, "wb") as fh:
            command = ["serve", "--port", str(chosen), "--workers", str(workers), *extra_args]
            proc = subprocess.Popen(
                [sys.executable, "-m", "accord", *command],
                env=env,
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        server = Server(f"http://127.0.0.1:{chosen}", proc, log)
        try:
            # collectstatic compresses every static file at each start: slow when busy
            wait_until_healthy(server.url, proc, log, 600)
            break
        except AssertionError:
            _stop(proc)
            if attempt + 1 == attempts or "Address already in use" not in server.log_text():
                raise
    try:
        yield server
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def server_errors(log_text: str) -> list[str]:
    """Lines of a server log that show a crash: tracebacks, 5xx in the access log, SQLite lock errors."""
    bad = []
    for line in log_text.splitlines():
        crash = any(s in line for s in ("Traceback", "database is locked", "[CRITICAL]", "WORKER TIMEOUT"))
        # gunicorn's access log: "GET /x HTTP/1.1" 500 ...
        if crash or ('" 5' in line and " HTTP/1." in line):
            bad.append(line)
    return bad


@dataclass
class Live:
    """The session's running server, shared by the API tests: `accord serve` spends most of its start-up
    compressing static files (collectstatic), too slow to pay once per test module."""

    instance: Instance
    server: Server
    tokens: dict[str, str]  # "admin", "admin-read", "cn-coordinator", "su-coordinator": token keys


@pytest.fixture(scope="session")
def live(installations: Installations) -> Iterator[Live]:
    instance = installations.new()
    tokens = {
        "admin": instance.token("admin"),
        "admin-read": instance.token("admin", "read"),
        "cn-coordinator": instance.token("cn-coordinator"),
        "su-coordinator": instance.token("su-coordinator"),
    }
    with serving(instance, workers=3) as server:
        yield Live(instance, server, tokens)
