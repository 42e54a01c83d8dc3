"""`accord check-texts`: how fast it starts, and how long the check of a page takes in process (issue 19).

    .venv/bin/python -m bench.check_texts [--runs 7] [--pages 40] [--data DIR] [--fail-on-miss]

1. Start-up: wall time of whole runs of the command on a one-line pair (so the check itself is nothing),
   median of --runs fresh processes, against the baseline `python -c pass` (the interpreter alone) in the
   same run. Rows: the `accord` entry point as a user runs it (no database in the data dir: no Django,
   names from the built-in gazetteer), the same with --no-directory, and the Django management command
   (`django.setup()` then call_command: the way every run went before issue 19, and the way it goes when
   a database is there). Also the imports alone (`import accord.fidelity.cli`).
2. The check in process: pages of real text (UN documents in Chinese and English from the development
   set, paragraphs gathered until the English reaches 3,000 characters, about a printed page), each
   checked whole with the gazetteer, median and p95 per page after a warm-up; baseline: translate-toolkit's
   pofilter numbers check over the same paragraphs.

Goals: start-up <= 0.2 s; a page <= 20 ms. Results go to bench/results/<YYYY-MM-DD>-check_texts.json.
The machine is shared: the baseline row shows how loaded it was.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.common import BENCH_DIR, machine

ROOT = BENCH_DIR.parent
SRC = ROOT / "src"
GOAL_STARTUP, GOAL_PAGE_MS = 0.2, 20.0


_CPU: dict[str, list[float]] = {}  # label -> CPU seconds (user + system) of each fresh process


def _wall(cmd: list[str], runs: int, env: dict[str, str], label: str = "") -> list[float]:
    times = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if label:
            used = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            _CPU.setdefault(label, []).append(used)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="fresh processes per start-up row (default 7)")
    parser.add_argument("--pages", type=int, default=40, help="pages of real text to check (default 40)")
    parser.add_argument("--data", help="the UN development set folder (default: ../shared/data/un-parallel-dev)")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)

    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        en, zh = Path(tmp) / "en.txt", Path(tmp) / "zh.txt"
        en.write_text("The Council met on 4 March 2015.\n", encoding="utf-8")
        zh.write_text("安理会于2015年3月4日举行会议。\n", encoding="utf-8")
        env = {**os.environ, "ACCORD_DATA_DIR": str(Path(tmp) / "data"), "PYTHONPATH": str(SRC)}
        env.pop("ACCORD_DATABASE_URL", None)
        django_run = (
            "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'accord.settings'); "
            "django.setup(); from django.core.management import call_command; "
            f"call_command('check-texts', {str(en)!r}, {str(zh)!r}, '--no-directory')"
        )
        rows = [
            ("python -c pass (baseline)", [py, "-c", "pass"]),
            ("import accord.fidelity.cli", [py, "-c", "import accord.fidelity.cli"]),
            ("accord check-texts (gazetteer)", [py, "-m", "accord", "check-texts", str(en), str(zh)]),
            (
                "accord check-texts --no-directory",
                [py, "-m", "accord", "check-texts", str(en), str(zh), "--no-directory"],
            ),
            ("Django command (as before; with a database)", [py, "-c", django_run]),
        ]
        startup: dict[str, list[float]] = {}
        for label, cmd in rows:
            _wall(cmd, 1, env)  # warm the file cache
            startup[label] = _wall(cmd, args.runs, env, label)

    from accord.fidelity import check_versions
    from accord.fidelity.gazetteer import gazetteer
    from bench.fidelity_evaluation import pofilter_numbers
    from bench.fidelity_real import find_data, load_documents

    pages: list[tuple[list[str], list[str]]] = []
    current: tuple[list[str], list[str]] = ([], [])
    for doc in load_documents(find_data(args.data)):
        for e, z in zip(doc.paragraphs["en"], doc.paragraphs["zh"], strict=True):
            current[0].append(e)
            current[1].append(z)
            if sum(len(p) for p in current[0]) >= 3000:
                pages.append(current)
                current = ([], [])
        if len(pages) >= args.pages:
            break
    names = gazetteer()
    texts = [{"zh": "\n\n".join(z), "en": "\n\n".join(e)} for e, z in pages]
    for t in texts[:3]:
        check_versions(t, directory=names)  # warm-up: compiles the expressions
    ours, ours_cpu = [], []
    for t in texts:
        start, start_cpu = time.perf_counter(), time.process_time()
        check_versions(t, directory=names)
        ours.append((time.perf_counter() - start) * 1000)
        ours_cpu.append((time.process_time() - start_cpu) * 1000)
    fails = pofilter_numbers()
    theirs = []
    for e, z in pages:
        start = time.perf_counter()
        for a, b in zip(e, z, strict=True):
            fails(a, b)
        theirs.append((time.perf_counter() - start) * 1000)

    base = statistics.median(startup["python -c pass (baseline)"])
    print(f"start-up: median of {args.runs} fresh processes (s), a one-line pair")
    # (CPU time: what the process itself used, which a loaded shared machine inflates far less than wall time)
    print(f"{'':<46}{'median':>9}{'min':>9}{'ratio':>9}{'cpu':>9}")
    for label, times in startup.items():
        med = statistics.median(times)
        cpu = statistics.median(_CPU.get(label, [0.0]))
        print(f"{label:<46}{med:>9.3f}{min(times):>9.3f}{med / base:>8.1f}x{cpu:>9.3f}")
    fast = statistics.median(startup["accord check-texts (gazetteer)"])
    old = statistics.median(startup["Django command (as before; with a database)"])
    print(
        f"  the command against the interpreter alone: +{fast - base:.3f} s; "
        f"against the Django path: {old / fast:.1f}x faster"
    )
    print()
    chars = statistics.median(len(t["en"]) + len(t["zh"]) for t in texts)
    print(f"the check in process: {len(texts)} pages of UN text (zh + en, median {chars:.0f} characters), ms per page")
    print(f"{'':<46}{'median':>9}{'p95':>9}{'ratio':>9}")
    p95 = sorted(ours)[int(0.95 * (len(ours) - 1))]
    p95_po = sorted(theirs)[int(0.95 * (len(theirs) - 1))]
    po = statistics.median(theirs)
    print(f"{'pofilter numbers, per paragraph (baseline)':<46}{po:>9.2f}{p95_po:>9.2f}{1:>8.1f}x")
    print(
        f"{'check_versions with the gazetteer':<46}{statistics.median(ours):>9.2f}{p95:>9.2f}"
        f"{statistics.median(ours) / po:>8.1f}x  (cpu {statistics.median(ours_cpu):.2f} ms)"
    )
    goals = {
        "start-up of accord check-texts <= 0.2 s": fast <= GOAL_STARTUP,
        "a page checked in <= 20 ms (median)": statistics.median(ours) <= GOAL_PAGE_MS,
    }
    print()
    for goal, ok in goals.items():
        print(f"  {'ok  ' if ok else 'MISS'} {goal}")
    RESULTS_DIR = BENCH_DIR / "results"
    RESULTS_DIR.mkdir(exist_ok=True)
    today = dt.date.today().isoformat()
    out = RESULTS_DIR / f"{today}-check_texts.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "check_texts",
                "date": today,
                **machine(),
                "startup_s": {k: [round(t, 4) for t in v] for k, v in startup.items()},
                "startup_cpu_s": {k: [round(t, 4) for t in v] for k, v in _CPU.items()},
                "page_cpu_ms": [round(t, 3) for t in ours_cpu],
                "page_ms": [round(t, 3) for t in ours],
                "pofilter_page_ms": [round(t, 3) for t in theirs],
                "goals": goals,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 1 if args.fail_on_miss and not all(goals.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
