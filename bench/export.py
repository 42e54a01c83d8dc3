"""Exporting N projects to CSV: accord's export_stream against a raw cursor into csv.writer, same run, same database.

    .venv/bin/python -m bench.export [--projects 100000] [--database-url URL]

Without a database URL (the flag or ACCORD_DATABASE_URL) it uses a fresh SQLite file in a temporary
directory; a PostgreSQL URL names a throwaway database (its name must contain "bench") that is dropped,
created, and dropped again. The projects are written with core.bulk.create_many (audited, unvalidated:
bench data). Each path is timed over the whole export with the output counted and thrown away; peak
memory is measured in a second, separate pass under tracemalloc (Python allocations, which tracing slows).
Goals (the issue): at least 100,000 rows/s, and peak memory that does not grow with N (≤ 200 MB at 1M).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from bench.common import add_database_url, bench_database, database_version, machine, setup_django

GOAL_ROWS_PER_S = 100_000
GOAL_PEAK_MB = 200
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


def build(n: int) -> float:
    """An agreement of two parties and `n` projects with three-language titles; returns seconds taken."""
    from django.db import transaction

    from accord.agreements.services import create_agreement
    from accord.core.actor import Actor, acting_as
    from accord.core.bulk import create_many
    from accord.directory.services import create_party
    from accord.programmes.choices import FieldOfScience
    from accord.programmes.models import Project

    started = time.perf_counter()
    fields = FieldOfScience.values
    with acting_as(Actor(None, "bench", "bench-export", system=True)), transaction.atomic():
        a = create_party(code="CN", name={"en": "China"}, languages=["zh"])
        b = create_party(code="SU", name={"en": "USSR"}, languages=["ru"])
        agreement = create_agreement(parties=[a, b], title={"en": "Bench agreement"}, signed_on=dt.date(2020, 1, 1))
        step = 20_000
        for start in range(0, n, step):
            projects = [
                Project(
                    agreement=agreement,
                    number=str(i),
                    external_id=f"bench:{i}",
                    title={"en": f"Project {i}", "zh": f"项目 {i}", "ru": f"Проект {i}"},
                    field=fields[i % len(fields)],
                    start_on=dt.date(2020, 1, 1) + dt.timedelta(days=i % 365),
                )
                for i in range(start + 1, min(n, start + step) + 1)
            ]
            create_many(Project, projects, validate=False)
    return time.perf_counter() - started


def accord_export() -> Iterator[bytes]:
    from accord.interop.services import export_stream

    return export_stream("projects", "csv")


def raw_export() -> Iterator[bytes]:
    """The floor: one joined SELECT of the same columns, written by csv.writer with no per-column logic."""
    import io

    from django.db import connection

    sql = (
        "SELECT p.uid, p.external_id, a.external_id, p.number, p.title, p.field, p.modality, p.start_on, p.end_on,"
        " p.visibility FROM programmes_project p JOIN agreements_agreement a ON a.id = p.agreement_id ORDER BY p.id"
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with connection.cursor() as cur:
        cur.execute(sql)
        while rows := cur.fetchmany(2000):
            writer.writerows(rows)
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()


def measure(path: Callable[[], Iterator[bytes]]) -> dict[str, Any]:
    started = time.perf_counter()
    size = chunks = 0
    for chunk in path():
        size += len(chunk)
        chunks += 1
    seconds = time.perf_counter() - started
    tracemalloc.start()
    for _chunk in path():
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": round(seconds, 3), "bytes": size, "chunks": chunks, "peak_mb": round(peak / 2**20, 1)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    built = build(args.projects)
    measure(accord_export)  # warm-up: caches, the query plan, the first imports
    results = {"accord": measure(accord_export), "raw cursor": measure(raw_export)}
    for r in results.values():
        r["rows_per_s"] = round(args.projects / r["seconds"])
    ratio = results["accord"]["seconds"] / results["raw cursor"]["seconds"]
    return {
        "vendor": connection.vendor,
        "database_version": database_version(),
        "built_s": round(built, 1),
        "paths": results,
        "ratio": round(ratio, 2),
        "goal_rows_per_s": GOAL_ROWS_PER_S,
        "goal_peak_mb": GOAL_PEAK_MB,
        "goal_met": results["accord"]["rows_per_s"] >= GOAL_ROWS_PER_S and results["accord"]["peak_mb"] <= GOAL_PEAK_MB,
    }


def print_table(result: dict[str, Any], n: int) -> None:
    print(f"export of {n} projects to CSV, {result['vendor']} {result['database_version']}")
    print(f"{'path':<12} {'seconds':>9} {'rows/s':>10} {'MB out':>8} {'chunks':>8} {'peak MB':>8}")
    for name, r in result["paths"].items():
        print(
            f"{name:<12} {r['seconds']:>9.2f} {r['rows_per_s']:>10,} {r['bytes'] / 2**20:>8.1f} "
            f"{r['chunks']:>8} {r['peak_mb']:>8.1f}"
        )
    met = "met" if result["goal_met"] else "MISSED"
    print(
        f"accord / raw cursor: {result['ratio']}x; goal ≥ {GOAL_ROWS_PER_S:,} rows/s and ≤ {GOAL_PEAK_MB} MB: {met}"
        f" (data built in {result['built_s']} s)"
    )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.export", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--projects", type=int, default=100_000, help="projects to export (default 100000)")
    add_database_url(parser)
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 if the goal is missed")
    args = parser.parse_args(argv)
    if args.projects < 1:
        parser.error("--projects must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with bench_database(args.database_url):
        setup_django()

        result = run(args)
        meta = {
            "benchmark": "export",
            "date": dt.date.today().isoformat(),
            "started_utc": started,
            "projects": args.projects,
            **machine(),
        }
    print_table(result, args.projects)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{meta['date']}-export-{result['vendor']}.json"
    path.write_text(json.dumps({**meta, **result}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {path.relative_to(BENCH_DIR.parent)}")
    return 1 if args.fail_on_miss and not result["goal_met"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
