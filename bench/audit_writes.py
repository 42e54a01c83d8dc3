"""What the audit chain costs per write: audited services against plain ORM writes, same run, same database.

    .venv/bin/python -m bench.audit_writes [--n 2000] [--rounds 3] [--database-url URL] [--profile 500]

Without a database URL (the flag or ACCORD_DATABASE_URL) it uses a fresh SQLite file in a temporary
directory; a PostgreSQL URL names a throwaway database that is dropped, created, and dropped again at the
end. The goal is that an audited write costs at most GOAL times a plain one. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gc
import json
import pstats
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

from bench.common import (
    DatabaseTime,
    add_database_url,
    bench_database,
    database_version,
    machine,
    percentile,
    setup_django,
)

GOAL = 1.3  # an audited write may take at most this multiple of the plain ORM write
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
# plain: the ORM alone. validated: the service with the chain switched off (field rules, clean(), uniqueness,
# the locked re-read and versioned write). audited: the service as it runs. audited/validated is what the
# chain itself costs; audited/plain is the goal.
PATHS = ("plain", "validated", "audited")
UNCHAINED = ("plain", "validated")  # rows written without chain entries, removed before verify()
OPERATIONS = ("create", "update")
QUERY_SAMPLE = 200  # untimed writes per scenario used only to count SQL statements and time them in the driver


# --- results -----------------------------------------------------------------------------------------


@dataclass
class Scenario:
    operation: str  # create | update
    path: str  # plain | audited
    vendor: str
    n: int
    rounds_s: list[float]  # wall time of every round, in run order
    total_s: float = 0.0  # the median round
    writes_per_s: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    sql_per_write: float = 0.0  # statements Django sends per write, BEGIN/COMMIT excluded
    db_ms: float = 0.0  # the median write's time inside the database driver: its statements and commit

    @property
    def name(self) -> str:
        return f"{self.operation}/{self.path}"


@dataclass
class Ratio:
    operation: str
    audited_over_plain: float
    audited_over_validated: float
    # The audited write's statements and commit alone (median time in the driver) over a whole plain write
    # (median): the floor the goal cannot go below while an audited write sends these statements.
    statements_over_plain: float = 0.0
    goal: float = GOAL

    @property
    def holds(self) -> bool:
        return self.audited_over_plain <= self.goal


@dataclass
class VerifyResult:
    vendor: str
    entries: int
    rows: int
    seconds: float
    entries_per_s: float
    ok: bool


@dataclass
class Rounds:
    """Per-round measurements of one scenario, kept until the median round is chosen."""

    totals_s: list[float] = field(default_factory=list)
    latencies_ns: list[list[int]] = field(default_factory=list)


def summarise(operation: str, path: str, vendor: str, n: int, rounds: Rounds) -> Scenario:
    # The median round (lower median for an even count) damps one-off stalls such as a checkpoint or autovacuum.
    order = sorted(range(len(rounds.totals_s)), key=lambda i: rounds.totals_s[i])
    mid = order[(len(order) - 1) // 2]
    lat = sorted(rounds.latencies_ns[mid])
    total = rounds.totals_s[mid]
    return Scenario(
        operation=operation,
        path=path,
        vendor=vendor,
        n=n,
        rounds_s=[round(t, 4) for t in rounds.totals_s],
        total_s=round(total, 4),
        writes_per_s=round(n / total, 1),
        p50_ms=round(percentile(lat, 50) / 1e6, 4),
        p95_ms=round(percentile(lat, 95) / 1e6, 4),
        p99_ms=round(percentile(lat, 99) / 1e6, 4),
    )


# --- the database --------------------------------------------------------------------------------------


# --- the writes ----------------------------------------------------------------------------------------


def person_name(tag: str, rnd: int, i: int) -> dict[str, str]:
    # Three scripts, as real records carry; derived from the position only, so every run writes the same data.
    return {"en": f"Bench {tag} {rnd}-{i}", "zh": f"测试人员 {tag} {rnd}-{i}", "ru": f"Тестовый {tag} {rnd}-{i}"}


def writers() -> dict[tuple[str, str], Callable[[Any], Any]]:
    """One function per scenario, each taking one item and doing one write in its own transaction."""
    from django.db import transaction

    from accord.core import services as core_services
    from accord.directory.models import Person
    from accord.directory.services import create_person, update_person

    def plain_create(name: dict[str, str]) -> int:
        with transaction.atomic():  # one transaction per write, as a service call has
            return Person.objects.create(name=name).pk

    def audited_create(name: dict[str, str]) -> Person:
        return create_person(name=name)

    def plain_update(item: tuple[int, dict[str, str]]) -> None:
        pk, name = item
        with transaction.atomic():
            Person.objects.filter(pk=pk).update(name=name)

    def audited_update(item: tuple[Person, dict[str, str]]) -> Person:
        person, name = item
        return update_person(person, expected_version=person.version, name=name)

    def unchained(write: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def run(item: Any) -> Any:
            with mock.patch.object(core_services, "record_change", lambda *a, **k: None):
                return write(item)

        return run

    return {
        ("create", "validated"): unchained(audited_create),
        ("update", "validated"): unchained(audited_update),
        ("create", "plain"): plain_create,
        ("create", "audited"): audited_create,
        ("update", "plain"): plain_update,
        ("update", "audited"): audited_update,
    }


def timed(write: Callable[[Any], Any], items: Sequence[Any]) -> tuple[float, list[int], list[Any]]:
    """Do every write, timing each one and the whole loop; return (seconds, per-write ns, results)."""
    gc.collect()  # every round starts from a clean heap; collections during the loop are part of the cost
    clock = time.perf_counter_ns
    results: list[Any] = []
    latencies: list[int] = []
    start = clock()
    for item in items:
        t0 = clock()
        results.append(write(item))
        latencies.append(clock() - t0)
    return (clock() - start) / 1e9, latencies, results


def update_items(targets: Sequence[Any], tag: str, rnd: int) -> list[tuple[Any, dict[str, str]]]:
    return [(t, person_name(tag, rnd, i)) for i, t in enumerate(targets)]


def count_sql(write: Callable[[Any], Any], items: Sequence[Any]) -> tuple[float, list[str], list[Any], float]:
    """Statements per write, those of the last write, the results, and the median write's milliseconds in the
    database driver: its statements and its commit (a plain write's commit is its statement's, in autocommit), what
    the database alone costs the write, which no Python of Accord's can make cheaper. BEGIN/COMMIT are left out of
    the count (SQLite logs its BEGIN IMMEDIATE, PostgreSQL does not)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    total = 0
    statements: list[str] = []
    results = []
    driver_ns = []
    db: Any = connection  # its _commit, wrapped below
    commit = db._commit

    def timed_commit() -> None:  # the commit is no execute: timed here and counted with the statements
        t0 = time.perf_counter_ns()
        try:
            commit()
        finally:
            in_driver.ns += time.perf_counter_ns() - t0

    db._commit = timed_commit
    try:
        for item in items:
            in_driver = DatabaseTime()
            with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(in_driver):
                results.append(write(item))
            driver_ns.append(in_driver.ns)
            statements = [
                q["sql"] for q in ctx.captured_queries if not q["sql"].lstrip().upper().startswith(("BEGIN", "COMMIT"))
            ]
            total += len(statements)
    finally:
        del db._commit  # the class's own again
    return total / len(items), statements, results, percentile(sorted(driver_ns), 50) / 1e6


