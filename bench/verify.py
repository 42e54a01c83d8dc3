"""What `accord verify` costs per entry, against raw SHA-256 and a raw read of the same table in the same run.

    .venv/bin/python -m bench.verify [--sizes 200000,1000000] [--rounds 2] [--database-url URL]

For each size N, appends N chain entries to a throwaway database (set-based: core.audit.append in batches
of 10,000, a COPY on PostgreSQL, executemany on SQLite; no services), then times, each --rounds times:

- read: the table read raw in id order (the columns verify reads, as it reads them: driver tuples, as text
  where the driver's converter costs more than it gives; nothing done with them);
- sha256: hashlib over as many bytes as the chain hashes (the entries' hashed texts, sampled and repeated);
- verify 1 worker: the full walk in this process (`verify(workers=1)`);
- verify all cores: the full walk in one process per core (`accord verify --full` takes the idle cores);
- incremental: 1,000 entries appended after a checkpoint, then `verify(since_checkpoint=True)`.

Ratios are against the raw read + SHA-256 of the same run: the floor a single process could reach. The 10M
figure is extrapolated from the largest measured size's rate (the table says so). Load average is recorded
before and after, since the machine may be shared.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import add_database_url, bench_database, database_version, machine, setup_django

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
BATCH = 10_000
GOAL_10M_S = 60.0
INCREMENT = 1_000


def _snapshot(i: int, version: int) -> dict[str, Any]:
    """A row snapshot about the size of a project's: a dozen fields, names in two languages."""
    return {
        "id": i,
        "uid": str(uuid.UUID(int=i)),
        "version": version,
        "created_at": "2026-01-01T00:00:00+00:00",
        "updated_at": f"2026-01-{1 + version % 28:02d}T00:00:00+00:00",
        "is_illustrative": False,
        "title": {"en": f"Joint research project {i}", "zh_Hans": f"联合研究项目 {i}"},
        "status": "active" if version % 2 else "draft",
        "plan_id": i // 50,
        "budget": str(1000 * version),
        "code": f"P-{i:08d}",
        "notes": "",
    }


def generate(count: int, start: int = 0) -> None:
    """Append `count` entries: each object created, then updated twice (before = the previous after)."""
    from django.db import transaction

    from accord.core.audit import Entry, append, canonical

    done = 0
    while done < count:
        entries = []
        for n in range(start + done, start + min(count, done + BATCH)):
            i, step = divmod(n, 3)
            before = canonical(_snapshot(i, step)) if step else None
            after = canonical(_snapshot(i, step + 1))
            action = "update" if step else "create"
            entries.append(
                Entry(action, "bench.item", str(i), uuid.UUID(int=i), step + 1, f"P-{i:08d}", "", "", before, after)
            )
        with transaction.atomic():
            append(entries)
        done += len(entries)


def hashed_sample(limit: int = 20_000) -> tuple[list[bytes], int]:
    """The texts the first `limit` entries' hashes cover, and the chain's total hashed bytes (estimated from them)."""
    from accord.core.audit import payload_of
    from accord.core.models import ChangeRecord
    from accord.core.verify import _entries

    texts = []
    for _, values, prev, _ in _entries(None, limit):
        import orjson

        texts.append(b"%s\n%s" % (prev.encode(), orjson.dumps(payload_of(values), option=orjson.OPT_SORT_KEYS)))
    return texts, ChangeRecord.objects.count()


def time_sha256(texts: list[bytes], count: int) -> float:
    sha = hashlib.sha256
    t0 = time.perf_counter()
    for k in range(count):
        sha(texts[k % len(texts)]).hexdigest()
    return time.perf_counter() - t0


def time_read() -> float:
    from django.db import connection

    from accord.core.models import ChangeRecord
    from accord.core.verify import _WALKED, _rows, _walked_as_text

    by_name = {f.attname: f for f in ChangeRecord._meta.concrete_fields}
    as_text = _walked_as_text(connection)  # as the walk reads them: the cheapest reading of each column
    t0 = time.perf_counter()
    for _ in _rows(ChangeRecord, [by_name[c].column for c in _WALKED], as_stored=as_text):
        pass
    return time.perf_counter() - t0


def time_verify(workers: int | None) -> float:
    from django.db import connections

    from accord.core.verify import verify

    connections.close_all()
    t0 = time.perf_counter()
    report = verify(workers=workers)
    took = time.perf_counter() - t0
    if not report.ok:
        raise SystemExit(f"verify found problems in a generated chain: {report.problems[:3]}")
    return took


