"""Import of the whole Horizon 2020 participation table through `accord.interop.sources.cordis.import_cordis`,
against a raw parse and bulk load of the same rows, measured in the same run.

    .venv/bin/python -m bench.import_cordis [--database-url URL] [--profile] [--fail-on-miss]

Without a database URL (the flag or ACCORD_DATABASE_URL) it uses a fresh SQLite file in a temporary
directory; a PostgreSQL URL names a throwaway database (its name must contain "bench") that is dropped,
created, and dropped again at the end.

Rows of the table:
- `raw load` (the baseline): gunzip, the csv module, and the 31,451 projects, 35,871 organisations and
  144,726 participations into three indexed tables of their own (executemany on SQLite, COPY on PostgreSQL),
  one transaction.
- `accord import`: `import_cordis(h2020.csv.gz)` end to end from the file: parse, check every cell, upsert
  parties, the programme agreement and its parties, organisations, projects and participations through
  core.bulk (every record validated, written, and audited in the hash chain), one transaction.
- `accord re-import`: the same file again; everything is found unchanged (no writes): the file's fingerprint
  matches the one the import kept and the audit chain has no entry on those kinds since (one query), so no
  record is read or compared (interop.sources.fingerprint).
- `re-import, compared`: the same again with the fingerprint deleted first: every record compared with what is
  stored (the path of a re-import whose file or records changed since); nothing written either.
- `raw parse`: the raw load's parse alone (gunzip, csv, dedupe), the re-import's baseline.
- `floor: records`, `floor: audit chain`, `floor: search index`, `floor: all`: the database's own part of the
  import, measured in the same run: every row the import stored (its records' tables, its chain entries, its search
  rows) read back and written again the raw load's way into empty copies of the same tables, with their indexes
  (and on SQLite the FTS index's triggers), one transaction a group (bench.common.stored_floor). No import into
  Accord's tables, whatever its Python, can take less than `floor: all`; its ratio to the raw load is the lowest
  ratio this schema allows.

Each row has wall seconds and this process's CPU seconds, and both ratios: on a shared machine the CPU ratio
moves less with the load (PostgreSQL's own work is not in it). The load average is printed before and after.
- `verify (chain)`: `accord.core.verify.verify()` over everything written; must report ok.

Goals: the first import of the 212,048 records at >= 60,000 records/s and <= 3x the raw load; the unchanged
re-import <= 1.5x the raw parse alone.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime as dt
import gzip
import io
import json
import os
import platform
import pstats
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import (
    add_database_url,
    bench_database,
    database_version,
    floor_rows,
    git_commit,
    setup_django,
    table_counts,
    write_raw,
)

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DATA = Path("/work/shared/data/h2020-participations-eunets/h2020.csv.gz")
GOAL_RATE = 60_000
GOAL_RATIO = 3.0
GOAL_REIMPORT = 1.5  # an unchanged re-import against the raw parse alone


def raw_load(path: Path) -> tuple[int, float, float]:
    """The cheapest honest load of the same rows: parse, dedupe projects and organisations, bulk insert.

    Returns the records loaded and the parse's own wall and CPU seconds (the re-import's baseline).
    """
    from django.db import connection, transaction

    t, c = time.perf_counter(), time.process_time()
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        projects: dict[str, tuple[str, str | None, str | None]] = {}
        orgs: dict[str, tuple[str, str, str]] = {}
        parts: list[tuple[str, str, str]] = []
        for r in reader:
            rcn, role, pic, kind, _, country, start, end = r[:8]
            projects.setdefault(rcn, (rcn, None if start == "NA" else start, None if end == "NA" else end))
            orgs.setdefault(pic, (pic, kind, country))
            parts.append((rcn, pic, role))
    parse_s, parse_cpu = time.perf_counter() - t, time.process_time() - c
    with transaction.atomic(), connection.cursor() as cur:
        for stmt in (
            "CREATE TABLE raw_project (id serial PRIMARY KEY, rcn varchar(32) UNIQUE, start_on date, end_on date)",
            "CREATE TABLE raw_org (id serial PRIMARY KEY, pic varchar(32) UNIQUE, kind varchar(8), country varchar(8))",
            "CREATE TABLE raw_participation (id serial PRIMARY KEY, rcn varchar(32), pic varchar(32),"
            " role varchar(16), UNIQUE (rcn, pic))",
        ):
            if connection.vendor == "sqlite":
                stmt = stmt.replace("id serial PRIMARY KEY", "id integer PRIMARY KEY")
            cur.execute(stmt)
        tables = [
            ("raw_project", ("rcn", "start_on", "end_on"), list(projects.values())),
            ("raw_org", ("pic", "kind", "country"), list(orgs.values())),
            ("raw_participation", ("rcn", "pic", "role"), parts),
        ]
        write_raw(cur, tables)
    return len(projects) + len(orgs) + len(parts), parse_s, parse_cpu


def reimported(scenario: str, data: Path) -> dict[str, Any]:
    """A re-import of `data` timed (wall and this process's CPU), with what it wrote (nothing, when unchanged)."""
    from accord.interop.sources.cordis import import_cordis

    t, c = time.perf_counter(), time.process_time()
    report = import_cordis(data)
    return {
        "scenario": scenario,
        "seconds": time.perf_counter() - t,
        "cpu": time.process_time() - c,
        "records": report.records,
        "written": sum(report.created.values()) + sum(report.updated.values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_url(parser)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--profile", action="store_true", help="profile the import (cProfile) and print the top")
    parser.add_argument("--fail-on-miss", action="store_true")
    args = parser.parse_args(argv)

    with bench_database(args.database_url):
        setup_django()
        from accord.core.actor import Actor, acting_as
        from accord.core.verify import verify
        from accord.interop.sources.cordis import import_cordis

        rows: list[dict[str, Any]] = []
        load = os.getloadavg()
        t, c = time.perf_counter(), time.process_time()
        raw_records, parse_s, parse_cpu = raw_load(args.data)
        raw_s, raw_cpu = time.perf_counter() - t, time.process_time() - c
        rows.append({"scenario": "raw parse", "seconds": parse_s, "cpu": parse_cpu, "records": raw_records})
        rows.append({"scenario": "raw load", "seconds": raw_s, "cpu": raw_cpu, "records": raw_records})

        before = table_counts()
        with acting_as(Actor(None, "bench", "bench-import", system=True)):
            profiler = cProfile.Profile() if args.profile else None
            t, c = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            report = import_cordis(args.data)
            if profiler:
                profiler.disable()
            first_s, first_cpu = time.perf_counter() - t, time.process_time() - c
            stored = {name: n for name, n in table_counts().items() if n > before.get(name, 0)}
            core = sum(report.created[k] for k in ("project", "organisation", "participation"))
            rows.append(
                {
                    "scenario": "accord import",
                    "seconds": first_s,
                    "cpu": first_cpu,
                    "records": core,
                    "all_records": report.records,
                }
            )
            rows.append(reimported("accord re-import", args.data))
            # The same file once more with its fingerprint forgotten: every record compared with what is stored
            # (what a re-import costs when the file or the records changed since; nothing is written either).
            try:
                from accord.interop.models import ImportFingerprint
            except ImportError:  # a tree from before fingerprints (an A/B run)
                ImportFingerprint = None
            if ImportFingerprint is not None:
                ImportFingerprint.objects.all().delete()
                rows.append(reimported("re-import, compared", args.data))
            t, c = time.perf_counter(), time.process_time()
            outcome = verify()
            ok = bool(getattr(outcome, "ok", outcome))
            rows.append(
                {
                    "scenario": "verify (chain)",
                    "seconds": time.perf_counter() - t,
                    "cpu": time.process_time() - c,
                    "ok": ok,
                }
            )
        rows += floor_rows(stored)

        # Ratios: to the raw load, and (the re-import's goal) to the raw parse alone; wall and this process's CPU
        # (on a shared machine the CPU ratio moves less with the load; PostgreSQL's own work is not in it).
        for row in rows:
            if "records" in row and row["seconds"]:
                row["records_per_s"] = row["records"] / row["seconds"]
            row["ratio"] = row["seconds"] / raw_s
            row["cpu_ratio"] = row["cpu"] / raw_cpu
            row["ratio_to_parse"] = row["seconds"] / parse_s
            row["cpu_ratio_to_parse"] = row["cpu"] / parse_cpu
        first, again_row = rows[2], rows[3]
        rate = first["records_per_s"]
        ratio = first["ratio"]
        goal_met = rate >= GOAL_RATE and ratio <= GOAL_RATIO
        reimport_met = again_row["ratio_to_parse"] <= GOAL_REIMPORT

        vendor = "postgresql" if "postgres" in (args.database_url or "") else "sqlite"
        print(f"\nimport_cordis on {vendor} ({database_version()}), {args.data.name}")
        print(f"load average before: {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}, after: {os.getloadavg()[0]:.1f}")
        head = f"{'scenario':<19} {'seconds':>9} {'cpu s':>8} {'records':>9} {'records/s':>10}"
        print(head + f" {'x raw':>7} {'cpu x raw':>9} {'x parse':>8} {'cpu x parse':>11}")
        for row in rows:
            print(
                f"{row['scenario']:<19} {row['seconds']:>9.2f} {row['cpu']:>8.2f} {row.get('records', ''):>9} "
                f"{row.get('records_per_s', 0):>10,.0f} {row['ratio']:>7.2f} {row['cpu_ratio']:>9.2f} "
                f"{row['ratio_to_parse']:>8.2f} {row['cpu_ratio_to_parse']:>11.2f}"
                + (f"  ok={row['ok']}" if "ok" in row else "")
                + (f"  written={row['written']}" if "written" in row else "")
            )
        print(
            f"\ngoal: >= {GOAL_RATE:,} records/s and <= {GOAL_RATIO}x raw: {rate:,.0f}/s, {ratio:.2f}x -> "
            + ("MET" if goal_met else "MISSED")
        )
        print(
            f"goal: re-import <= {GOAL_REIMPORT}x the raw parse: wall {again_row['ratio_to_parse']:.2f}x -> "
            + ("MET" if reimport_met else "MISSED")
            + f"; CPU {again_row['cpu_ratio_to_parse']:.2f}x -> "
            + ("MET" if again_row["cpu_ratio_to_parse"] <= GOAL_REIMPORT else "MISSED")
        )
        result: dict[str, Any] = {
            "benchmark": "import_cordis",
            "date": dt.date.today().isoformat(),
            "vendor": vendor,
            "database": database_version(),
            "python": platform.python_version(),
            "git_commit": git_commit(),
            "data": str(args.data),
            "rows": rows,
            "report": report.as_dict(),
            "load_average_before": load,
            "load_average_after": os.getloadavg(),
            "goal": {
                "records_per_s": GOAL_RATE,
                "ratio": GOAL_RATIO,
                "met": goal_met,
                "reimport_ratio_to_parse": GOAL_REIMPORT,
                "reimport_met": reimport_met,
            },
        }
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(40)
            print(out.getvalue())
            result["profile"] = out.getvalue()
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"{dt.date.today().isoformat()}-import_cordis-{vendor}.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
        print(f"results: {path.relative_to(BENCH_DIR.parent)}")
        return 1 if args.fail_on_miss and not goal_met else 0


if __name__ == "__main__":
    sys.exit(main())
