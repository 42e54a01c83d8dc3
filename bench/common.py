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
    # Collected static files shared with every run and with the tests' servers (tests/conftest.py): collecting
    # and compressing them took 20 s at each benchmark server's first start, and they depend only on the code.
    os.environ.setdefault("ACCORD_STATIC_ROOT", str(Path(__file__).resolve().parents[1] / "var" / "collected-static"))
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


def table_counts() -> dict[str, int]:
    """Rows in each of the database's tables (before and after an import: what it stored)."""
    from django.db import connection

    with connection.cursor() as cur:
        counts = {}
        for name in connection.introspection.table_names(cur):
            cur.execute(f'SELECT count(*) FROM "{name}"')
            counts[name] = int(cur.fetchone()[0])
        return counts


FLOOR_PREFIX = "floor_"


def _copy_table_schema(cur: Any, tables: Sequence[str]) -> list[str]:
    """Empty copies of `tables` with their indexes (and on SQLite their triggers and the FTS tables these feed),
    named floor_<name>; returns the tables made. PostgreSQL: LIKE ... INCLUDING ALL (indexes, defaults, checks; no
    foreign keys or triggers, and Accord's PostgreSQL tables have no triggers)."""
    import re

    from django.db import connection

    if connection.vendor == "postgresql":
        for table in tables:
            cur.execute(f'CREATE TABLE "{FLOOR_PREFIX}{table}" (LIKE "{table}" INCLUDING ALL)')
        return [FLOOR_PREFIX + t for t in tables]
    cur.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    schema = cur.fetchall()
    fed = [  # external-content FTS tables over a copied table, filled by its triggers
        name for kind, name, _, sql in schema if kind == "table" and any(f"content='{t}'" in sql for t in tables)
    ]
    copied = [*tables, *fed]
    parts = [name for kind, name, tbl, _ in schema if kind in ("index", "trigger") and tbl in tables]
    names = sorted({*copied, *parts}, key=len, reverse=True)
    rename = re.compile(r"(?<![\w])(" + "|".join(map(re.escape, names)) + r")(?![\w])")
    order = {"table": 0, "index": 1, "trigger": 2}
    for _kind, name, _, sql in sorted(schema, key=lambda row: order.get(row[0], 3)):
        if name in copied or name in parts:
            cur.execute(rename.sub(lambda m: FLOOR_PREFIX + m.group(1), sql))
    return [FLOOR_PREFIX + t for t in copied]


def _insert_many_rows(cur: Any, table: str, cols: Sequence[str], rows: Sequence[Any]) -> None:
    """SQLite: many rows per INSERT (as Accord's own bulk writes do). An FTS5 index fed by a trigger writes its
    pending terms out at the end of each statement: a row per statement (executemany) costs it 2.7x as much."""
    per = max(1, min(1000, 30000 // len(cols)))
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        values = ", ".join(["(" + ", ".join(["%s"] * len(cols)) + ")"] * len(chunk))
        cur.execute(f"INSERT INTO {table} ({', '.join(cols)}) VALUES {values}", [v for row in chunk for v in row])


def stored_floor(groups: dict[str, Sequence[str]]) -> list[dict[str, Any]]:
    """The database's own part of an import, measured: every row the named tables hold, read back and written
    again into empty copies of the same tables with the same indexes and triggers (COPY on PostgreSQL, as the raw
    load; on SQLite many rows an INSERT, as Accord's bulk writes), one transaction per group, timed from the first
    row to the commit. What Accord's Python adds on top (reading, validating, snapshots, hashing) is left out, so
    no import into these tables can be faster than the group's total: the floor of the schema, beside the raw
    load's three narrow tables. Returns a row per group: scenario, seconds, cpu, records."""
    from django.db import connection, transaction

    out = []
    for group, tables in groups.items():
        loaded: list[tuple[str, Sequence[str], list[Any]]] = []
        with connection.cursor() as cur:
            made = _copy_table_schema(cur, tables)
            for table in tables:
                cur.execute(f'SELECT * FROM "{table}" WHERE false')
                cols = [d[0] for d in cur.description]
                as_text = ", ".join(
                    f'"{c}"::text' if connection.vendor == "postgresql" else f'"{c}"' for c in cols
                )  # COPY reads text into any column type, as the raw load's dates are
                cur.execute(f'SELECT {as_text} FROM "{table}"')
                loaded.append((FLOOR_PREFIX + table, [f'"{c}"' for c in cols], cur.fetchall()))
        t, c = time.perf_counter(), time.process_time()
        with transaction.atomic(), connection.cursor() as cur:
            if connection.vendor == "postgresql":
                write_raw(cur, loaded)
            else:
                for copy, columns, values in loaded:
                    _insert_many_rows(cur, copy, columns, values)
        seconds, cpu = time.perf_counter() - t, time.process_time() - c
        with transaction.atomic(), connection.cursor() as cur:
            for copy in reversed(made):
                cur.execute(f'DROP TABLE "{copy}"')
        out.append(
            {
                "scenario": f"floor: {group}",
                "seconds": seconds,
                "cpu": cpu,
                "records": sum(len(r) for _, _, r in loaded),
            }
        )
    return out


def floor_rows(stored: dict[str, int]) -> list[dict[str, Any]]:
    """The `floor` rows of an import benchmark: what the import stored (`stored`: the tables whose rows it added, from
    `table_counts` before and after) written again raw, by group (records, audit chain, search index), and their sum."""
    from accord.core.models import ChangeRecord, SearchEntry

    chain, search = ChangeRecord._meta.db_table, SearchEntry._meta.db_table
    records = [t for t in stored if t not in (chain, search) and not t.startswith(search + "_fts")]
    rows = stored_floor({"records": records, "audit chain": [chain], "search index": [search]})
    total = {k: sum(r[k] for r in rows) for k in ("seconds", "cpu", "records")}
    return [*rows, {"scenario": "floor: all", **total}]