def time_incremental(size: int, round_: int) -> float:
    from accord.core.models import VerifyCheckpoint
    from accord.core.verify import verify

    verify(since_checkpoint=True, checkpoint=True)  # a checkpoint at the head (checks the earlier round's entries)
    generate(INCREMENT, start=size + round_ * INCREMENT)
    t0 = time.perf_counter()
    report = verify(since_checkpoint=True)
    took = time.perf_counter() - t0
    assert report.ok and report.checked == INCREMENT, (report.checked, report.problems[:3])
    VerifyCheckpoint.objects.all().delete()
    return took


def measure(size: int, rounds: int) -> dict[str, Any]:
    from accord.core.models import ChangeRecord

    have = ChangeRecord.objects.count()
    t0 = time.perf_counter()
    generate(size - have, start=have)  # sizes grow: each continues the last one's chain
    generated_s = time.perf_counter() - t0
    texts, entries = hashed_sample()
    steps: dict[str, list[float]] = {"read": [], "sha256": [], "verify 1 worker": [], "verify all cores": []}
    for _ in range(rounds):
        steps["read"].append(time_read())
        steps["sha256"].append(time_sha256(texts, entries))
        steps["verify 1 worker"].append(time_verify(1))
        steps["verify all cores"].append(time_verify(os.cpu_count()))
    incremental = [time_incremental(size, r) for r in range(rounds)]
    # The incremental rounds appended entries: drop them so the next size starts from `size` exactly.
    ChangeRecord.objects.filter(
        pk__gt=ChangeRecord.objects.order_by("pk").values_list("pk", flat=True)[size - 1]
    ).delete()
    avg_bytes = sum(len(t) for t in texts) / len(texts)
    return {
        "entries": entries,
        "hashed_bytes_per_entry": round(avg_bytes),
        "generate_s": round(generated_s, 2),
        "rounds_s": {k: [round(v, 3) for v in vs] for k, vs in steps.items()},
        "incremental_after_1000_s": [round(v, 3) for v in incremental],
    }


def print_report(results: list[dict[str, Any]], meta: dict[str, Any]) -> None:
    print(
        f"accord verify: {meta['vendor']} {meta['database']}, {meta['machine']['cpus']} cpus, commit {meta['commit']}"
    )
    print(f"load average before {meta['load_before']}, after {meta['load_after']}")
    head = f"{'entries':>9} {'step':<18} {'rounds s':<18} {'best s':>8} {'entries/s':>11} {'× read+sha':>11}"
    print(head)
    print("-" * len(head))
    for r in results:
        n = r["entries"]
        best = {k: min(v) for k, v in r["rounds_s"].items()}
        floor = best["read"] + best["sha256"]
        for step, vs in r["rounds_s"].items():
            ratio = f"{best[step] / floor:.2f}" if step.startswith("verify") else ""
            rounds = ", ".join(f"{v:.2f}" for v in vs)
            print(f"{n:>9} {step:<18} {rounds:<18} {best[step]:>8.2f} {n / best[step]:>11,.0f} {ratio:>11}")
        inc = ", ".join(f"{v:.3f}" for v in r["incremental_after_1000_s"])
        print(f"{n:>9} {'incremental +1000':<18} {inc:<18} {min(r['incremental_after_1000_s']):>8.3f}")
    last = results[-1]
    rate = last["entries"] / min(min(last["rounds_s"]["verify all cores"]), min(last["rounds_s"]["verify 1 worker"]))
    floor = last["entries"] / (min(last["rounds_s"]["read"]) + min(last["rounds_s"]["sha256"]))
    print(
        f"\n10M entries, extrapolated from {last['entries']:,}: "
        f"full verify {10_000_000 / rate:.0f} s (faster of 1 worker, all cores) "
        f"(goal {GOAL_10M_S:.0f} s); one core's raw read + SHA-256 alone {10_000_000 / floor:.0f} s "
        f"({last['hashed_bytes_per_entry']} hashed bytes per entry)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.verify", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="200000,1000000", help="comma-separated chain lengths, ascending")
    parser.add_argument("--rounds", type=int, default=2)
    add_database_url(parser)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with bench_database(args.database_url):
        setup_django()
        from django.db import connection

        from bench.common import git_commit

        load_before = [round(x, 2) for x in os.getloadavg()]
        results = []
        for size in sizes:
            results.append(measure(size, args.rounds))
            print(f"measured {size:,} entries", file=sys.stderr)
        meta = {
            "vendor": connection.vendor,
            "database": database_version(),
            "machine": machine(),
            "commit": git_commit(),
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
            "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        print_report(results, meta)
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"{dt.date.today().isoformat()}-verify-{meta['vendor']}.json"
        doc = {
            "meta": meta,
            "results": results,
            "medians_s": [{k: statistics.median(v) for k, v in r["rounds_s"].items()} for r in results],
        }
        path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nresults: {path.relative_to(BENCH_DIR.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
