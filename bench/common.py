"""What every benchmark needs: a throwaway database, Django set up against it, percentiles, provenance.

A benchmark never touches ./var or an existing database: SQLite runs in a fresh temporary directory, and a
PostgreSQL URL must name a database whose name contains "bench" (it is dropped, created and dropped again).
"""

from __future__ import annotations

import contextlib
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


def percentile(sorted_values: Sequence[int], p: float) -> int:
    """Nearest-rank percentile: always an observed value, so p99 of 1000 writes is the 10th slowest."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def ms(ns: Sequence[int], p: float) -> float:
    """The p-th percentile of nanosecond timings, in milliseconds."""
    return round(percentile(sorted(ns), p) / 1e6, 3)


class DatabaseTime:
    """Sums the time spent in the database driver (an execute wrapper); counts statements."""

    def __init__(self) -> None:
        self.ns = 0
        self.queries = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            self.ns += time.perf_counter_ns() - t0
            self.queries += 1


def connection_cursor() -> Any:
    from django.db import connection

    return connection.cursor()


def write_raw(cur: Any, tables: Sequence[tuple[str, Sequence[str], Any]]) -> None:
    """The baseline's plain load: each (table, columns, rows) by COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    for table, cols, rows in tables:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cur.executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})", rows)


def _pg_params(url: str) -> dict[str, Any] | None:
    import dj_database_url

    cfg = dj_database_url.parse(url)
    if "postgresql" not in cfg["ENGINE"] and "postgis" not in cfg["ENGINE"]:
        return None
    return {
        "dbname": cfg["NAME"],
        "user": cfg.get("USER") or None,
        "password": cfg.get("PASSWORD") or None,
        "host": cfg.get("HOST") or None,
        "port": cfg.get("PORT") or None,
    }


def _pg_admin(params: dict[str, Any], statements: Sequence[str]) -> None:
    """Run CREATE/DROP DATABASE from the maintenance database (they cannot run inside a transaction)."""
    import psycopg
    from psycopg import sql

    connect = {k: v for k, v in params.items() if k != "dbname" and v is not None}
    with psycopg.connect(dbname="postgres", autocommit=True, **connect) as conn:
        for stmt in statements:
            conn.execute(sql.SQL(stmt).format(sql.Identifier(params["dbname"])))


@contextlib.contextmanager
def bench_database(url: str | None) -> Iterator[None]:
    """Point Accord's settings at a fresh database for this run, and remove it afterwards."""
    data_dir = tempfile.mkdtemp(prefix="accord-bench-")
    # A fresh data dir: the SQLite file lives there, and the generated secret key stays out of ./var.
    os.environ["ACCORD_DATA_DIR"] = data_dir
    os.environ["ACCORD_DEBUG"] = "0"  # DEBUG records every query, which would slow both paths unevenly
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    pg: dict[str, Any] | None = None
    if url:
        os.environ["ACCORD_DATABASE_URL"] = url
        pg = _pg_params(url)
    else:
        os.environ.pop("ACCORD_DATABASE_URL", None)
    if pg is not None:
        # The database is dropped: refuse names that do not say they are for benchmarking.
        if "bench" not in pg["dbname"]:
            raise SystemExit(f"refusing to drop and recreate {pg['dbname']!r}: use a database name containing 'bench'")
        _pg_admin(pg, ["DROP DATABASE IF EXISTS {} WITH (FORCE)", "CREATE DATABASE {}"])
    try:
        yield
    finally:
        if "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if pg is not None:
            _pg_admin(pg, ["DROP DATABASE IF EXISTS {} WITH (FORCE)"])
        shutil.rmtree(data_dir, ignore_errors=True)


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def database_version() -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SELECT version()")
        return str(cur.fetchone()[0])


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=BENCH_DIR.parent, capture_output=True, text=True, check=True
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict[str, Any]:
    """Where a result was measured, stored with it: the code, the runtime, and how busy the machine was."""
    import django

    return {
        "commit": git_commit(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def add_database_url(parser: Any) -> None:
    """The --database-url option every benchmark takes."""
    parser.add_argument(
        "--database-url",
        default=os.environ.get("ACCORD_DATABASE_URL"),
        help="a PostgreSQL database to DROP and recreate (its name must contain 'bench'); default: fresh SQLite",
    )


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (a gunicorn master's workers, and theirs), read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        found.append(p)
        todo += children.get(p, [])
    return found


def memory_kb(pid: int, field: str) -> int:
    """A field of /proc/PID/smaps_rollup ("Rss", "Pss") in kB; 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
