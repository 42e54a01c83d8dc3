"""Export pressure: does the site stay responsive while clients hammer exports? (issue 17)

    .venv/bin/python -m bench.export_pressure [--projects 20000] [--clients 8] [--seconds 30] [--workers 4]
                                              [--database-url URL]

A fresh data directory (and, for PostgreSQL, a throwaway database whose name contains "bench") gets the
generator's programme of `--projects` projects (bench.generate), then a real `accord serve`. Measured in the same
run, against the same server:

1. baseline: `/health` and a page (`/projects/`) requested one after the other, with no other load;
2. `--clients` anonymous clients repeating the XLSX export of exchanges and of projects as fast as they are
   answered (what made `/health` take 55 s before exports were bounded), while a probe requests `/health`
   and the page every 0.25 s;
3. the same with the per-client rate limit switched off (ACCORD_EXPORT_RATE_ANONYMOUS=0: as if each client
   came from many addresses), so only the server-wide slots and the anonymous row cap hold the cost.

The table gives p50/p95/max latency of `/health` and of the page in each phase, the ratio of each phase's p95
to the baseline's, and how the exports were answered (200, 429, other). The goal: `/health` and the page under
1 s (max) under load. Results: bench/results/<date>-export-pressure-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

from bench.common import BENCH_DIR, add_database_url, bench_database, free_port, machine, percentile

RESULTS_DIR = BENCH_DIR / "results"
GOAL_SECONDS = 1.0
PROBES = ("/health", "/projects/")


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra or {})
    return env


def generate(projects: int) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bench.generate", "--projects", str(projects)],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=3600,
        cwd=BENCH_DIR.parent,
    )
    if done.returncode != 0:
        raise SystemExit(f"the generator failed:\n{done.stdout}\n{done.stderr}")


class Server:
    def __init__(self, workers: int, log: Path, extra_env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        with open(log, "ab") as fh:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "accord", "serve", "--port", str(self.port), "--workers", str(workers)],
                env=_env({"ACCORD_JOB_RUNNER": "off", **(extra_env or {})}),
                stdout=fh,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 900
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"accord serve did not come up:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _get(url: str, timeout: float = 120) -> tuple[int, float]:
    """(status, seconds) of one GET, the body read in full."""
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            r.read()
            status = r.status
    except urllib.error.HTTPError as exc:
        exc.read()
        status = exc.code
    except OSError:
        status = 0
    return status, time.perf_counter() - started


def probe(url: str, seconds: float, every: float = 0.25) -> dict[str, list[float]]:
    """Request each probe path in turn every `every` s for `seconds`: their latencies."""
    found: dict[str, list[float]] = {p: [] for p in PROBES}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for path in PROBES:
            status, took = _get(url + path)
            found[path].append(took if status == 200 else float("inf"))
        time.sleep(every)
    return found


def hammer(url: str, clients: int, seconds: float) -> tuple[dict[str, list[float]], Counter[int]]:
    """`clients` threads repeating exports while the probe runs; (probe latencies, export statuses)."""
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    paths = ["/api/v1/exports/exchanges?format=xlsx", "/api/v1/exports/projects?format=xlsx"]

    def client(n: int) -> None:
        i = n
        while not stop.is_set():
            status, _took = _get(url + paths[i % len(paths)])
            i += 1
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # let the load build up before measuring
    found = probe(url, seconds)
    stop.set()
    for t in threads:
        t.join(timeout=180)
    return found, statuses


def _summary(latencies: list[float]) -> dict[str, float]:
    values = sorted(latencies)
    micros = [int(v * 1_000_000) if v != float("inf") else 10**12 for v in values]
    return {
        "n": len(values),
        "p50_ms": percentile(micros, 50) / 1000,
        "p95_ms": percentile(micros, 95) / 1000,
        "max_ms": micros[-1] / 1000 if micros else 0.0,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(os.environ["ACCORD_DATA_DIR"])
    started = time.perf_counter()
    generate(args.projects)
    generated_s = time.perf_counter() - started
    log = data_dir / "serve.log"
    phases: dict[str, Any] = {}
    server = Server(args.workers, log)
    try:
        phases["baseline (no load)"] = {"probe": probe(server.url, args.baseline_seconds), "exports": Counter()}
        found, statuses = hammer(server.url, args.clients, args.seconds)
        phases[f"{args.clients} anonymous clients exporting"] = {"probe": found, "exports": statuses}
    finally:
        server.stop()
    server = Server(args.workers, log, {"ACCORD_EXPORT_RATE_ANONYMOUS": "0"})
    try:
        found, statuses = hammer(server.url, args.clients, args.seconds)
        phases[f"{args.clients} clients, no rate limit"] = {"probe": found, "exports": statuses}
    finally:
        server.stop()
    server_log = log.read_text(errors="replace")
    crashes = [line for line in server_log.splitlines() if "Traceback" in line or "WORKER TIMEOUT" in line]
    result: dict[str, Any] = {
        "benchmark": "export_pressure",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": "postgresql" if os.environ.get("ACCORD_DATABASE_URL") else "sqlite",
        "projects": args.projects,
        "clients": args.clients,
        "workers": args.workers,
        "seconds": args.seconds,
        "generated_s": round(generated_s, 1),
        "server_crash_lines": crashes[:20],
        "phases": {},
    }
    base = {p: _summary(phases["baseline (no load)"]["probe"][p]) for p in PROBES}
    for name, phase in phases.items():
        summaries = {p: _summary(phase["probe"][p]) for p in PROBES}
        for p in PROBES:
            summaries[p]["p95_ratio"] = round(summaries[p]["p95_ms"] / base[p]["p95_ms"], 2) if base[p]["p95_ms"] else 0
        result["phases"][name] = {"probe": summaries, "exports": dict(phase["exports"])}
    worst = max(s["max_ms"] for ph in result["phases"].values() for s in ph["probe"].values())
    result["goal_met"] = worst < GOAL_SECONDS * 1000 and not crashes
    return result


def print_table(result: dict[str, Any]) -> None:
    print(
        f"export pressure: {result['projects']} projects, {result['clients']} clients, {result['workers']} workers, "
        f"{result['database']}, {result['seconds']} s per loaded phase"
    )
    head = f"{'phase':<34} {'probe':<11} {'n':>4} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'p95/base':>9}  exports"
    print(head)
    print("-" * len(head))
    for name, phase in result["phases"].items():
        exports = ", ".join(f"{k}: {v}" for k, v in sorted(phase["exports"].items())) or "-"
        for i, (path, s) in enumerate(phase["probe"].items()):
            print(
                f"{name if i == 0 else '':<34} {path:<11} {s['n']:>4} {s['p50_ms']:>9.1f} {s['p95_ms']:>9.1f} "
                f"{s['max_ms']:>9.1f} {s['p95_ratio']:>9.2f}  {exports if i == 0 else ''}"
            )
    print(f"goal (every probe under {GOAL_SECONDS:g} s, no crash): {'met' if result['goal_met'] else 'MISSED'}")
    if result["server_crash_lines"]:
        print("server log:", *result["server_crash_lines"], sep="\n  ")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.export_pressure", description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30, help="length of each loaded phase")
    parser.add_argument("--baseline-seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers of accord serve")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 when the goal is missed")
    add_database_url(parser)
    args = parser.parse_args()
    with bench_database(args.database_url):
        result = run(args)
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"{dt.date.today().isoformat()}-export-pressure-{result['database']}.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(result)
    print(f"written: {out}")
    if args.fail_on_miss and not result["goal_met"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
