"""What full-text search costs: accord.core.search over N generated projects, beside the raw index query.

    .venv/bin/python -m bench.search [--projects 100000] [--repeats 5] [--database-url URL]

A throwaway database (bench.common): SQLite in a temporary directory, or a PostgreSQL database whose name
contains "bench". The portfolio comes from bench.generator, which writes in bulk outside the services,
so the index is built afterwards with rebuild_index() (timed: that is also what `accord search-index rebuild`
costs at this size).

Queries are drawn from the generated texts (fixed seed): Chinese 2- and 4-character substrings, Russian
words capitalised, English substrings, two-character Chinese names. For each query, timed in turns:
- `search page`: what a list page with ?q= asks (accord.core.pages.listing.paginate): the number of matches,
  counted up to 1,000 ("more than 1,000" past it), and the first 50 rows (id, number, title) by id;
- `raw index`: the same two statements as fixed SQL over the index (core.search.match_sql), no ORM.
p50/p95 are over every timed call of every query of a kind, and over all kinds together. Goal: search page
p95 <= GOAL_MS at 1,000,000 projects. bench.suite can call scenarios(repeats) on its own portfolio.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.common import add_database_url, bench_database, database_version, machine, ms, setup_django

GOAL_MS = 50.0
PAGE = 50
QUERIES_PER_KIND = 8
RESULTS_DIR = Path(__file__).resolve().parent / "results"


def pick_queries(seed: int = 1958) -> dict[str, list[str]]:
    """Deterministic queries taken from the stored texts, so each finds something."""
    import re

    from accord.directory.models import Person
    from accord.programmes.models import Project

    rng = random.Random(seed)
    top = Project.objects.order_by("-id").values_list("id", flat=True).first() or 0
    sample_ids = sorted(rng.sample(range(1, top + 1), min(top, 400)))
    titles = list(Project.objects.filter(id__in=sample_ids).values_list("title", flat=True))
    out: dict[str, list[str]] = {"zh 2 chars": [], "zh 4 chars": [], "ru word": [], "en substring": []}
    for title in titles:
        zh, ru, en = title.get("zh", ""), title.get("ru", ""), title.get("en", "")
        han = "".join(re.findall(r"[\u4e00-\u9fff]", zh))
        if len(han) >= 4 and len(out["zh 4 chars"]) < QUERIES_PER_KIND:
            i = rng.randrange(len(han) - 3)
            out["zh 4 chars"].append(han[i : i + 4])
        if len(han) >= 2 and len(out["zh 2 chars"]) < QUERIES_PER_KIND:
            i = rng.randrange(len(han) - 1)
            out["zh 2 chars"].append(han[i : i + 2])
        words = [w for w in ru.split() if len(w) >= 6 and w.isalpha()]
        if words and len(out["ru word"]) < QUERIES_PER_KIND:
            out["ru word"].append(rng.choice(words).capitalize())
        if len(en) >= 12 and len(out["en substring"]) < QUERIES_PER_KIND:
            i = rng.randrange(len(en) - 7)
            out["en substring"].append(en[i : i + 7].strip() or en[:7])
    names = [n.get("zh", "") for n in Person.objects.order_by("id").values_list("name", flat=True)[:500]]
    out["zh name (people)"] = [n for n in dict.fromkeys(n for n in names if len(n) == 2)][:QUERIES_PER_KIND]
    return {k: v for k, v in out.items() if v}


def _page_orm(model: Any, q: str) -> Callable[[], int]:
    from accord.core.pages.listing import COUNT_CAP, paginate
    from accord.core.search import search

    fields = ["id", *(["number", "title"] if hasattr(model, "number") else ["name"])]

    def run() -> int:
        # What a list page with ?q= does: the count capped at COUNT_CAP, then the first page.
        page = paginate(search(model.objects.all(), q).order_by("id").values_list(*fields), 1, PAGE)
        return COUNT_CAP + 1 if page.total is None else page.total

    return run


def _page_raw(model: Any, q: str) -> Callable[[], int]:
    from django.db import connection

    from accord.core.pages.listing import COUNT_CAP
    from accord.core.search import match_sql

    label = model._meta.label_lower
    table = model._meta.db_table
    cols = "id, number, title" if hasattr(model, "number") else "id, name"

    def run() -> int:
        found = match_sql(label, q, connection.vendor)
        assert found is not None
        sql, params = found
        with connection.cursor() as cur:
            cur.execute(f"SELECT COUNT(*) FROM ({sql} LIMIT {COUNT_CAP + 1}) AS m", params)
            n = cur.fetchone()[0]
            cur.execute(f"SELECT {cols} FROM {table} WHERE id IN ({sql}) ORDER BY id LIMIT {PAGE}", params)
            cur.fetchall()
        return int(n)

    return run


def scenarios(repeats: int = 5) -> list[dict[str, Any]]:
    """Search on the current database (rebuilding the index if it is not complete); rows in bench.suite's shape."""
    from accord.core.models import SearchEntry
    from accord.core.search import rebuild_index, searchable_models
    from accord.directory.models import Person
    from accord.programmes.models import Project

    out: list[dict[str, Any]] = []
    expected = sum(m._base_manager.count() for m in searchable_models())
    if SearchEntry.objects.count() != expected:
        t = time.perf_counter_ns()
        counts = rebuild_index()
        ns = time.perf_counter_ns() - t
        out.append(
            {
                "scenario": "search index rebuild",
                "samples": 1,
                "p50_ms": round(ns / 1e6, 1),
                "p95_ms": round(ns / 1e6, 1),
                "rows": sum(counts.values()),
                "rows_per_s": round(sum(counts.values()) / (ns / 1e9)),
            }
        )
    queries = pick_queries()
    every: dict[str, list[int]] = {"search page": [], "raw index": []}
    for kind, terms in queries.items():
        model = Person if "people" in kind else Project
        times: dict[str, list[int]] = {"search page": [], "raw index": []}
        matched: list[int] = []
        for q in terms:
            orm, raw = _page_orm(model, q), _page_raw(model, q)
            n = orm()  # warm-up; both must agree
            if raw() != n:
                raise AssertionError(f"{kind} {q!r}: search() found {n}, the raw index query {raw()}")
            matched.append(n)
            for _ in range(repeats):
                for name, fn in (("search page", orm), ("raw index", raw)):
                    t = time.perf_counter_ns()
                    fn()
                    times[name].append(time.perf_counter_ns() - t)
        for name, ns_list in times.items():
            every[name] += ns_list
            row: dict[str, Any] = {
                "scenario": f"{name}: {kind}",
                "samples": len(ns_list),
                "p50_ms": ms(ns_list, 50),
                "p95_ms": ms(ns_list, 95),
                "p99_ms": ms(ns_list, 99),
                "queries": terms,
                "matches_median": sorted(matched)[len(matched) // 2],
                "matches_max": max(matched),
                "is_baseline": name == "raw index",
            }
            out.append(row)
    for name, ns_list in every.items():
        out.append(
            {
                "scenario": f"{name}: all kinds",
                "samples": len(ns_list),
                "p50_ms": ms(ns_list, 50),
                "p95_ms": ms(ns_list, 95),
                "p99_ms": ms(ns_list, 99),
                "is_baseline": name == "raw index",
                **({"goal_p95_ms": GOAL_MS} if name == "search page" else {}),
            }
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    add_database_url(parser)
    args = parser.parse_args(argv)
    import os

    url = args.database_url or os.environ.get("ACCORD_DATABASE_URL")
    with bench_database(url):
        setup_django()
        from django.db import connection

        from bench.generator import Sizes, generate

        t = time.perf_counter()
        report = generate(Sizes(projects=args.projects), seed=1)
        generated_s = time.perf_counter() - t
        rows = scenarios(args.repeats)
        result = {
            "benchmark": "search",
            "projects": args.projects,
            "date": dt.date.today().isoformat(),
            **machine(),
            "vendor": connection.vendor,
            "database_version": database_version(),
            "rows": report.rows,
            "generate_s": round(generated_s, 1),
            "scenarios": rows,
        }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{result['date']}-search-{result['vendor']}-{args.projects}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"{'scenario':<44} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'matches':>9}")
    for r in rows:
        print(f"{r['scenario']:<44} {r['samples']:>5} {r['p50_ms']:>9} {r['p95_ms']:>9} {r.get('matches_max', ''):>9}")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