# --- profile -------------------------------------------------------------------------------------------


def _where(key: tuple[str, int, str]) -> str:
    filename, line, func = key
    for marker in ("site-packages/", "/src/"):
        if marker in filename:
            filename = filename.split(marker, 1)[1]
            break
    return f"{filename}:{line}({func})" if line else func


def profile_writes(write: Callable[[Any], Any], items: Sequence[Any], top: int) -> tuple[list[Any], dict[str, Any]]:
    """cProfile the writes; return their results and the `top` functions by cumulative and by own time."""
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    results = prof.runcall(lambda: [write(item) for item in items])
    total = time.perf_counter() - t0
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    # Leave out the wrappers every write passes through (this file, @transaction.atomic's contextlib frame).
    rows = [
        {"function": _where(key), "ncalls": nc, "tottime_s": round(tt, 4), "cumtime_s": round(ct, 4)}
        for key, (_cc, nc, tt, ct, _callers) in stats.items()
        if key[0] != __file__ and not key[0].endswith("contextlib.py")
    ]
    return results, {
        "writes": len(items),
        "seconds_profiled": round(total, 4),
        "by_cumulative": sorted(rows, key=lambda r: r["cumtime_s"], reverse=True)[:top],
        "by_own_time": sorted(rows, key=lambda r: r["tottime_s"], reverse=True)[:top],
    }


def print_profile(title: str, prof: dict[str, Any]) -> None:
    print(f"\n{title}: {prof['writes']} writes, {prof['seconds_profiled']:.3f} s under cProfile")
    for key, label in (("by_cumulative", "cumulative"), ("by_own_time", "own")):
        print(f"  top {len(prof[key])} by {label} time")
        print(f"  {'cumtime s':>10} {'tottime s':>10} {'ncalls':>8}  function")
        for row in prof[key]:
            print(f"  {row['cumtime_s']:>10.3f} {row['tottime_s']:>10.3f} {row['ncalls']:>8}  {row['function']}")


