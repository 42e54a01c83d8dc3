"""What drafting the next plan and amending a signed plan cost, against a plain bulk copy of the same rows.

    .venv/bin/python -m bench.plan_copy [--items 1000] [--rounds 3] [--database-url URL]

On a fresh database with the seed loaded, builds a signed plan of --items items (each with its own project, an
organisation responsible on each side and a deliverable: bench.pages.big_plan), then times, each --rounds times
and rolled back after each:

- draft next plan: `programmes.services.draft_next_plan` (every item proposed for carry-over with its
  responsibilities; validated, an audit entry per record, the search index), as the pages, API and CLI call it;
- amend plan: `programmes.services.amend_plan` (items, responsibilities and deliverables copied);
- baseline: the same rows the amendment writes (a plan, its items, responsibilities and deliverables) copied
  with Django's `bulk_create`: no validation, no audit entry, no search index, no permission check;
- accept every carry-over: `programmes.services.decide_carry_over` on the drafted next plan (drafted untimed in
  the same transaction), against its baseline: an UPDATE of each item with its version in the WHERE clause;
- leave every carry-over out: the same with every proposal dropped (items and responsibilities deleted), against
  a DELETE of each kind of row.

Prints wall and CPU seconds (the median round), the statements each sends and the ratio to its baseline of the
same run. Before 2026-12-07 each record was copied on its own (31,015 statements to draft the next plan of 1,000 items).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import add_database_url, bench_database, database_version, machine, setup_django

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"


class _RolledBack(Exception):
    pass


def _timed(step: Callable[[Any], Any], rounds: int, prepare: Callable[[], Any] = lambda: None) -> dict[str, Any]:
    """Median wall and CPU seconds of `step(prepare())` over `rounds`, each in a transaction rolled back (`prepare`
    untimed, in the same transaction), and the statements `step` sends."""
    from django.db import connection, transaction

    walls, cpus, statements = [], [], 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal statements
        statements += 1
        return execute(sql, params, many, context)

    for _ in range(rounds):
        statements = 0
        try:
            with transaction.atomic():
                prepared = prepare()
                with connection.execute_wrapper(count):
                    wall, cpu = time.perf_counter(), time.process_time()
                    step(prepared)
                    walls.append(time.perf_counter() - wall)
                    cpus.append(time.process_time() - cpu)
                raise _RolledBack
        except _RolledBack:
            pass
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus), "statements": statements}


def _bulk_copy(plan_pk: int) -> None:
    """The amendment's rows written the plain way: bulk_create of copies, nothing checked or recorded."""
    from accord.programmes.models import Deliverable, Plan, PlanItem, PlanItemResponsibility

    plan = Plan.objects.get(pk=plan_pk)
    items = list(plan.items.prefetch_related("responsibilities", "deliverables"))
    copy = Plan.objects.create(
        agreement_id=plan.agreement_id,
        title=plan.title,
        period_start=plan.period_start,
        period_end=plan.period_end,
        revision=plan.revision + 1,
        supersedes=plan,
    )
    copies = PlanItem.objects.bulk_create(
        PlanItem(plan=copy, project_id=i.project_id, position=i.position, objectives=i.objectives) for i in items
    )
    PlanItemResponsibility.objects.bulk_create(
        PlanItemResponsibility(plan_item=c, organisation_id=r.organisation_id, side_id=r.side_id)
        for c, i in zip(copies, items, strict=True)
        for r in i.responsibilities.all()
    )
    Deliverable.objects.bulk_create(
        Deliverable(plan_item=c, kind=d.kind, title=d.title, responsible_party_id=d.responsible_party_id)
        for c, i in zip(copies, items, strict=True)
        for d in i.deliverables.all()
    )


