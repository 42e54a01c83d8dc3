"""The benchmark suite: a generated portfolio of size S, M or L, then every scenario against its baseline.

    .venv/bin/python -m bench.suite --size S|M|L [--database-url URL] [--http-seconds 60] [--repeats 20]

Sizes: S = 10,000 projects (CI smoke test), M = 100,000, L = 1,000,000. The portfolio comes from
bench.generator (audited, so `verify` runs over it) in a throwaway database (bench.common).
Each scenario is timed `--repeats` times after one untimed run, alternating with its baseline, and reports
p50 / p95 / p99, rows per second (rows one call handles / p50), peak Python memory (tracemalloc, a
separate untimed call) and the ratio of its p50 to the baseline's p50 measured in the same run:

- `api list page` (GET /api/v1/projects?agreement=<largest>, first page, then a page deep in the cursor)
  vs `raw page` (the same columns, WHERE agreement_id AND id > cursor ORDER BY id LIMIT 50).
- `api detail` vs `raw detail` (one project by id).
- `search en|ru|zh` (icontains on the title in that language, count and first 50) vs the same LIKE raw
  (no search index yet: both scan).
- `dashboard (admin)` (the page through the test client) vs bench.dashboard's hand-written SQL.
- `review largest plan` (reviews.selectors.compute_review) vs bench.review's hand-written SQL.
- `verify chain` (accord.core.verify over everything; no baseline).
- `export`, `audited writes`, `import` (optional): bench.export / bench.audit_writes / bench.import_cordis
  run as subprocesses on their own databases; their JSON results are folded into the table.
- `http detail|list|progress POST`: `accord serve` on loopback under a thread-pool load generator for
  `--http-seconds`: requests/s, p50/p95/p99, errors, server RSS (all gunicorn processes, from /proc).

Writes bench/results/<date>-<vendor>-<size>.json and prints the table.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import http_load
from bench.common import (
    add_database_url,
    bench_database,
    database_version,
    descendants,
    free_port,
    machine,
    memory_kb,
    ms,
    setup_django,
)

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
SIZES = {"S": 10_000, "M": 100_000, "L": 1_000_000}
PAGE = 50
SEARCH = {"en": "permafrost", "ru": "мерзлоты", "zh": "冻土"}


# --- measuring -----------------------------------------------------------------------------------------


def _peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
    finally:
        tracemalloc.stop()


def compare(
    name: str, fn: Callable[[], int], base_name: str | None, base: Callable[[], int] | None, repeats: int
) -> list[dict[str, Any]]:
    """Time `fn` and its baseline in turns; each returns how many rows it handled (checked equal)."""
    pairs = [(name, fn)] + ([(base_name or "baseline", base)] if base else [])
    rows = {n: f() for n, f in pairs}  # warm-up, and the row counts
    if base and rows[name] != rows[base_name or "baseline"]:
        raise AssertionError(f"{name}: {rows[name]} rows, but its baseline gives {rows[base_name or 'baseline']}")
    times: dict[str, list[int]] = {n: [] for n, _ in pairs}
    for _ in range(repeats):
        for n, f in pairs:
            t = time.perf_counter_ns()
            f()
            times[n].append(time.perf_counter_ns() - t)
    out: list[dict[str, Any]] = []
    p50s = [ms(times[n], 50) for n, _ in pairs]
    for (n, f), p50 in zip(pairs, p50s, strict=True):
        out.append(
            {
                "scenario": n,
                "samples": repeats,
                "p50_ms": p50,
                "p95_ms": ms(times[n], 95),
                "p99_ms": ms(times[n], 99),
                "rows": rows[n],
                "rows_per_s": round(rows[n] / (p50 / 1000)) if p50 else None,
                "peak_mb": _peak_mb(f),
                "is_baseline": n != name,
            }
        )
    if base:
        out[0]["baseline"] = out[1]["scenario"]
        out[0]["baseline_p50_ms"] = out[1]["p50_ms"]
        out[0]["ratio"] = round(p50s[0] / p50s[1], 2) if p50s[1] else None
    return out


def _cursor() -> Any:
    from django.db import connection

    return connection.cursor()


# --- scenarios --------------------------------------------------------------------------------------------


def api_scenarios(repeats: int) -> list[dict[str, Any]]:
    from django.db.models import Count
    from django.test import Client

    from accord.programmes.models import Project

    admin = _admin()
    client = Client()
    client.force_login(admin)
    largest = Project.objects.values("agreement").annotate(n=Count("id")).order_by("-n").first()
    assert largest is not None
    agreement = largest["agreement"]
    ids = list(Project.objects.filter(agreement=agreement).order_by("id").values_list("id", flat=True))
    deep = ids[len(ids) // 2]  # a page half way down the cursor
    cols = "id, uid, version, agreement_id, number, title, field, modality, start_on, end_on, visibility"

    def api_page(after: int | None) -> Callable[[], int]:
        def get() -> int:
            url = f"/api/v1/projects?agreement={agreement}&page_size={PAGE}"
            response = client.get(url if after is None else next_url_after[after])
            assert response.status_code == 200, response.content[:200]
            return len(response.json()["results"])

        return get

    def raw_page(after: int) -> Callable[[], int]:
        def get() -> int:
            with _cursor() as cur:
                cur.execute(
                    f"SELECT {cols} FROM programmes_project WHERE agreement_id = %s AND id > %s ORDER BY id LIMIT %s",
                    [agreement, after, PAGE],
                )
                return len([json.loads(r[5]) if isinstance(r[5], str) else r[5] for r in cur.fetchall()])

        return get

    # Ninja's cursor is opaque: walk 50-row pages to the middle and keep the `next` link found there.
    next_url_after: dict[int, str] = {}
    walk = f"/api/v1/projects?agreement={agreement}&page_size={PAGE}"
    while True:
        body = client.get(walk).json()
        if body["results"][-1]["id"] >= deep or not body.get("next"):
            deep = body["results"][-1]["id"]
            next_url_after[deep] = body["next"] or walk
            break
        walk = body["next"]

    def api_detail() -> int:
        response = client.get(f"/api/v1/projects/{ids[len(ids) // 3]}")
        assert response.status_code == 200
        return 1

    def raw_detail() -> int:
        with _cursor() as cur:
            cur.execute(f"SELECT {cols} FROM programmes_project WHERE id = %s", [ids[len(ids) // 3]])
            return len(cur.fetchall())

    out = compare(f"api list page 1 (agreement of {len(ids)})", api_page(None), "raw page 1", raw_page(0), repeats)
    out += compare("api list page (deep cursor)", api_page(deep), "raw page (deep)", raw_page(deep), repeats)
    out += compare("api detail", api_detail, "raw detail", raw_detail, repeats)
    return out


def search_index_scenarios(repeats: int) -> list[dict[str, Any]]:
    from bench import search as indexed

    return indexed.scenarios(repeats)


def search_scenarios(repeats: int) -> list[dict[str, Any]]:
    from django.db import connection

    from accord.programmes.models import Project

    out = []
    for lang, term in SEARCH.items():

        def orm(lang: str = lang, term: str = term) -> int:
            qs = Project.objects.filter(**{f"title__{lang}__icontains": term})
            n = qs.count()
            list(qs.order_by("id").values_list("id", "title")[:PAGE])
            return n

        key = f"json_extract(title, '$.{lang}')" if connection.vendor == "sqlite" else f"title->>'{lang}'"
        like = "LIKE" if connection.vendor == "sqlite" else "ILIKE"

        def raw(key: str = key, like: str = like, term: str = term) -> int:
            with _cursor() as cur:
                cur.execute(f"SELECT COUNT(*) FROM programmes_project WHERE {key} {like} %s", [f"%{term}%"])
                n = cur.fetchone()[0]
                cur.execute(
                    f"SELECT id, title FROM programmes_project WHERE {key} {like} %s ORDER BY id LIMIT %s",
                    [f"%{term}%", PAGE],
                )
                cur.fetchall()
            return int(n)

        out += compare(f"search {lang} ({term})", orm, f"raw LIKE {lang}", raw, repeats)
    return out


def dashboard_scenarios(repeats: int) -> list[dict[str, Any]]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from bench import dashboard as dash

    client = Client()
    client.force_login(_admin())
    today = dt.date(2026, 11, 1)  # inside the generated years, so the overdue and stale lists have rows

    def page() -> int:
        response = client.get("/dashboard/")
        assert response.status_code == 200, response.status_code
        return 1

    def uncached() -> int:
        cache.clear()  # the figures are cached per audience: time computing them, as after a change
        return page()

    def raw() -> int:
        dash.hand_written(dash.STATUS_BY_WINDOW, connection.vendor, today)
        return 1

    return compare("dashboard page (admin, uncached)", uncached, "raw dashboard SQL (window)", raw, repeats) + compare(
        "dashboard page (admin, cached)", page, None, None, repeats
    )


def review_scenarios(repeats: int) -> list[dict[str, Any]]:
    from django.db.models import Count

    from accord.meetings.selectors import compute_review
    from accord.programmes.models import Plan
    from bench import review as rv

    plan = Plan.objects.annotate(n=Count("items")).order_by("-n").first()
    assert plan is not None
    as_of = plan.period_end
    shape = rv.RAW_SQL["raw SQL (subquery)" if _vendor() == "sqlite" else "raw SQL (window)"]

    def ours() -> int:
        compute_review(plan, as_of)
        return int(plan.n)

    def raw() -> int:
        rv.raw_figures(shape, plan, as_of)
        return int(plan.n)

    return compare(f"review largest plan ({plan.n} items)", ours, "raw review SQL", raw, repeats)


def verify_scenario() -> list[dict[str, Any]]:
    from accord.core.verify import verify

    t = time.perf_counter_ns()
    report = verify()
    ns = time.perf_counter_ns() - t
    assert report.ok, report.problems[:3]
    return [_total_row("verify chain", ns / 1e9, report.entries, None)]


def _vendor() -> str:
    from django.db import connection

    return connection.vendor


def _admin() -> Any:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    user = user_model.objects.filter(username="bench-admin").first()
    if user is None:
        user = user_model.objects.create_superuser("bench-admin", "bench@example.org", "bench-password-1")
    return user


# --- scenarios measured by the other benchmarks, each on its own throwaway database -------------------------


def external(args: argparse.Namespace, vendor: str) -> list[dict[str, Any]]:
    url = args.database_url
    own = (url.rsplit("/", 1)[0] + "/" + url.rsplit("/", 1)[1].split("?")[0] + "_{}") if url else None
    out: list[dict[str, Any]] = []
    today = dt.date.today().isoformat()
    runs = [
        ("export", ["-m", "bench.export", "--projects", str(min(args.projects, 100_000))]),
        ("audit_writes", ["-m", "bench.audit_writes", "--n", "500", "--rounds", "1", "--warmup", "20"]),
    ]
    if args.with_import:
        runs.append(("import_cordis", ["-m", "bench.import_cordis"]))
    for name, argv in runs:
        cmd = [sys.executable, *argv] + (["--database-url", own.format(name)] if own else [])
        path = RESULTS_DIR / f"{today}-{name}-{vendor}.json"
        # That benchmark writes its own results file: keep whatever its owner ran there today.
        before = path.read_bytes() if path.exists() else None
        proc = subprocess.run(cmd, cwd=BENCH_DIR.parent, capture_output=True, text=True, check=False)
        ran = path.read_text(encoding="utf-8") if path.exists() else None
        if before is None:
            path.unlink(missing_ok=True)
        else:
            path.write_bytes(before)
        if proc.returncode != 0 or ran is None:
            out.append({"scenario": name, "error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]})
            continue
        data = json.loads(ran)
        out += _fold(name, data)
    return out


def _fold(name: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The other benchmarks' results as rows of this table (totals where they report no percentiles)."""
    if name == "export":
        acc, raw = data["paths"]["accord"], data["paths"]["raw cursor"]
        row = _total_row("export csv (accord)", acc["seconds"], data["projects"], acc["peak_mb"])
        base = _total_row("raw cursor to csv", raw["seconds"], data["projects"], raw["peak_mb"])
        return [_with_base(row, base), {**base, "is_baseline": True}]
    if name == "audit_writes":
        by = {s["scenario"]: s for s in data["scenarios"]}
        rows = []
        for op in ("create", "update"):
            a, p = by[f"{op}/audited"], by[f"{op}/plain"]
            row = {k: a[k] for k in ("p50_ms", "p95_ms", "p99_ms")} | {
                "scenario": f"audited {op}",
                "rows_per_s": a["writes_per_s"],
                "samples": a["n"],
            }
            base = {k: p[k] for k in ("p50_ms", "p95_ms", "p99_ms")} | {
                "scenario": f"plain {op}",
                "rows_per_s": p["writes_per_s"],
                "samples": p["n"],
                "is_baseline": True,
            }
            rows += [_with_base(row, base), base]
        return rows
    if name == "import_cordis":
        return [{"scenario": "import cordis", "raw": data}]
    return []


