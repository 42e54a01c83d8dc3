"""What full-text search costs: accord.core.search over N generated projects, beside the raw index query.

    .venv/bin/python -m bench.search [--projects 100000] [--copies K] [--both-ways] [--repeats 5] [--database-url URL]

A throwaway database (bench.common): SQLite in a temporary directory, or a PostgreSQL database whose name
contains "bench". The portfolio comes from bench.generator, which writes in bulk outside the services,
so the index is built afterwards with rebuild_index() (timed: that is also what `accord search-index rebuild`
costs at this size).

Queries are drawn from the generated texts (fixed seed): Chinese 2- and 4-character substrings, Russian
words capitalised, English substrings, two-character Chinese names. For each query, timed in turns:
- `search page`: what a list page with ?q= asks (accord.core.pages.listing.paginate): the number of matches,
  counted up to 1,000 ("more than 1,000" past it), and the first 50 rows (id, number, title) in the list
  page's default order (projects by agreement and id, people by id), served whichever way core.search chooses
  for the query (from the index's list of matches, or record by record for a common one);
- `raw index`: the same two statements as fixed SQL over the index (core.search.match_sql), no ORM: always the
  index's list of matches, so for a common query it is the way search no longer takes.
p50/p95 are over every timed call of every query of a kind, and over all kinds together. Goal: search page
p95 <= GOAL_MS at 1,000,000 projects. bench.suite can call scenarios(repeats) on its own portfolio.

--both-ways adds a table: each query's page timed each way, with its share of the sampled entries and the way
chosen (the evidence for core.search.GATHER_PER_PROBE). --copies K copies the generated projects K times by SQL
(copy_projects: the generated texts at K+1 times the size, for search alone; nothing else is copied), so
`--projects 100000 --copies 9` measures 1,000,000 projects in minutes instead of an hour of generation.
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


def _order(model: Any) -> tuple[str, ...]:
    """The list page's default order: projects by number, i.e. (agreement, id) (programmes.pages); people by name,
    i.e. by id (directory.pages)."""
    return ("agreement_id", "id") if hasattr(model, "number") else ("id",)


def _page_orm(model: Any, q: str) -> Callable[[], int]:
    from accord.core.pages.listing import COUNT_CAP, paginate
    from accord.core.search import search

    fields = ["id", *(["number", "title"] if hasattr(model, "number") else ["name"])]

    def run() -> int:
        # What a list page with ?q= does: the count capped at COUNT_CAP, then the first page in the list's order.
        # As build_listing asks: the page stops at the count's cap (its order is an index's), so `reads` is given.
        found = search(model.objects.all(), q, reads=COUNT_CAP + 1)
        page = paginate(found.order_by(*_order(model), "pk").values_list(*fields), 1, PAGE)
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
            order = ", ".join(_order(model))
            cur.execute(f"SELECT {cols} FROM {table} WHERE id IN ({sql}) ORDER BY {order} LIMIT {PAGE}", params)
            cur.fetchall()
        return int(n)

    return run


def copy_projects(copies: int) -> int:
    """The generated projects copied `copies` times by SQL (new ids, uids and numbers; titles, agreements and parties
    as they were); returns the projects there are now. Search sees the generated texts' distribution at that many
    times the size, in minutes where generating the whole portfolio takes the better part of an hour. Only the
    projects are copied (not their participations, exchanges or chain entries): a portfolio for search alone."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from accord.programmes.models import Project

    fields = [f.column for f in Project._meta.concrete_fields]
    top = Project.objects.order_by("-id").values_list("id", flat=True).first() or 0
    uid = "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"
    made = {"id": "id + %s", "uid": uid, "number": "number || %s", "external_id": "NULL"}
    with transaction.atomic(), connection.cursor() as cur:
        for k in range(1, copies + 1):
            select = ", ".join(made.get(c, c) for c in fields)
            cur.execute(
                f"INSERT INTO {Project._meta.db_table} ({', '.join(fields)}) "
                f"SELECT {select} FROM {Project._meta.db_table} WHERE id <= %s",
                [k * top, f"/{k}", top],
            )
        for stmt in connection.ops.sequence_reset_sql(no_style(), [Project]):  # PostgreSQL: past the ids given
            cur.execute(stmt)
    return top * (copies + 1)


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
    from django.db import connection

    if connection.vendor == "postgresql":  # what autovacuum does within a minute of a rebuild (core.search does it)
        with connection.cursor() as cur:
            cur.execute("ANALYZE search_entry")
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