def run(items: int, rounds: int) -> dict[str, Any]:
    from django.db import connection

    from accord.core.actor import SYSTEM, acting_as
    from accord.demo.seed import load_seed, seed_handles
    from accord.programmes import services
    from accord.programmes.models import Plan, PlanItem, PlanItemResponsibility
    from bench.pages import big_plan

    with acting_as(SYSTEM):
        load_seed()
        plan_pk = big_plan(seed_handles().protocol.pk, items, signed=True)

        def plan() -> Plan:
            return Plan.objects.get(pk=plan_pk)

        def next_plan() -> Plan:
            return services.draft_next_plan(plan(), title={"en": "Next"})

        def accept_all(drafted: Plan) -> None:
            services.decide_carry_over(drafted, expected_version=drafted.version, accept=list(drafted.items.all()))

        def accept_raw(drafted: Plan) -> None:
            for item in drafted.items.all():  # one UPDATE a row, as the service's version guard needs
                PlanItem.objects.filter(pk=item.pk, version=item.version).update(carry_over="accepted")

        def drop_all(drafted: Plan) -> None:
            services.decide_carry_over(drafted, expected_version=drafted.version, drop=list(drafted.items.all()))

        def drop_raw(drafted: Plan) -> None:  # the rows deleted, a kind at a time
            PlanItemResponsibility.objects.filter(plan_item__plan=drafted).delete()
            PlanItem.objects.filter(plan=drafted).delete()

        steps = {
            "baseline: bulk_create copy": _timed(lambda _: _bulk_copy(plan_pk), rounds),
            "draft next plan": _timed(lambda _: next_plan(), rounds),
            "amend plan": _timed(lambda _: services.amend_plan(plan()), rounds),
            "baseline: an UPDATE an item": _timed(accept_raw, rounds, next_plan),
            "accept every carry-over": _timed(accept_all, rounds, next_plan),
            "baseline: DELETE a kind": _timed(drop_raw, rounds, next_plan),
            "leave every carry-over out": _timed(drop_all, rounds, next_plan),
        }
    for name, step in steps.items():
        base = steps[
            "baseline: DELETE a kind"
            if "out" in name or "DELETE" in name
            else "baseline: an UPDATE an item"
            if "carry-over" in name or "UPDATE" in name
            else "baseline: bulk_create copy"
        ]
        step["x_wall"] = round(step["wall_s"] / base["wall_s"], 2)
        step["x_cpu"] = round(step["cpu_s"] / base["cpu_s"], 2) if base["cpu_s"] else None
    return {"vendor": connection.vendor, "database_version": database_version(), "steps": steps}


def print_report(result: dict[str, Any], meta: dict[str, Any]) -> None:
    print(
        f"plan copy: {meta['vendor']} {meta['database_version']}, {meta['items']} items, {meta['cpus']} cpus, "
        f"commit {meta['commit']}, load average {meta['load_average']}"
    )
    print(f"  {'step':28} {'wall s':>8} {'cpu s':>8} {'statements':>11} {'x wall':>8} {'x cpu':>8}")
    for name, s in result["steps"].items():
        print(
            f"  {name:28} {s['wall_s']:8.3f} {s['cpu_s']:8.3f} {s['statements']:11,} {s['x_wall']:8.2f} "
            f"{s['x_cpu'] if s['x_cpu'] is not None else '-':>8}"
        )


def write_json(result: dict[str, Any], meta: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{dt.date.today().isoformat()}-plan_copy-{meta['vendor']}.json"
    path.write_text(json.dumps({**meta, **result}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.plan_copy", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000, help="items in the signed plan (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per step; the median is reported")
    add_database_url(parser)
    args = parser.parse_args(argv)
    if args.items < 1 or args.rounds < 1:
        parser.error("--items and --rounds must be positive")
    with bench_database(args.database_url):
        setup_django()
        result = run(args.items, args.rounds)
        meta = {
            "benchmark": "plan_copy",
            "date": dt.date.today().isoformat(),
            "vendor": result.pop("vendor"),
            "database_version": result.pop("database_version"),
            "items": args.items,
            "rounds": args.rounds,
            **machine(),
        }
    print_report(result, meta)
    path = write_json(result, meta)
    print(f"\nresults: {path.relative_to(BENCH_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
