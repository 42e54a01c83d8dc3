"""A large agreements CSV imported through the /data/ page of a real `accord serve` as a job, while a plan's text is
generated as a job beside it (issue 16: "the 99 MB CSV imports through the page as a job with a progress bar, peak
RSS in the note, while a plan-text job submitted meanwhile finishes in its usual time").

    .venv/bin/python -m bench.import_beside_documents [--mb 99] [--database-url URL] [--format pdf]

A fresh installation: a fresh data directory (and, with a PostgreSQL URL, a throwaway database whose name must
contain "bench", dropped and created again), `accord serve` on a free port (it migrates and loads the demo at
first start, and starts its two job workers: one for the imports queue, one for the rest). Then, as a user does it:

1. `admin` signs in on /login/ and imports the parties the file names (a small CSV through /data/, a job too).
2. `cn-coordinator` signs in and generates the text of the demo's 1959 plan from its workflow page (the
   "Generate the plan text" step: a document job on the default queue), twice, with nothing else running: the
   baseline is the second (the first warms the worker's fonts and templates), timed from the POST to the job's
   progress fragment saying "done".
3. `admin` uploads the generated file (realistic rows: titles in English, Chinese and Russian, two or three
   parties, dates, statuses) on /data/ with the dry run unticked: the page answers with the job's page.
4. The job's progress fragment (`/jobs/<id>/progress`, what the page's progress bar polls) is read every half
   second; each change of percentage is printed. When it passes 15 % and again 50 %, `cn-coordinator` submits the
   same plan-text job, timed the same way.
5. The peak resident memory (VmHWM from /proc) of every process under `accord serve` is read as it runs: the
   imports worker, the other worker, gunicorn's master (serve itself) and its request workers.
6. When the import has ended: whether its upload is gone from <media>/imports.

Goals (exit 1 if one is missed): the import done with every row created; its worker's peak RSS <= 300 MB; each
plan-text job during the import within 2x the baseline (two shared cores: the import holds one); the upload
deleted. On SQLite an import's one transaction holds the database's one write lock until it commits, so a job
asked for meanwhile (its row is a write) waits for the lock; the table says so when it happens.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import html
import html.parser
import io
import json
import os
import platform
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import add_database_url, bench_database, descendants, free_port, git_commit
from bench.import_agreements import PARTIES, write_csv

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
RSS_GOAL_MB = 300
RATIO_GOAL = 2.0
DURING_AT = (15, 50)  # the import's percentages at which a plan-text job is submitted
PLAN = 1  # the demo's 1959 plan
COORDINATOR = ("cn-coordinator", "accord-demo-cn-coordinator")
ADMIN = ("admin", "accord-demo-admin")


# --- the page's forms -------------------------------------------------------------------------------------


class _Forms(html.parser.HTMLParser):
    """Every <form> of a page: its action and the values its fields would send as they stand."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"] if self.forms else {}
        if tag == "input" and a.get("name") and a.get("type") not in ("checkbox", "file", "submit"):
            fields[a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a and a.get("name"):
            fields[a["name"]] = a.get("value", "on")
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and (self._select not in fields or "selected" in a):
            fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def form_with(page: str, field: str) -> dict[str, str]:
    """The fields of the page's form that has `field` (a step's `version`, /data/'s `kind`)."""
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        if field in form["fields"]:
            return dict(form["fields"])
    raise SystemExit(f"no form with a {field!r} field on the page")


def sign_in(url: str, who: tuple[str, str]) -> Any:
    import requests

    session = requests.Session()
    session.get(f"{url}/login/", timeout=60).raise_for_status()
    answer = session.post(
        f"{url}/login/",
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"], "username": who[0], "password": who[1]},
        headers={"Referer": f"{url}/login/"},
        timeout=60,
    )
    if "/login/" in answer.url:
        raise SystemExit(f"{who[0]} could not sign in")
    return session


def job_state(session: Any, url: str, job: int) -> tuple[str, int]:
    """(status, percent) as the job page's progress bar shows them (the fragment it polls)."""
    page = session.get(f"{url}/jobs/{job}/progress", timeout=60).text
    status = re.search(r'data-status="(\w+)"', page)
    percent = re.search(r'data-testid="job-percent">(\d+)%', page)
    return (status.group(1) if status else "?", int(percent.group(1)) if percent else -1)


def job_of(answer: Any) -> int:
    found = re.search(r"/jobs/(\d+)/", answer.url)
    if answer.status_code != 200 or not found:
        raise RuntimeError(f"HTTP {answer.status_code} at {answer.url}: {answer.text[-300:]!r}")
    return int(found.group(1))


def wait_done(session: Any, url: str, job: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _percent = job_state(session, url, job)
        if status in ("done", "failed", "cancelled"):
            return status
        time.sleep(0.2)
    return "timed out"


def upload(session: Any, url: str, kind: str, path: Path) -> int:
    """The file through /data/'s form (the dry run unticked): the job's id from the page it leads to."""
    fields = form_with(session.get(f"{url}/data/", timeout=60).text, "kind")
    fields.pop("dry_run", None)
    fields |= {"kind": kind, "encoding": "", "sheet": ""}
    with path.open("rb") as fh:
        answer = session.post(
            f"{url}/data/",
            data=fields,
            files={"file": (path.name, fh, "text/csv")},
            headers={"Referer": f"{url}/data/"},
            timeout=1800,
        )
    return job_of(answer)


def plan_text(session: Any, url: str, fmt: str) -> dict[str, Any]:
    """The plan's text generated from its workflow page; seconds from the POST to the progress saying done."""
    step = f"{url}/workflow/plans/{PLAN}/generate-plan-text/"
    fields = form_with(session.get(step, timeout=60).text, "version") | {"format": fmt}
    started = time.perf_counter()
    try:
        answer = session.post(step, data=fields, headers={"Referer": step}, timeout=600)
        job = job_of(answer)
    except Exception as exc:  # recorded in the table: the page refused, or timed out
        return {"job": None, "status": f"not queued: {exc}"[:300], "seconds": time.perf_counter() - started}
    queued = time.perf_counter() - started
    status = wait_done(session, url, job, 3600)
    return {"job": job, "status": status, "seconds": time.perf_counter() - started, "queued_s": queued}


# --- the server and its processes ---------------------------------------------------------------------------


def start_server(log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"} | {"PYTHONUNBUFFERED": "1"}
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "accord", "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    import requests

    deadline = time.monotonic() + 900
    try:
        while True:
            try:
                if requests.get(f"{url}/health", timeout=5).text == "ok":
                    return proc, url
            except requests.RequestException:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"accord serve did not come up:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.5)
    except BaseException:  # interrupted, or it never came up: it stops with us
        proc.terminate()
        proc.wait(timeout=60)
        raise


def role(pid: int, serve: int) -> str:
    if pid == serve:
        return "serve (gunicorn master)"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "?"
    if " worker " in command:
        queue = "imports" if "--queue imports" in command else "default"
        return f"{queue} worker" + (" (supervisor)" if "--supervise" in command else "")
    return "gunicorn worker"


def hwm_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class Peaks(threading.Thread):
    """The high-water mark of each process under `accord serve`, read every half second."""

    def __init__(self, serve: int) -> None:
        super().__init__(daemon=True)
        self.serve = serve
        self.peaks: dict[int, tuple[str, int]] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for pid in [self.serve, *descendants(self.serve)]:
                kb = hwm_kb(pid)
                if kb:
                    name = self.peaks.get(pid, ("", 0))[0] or role(pid, self.serve)
                    self.peaks[pid] = (name, max(kb, self.peaks.get(pid, ("", 0))[1]))
            self.stop.wait(0.5)

    def by_role(self) -> dict[str, float]:
        found: dict[str, float] = {}
        for name, kb in self.peaks.values():
            found[name] = max(found.get(name, 0.0), round(kb / 1024, 1))
        return found


# --- the run ------------------------------------------------------------------------------------------------


def write_big_csv(path: Path, mb: float) -> int:
    """About `mb` MiB of agreements (write_csv's rows, sized from a sample of its own)."""
    rows, target = 2000, mb * 2**20
    write_csv(path, rows, seed=1961)
    while abs(path.stat().st_size - target) > target * 0.01:  # later rows are longer (their numbers)
        rows = max(1, int(rows * target / path.stat().st_size))
        write_csv(path, rows, seed=1961)
    return rows


def parties_csv(path: Path) -> None:
    """The parties the file names, but China (the demo's already)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "kind", "name[en]", "name[zh]", "name[ru]"])
    writer.writerows([c, "state", en, zh, ru] for c, en, zh, ru in PARTIES if c != "CN")
    path.write_text(out.getvalue(), encoding="utf-8")


def run(args: argparse.Namespace) -> dict[str, Any]:
    data_dir = Path(os.environ["ACCORD_DATA_DIR"])
    work = data_dir / "bench-files"
    work.mkdir()
    big = work / "agreements.csv"
    rows = write_big_csv(big, args.mb)
    size_mb = big.stat().st_size / 2**20
    print(f"generated {big.name}: {size_mb:.1f} MB, {rows:,} rows", flush=True)
    started = time.perf_counter()
    proc, url = start_server(data_dir / "serve.log")
    startup_s = time.perf_counter() - started
    peaks = Peaks(proc.pid)
    result: dict[str, Any] = {"file_mb": round(size_mb, 1), "rows": rows, "startup_s": round(startup_s, 1)}
    try:
        peaks.start()
        admin, coordinator = sign_in(url, ADMIN), sign_in(url, COORDINATOR)
        parties = work / "parties.csv"
        parties_csv(parties)
        job = upload(admin, url, "parties", parties)
        if (status := wait_done(admin, url, job, 600)) != "done":
            raise SystemExit(f"the parties' import ended {status}: {admin.get(f'{url}/jobs/{job}/').text[-2000:]}")

        alone = [plan_text(coordinator, url, args.format) for _ in range(2)]
        result["alone"] = alone
        print("plan text alone: " + ", ".join(f"{a['seconds']:.2f} s ({a['status']})" for a in alone), flush=True)

        imports = data_dir / "media" / "imports"
        began = time.perf_counter()
        job = upload(admin, url, "agreements", big)
        upload_s = time.perf_counter() - began
        print(f"uploaded in {upload_s:.1f} s: job {job}", flush=True)
        stored_files = sorted(p.name for p in imports.iterdir()) if imports.exists() else []
        series: list[tuple[float, int]] = []
        during: list[dict[str, Any]] = []
        threads: list[threading.Thread] = []
        pending = list(DURING_AT)
        status = "queued"
        while True:
            status, percent = job_state(admin, url, job)
            at = time.perf_counter() - began
            if not series or percent != series[-1][1]:
                series.append((round(at, 1), percent))
                print(f"  {at:8.1f} s  {percent:3d} %  {status}", flush=True)
            if status in ("done", "failed", "cancelled"):
                break
            while pending and percent >= pending[0] and status == "running":
                pending.pop(0)

                def submit(at_percent: int = percent) -> None:
                    outcome = plan_text(coordinator, url, args.format)
                    outcome["import_percent"] = at_percent
                    during.append(outcome)
                    print(f"  plan text during the import (at {at_percent} %): {outcome['seconds']:.2f} s "
                          f"({outcome['status']})", flush=True)  # fmt: skip

                threads.append(threading.Thread(target=submit, daemon=True))
                threads[-1].start()
            time.sleep(0.5)
        import_s = time.perf_counter() - began
        for thread in threads:
            thread.join(timeout=3600)
        page = admin.get(f"{url}/jobs/{job}/", timeout=60).text
        created = re.search(r'<th scope="row">agreement</th><td class="num">(\d+)</td>', page)
        job_error = re.search(r'data-testid="job-error">(.*?)</pre>', page, re.S)
        time.sleep(1)  # the runner deletes the upload just after it records the end
        left = sorted(p.name for p in imports.iterdir()) if imports.exists() else []
        result |= {
            "status": status,
            "upload_s": round(upload_s, 1),
            "import_s": round(import_s, 1),
            "rows_per_s": round(rows / import_s, 1),
            "created_on_page": created.group(1) if created else None,
            "series": series,
            "during": during,
            "upload_stored": stored_files,
            "upload_left": left,
            "error": "" if status == "done" else html.unescape(job_error.group(1)) if job_error else page[-3000:],
        }
    finally:
        peaks.stop.set()
        if peaks.is_alive():
            peaks.join()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    result["peak_rss_mb"] = peaks.by_role()
    log = (data_dir / "serve.log").read_text(errors="replace").splitlines()
    # What went wrong on the server side (the data directory is removed afterwards): tracebacks, 5xx, warnings.
    result["server_problems"] = [
        line for line in log if re.search(r"Traceback|Error|WARNING|\" 5\d\d ", line)
    ][-40:]  # fmt: skip
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_url(parser)
    parser.add_argument("--mb", type=float, default=99.0, help="size of the agreements file (MiB; at most 100)")
    parser.add_argument("--format", default="pdf", choices=["pdf", "docx", "html"], help="of the plan's text")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with bench_database(args.database_url):
        result = run(args)
    vendor = "postgresql" if "postgres" in (args.database_url or "") else "sqlite"
    alone_s = result["alone"][-1]["seconds"]
    during = result.get("during", [])
    worst = max((d["seconds"] for d in during if d["status"] == "done"), default=None)
    ratio = worst / alone_s if worst is not None and alone_s else None
    peaks = result["peak_rss_mb"]
    import_peak = peaks.get("imports worker", 0.0)
    deleted = result.get("upload_stored") and not result.get("upload_left")
    goals = {
        "import done": result.get("status") == "done",
        f"imports worker peak RSS <= {RSS_GOAL_MB} MB": 0 < import_peak <= RSS_GOAL_MB,
        f"plan text during the import <= {RATIO_GOAL}x alone": bool(during)
        and all(d["status"] == "done" for d in during)
        and ratio is not None
        and ratio <= RATIO_GOAL,
        "upload deleted after the job": bool(deleted),
    }
    print(f"\nimport_beside_documents on {vendor}: {result['file_mb']} MB, {result['rows']:,} rows through /data/")
    print(f"load average before {tuple(round(x, 2) for x in load_before)}, after "
          f"{tuple(round(x, 2) for x in os.getloadavg())}")  # fmt: skip
    table = [
        ("import wall (upload to done), s", f"{result.get('import_s', '-')}"),
        ("  of which the upload, s", f"{result.get('upload_s', '-')}"),
        ("rows/s", f"{result.get('rows_per_s', '-')}"),
        ("created (the job's report)", f"{result.get('created_on_page')}"),
        ("progress readings (distinct %)", f"{len(result.get('series', []))}"),
    ]
    table += [(f"peak RSS {name}, MB", f"{mb}") for name, mb in sorted(peaks.items())]
    table += [(f"plan text ({args.format}) alone, s", " / ".join(f"{a['seconds']:.2f}" for a in result["alone"]))]
    table += [
        (f"plan text during (at {d['import_percent']} %), s", f"{d['seconds']:.2f} ({d['status']})") for d in during
    ]
    table += [
        ("during / alone (worst)", f"{ratio:.2f}" if ratio is not None else "-"),
        ("upload deleted after the job", "yes" if deleted else f"NO ({result.get('upload_left')})"),
    ]
    for name, value in table:
        print(f"{name:<40} {value}")
    for goal, met in goals.items():
        print(f"goal: {goal}: " + ("MET" if met else "MISSED"))
    if result.get("error"):
        print(result["error"][-1500:])
    if result.get("server_problems"):
        print("server log (last problems):\n  " + "\n  ".join(line[:300] for line in result["server_problems"][-15:]))
    out = {
        "benchmark": "import_beside_documents",
        "date": dt.date.today().isoformat(),
        "vendor": vendor,
        "python": platform.python_version(),
        "git_commit": git_commit(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "ratio": ratio,
        "goals": goals,
        **result,
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{dt.date.today().isoformat()}-import_beside_documents-{vendor}-{args.mb:g}mb.json"
    path.write_text(json.dumps(out, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    print(f"results: {path.relative_to(BENCH_DIR.parent)}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