def print_sql(title: str, statements: list[str]) -> None:
    print(f"\nSQL of one {title} write ({len(statements)} statements, BEGIN/COMMIT excluded):")
    for i, stmt in enumerate(statements, 1):
        print(f"  {i}. {stmt[:200]}{' ...' if len(stmt) > 200 else ''}")


# --- the run -------------------------------------------------------------------------------------------


def run(n: int, rounds: int, warmup: int, profile_n: int) -> dict[str, Any]:
    from django.db import connection

    from accord.core.actor import Actor, acting_as
    from accord.core.verify import verify
    from accord.directory.models import Person

    vendor = connection.vendor
    write = writers()
    measured: dict[tuple[str, str], Rounds] = {(op, path): Rounds() for op in OPERATIONS for path in PATHS}
    sql_per_write: dict[tuple[str, str], float] = {}
    db_ms: dict[tuple[str, str], float] = {}
    plain_pks: list[int] = []  # written behind the chain on purpose; removed before verify()
    profiles: dict[str, dict[str, Any]] = {}
    sql: dict[str, list[str]] = {}  # the statements of one write per scenario

    with acting_as(Actor(None, "bench", "bench-job", system=True)):
        # Warm-up: fill caches (model metadata, prepared statements, page cache) before anything counts.
        _, _, pks = timed(write["create", "plain"], [person_name("warm-plain", 0, i) for i in range(warmup)])
        _, _, people = timed(write["create", "audited"], [person_name("warm-audited", 0, i) for i in range(warmup)])
        _, _, validated = timed(write["create", "validated"], [person_name("warm-val", 0, i) for i in range(warmup)])
        plain_pks += pks + [p.pk for p in validated]
        timed(write["update", "plain"], update_items(pks, "warm-plain-upd", 0))
        timed(write["update", "validated"], update_items(validated, "warm-val-upd", 0))
        timed(write["update", "audited"], update_items(people, "warm-audited-upd", 0))

        for rnd in range(rounds):
            # Alternate which path goes first, so neither always meets the fuller table or the warmer cache.
            order = PATHS if rnd % 2 == 0 else PATHS[::-1]
            created: dict[str, list[Any]] = {}
            for path in order:
                items = [person_name(f"create-{path}", rnd, i) for i in range(n)]
                seconds, lat, created[path] = timed(write["create", path], items)
                measured["create", path].totals_s.append(seconds)
                measured["create", path].latencies_ns.append(lat)
            plain_pks += [getattr(x, "pk", x) for p in UNCHAINED for x in created[p]]
            # Each path updates the rows it created: plain updates on audited rows would break the chain check.
            for path in order:
                seconds, lat, _ = timed(write["update", path], update_items(created[path], f"update-{path}", rnd))
                measured["update", path].totals_s.append(seconds)
                measured["update", path].latencies_ns.append(lat)

        # Statement counts, outside the timed loops (capturing queries costs time itself).
        sampled: dict[str, list[Any]] = {}
        for path in PATHS:
            items = [person_name(f"sql-{path}", 0, i) for i in range(QUERY_SAMPLE)]
            sql_per_write["create", path], sql[f"create/{path}"], sampled[path], db_ms["create", path] = count_sql(
                write["create", path], items
            )
        plain_pks += [getattr(x, "pk", x) for p in UNCHAINED for x in sampled[p]]
        for path in PATHS:
            sql_per_write["update", path], sql[f"update/{path}"], _, db_ms["update", path] = count_sql(
                write["update", path], update_items(sampled[path], "sql-upd", 0)
            )

        if profile_n:
            items = [person_name("profile", 0, i) for i in range(profile_n)]
            people, profiles["create/audited"] = profile_writes(write["create", "audited"], items, 25)
            _, profiles["update/audited"] = profile_writes(
                write["update", "audited"], update_items(people, "profile-upd", 0), 25
            )

    scenarios = []
    for op in OPERATIONS:
        for path in PATHS:
            s = summarise(op, path, vendor, n, measured[op, path])
            s.sql_per_write = sql_per_write[op, path]
            s.db_ms = round(db_ms[op, path], 4)
            scenarios.append(s)
    by_name = {s.name: s for s in scenarios}
    ratios = [
        Ratio(
            op,
            round(by_name[f"{op}/audited"].total_s / by_name[f"{op}/plain"].total_s, 3),
            round(by_name[f"{op}/audited"].total_s / by_name[f"{op}/validated"].total_s, 3),
            round(by_name[f"{op}/audited"].db_ms / by_name[f"{op}/plain"].p50_ms, 3),
        )
        for op in OPERATIONS
    ]

    # The plain rows have no chain entries by design; delete them (unaudited, as they were written) so
    # verify() judges only what went through the services.
    for i in range(0, len(plain_pks), 500):
        Person.objects.filter(pk__in=plain_pks[i : i + 500]).delete()
    gc.collect()
    t0 = time.perf_counter()
    report = verify()
    seconds = time.perf_counter() - t0
    check = VerifyResult(
        vendor, report.entries, report.rows, round(seconds, 4), round(report.entries / seconds, 1), report.ok
    )
    assert report.ok, f"audit chain does not verify: {report.problems[:5]}"

    return {
        "scenarios": scenarios,
        "ratios": ratios,
        "verify": check,
        "profiles": profiles,
        "sql": sql,
        "database_version": database_version(),
    }


