"""Detail GETs under wrk: `accord serve` beside a bare WSGI endpoint running the same query (bench.bare_wsgi).

    .venv/bin/python -m bench.http_load --data-dir DIR [--seconds 30] [--workers 2]

Standalone it serves an existing data directory (a database made by `python -m bench.generate`); bench.suite
calls measure() on its own throwaway database. wrk (Debian's package `wrk`, C, one thread, keep-alive
connections) generates the load, so the load generator does not compete for Python's lock with anything;
a Lua script picks a random project per request. Both servers are gunicorn with the same worker count.

Reported per server: requests/s, p50/p95/p99 latency (wrk's), errors (socket errors and non-2xx/3xx
answers), and the largest resident memory of one worker process during the run. The ratio is Accord's
rate / the bare endpoint's rate (the goal is ≥ 0.5).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import descendants, free_port, memory_kb

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULT_MARK = "WRK-RESULT "
LUA = """
local ids = {%(ids)s}
local headers = {%(headers)s}
request = function()
  return wrk.format("GET", "%(prefix)s" .. ids[math.random(#ids)], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('%(mark)s{"requests":%%d,"duration_us":%%d,"errors":%%d,"p50_us":%%d,"p95_us":%%d,' ..
    '"p99_us":%%d,"max_us":%%d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def _wait_for(url_path: str, port: int, server: subprocess.Popen[bytes], headers: dict[str, str]) -> None:
    import http.client

    deadline = time.time() + 600  # accord serve migrates and may collect static files first
    while True:
        try:
            probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            probe.request("GET", url_path, headers=headers)
            if probe.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        if server.poll() is not None or time.time() > deadline:
            raise RuntimeError(f"the server on port {port} did not answer (exit status {server.poll()})")
        time.sleep(0.5)


def _worker_memory_mb(master: int) -> tuple[float, float]:
    """The largest resident and proportional memory among the master's descendants (gunicorn's workers).
    RSS counts pages shared with the master after fork in full; PSS shares them out, so PSS is what one
    more worker costs the machine."""
    workers = descendants(master)
    rss = max((memory_kb(p, "Rss") for p in workers), default=0)
    pss = max((memory_kb(p, "Pss") for p in workers), default=0)
    return round(rss / 1024, 1), round(pss / 1024, 1)


def _wrk(port: int, prefix: str, ids: Sequence[int], headers: dict[str, str], seconds: float) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            LUA
            % {
                "ids": ",".join(str(i) for i in ids),
                "headers": ",".join(f'["{k}"]="{v}"' for k, v in headers.items()),
                "prefix": prefix,
                "mark": RESULT_MARK,
            }
        )
    try:
        out = subprocess.run(
            ["wrk", "-t1", "-c8", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", script.name,
             f"http://127.0.0.1:{port}/"],
            capture_output=True, text=True, check=True, timeout=seconds + 120,
        ).stdout  # fmt: skip
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith(RESULT_MARK))
    return dict(json.loads(line[len(RESULT_MARK) :]))


def _run_server(argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        argv, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def _load(
    name: str, server: subprocess.Popen[bytes], port: int, prefix: str, ids: Sequence[int], headers: dict[str, str],
    seconds: float,
) -> dict[str, Any]:  # fmt: skip
    _wait_for(f"{prefix}{ids[0]}", port, server, headers)
    _wrk(port, prefix, ids, headers, min(5.0, seconds))  # warm up: imports, caches, connections
    peak = [0.0, 0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            rss, pss = _worker_memory_mb(server.pid)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        r = _wrk(port, prefix, ids, headers, seconds)
    finally:
        done.set()
        sampler.join()
    rate = r["requests"] / (r["duration_us"] / 1e6)
    return {
        "scenario": name,
        "samples": r["requests"],
        "p50_ms": round(r["p50_us"] / 1000, 3),
        "p95_ms": round(r["p95_us"] / 1000, 3),
        "p99_ms": round(r["p99_us"] / 1000, 3),
        "rows_per_s": round(rate, 1),  # requests/s
        "errors": r["errors"],
        "worker_rss_mb": peak[0],
        "worker_pss_mb": peak[1],
    }


def _stop(server: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def measure(project_ids: Sequence[int], token: str, seconds: float, workers: int) -> list[dict[str, Any]]:
    """Accord's project detail (API, token auth) and the bare endpoint, one after the other, same load."""
    env = {**os.environ, "ACCORD_JOB_RUNNER": "off"}
    results = []
    port = free_port()
    accord = _run_server(
        [sys.executable, "-m", "accord", "serve", "--host", "127.0.0.1", "--port", str(port), "--no-demo",
         "--workers", str(workers)],
        env,
    )  # fmt: skip
    try:
        auth = {"Authorization": f"Bearer {token}"}
        results.append(_load("http detail GET (wrk)", accord, port, "/api/v1/projects/", project_ids, auth, seconds))
    finally:
        _stop(accord)
    port = free_port()
    bare = _run_server(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "bench.bare_wsgi:application"],
        env,
    )  # fmt: skip
    try:
        results.append({
            **_load("bare WSGI detail GET (wrk)", bare, port, "/projects/", project_ids, {}, seconds),
            "is_baseline": True,
        })  # fmt: skip
    finally:
        _stop(bare)
    accord_row, bare_row = results
    accord_row["baseline"] = bare_row["scenario"]
    accord_row["baseline_rows_per_s"] = bare_row["rows_per_s"]
    accord_row["rate_ratio"] = round(accord_row["rows_per_s"] / bare_row["rows_per_s"], 3)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="ACCORD_DATA_DIR of a generated database")
    parser.add_argument("--database-url", default="", help="a PostgreSQL database instead of the data dir's SQLite")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    args = parser.parse_args(argv)
    if not available():
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    os.environ["ACCORD_DATA_DIR"] = args.data_dir
    os.environ["ACCORD_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    if args.database_url:
        os.environ["ACCORD_DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from accord.accounts.models import TokenScope
    from accord.accounts.services import issue_token
    from accord.core.actor import Actor, acting_as
    from accord.programmes.models import Project
    from bench.suite import _admin

    with acting_as(Actor(None, "bench", "bench-http", system=True)):
        _token, key = issue_token(_admin(), "bench http", scope=TokenScope.READ)
    ids = list(Project.objects.order_by("?").values_list("id", flat=True)[:5000])
    from django.db import connections

    connections.close_all()
    rows = measure(ids, key, args.seconds, args.workers)
    print(
        f"{'scenario':<30} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'worker RSS MB':>13} {'PSS MB':>7}"
    )
    for r in rows:
        print(
            f"{r['scenario']:<30} {r['rows_per_s']:>8.0f} {r['p50_ms']:>8.2f} {r['p95_ms']:>8.2f} {r['p99_ms']:>8.2f} "
            f"{r['errors']:>7} {r['worker_rss_mb']:>13.1f} {r['worker_pss_mb']:>7.1f}"
        )
    print(f"rate ratio accord / bare: {rows[0]['rate_ratio']:.2f} (goal ≥ 0.5; goal rate ≥ 1,500/s, p99 ≤ 50 ms)")
    print("worker memory goal: ≤ 120 MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
