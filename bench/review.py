"""What a plan's review costs: `compute_review` against the same figures from one hand-written SQL query.

    .venv/bin/python -m bench.review [--items 5000] [--reports 50000] [--exchanges 1000] [--repeats 20]
                                     [--database-url URL]

Without a database URL (the flag or ACCORD_DATABASE_URL) it uses a fresh SQLite file in a temporary
directory; a PostgreSQL URL names a throwaway database (its name must contain "bench") that is dropped,
created, and dropped again at the end. The plan's bulk data (projects, items, reports, deliverables,
exchanges) is inserted with bulk_create, outside the audit chain: the database is thrown away and never
verified. The hand-written query comes in two shapes (a window over the reports, a correlated subquery per
item), each the faster on one database; both are timed in the same run and the faster is the baseline.
Both must give the same figures as compute_review. Goal: compute_review of 5,000 items and 50,000 reports
in at most GOAL_MS on SQLite (p50).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import gc
import json
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench.common import (
    add_database_url,
    bench_database,
    connection_cursor,
    database_version,
    machine,
    percentile,
    setup_django,
)

GOAL_MS = 200.0
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PERIOD = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
AS_OF = dt.date(2024, 10, 15)  # reports for November and December exist and must be left out
SEED = 1960


# --- the data ----------------------------------------------------------------------------------------


def build(items: int, reports: int, exchanges: int) -> Any:
    """An agreement between two parties and a signed plan with `items` items, `reports` progress reports,
    one deliverable per item and `exchanges` exchanges. Deterministic (fixed random seed)."""
    from django.db import transaction

    from accord.agreements.services import create_agreement
    from accord.core.actor import Actor, acting_as
    from accord.directory.models import Organisation
    from accord.directory.services import create_organisation, create_party
    from accord.programmes import services as programmes
    from accord.programmes.choices import (
        DeliverableKind,
        ExchangeKind,
        FieldOfScience,
        Modality,
        PlanStatus,
        ProgressStatus,
        QuantityUnit,
    )
    from accord.programmes.models import (
        Deliverable,
        Exchange,
        Plan,
        PlanItem,
        PlanItemResponsibility,
        ProgressReport,
        Project,
    )

    rng = random.Random(SEED)
    with acting_as(Actor(None, "bench", "bench-review", system=True)), transaction.atomic():
        a = create_party(code="CN", name={"en": "China"}, languages=["zh"])
        b = create_party(code="SU", name={"en": "USSR"}, languages=["ru"])
        org_a = create_organisation(party=a, kind=Organisation.Kind.ACADEMY, name={"en": "Academy A"})
        org_b = create_organisation(party=b, kind=Organisation.Kind.ACADEMY, name={"en": "Academy B"})
        agreement = create_agreement(parties=[a, b], title={"en": "Bench agreement"}, signed_on=dt.date(2020, 1, 1))
        plan = programmes.create_plan(
            agreement=agreement, title={"en": "Bench plan"}, period_start=PERIOD[0], period_end=PERIOD[1]
        )
        fields = [*FieldOfScience.values, ""]  # and projects without a field
        projects = []
        for n in range(1, items + 1):
            modality = rng.choice(Modality.values)
            assist = modality == Modality.ASSISTANCE
            projects.append(
                Project(
                    agreement=agreement,
                    number=str(n),
                    title={"en": f"Project {n}", "zh": f"项目 {n}", "ru": f"Проект {n}"},
                    field=rng.choice(fields),
                    modality=modality,
                    provider_party=b if assist else None,
                    recipient_party=a if assist else None,
                )
            )
        Project.objects.bulk_create(projects, batch_size=1000)
        plan_items = [
            PlanItem(plan=plan, project=p, position=n, objectives={"en": f"Objectives {n}"})
            for n, p in enumerate(projects, 1)
        ]
        PlanItem.objects.bulk_create(plan_items, batch_size=1000)
        responsibilities = []
        for item in plan_items:
            sides = [(org_a, a), (org_b, b)] if rng.random() < 0.8 else [rng.choice([(org_a, a), (org_b, b)])]
            responsibilities += [
                PlanItemResponsibility(plan_item=item, organisation=o, side=s, owner_party=s) for o, s in sides
            ]
        PlanItemResponsibility.objects.bulk_create(responsibilities, batch_size=2000)
        deliverables = []
        for item in plan_items:
            due = PERIOD[0] + dt.timedelta(days=rng.randrange(365))
            delivered = due + dt.timedelta(days=rng.randrange(-30, 90)) if rng.random() < 0.6 else None
            deliverables.append(
                Deliverable(
                    plan_item=item,
                    kind=rng.choice(DeliverableKind.values),
                    title={"en": f"Deliverable {item.position}"},
                    responsible_party=rng.choice([a, b]),
                    due_on=due,
                    delivered_on=delivered,
                )
            )
        Deliverable.objects.bulk_create(deliverables, batch_size=2000)
        # Reports spread unevenly: some items have none (not started), some many; monthly periods.
        weights = [rng.random() ** 2 for _ in plan_items]
        chosen = rng.choices(plan_items, weights=weights, k=reports)
        statuses = [s for s in ProgressStatus.values if s != ProgressStatus.NOT_STARTED]
        batch: list[ProgressReport] = []
        for item in chosen:
            month = rng.randrange(1, 13)
            start = dt.date(2024, month, 1)
            end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            status = rng.choice(statuses)
            batch.append(
                ProgressReport(
                    plan_item=item,
                    reporting_organisation=org_a,
                    period_start=start,
                    period_end=end,
                    status=status,
                    percent=100 if status == ProgressStatus.COMPLETED else rng.randrange(0, 100),
                    owner_party=a,
                )
            )
            if len(batch) == 5000:
                ProgressReport.objects.bulk_create(batch)
                batch = []
        ProgressReport.objects.bulk_create(batch)
        units: dict[str, list[str]] = {
            ExchangeKind.EXPERT_SECONDMENT: [QuantityUnit.PERSONS, QuantityUnit.PERSON_MONTHS],
            ExchangeKind.TRAINEE: [QuantityUnit.PERSONS, QuantityUnit.PERSON_MONTHS],
            ExchangeKind.DELEGATION_VISIT: [QuantityUnit.PERSONS],
            ExchangeKind.DATA_TRANSFER: [QuantityUnit.DATA_SETS, QuantityUnit.DOCUMENTS],
            ExchangeKind.SAMPLE_SHIPMENT: [QuantityUnit.SAMPLES, QuantityUnit.ITEMS],
            ExchangeKind.JOINT_EXPERIMENT: [QuantityUnit.ITEMS],
            ExchangeKind.CONFERENCE: [QuantityUnit.PERSONS],
        }
        rows = []
        for _ in range(exchanges):
            kind = rng.choice(ExchangeKind.values)
            src, dst = rng.choice([(a, b), (b, a)])
            # Dates from mid-2023 to mid-2025: over half fall outside the plan period or after the date.
            day = dt.date(2023, 6, 1) + dt.timedelta(days=rng.randrange(700))
            two_sided = kind in (ExchangeKind.DATA_TRANSFER, ExchangeKind.SAMPLE_SHIPMENT)
            received = day + dt.timedelta(days=rng.randrange(5, 120)) if two_sided and rng.random() < 0.7 else None
            rows.append(
                Exchange(
                    agreement=agreement,
                    project=rng.choice(projects),
                    kind=kind,
                    from_party=src,
                    to_party=dst,
                    start_on=None if two_sided else day,
                    sent_on=day if two_sided else None,
                    received_on=received,
                    quantity=Decimal(rng.randrange(1, 400)) / (2 if rng.random() < 0.2 else 1),
                    unit=rng.choice(units[kind]),
                    owner_party=src,
                )
            )
        Exchange.objects.bulk_create(rows, batch_size=2000)
        # Signed: set directly (throwaway database); the review only needs the signed version.
        Plan.objects.filter(pk=plan.pk).update(
            status=PlanStatus.SIGNED, signed_version=plan.version, signed_on=PERIOD[0]
        )
    with connection_cursor() as cur:
        cur.execute("ANALYZE")
    return Plan.objects.get(pk=plan.pk)


# --- the baseline: one hand-written query --------------------------------------------------------------

# Every item's status is its latest report up to the date (latest period end, then highest id); items and
# exchanges are grouped in the same statement. Two ways to find the latest report, each the faster on one
# database: both are timed, and the faster is the baseline.
_ITEMS_BY_WINDOW = """
WITH ranked AS (
    SELECT r.plan_item_id, r.status,
           ROW_NUMBER() OVER (PARTITION BY r.plan_item_id ORDER BY r.period_end DESC, r.id DESC) AS rn
    FROM programmes_progressreport r
    JOIN programmes_planitem i ON i.id = r.plan_item_id
    WHERE i.plan_id = %(plan)s AND r.period_end <= %(as_of)s
), items AS (
    SELECT COALESCE(ranked.status, 'not_started') AS status, p.field, p.modality
    FROM programmes_planitem i
    JOIN programmes_project p ON p.id = i.project_id
    LEFT JOIN ranked ON ranked.plan_item_id = i.id AND ranked.rn = 1
    WHERE i.plan_id = %(plan)s
)"""
_ITEMS_BY_SUBQUERY = """
WITH items AS (
    SELECT COALESCE((SELECT r.status FROM programmes_progressreport r
                     WHERE r.plan_item_id = i.id AND r.period_end <= %(as_of)s
                     ORDER BY r.period_end DESC, r.id DESC LIMIT 1), 'not_started') AS status,
           p.field, p.modality
    FROM programmes_planitem i
    JOIN programmes_project p ON p.id = i.project_id
    WHERE i.plan_id = %(plan)s
)"""
_GROUPED = """
SELECT 'item' AS part, status, field, modality, '' AS unit, COUNT(*) AS n, 0 AS quantity
FROM items GROUP BY status, field, modality
UNION ALL
SELECT 'exchange', e.kind, fp.code, tp.code, e.unit, COUNT(*), SUM(e.quantity)
FROM programmes_exchange e
JOIN directory_party fp ON fp.id = e.from_party_id
JOIN directory_party tp ON tp.id = e.to_party_id
WHERE e.agreement_id = %(agreement)s
  AND COALESCE(e.start_on, e.sent_on) >= %(start)s AND COALESCE(e.start_on, e.sent_on) <= %(end)s