def both_ways(repeats: int = 3) -> list[dict[str, Any]]:
    """Each query's page timed each way, the way core.search chooses forced off and on: the evidence for its
    choice (and for GATHER_PER_PROBE). A row per query: its share in the sample, the way chosen, both times, and
    the chosen way's time over the faster one's."""
    from accord.core import search as core_search
    from accord.core.pages.listing import COUNT_CAP
    from accord.directory.models import Person
    from accord.programmes.models import Project

    chooser = core_search.record_by_record
    out: list[dict[str, Any]] = []
    try:
        for kind, terms in pick_queries().items():
            model = Person if "people" in kind else Project
            label = model._meta.label_lower
            for q in terms:
                subs, short = core_search._terms(q)
                found = core_search.sample(model.objects.all(), label, subs, short)
                share = found.share if found else 0.0
                chosen = chooser(model.objects.all(), label, subs, short, COUNT_CAP + 1)
                times = {}
                for name, forced in (("index", False), ("record by record", True)):
                    core_search.record_by_record = lambda *args, forced=forced, **kwargs: forced
                    run = _page_orm(model, q)
                    run()
                    samples = []
                    for _ in range(repeats):
                        t = time.perf_counter_ns()
                        run()
                        samples.append(time.perf_counter_ns() - t)
                    times[name] = sorted(samples)[len(samples) // 2] / 1e6
                took = times["record by record" if chosen else "index"]
                out.append(
                    {
                        "kind": kind,
                        "query": q,
                        "share": round(share, 4),
                        "chosen": "record by record" if chosen else "index",
                        "index_ms": round(times["index"], 1),
                        "record_by_record_ms": round(times["record by record"], 1),
                        "chosen_over_faster": round(took / min(times.values()), 2),
                    }
                )
    finally:
        core_search.record_by_record = chooser
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument(
        "--copies", type=int, default=0, help="copy the generated projects this many times by SQL (copy_projects)"
    )
    parser.add_argument("--both-ways", action="store_true", help="also time each query each way (both_ways)")
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
        projects = copy_projects(args.copies) if args.copies else args.projects
        rows = scenarios(args.repeats)
        ways = both_ways() if args.both_ways else []
        result = {
            "benchmark": "search",
            "projects": projects,
            **({"generated_projects": args.projects, "copies": args.copies} if args.copies else {}),
            "date": dt.date.today().isoformat(),
            **machine(),
            "vendor": connection.vendor,
            "database_version": database_version(),
            "rows": report.rows,
            "generate_s": round(generated_s, 1),
            "scenarios": rows,
            **({"both_ways": ways} if ways else {}),
        }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{result['date']}-search-{result['vendor']}-{projects}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"{'scenario':<44} {'n':>5} {'p50 ms':>9} {'p95 ms':>9} {'matches':>9}")
    for r in rows:
        print(f"{r['scenario']:<44} {r['samples']:>5} {r['p50_ms']:>9} {r['p95_ms']:>9} {r.get('matches_max', ''):>9}")
    if ways:
        head = f"{'kind':<18} {'query':<16} {'share':>6} {'chosen':>16} {'index ms':>9} {'by record ms':>12}"
        print(f"\n{head} {'÷ faster':>8}")
        for w in ways:
            print(
                f"{w['kind']:<18} {w['query']:<16} {w['share']:>6} {w['chosen']:>16} {w['index_ms']:>9} "
                f"{w['record_by_record_ms']:>12} {w['chosen_over_faster']:>8}"
            )
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