def print_report(result: dict[str, Any], meta: dict[str, Any]) -> None:
    scenarios: list[Scenario] = result["scenarios"]
    ratios: list[Ratio] = result["ratios"]
    check: VerifyResult = result["verify"]
    print(
        f"\naudit write benchmark: {meta['vendor']} {meta['database_version'].split(' on ')[0]}, N={meta['n']}, "
        f"{meta['rounds']} rounds (median shown), warm-up {meta['warmup']}, commit {meta['commit']}"
    )
    head = (
        f"{'scenario':<16} {'vendor':<10} {'N':>6} {'total s':>8} {'writes/s':>9} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'SQL/write':>9} {'db ms':>6}  rounds s"
    )
    print(head)
    print("-" * len(head))
    for s in scenarios:
        print(
            f"{s.name:<16} {s.vendor:<10} {s.n:>6} {s.total_s:>8.3f} {s.writes_per_s:>9.0f} "
            f"{s.p50_ms:>7.3f} {s.p95_ms:>7.3f} {s.p99_ms:>7.3f} {s.sql_per_write:>9.1f} {s.db_ms:>6.3f}  "
            f"{' '.join(f'{t:.3f}' for t in s.rounds_s)}"
        )
    # Extra row, no baseline: N is the chain length, writes/s is entries checked per second.
    print(
        f"{'verify (chain)':<16} {check.vendor:<10} {check.entries:>6} {check.seconds:>8.3f} "
        f"{check.entries_per_s:>9.0f}  entries/s; {check.entries} entries + {check.rows} rows checked, ok={check.ok}"
    )
    print(f"\ngoal: audited <= {GOAL}x plain")
    for r in ratios:
        print(
            f"  {r.operation:<7} audited/plain = {r.audited_over_plain:.2f}x  -> {'holds' if r.holds else 'MISSED'}"
            f"   (the chain alone: audited/validated = {r.audited_over_validated:.2f}x; its statements and commit"
            f" alone, in the driver: {r.statements_over_plain:.2f}x a plain write)"
        )
    verdict = "holds" if all(r.holds for r in ratios) else "does NOT hold"
    print(f"  overall: the goal {verdict} on {meta['vendor']}")


def write_json(result: dict[str, Any], meta: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{dt.date.today().isoformat()}-audit_writes-{meta['vendor']}.json"
    doc = {
        **meta,
        "goal": {"audited_over_plain_max": GOAL, "holds": all(r.holds for r in result["ratios"])},
        "scenarios": [{"scenario": s.name, **asdict(s)} for s in result["scenarios"]],
        "ratios": [{**asdict(r), "holds": r.holds} for r in result["ratios"]],
        "verify": asdict(result["verify"]),
        "sql_of_one_write": result["sql"],
        "profiles": result["profiles"],
    }
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_writes", description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="writes per scenario per round (default 2000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per scenario; the median is reported")
    parser.add_argument("--warmup", type=int, default=50, help="untimed writes of each kind first (default 50)")
    add_database_url(parser)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also cProfile N audited creates/updates")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 if audited > goal x plain")
    args = parser.parse_args(argv)
    if args.n < 1 or args.rounds < 1 or args.warmup < 0 or args.profile < 0:
        parser.error("--n and --rounds must be positive, --warmup and --profile not negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with bench_database(args.database_url):
        setup_django()
        from django.db import connection

        result = run(args.n, args.rounds, args.warmup, args.profile)
        meta = {
            "benchmark": "audit_writes",
            "date": dt.date.today().isoformat(),
            "started_utc": started,
            "vendor": connection.vendor,
            "database_version": result["database_version"],
            "n": args.n,
            "rounds": args.rounds,
            "warmup": args.warmup,
            **machine(),
        }
    print_report(result, meta)
    if args.profile:
        for title, statements in result["sql"].items():
            print_sql(title, statements)
        for title, prof in result["profiles"].items():
            print_profile(title, prof)
    path = write_json(result, meta)
    print(f"\nresults: {path.relative_to(BENCH_DIR.parent)}")
    missed = not all(r.holds for r in result["ratios"])
    return 1 if args.fail_on_miss and missed else 0


if __name__ == "__main__":
    sys.exit(main())