GROUP BY e.kind, fp.code, tp.code, e.unit
"""
RAW_SQL = {
    "raw SQL (window)": _ITEMS_BY_WINDOW + _GROUPED,
    "raw SQL (subquery)": _ITEMS_BY_SUBQUERY + _GROUPED,
}


def raw_figures(sql: str, plan: Any, as_of: dt.date) -> list[tuple[Any, ...]]:
    params = {
        "plan": plan.pk,
        "agreement": plan.agreement_id,
        "as_of": as_of,
        "start": plan.period_start,
        "end": min(plan.period_end, as_of),
    }
    with connection_cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def comparable_raw(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    by_status: Counter[str] = Counter()
    by_field: Counter[str] = Counter()
    by_modality: Counter[str] = Counter()
    exchanges = {}
    for part, a, b, c, unit, n, quantity in rows:
        if part == "item":
            by_status[a] += n
            by_field[b or ""] += n
            by_modality[c] += n
        else:
            exchanges[(a, b, c, unit)] = (n, Decimal(str(quantity)).quantize(Decimal("0.01")))
    return {
        "total": sum(by_status.values()),
        "by_status": {k: v for k, v in by_status.items() if v},
        "by_field": dict(by_field),
        "by_modality": {k: v for k, v in by_modality.items() if v},
        "exchanges": exchanges,
    }


def comparable_review(figures: dict[str, Any]) -> dict[str, Any]:
    items = figures["items"]
    return {
        "total": items["total"],
        "by_status": {k: v for k, v in items["by_status"].items() if v},
        "by_field": items["by_field"],
        "by_modality": {k: v for k, v in items["by_modality"].items() if v},
        "exchanges": {
            (r["kind"], r["from"], r["to"], r["unit"]): (r["count"], Decimal(r["quantity"]).quantize(Decimal("0.01")))
            for r in figures["exchanges"]["by_kind_and_direction"]
        },
    }


# --- timing --------------------------------------------------------------------------------------------


def timed_round_robin(
    fns: dict[str, Callable[[], Any]], repeats: int, warmup: int
) -> tuple[dict[str, tuple[list[int], list[int]]], dict[str, Any]]:
    """Run every scenario once per round, `repeats` rounds, timing wall and CPU time of each run.

    Taking turns spreads whatever else the machine is doing over all scenarios alike, so their ratio
    holds up better on a shared machine than back-to-back blocks would. CPU time is this process's only:
    the whole cost on SQLite (in-process), the client's share on PostgreSQL.
    """
    results: dict[str, Any] = {}
    for _ in range(warmup):
        for name, fn in fns.items():
            results[name] = fn()
    gc.collect()
    wall: dict[str, list[int]] = {name: [] for name in fns}
    cpu: dict[str, list[int]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            c0, t0 = time.process_time_ns(), time.perf_counter_ns()
            results[name] = fn()
            wall[name].append(time.perf_counter_ns() - t0)
            cpu[name].append(time.process_time_ns() - c0)
    return {name: (sorted(wall[name]), sorted(cpu[name])) for name in fns}, results


def count_queries(fn: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def scenario(name: str, wall_ns: Sequence[int], cpu_ns: Sequence[int], queries: int) -> dict[str, Any]:
    return {
        "scenario": name,
        "repeats": len(wall_ns),
        "min_ms": round(wall_ns[0] / 1e6, 2),
        "p50_ms": round(percentile(wall_ns, 50) / 1e6, 2),
        "p95_ms": round(percentile(wall_ns, 95) / 1e6, 2),
        "mean_ms": round(statistics.fmean(wall_ns) / 1e6, 2),
        "cpu_p50_ms": round(percentile(cpu_ns, 50) / 1e6, 2),
        "queries": queries,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from accord.meetings import selectors
    from accord.meetings.selectors import compute_review, inputs_hash

    t0 = time.perf_counter()
    plan = build(args.items, args.reports, args.exchanges)
    built_s = time.perf_counter() - t0
    as_of = AS_OF

    # "items+exchanges" is the part of compute_review that computes what the raw query does (item counts,
    # with the carry-over rows they come from, and the exchanges grouped), to compare like with like.
    fns: dict[str, Callable[[], Any]] = {
        "compute_review": lambda: compute_review(plan, as_of),
        "  items+exchanges": lambda: (selectors._items(plan, as_of), selectors._exchanges(plan, as_of)),
        "inputs_hash": lambda: inputs_hash(plan, as_of),
    }
    for name, sql in RAW_SQL.items():
        fns[name] = functools.partial(raw_figures, sql, plan, as_of)
    times, results = timed_round_robin(fns, args.repeats, args.warmup)
    scenarios = [scenario(name, *times[name], 1 if name in RAW_SQL else count_queries(fn)) for name, fn in fns.items()]
    figures = results["compute_review"]
    ours = comparable_review(figures)
    mismatch = [f"{k} ({name})" for name in RAW_SQL for k in ours if ours[k] != comparable_raw(results[name])[k]]
    baseline = min((s for s in scenarios if s["scenario"] in RAW_SQL), key=lambda s: s["p50_ms"])
    p50 = scenarios[0]["p50_ms"]
    return {
        "scenarios": scenarios,
        "baseline": baseline["scenario"],
        "ratio_review_over_raw": round(p50 / baseline["p50_ms"], 2),
        "ratio_counts_over_raw": round(scenarios[1]["p50_ms"] / baseline["p50_ms"], 2),
        "goal_ms": GOAL_MS,
        "goal_holds": p50 <= GOAL_MS,
        "figures_match": not mismatch,
        "mismatched": mismatch,
        "data": {
            "items": figures["items"]["total"],
            "reports": args.reports,
            "exchanges": args.exchanges,
            "exchanges_in_review": sum(r["count"] for r in figures["exchanges"]["by_kind_and_direction"]),
            "carry_over": len(figures["carry_over"]),
            "overdue_deliverables": len(figures["overdue_deliverables"]),
            "receipts_outstanding": len(figures["exchanges"]["receipts_outstanding"]),
            "by_status": figures["items"]["by_status"],
            "built_s": round(built_s, 1),
        },
        "database_version": database_version(),
    }


def print_report(result: dict[str, Any], meta: dict[str, Any]) -> None:
    data = result["data"]
    print(
        f"\nreview benchmark: {meta['vendor']} {meta['database_version'].split(' on ')[0]}, "
        f"{data['items']} items, {data['reports']} reports, {data['exchanges']} exchanges "
        f"({data['exchanges_in_review']} in the review), as of {meta['as_of']}, {meta['repeats']} repeats"
    )
    head = f"{'scenario':<20} {'p50 ms':>8} {'p95 ms':>8} {'min ms':>8} {'mean ms':>8} {'CPU p50':>8} {'queries':>8}"
    print(head)
    print("-" * len(head))
    for s in result["scenarios"]:
        print(
            f"{s['scenario']:<20} {s['p50_ms']:>8.2f} {s['p95_ms']:>8.2f} {s['min_ms']:>8.2f} "
            f"{s['mean_ms']:>8.2f} {s['cpu_p50_ms']:>8.2f} {s['queries']:>8}"
        )
    print(
        f"\ncompute_review / {result['baseline']} (the faster hand-written query), "
        f"p50: {result['ratio_review_over_raw']:.2f}x; its items+exchanges part alone: "
        f"{result['ratio_counts_over_raw']:.2f}x"
    )
    verdict = "holds" if result["goal_holds"] else "MISSED"
    print(f"goal: compute_review p50 <= {GOAL_MS:.0f} ms -> {verdict}")
    same = "yes" if result["figures_match"] else f"NO ({', '.join(result['mismatched'])})"
    print(f"same figures (status, field, modality, exchanges by kind/direction/unit): {same}")
    print(
        f"figures: {data['by_status']}, carry-over {data['carry_over']}, overdue {data['overdue_deliverables']}, "
        f"awaiting receipt {data['receipts_outstanding']}; data built in {data['built_s']} s"
    )


def write_json(result: dict[str, Any], meta: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{meta['date']}-review-{meta['vendor']}.json"
    path.write_text(json.dumps({**meta, **result}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.review", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--items", type=int, default=5000, help="plan items (default 5000)")
    parser.add_argument("--reports", type=int, default=50000, help="progress reports (default 50000)")
    parser.add_argument("--exchanges", type=int, default=1000, help="exchanges of the agreement (default 1000)")
    parser.add_argument("--repeats", type=int, default=20, help="timed rounds over all scenarios (default 20)")
    parser.add_argument("--warmup", type=int, default=2, help="untimed runs first (default 2)")
    add_database_url(parser)
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 if the goal is missed or figures differ")
    args = parser.parse_args(argv)
    if args.items < 1 or args.reports < 0 or args.exchanges < 0 or args.repeats < 1 or args.warmup < 0:
        parser.error("--items and --repeats must be positive; --reports, --exchanges and --warmup not negative")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with bench_database(args.database_url):
        setup_django()
        from django.db import connection

        result = run(args)
        meta = {
            "benchmark": "review",
            "date": dt.date.today().isoformat(),
            "started_utc": started,
            "vendor": connection.vendor,
            "database_version": result.pop("database_version"),
            "items": args.items,
            "reports": args.reports,
            "exchanges": args.exchanges,
            "as_of": AS_OF.isoformat(),
            "repeats": args.repeats,
            "warmup": args.warmup,
            **machine(),
        }
    print_report(result, meta)
    path = write_json(result, meta)
    print(f"\nresults: {path.relative_to(BENCH_DIR.parent)}")
    missed = not (result["goal_holds"] and result["figures_match"])
    return 1 if args.fail_on_miss and missed else 0


if __name__ == "__main__":
    sys.exit(main())