def _total_row(name: str, seconds: float, rows: int, peak: float | None) -> dict[str, Any]:
    elapsed_ms = round(seconds * 1000, 1)
    return {
        "scenario": name,
        "samples": 1,
        "p50_ms": elapsed_ms,
        "p95_ms": elapsed_ms,
        "p99_ms": elapsed_ms,
        "rows": rows,
        "rows_per_s": round(rows / seconds) if seconds else None,
        "peak_mb": peak,
    }


def _with_base(row: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    row["baseline"] = base["scenario"]
    row["baseline_p50_ms"] = base["p50_ms"]
    row["ratio"] = round(row["p50_ms"] / base["p50_ms"], 2) if base["p50_ms"] else None
    return row


# --- HTTP: accord serve under load --------------------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (the gunicorn master and workers)."""
    return round(sum(memory_kb(p, "Rss") for p in [pid, *descendants(pid)]) / 1024, 1)


def http_scenarios(seconds: float, threads: int) -> list[dict[str, Any]]:
    from accord.accounts.models import TokenScope
    from accord.accounts.services import issue_token
    from accord.core.actor import Actor, acting_as
    from accord.programmes.models import Participation, PlanItem, Project

    with acting_as(Actor(None, "bench", "bench-suite", system=True)):
        _token, key = issue_token(_admin(), "bench suite", scope=TokenScope.WRITE)
    project_ids = list(Project.objects.order_by("id").values_list("id", "agreement_id")[:5000])
    items = list(
        PlanItem.objects.filter(plan__status="in_force").values_list("id", "project_id", "plan__period_start")[:2000]
    )
    org_of = dict(
        Participation.objects.filter(project_id__in=[i[1] for i in items]).values_list("project_id", "organisation_id")
    )
    items = [i for i in items if i[1] in org_of]
    port = free_port()
    env = {**os.environ, "ACCORD_JOB_RUNNER": "off"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "accord",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-demo",
            "--workers",
            str(max(2, os.cpu_count() or 2)),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # serve migrates and collects static files first: wait for an answer, not just an open port.
        deadline = time.time() + 600
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/api/v1/projects?page_size=1")
                if probe.getresponse().status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            if server.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"accord serve did not answer (exit status {server.poll()})")
            time.sleep(1)
        results: dict[str, list[int]] = {"http detail GET": [], "http list GET": [], "http progress POST": []}
        errors: dict[str, int] = dict.fromkeys(results, 0)
        lock = threading.Lock()
        stop = time.time() + seconds
        peak_rss = [0.0]

        def worker(seed: int) -> None:
            rng = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            auth = {"Authorization": f"Bearer {key}"}
            while time.time() < stop:
                roll = rng.random()
                if roll < 0.5:
                    name, method, path, body = (
                        "http detail GET",
                        "GET",
                        f"/api/v1/projects/{rng.choice(project_ids)[0]}",
                        None,
                    )
                elif roll < 0.9 or not items:
                    agreement = rng.choice(project_ids)[1]
                    name, method, path, body = "http list GET", "GET", f"/api/v1/projects?agreement={agreement}", None
                else:
                    item, project, start = rng.choice(items)
                    payload = {
                        "reporting_organisation_id": org_of[project],
                        "period_start": str(start),
                        "period_end": str(start + dt.timedelta(days=90)),
                        "status": "on_track",
                        "percent": 30,
                    }
                    name, method, path, body = (
                        "http progress POST",
                        "POST",
                        f"/api/v1/plan-items/{item}/progress",
                        json.dumps(payload),
                    )
                headers = {**auth, **({"Content-Type": "application/json"} if body else {})}
                t = time.perf_counter_ns()
                try:
                    conn.request(method, path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    ok = response.status < 400
                except (OSError, http.client.HTTPException):
                    ok = False
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                ns = time.perf_counter_ns() - t
                with lock:
                    results[name].append(ns)
                    errors[name] += 0 if ok else 1

        def sample_rss() -> None:
            while time.time() < stop:
                peak_rss[0] = max(peak_rss[0], _rss_mb(server.pid))
                time.sleep(1)

        with concurrent.futures.ThreadPoolExecutor(threads + 1) as pool:
            futures = [pool.submit(worker, i) for i in range(threads)] + [pool.submit(sample_rss)]
            for f in futures:
                f.result()
        out = []
        for name, ns in results.items():
            if not ns:
                continue
            out.append(
                {
                    "scenario": name,
                    "samples": len(ns),
                    "p50_ms": ms(ns, 50),
                    "p95_ms": ms(ns, 95),
                    "p99_ms": ms(ns, 99),
                    "rows_per_s": round(len(ns) / seconds, 1),  # requests/s
                    "errors": errors[name],
                    "peak_mb": peak_rss[0],  # the server's RSS, all processes
                }
            )
        return out
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def wrk_scenarios(seconds: float) -> list[dict[str, Any]]:
    """Project detail GETs under wrk, Accord beside the bare WSGI endpoint (bench.http_load)."""
    from django.db import connections

    from accord.accounts.models import TokenScope
    from accord.accounts.services import issue_token
    from accord.core.actor import Actor, acting_as
    from accord.programmes.models import Project

    with acting_as(Actor(None, "bench", "bench-suite", system=True)):
        _token, key = issue_token(_admin(), "bench suite (wrk)", scope=TokenScope.READ)
    ids = list(Project.objects.order_by("id").values_list("id", flat=True)[:: max(1, Project.objects.count() // 5000)])
    connections.close_all()
    return http_load.measure(ids, key, seconds, max(2, os.cpu_count() or 2))


# --- the run ------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.conf import settings

    from accord.core.actor import Actor, acting_as
    from accord.demo.seed import load_seed
    from bench.generator import Sizes, generate

    # Pages rendered in this process: no collectstatic manifest here (the served ones have theirs).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with acting_as(Actor(None, "bench", "bench-suite", system=True)):
        load_seed()
        report = generate(Sizes(projects=args.projects), seed=args.seed)
    scenarios: list[dict[str, Any]] = [
        {
            "scenario": "generate (bulk, audited)",
            "samples": 1,
            "p50_ms": round(report.seconds * 1000),
            "rows": report.total,
            "rows_per_s": round(report.total / report.seconds),
        }
    ]
    vendor = _vendor()
    steps: list[tuple[str, Callable[[], list[dict[str, Any]]]]] = [
        ("api", lambda: api_scenarios(args.repeats)),
        # The indexed search the pages use (bench.search), then the unindexed scan it replaced, for contrast.
        ("search", lambda: search_index_scenarios(max(3, args.repeats // 4))),
        ("search (scan)", lambda: search_scenarios(max(3, args.repeats // 4))),
        ("dashboard", lambda: dashboard_scenarios(max(3, args.repeats // 4))),
        ("review", lambda: review_scenarios(max(3, args.repeats // 4))),
        ("verify", verify_scenario),
    ]
    if args.http_seconds > 0:
        steps.append(("http", lambda: http_scenarios(args.http_seconds, args.http_threads)))
        if http_load.available():  # wrk: a load generator that does not share Python's lock with anything
            steps.append(("http (wrk)", lambda: wrk_scenarios(args.http_seconds)))
    if args.external:
        steps.append(("external", lambda: external(args, vendor)))
    for name, step in steps:
        if name in args.skip:
            scenarios.append({"scenario": name, "skipped": "--skip"})
            continue
        print(f"... {name}", file=sys.stderr, flush=True)
        try:
            scenarios += step()
        except Exception as exc:  # one broken scenario must not hide the others' figures
            scenarios.append({"scenario": name, "error": f"{type(exc).__name__}: {exc}"})
    return {"vendor": vendor, "database_version": database_version(), "rows": report.rows, "scenarios": scenarios}


def print_table(result: dict[str, Any], meta: dict[str, Any]) -> None:
    print(f"\nbench suite {meta['size']} ({meta['projects']} projects), {result['vendor']}, {meta['date']}")
    head = (
        f"{'scenario':<40} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'rows/s':>10} {'peak MB':>8} "
        f"{'base p50':>9} {'ratio':>6} {'err':>4}"
    )
    print(head)
    print("-" * len(head))

    def f(v: Any, width: int) -> str:
        return f"{'' if v is None else v:>{width}}"

    for s in result["scenarios"]:
        if "error" in s:
            print(f"{s['scenario']:<40} ERROR {s['error']}")
            continue
        if "skipped" in s:
            print(f"{s['scenario']:<40} skipped ({s['skipped']})")
            continue
        if s.get("is_baseline"):
            continue  # shown as the baseline column of its scenario
        print(
            f"{s['scenario'][:40]:<40} {f(s.get('p50_ms'), 9)} {f(s.get('p95_ms'), 9)} {f(s.get('p99_ms'), 9)} "
            f"{f(s.get('rows_per_s'), 10)} {f(s.get('peak_mb', s.get('worker_pss_mb')), 8)} "
            f"{f(s.get('baseline_p50_ms', s.get('baseline_rows_per_s')), 9)} "
            f"{f(s.get('ratio', s.get('rate_ratio')), 6)} {f(s.get('errors'), 4)}"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--projects", type=int, default=0, help="override the size's project count")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=20, help="timed calls per scenario (default 20)")
    parser.add_argument("--http-seconds", type=float, default=None, help="load duration (default 60; 10 for S)")
    parser.add_argument("--http-threads", type=int, default=8, help="load generator threads (default 8)")
    parser.add_argument("--no-external", dest="external", action="store_false", help="skip export/audit_writes")
    parser.add_argument("--with-import", action="store_true", help="also run bench.import_cordis (needs its data)")
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="STEP",
        help="leave out a step (api, search, search (scan), dashboard, review, verify, http, http (wrk), external); "
        "repeatable — e.g. verify at L, which walks every chain entry",
    )
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="CI's smoke test: 1,000 projects, 3 repeats, 3 s of load, no external runs, no results file; "
        "fails if any scenario fails",
    )
    add_database_url(parser)
    args = parser.parse_args(argv)
    if args.smoke:
        args.projects, args.repeats, args.http_seconds, args.external = 1000, 3, 3.0, False
    args.projects = args.projects or SIZES[args.size]
    if args.http_seconds is None:
        args.http_seconds = 10.0 if args.size == "S" else 60.0
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with bench_database(args.database_url):
        setup_django()

        result = run(args)
        meta = {
            "benchmark": "suite",
            "size": args.size,
            "projects": args.projects,
            "seed": args.seed,
            "date": dt.date.today().isoformat(),
            "started_utc": started,
            "repeats": args.repeats,
            "http_seconds": args.http_seconds,
            **machine(),
        }
    print_table(result, meta)
    if not args.smoke:  # a smoke run's figures mean nothing: it only proves every scenario still runs
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        path = RESULTS_DIR / f"{meta['date']}-{result['vendor']}-{args.size}.json"
        text = json.dumps({**meta, **result}, indent=2, ensure_ascii=False, default=str) + "\n"
        path.write_text(text, encoding="utf-8")
        print(f"results: {path.relative_to(BENCH_DIR.parent)}")
    errors = [s for s in result["scenarios"] if "error" in s or s.get("errors")]
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
