"""The S → M → L curve: the suite's results for each size and database, side by side, as a Markdown table.

    .venv/bin/python -m bench.curve [--date YYYY-MM-DD]

Reads the newest bench/results/<date>-<vendor>-<size>.json for each vendor and size (or those of --date)
and prints one row per scenario with the figure its goal is about, so docs/scaling.md and the README
quote the measured files rather than copied numbers. A size not yet run shows as "—".
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = ("S", "M", "L")
VENDORS = ("sqlite", "postgresql")


def _ms(key: str) -> Callable[[dict[str, Any]], str]:
    return lambda s: f"{s[key]:,.1f} ms" if s.get(key) is not None else "—"


def _rate(s: dict[str, Any]) -> str:
    return f"{s['rows_per_s']:,.0f}/s" if s.get("rows_per_s") is not None else "—"


def _http(s: dict[str, Any]) -> str:
    return f"{s['rows_per_s']:,.0f}/s, p99 {s['p99_ms']:,.0f} ms, ×{s.get('rate_ratio', 0):.2f} of bare"


def _ratio(s: dict[str, Any]) -> str:
    return f"{s['rows_per_s']:,.0f}/s (×{s['ratio']:.1f})" if s.get("ratio") is not None else _rate(s)


# (label, scenario name prefix, what to show, goal)
ROWS: list[tuple[str, str, Callable[[dict[str, Any]], str], str]] = [
    ("generate (audited bulk load)", "generate (bulk, audited)", _rate, "1M projects ≤ 10 min"),
    ("API list, first page, p95", "api list page 1", _ms("p95_ms"), "≤ 20 ms"),
    ("API list, deep cursor, p95", "api list page (deep cursor)", _ms("p95_ms"), "≤ 20 ms"),
    ("API detail, p95", "api detail", _ms("p95_ms"), "—"),
    ("search page, all kinds, p95", "search page: all kinds", _ms("p95_ms"), "≤ 50 ms"),
    ("dashboard (admin, uncached), p50", "dashboard page (admin, uncached)", _ms("p50_ms"), "≤ 200 ms"),
    ("dashboard (admin, cached), p95", "dashboard page (admin, cached)", _ms("p95_ms"), "≤ 200 ms"),
    ("review of the largest plan, p50", "review largest plan", _ms("p50_ms"), "≤ 200 ms"),
    ("verify the chain", "verify chain", _rate, "10M entries ≤ 60 s"),
    ("HTTP detail GET (wrk)", "http detail GET (wrk)", _http, "≥ 1,500/s, p99 ≤ 50 ms, ≥ ×0.5"),
    ("HTTP worker memory (PSS)", "http detail GET (wrk)", lambda s: f"{s['worker_pss_mb']:.0f} MB", "≤ 120 MB"),
    ("HTTP mixed load errors", "http progress POST", lambda s: str(s.get("errors", "—")), "0"),
    ("CSV export (× raw cursor)", "export csv (accord)", _ratio, "≥ 100,000/s"),
    ("audited create (× plain)", "audited create", _ratio, "≤ ×1.3"),
    ("audited update (× plain)", "audited update", _ratio, "≤ ×1.3"),
]


def newest(vendor: str, size: str, date: str | None) -> dict[str, Any] | None:
    files = sorted(RESULTS.glob(f"{date or '*'}-{vendor}-{size}.json"))
    return json.loads(files[-1].read_text(encoding="utf-8")) if files else None


def cell(result: dict[str, Any] | None, prefix: str, show: Callable[[dict[str, Any]], str]) -> str:
    if result is None:
        return "—"
    for s in result.get("scenarios", []):
        if s.get("scenario", "").startswith(prefix) and "error" not in s and "skipped" not in s:
            try:
                return show(s)
            except (KeyError, TypeError):
                return "—"
    return "—"


def table(date: str | None = None) -> str:
    results = {(v, z): newest(v, z, date) for v in VENDORS for z in SIZES}
    columns = [(v, z) for v in VENDORS for z in SIZES]
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    head = "| scenario | goal | " + " | ".join(f"{names[v]} {z}" for v, z in columns) + " |"
    lines = [head, "| " + " | ".join(["---"] * (len(columns) + 2)) + " |"]
    for label, prefix, show, goal in ROWS:
        lines.append(f"| {label} | {goal} | " + " | ".join(cell(results[c], prefix, show) for c in columns) + " |")
    runs = [
        f"{names[v]} {z}: {r['date']}, commit {r['commit']}, load average {r['load_average'][0]:.1f}"
        for (v, z), r in results.items()
        if r
    ]
    return "\n".join(lines) + "\n\nRuns: " + "; ".join(runs) + "."


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--date", help="only results of this date (default: the newest of each)")
    print(table(parser.parse_args(argv).date))
    return 0


if __name__ == "__main__":
    sys.exit(main())
