"""Soak: a mixed load against a real `accord serve` on loopback for a long while; 0 errors, memory flat.

    .venv/bin/python -m bench.soak [--seconds 600] [--workers 4] [--threads 8] [--database-url URL]

The server runs in a fresh data directory (and, for PostgreSQL, a throwaway database whose name contains
"bench"), loads the seed demo, and gets API tokens for the admin and both coordinators. Then `--threads`
clients loop until the time is up, each request drawn at random:

- reads (70 %): project and plan lists and details, plan items, through the API;
- writes (30 %): a change to a plan item's objectives with If-Match from the last read (409 = someone else
  wrote first: re-read and retry; counted apart, not an error), or a new progress report;

and beside them, every `--import-every` seconds (default 30) an import of 200 projects through
POST /api/v1/imports/projects (alternately a dry run, new rows, and the same rows again: unchanged), and
every `--document-every` seconds (default 30) `accord document plan_text ... --format pdf --store`.

Every 5 s the resident memory (VmRSS) of the gunicorn master and each worker is read from /proc. An error is
a 5xx, a refused connection, a timeout, or a status the request should not get; the goal is none, and memory
that does not grow. Results: bench/results/<date>-soak-<db>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, add_database_url, bench_database, machine, percentile

RESULTS_DIR = BENCH_DIR / "results"
OK = {200, 201, 304}


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[int]] = defaultdict(list)  # kind -> microseconds
        self.errors: Counter[str] = Counter()
        self.error_samples: list[str] = []
        self.conflicts = 0

    def record(self, kind: str, started: float, error: str | None = None) -> None:
        micros = int((time.perf_counter() - started) * 1_000_000)
        with self.lock:
            self.latencies[kind].append(micros)
            if error:
                self.errors[kind] += 1
                if len(self.error_samples) < 20:
                    self.error_samples.append(f"{kind}: {error[:300]}")


# --- the server -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def accord(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "accord", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


def start_server(workers: int, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONUNBUFFERED"] = "1"
    with open(log, "wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "accord", "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while True:
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=5) as r:
                if r.read() == b"ok":
                    return proc, url
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"accord serve did not come up:\n{log.read_text(errors='replace')}")
        time.sleep(0.5)


def rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the thread or process may be gone already
            found += [int(p) for p in task.read_text().split()]
    return sorted(found)


def sample_memory(master: int, stop: threading.Event, samples: dict[str, list[tuple[float, int]]]) -> None:
    """VmRSS of the master and each worker every 5 s (a worker recycled by max_requests is a new pid)."""
    started = time.monotonic()
    while not stop.is_set():
        at = round(time.monotonic() - started, 1)
        for name, pid in [("master", master), *((f"worker {p}", p) for p in children(master))]:
            kb = rss_kb(pid)
            if kb is not None:
                samples.setdefault(name, []).append((at, kb))
        stop.wait(5)


# --- the load -------------------------------------------------------------------------------------------


class Load:
    def __init__(self, url: str, tokens: dict[str, str], stats: Stats, deadline: float) -> None:
        import requests

        self.api = f"{url}/api/v1"
        self.tokens = tokens
        self.stats = stats
        self.deadline = deadline
        self.requests = requests
        self.local = threading.local()
        admin = self.session("admin")
        agreement = admin.get(f"{self.api}/agreements", timeout=60).json()["results"][0]["id"]
        self.projects = [p["id"] for p in self._all(admin, "projects", agreement=agreement)]
        self.plans = [p["id"] for p in self._all(admin, "plans")]
        self.items = self._draft_items(agreement)
        self.organisations = self._participants()

    def session(self, who: str) -> Any:
        s = self.requests.Session()
        s.headers["Authorization"] = f"Bearer {self.tokens[who]}"
        return s

    def _all(self, session: Any, path: str, **params: Any) -> list[dict[str, Any]]:
        return list(
            session.get(f"{self.api}/{path}", params={**params, "page_size": 500}, timeout=60).json()["results"]
        )

    def _draft_items(self, agreement: int) -> list[int]:
        """A draft plan of ten items, for the writes (a signed plan's items no longer change)."""
        cn = self.session("cn-coordinator")
        year = 1970 + secrets.randbelow(50)
        plan = cn.post(
            f"{self.api}/plans",
            json={
                "agreement_id": agreement,
                "title": {"en": f"Soak plan {year}"},
                "period_start": f"{year}-01-01",
                "period_end": f"{year}-12-31",
            },
            timeout=60,
        )
        plan.raise_for_status()
        items = []
        for project in self.projects[:10]:
            r = cn.post(
                f"{self.api}/plan-items",
                json={"plan_id": plan.json()["id"], "project_id": project, "objectives": {"en": "soak"}},
                timeout=60,
            )
            r.raise_for_status()
            items.append(r.json()["id"])
        return items

    def _participants(self) -> dict[int, int | None]:
        """plan item -> an organisation taking part in its project (read once, straight from the database)."""
        import django

        django.setup()
        from accord.programmes.models import Participation, PlanItem

        found = {}
        for item in PlanItem.objects.filter(pk__in=self.items):
            org = Participation.objects.filter(project_id=item.project_id).values_list("organisation_id", flat=True)
            found[item.pk] = org.first()
        from django.db import connections

        connections.close_all()
        return found

    def _client(self) -> Any:
        if not hasattr(self.local, "sessions"):
            self.local.sessions = {who: self.session(who) for who in ("cn-coordinator", "su-coordinator")}
        return self.local.sessions[random.choice(("cn-coordinator", "su-coordinator"))]

    def _call(self, kind: str, method: str, path: str, session: Any, ok: set[int] = OK, **kw: Any) -> Any:
        started = time.perf_counter()
        try:
            r = session.request(method, f"{self.api}/{path}", timeout=120, **kw)
        except self.requests.RequestException as exc:
            self.stats.record(kind, started, f"{type(exc).__name__}: {exc}")
            return None
        error = None if r.status_code in ok else f"{r.status_code} {method} {path}: {r.text[:200]}"
        self.stats.record(kind, started, error)
        return r

    def step(self) -> None:
        session = self._client()
        roll = random.random()
        if roll < 0.15:
            self._call("list projects", "GET", "projects", session, params={"page_size": 50})
        elif roll < 0.35:
            self._call("get project", "GET", f"projects/{random.choice(self.projects)}", session)
        elif roll < 0.45:
            self._call("list plans", "GET", "plans", session)
        elif roll < 0.55:
            self._call("get plan", "GET", f"plans/{random.choice(self.plans)}", session)
        elif roll < 0.70:
            self._call("get plan item", "GET", f"plan-items/{random.choice(self.items)}", session)
        elif roll < 0.90:
            self._change_item(session)
        else:
            item = random.choice(self.items)
            body = {
                "reporting_organisation_id": self.organisations[item],
                "period_start": "1970-01-01",
                "period_end": "1970-06-30",
                "status": "on_track",
                "percent": random.randint(0, 100),
                "narrative": {"en": "soak"},
            }
            self._call("post progress", "POST", f"plan-items/{item}/progress", session, json=body)

    def _change_item(self, session: Any) -> None:
        item = random.choice(self.items)
        for _ in range(50):
            current = self._call("get plan item", "GET", f"plan-items/{item}", session)
            if current is None or current.status_code != 200:
                return
            objectives = current.json()["objectives"]
            objectives["en"] = f"soak {secrets.token_hex(4)}"
            r = self._call(
                "patch plan item",
                "PATCH",
                f"plan-items/{item}",
                session,
                ok={200, 409},
                json={"objectives": objectives},
                headers={"If-Match": current.headers["ETag"]},
            )
            if r is None or r.status_code != 409:
                return
            with self.stats.lock:
                self.stats.conflicts += 1

    def worker(self) -> None:
        while time.monotonic() < self.deadline:
            self.step()

    def importer(self, every: float) -> None:
        admin = self.session("admin")
        n = 0
        while not _sleep_until(self.deadline, every):
            # Cycle over a new batch of 200: a dry run, the import itself, the same file again (all unchanged).
            batch, dry_run = n // 3, n % 3 == 0
            body = _projects_csv(self._agreement_title(admin), batch)
            ok = {200} if dry_run else {201}
            self._call(
                "import (200 rows)",
                "POST",
                "imports/projects",
                admin,
                ok=ok,
                params={"dry_run": str(dry_run).lower()},
                files={"file": ("soak.csv", body, "text/csv")},
            )
            n += 1

    def _agreement_title(self, admin: Any) -> str:
        if not hasattr(self, "_title"):
            agreement = admin.get(f"{self.api}/agreements", timeout=60).json()["results"][0]
            self._title = agreement["title"]["en"]
        return self._title

    def documenter(self, every: float, out: Path) -> None:
        while not _sleep_until(self.deadline, every):
            started = time.perf_counter()
            plan = random.choice(self.plans)
            done = accord("document", "plan_text", str(plan), "--format", "pdf", "--store", "-o", str(out))
            error = None if done.returncode == 0 else f"exit {done.returncode}: {(done.stderr or done.stdout)[-300:]}"
            self.stats.record("document (pdf, stored)", started, error)


def _sleep_until(deadline: float, every: float) -> bool:
    """Wait `every` seconds; True when the run is over first."""
    remaining = deadline - time.monotonic()
    time.sleep(max(0.0, min(every, remaining)))
    return time.monotonic() >= deadline


def _projects_csv(agreement: str, batch: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["external_id", "agreement", "number", "title[en]", "field", "modality", "visibility"])
    for i in range(200):
        writer.writerow(
            [f"soak:{batch}:{i}", agreement, f"S{batch}-{i}", f"Soak project {batch}.{i}", "1.5", "joint", "bilateral"]
        )
    return out.getvalue().encode()


# --- the run --------------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(os.environ["ACCORD_DATA_DIR"])
    log = data_dir / "serve.log"
    setup_started = time.perf_counter()
    proc, url = start_server(args.workers, log)
    startup_s = time.perf_counter() - setup_started
    try:
        tokens = {}
        for who in ("admin", "cn-coordinator", "su-coordinator"):
            issued = accord("token", "issue", who, "soak", "--scope", "read-write")
            if issued.returncode != 0:
                raise SystemExit(issued.stderr)
            tokens[who] = issued.stdout.splitlines()[0].strip()
        stats = Stats()
        deadline = time.monotonic() + args.seconds
        load = Load(url, tokens, stats, deadline)
        memory: dict[str, list[tuple[float, int]]] = {}
        stop = threading.Event()
        threads = [threading.Thread(target=sample_memory, args=(proc.pid, stop, memory), daemon=True)]
        threads += [threading.Thread(target=load.worker, daemon=True) for _ in range(args.threads)]
        threads.append(threading.Thread(target=load.importer, args=(args.import_every,), daemon=True))
        doc = Path(tempfile.mkdtemp(prefix="accord-soak-")) / "plan.pdf"
        threads.append(threading.Thread(target=load.documenter, args=(args.document_every, doc), daemon=True))
        began = time.monotonic()
        for t in threads:
            t.start()
        for t in threads[1:]:
            t.join()
        elapsed = time.monotonic() - began
        stop.set()
        threads[0].join()
        verify = accord("verify")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    server_log = log.read_text(errors="replace")
    bad_lines = [
        line
        for line in server_log.splitlines()
        if "Traceback" in line or "database is locked" in line or "WORKER TIMEOUT" in line or '" 5' in line
    ]
    kinds = {}
    for kind, values in sorted(stats.latencies.items()):
        ordered = sorted(values)
        kinds[kind] = {
            "requests": len(ordered),
            "errors": stats.errors[kind],
            "p50_ms": percentile(ordered, 50) / 1000,
            "p95_ms": percentile(ordered, 95) / 1000,
            "p99_ms": percentile(ordered, 99) / 1000,
        }
    total = sum(k["requests"] for k in kinds.values())
    rss = {
        name: {
            "first_mb": round(points[0][1] / 1024, 1),
            "last_mb": round(points[-1][1] / 1024, 1),
            "max_mb": round(max(kb for _, kb in points) / 1024, 1),
            "samples": len(points),
            "seconds": [points[0][0], points[-1][0]],
        }
        for name, points in memory.items()
    }
    return {
        "benchmark": "soak",
        "date": dt.date.today().isoformat(),
        "settings": vars(args),
        "database": "postgresql" if os.environ.get("ACCORD_DATABASE_URL") else "sqlite",
        **machine(),
        "load_average_at_end": os.getloadavg(),
        "startup_s": round(startup_s, 1),
        "elapsed_s": round(elapsed, 1),
        "requests": total,
        "requests_per_s": round(total / elapsed, 1),
        "errors": sum(stats.errors.values()),
        "error_samples": stats.error_samples,
        "conflicts_409": stats.conflicts,
        "server_log_problems": bad_lines[:20],
        "verify_ok": verify.returncode == 0,
        "verify": (verify.stdout + verify.stderr).strip()[-500:],
        "by_kind": kinds,
        "rss": rss,
    }


def print_table(result: dict[str, Any]) -> None:
    print(
        f"\nSoak: {result['elapsed_s']} s on {result['database']}, {result['settings']['workers']} workers, "
        f"{result['settings']['threads']} client threads (server start-up {result['startup_s']} s)"
    )
    print(f"{'kind':26} {'requests':>9} {'errors':>7} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for kind, k in result["by_kind"].items():
        print(
            f"{kind:26} {k['requests']:>9} {k['errors']:>7} {k['p50_ms']:>9.1f} {k['p95_ms']:>9.1f} {k['p99_ms']:>9.1f}"
        )
    print(
        f"{'all':26} {result['requests']:>9} {result['errors']:>7}   {result['requests_per_s']} requests/s, "
        f"{result['conflicts_409']} stale writes refused (409) and retried"
    )
    print(f"\n{'process':22} {'RSS first MB':>13} {'last MB':>9} {'max MB':>8} {'samples':>8}")
    for name, r in result["rss"].items():
        print(f"{name:22} {r['first_mb']:>13} {r['last_mb']:>9} {r['max_mb']:>8} {r['samples']:>8}")
    print(f"\naccord verify: {'ok' if result['verify_ok'] else 'FAILED: ' + result['verify']}")
    print(f"server log problems (tracebacks, 5xx, locks): {len(result['server_log_problems'])}")
    for line in result["error_samples"] + result["server_log_problems"]:
        print("  ", line)
    goal = result["errors"] == 0 and not result["server_log_problems"] and result["verify_ok"]
    print(f"goal (0 errors, clean log, chain verifies): {'met' if goal else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of accord serve")
    parser.add_argument("--threads", type=int, default=8, help="client threads")
    parser.add_argument("--import-every", type=float, default=30)
    parser.add_argument("--document-every", type=float, default=30)
    add_database_url(parser)
    args = parser.parse_args()
    with bench_database(args.database_url):
        result = run(args)
    print_table(result)
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{result['date']}-soak-{result['database']}.json"
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwrote {path.relative_to(BENCH_DIR.parent)}")
    if result["errors"] or result["server_log_problems"] or not result["verify_ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
