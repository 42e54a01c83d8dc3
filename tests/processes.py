"""Running `accord` as an operator does, in its own process: a fresh data directory, and on PostgreSQL a
scratch database beside the test database (what a test transaction cannot show: settings of a real
connection, whole-database commands like backup and restore, a bulk load outside any transaction)."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
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


def shared_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory every process of this test run shares: under pytest-xdist each worker has its own base
    temporary directory, all in one parent; without xdist it is the base temporary directory itself."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` (created if missing), across processes: one xdist worker builds what the
    others then reuse."""
    with open(path, "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


TEMPLATE_STEPS = (("migrate", "-v0"), ("createcachetable",), ("demo",))


def build_installation_template(root: Path) -> Path:
    """`root`/installation-template built unless another process has built it (under a file lock: who comes
    second waits, then reuses it)."""
    template = root / "installation-template"
    done = template / ".complete"
    with file_lock(root / "installation-template.lock"):
        if not done.exists():
            shutil.rmtree(template, ignore_errors=True)
            template.mkdir()
            for step in TEMPLATE_STEPS:
                result = run_accord(template, *step)
                assert result.returncode == 0, f"accord {' '.join(step)}: {result.stderr}"
            done.write_text("")
    return template


def start_installation_template(config: pytest.Config) -> threading.Thread | None:
    """Under pytest-xdist, the whole suite on SQLite: the controller builds the installation template while the
    workers start and collect, so the first worker to need it does not stand waiting a minute for it (the slow
    modules, which need it, go first). Anything else builds it when a test first asks (`installation_template`)."""
    from django.conf import settings

    whole = config.args_source == pytest.Config.ArgsSource.TESTPATHS
    filtered = config.getoption("markexpr", "") or config.getoption("keyword", "")
    xdist = bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")
    if not (xdist and whole and not filtered and settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")):
        return None
    root = config._tmp_path_factory.getbasetemp()  # the workers' base temporary directories are made in it

    def build() -> None:
        with suppress(AssertionError):  # a failed build is built again, and reported, by the fixture
            build_installation_template(root)

    thread = threading.Thread(target=build, name="installation-template", daemon=True)
    thread.start()
    return thread


@pytest.fixture(scope="session")
def installation_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory on SQLite with Accord migrated, the cache table made and the demo loaded, as the
    operator's `accord migrate`, `accord createcachetable` and `accord demo` leave it: built once per test run
    (shared by the xdist workers, under a file lock) and copied by `fresh_installation` wherever a test needs a
    fresh installation. Building one takes about a minute on a busy machine; a copy, a fraction of a second."""
    return build_installation_template(shared_dir(tmp_path_factory))


def fresh_installation(template: Path, data_dir: Path) -> Path:
    """`data_dir` (empty or missing) made a copy of the installation template: its own database, secret key
    and files, as if `accord migrate` and `accord demo` had just been run in it."""
    shutil.copytree(
        template,
        data_dir,
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns(".complete", "gunicorn.ctl", "*.log", "*.lock"),
    )
    return data_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_healthy(url: str, proc: subprocess.Popen[bytes], log_path: Path, seconds: float) -> None:
    """Until `accord serve` at `url` answers /health; its log in the failure if it dies or takes longer. The answer
    counts only once its gunicorn has said it listens there: `free_port` gives a port free at that moment, and
    another test's server (on another xdist worker) can take it first; /health then answered from that one."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
                if r.read() == b"ok" and f"Listening at: {url} " in log_path.read_text(errors="replace"):
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"accord serve did not come up:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.3)


@pytest.fixture
def scratch_database(db) -> Iterator[str]:
    """A uniquely named empty database beside the test database, dropped at the end. It asks for the test database
    (`db`): pytest-django sets up only the databases the run's tests ask for, and a test run alone that read the
    test database's name through this fixture found the server's own name instead."""
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


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("PPid:")), -1)
        if ppid == pid:
            found.append((int(entry.name), cmdline))
    return found


def kill_tree(pid: int) -> None:
    """`kill -9` of `pid` and every process under it (an `accord serve`: gunicorn's workers, the job worker)."""
    pids = [pid]
    for parent in pids:
        pids.extend(p for p, _cmd in children(parent))
    for victim in pids:
        with suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)
