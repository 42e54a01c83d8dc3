"""How long a 1,000-item bilingual plan text takes to generate, against the libraries doing the same work alone.

    .venv/bin/python -m bench.documents [--items 1000] [--rounds 3] [--database-url URL]

A throwaway database (a fresh SQLite file in a temporary ACCORD_DATA_DIR unless a URL is given; see
bench/audit_writes.py) gets an agreement with two parties and authentic texts in zh and ru, and one signed
plan of N items, each with its project, objectives, an organisation responsible on each side and a
deliverable, in zh, ru and en. The bulk rows are written with plain ORM bulk inserts: this database is
thrown away, and what is measured is reading and rendering, not writing.

Scenarios (median of the rounds; the same run, the same data; wall and CPU seconds, the CPU of the
worker processes laying out a long PDF's pieces included):

  accord html    render("plan_text", plan, "zh+ru", "html"): queries, content, template
  accord pdf     render(..., "pdf"): the above, then WeasyPrint in pieces of 125 rows, side by side in one
                 worker process per core, the pages joined and numbered (pypdf)
  accord pdf 1 process  the same pieces laid out one after the other in this process (workers=1)
  accord docx    render(..., "docx"): queries, content, python-docx with styles, fixed zip
  accord pdf stored  generate_document(..., "pdf") again with unchanged records: content and HTML are
                 built and hashed, the stored PDF of the same source is read back (no layout). What a
                 reader gets once the plan is signed: a long plan's PDF is laid out in the background then
  baseline pdf   WeasyPrint writing the same pre-built HTML string directly, in one piece (Accord's path
                 before the pieces)
  baseline docx  python-docx writing the same paragraphs into a two-column table, no queries, no styles

Goals (from the issue): PDF <= 5 s and DOCX <= 2 s for 1,000 items. The ratios accord/baseline show
what Accord adds to (or saves on) what the libraries themselves cost.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import add_database_url, bench_database, machine, setup_django

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
GOALS_S = {"pdf": 5.0, "docx": 2.0}

TOPICS = [
    ("Semiconductor materials and devices", "半导体材料和器件", "Полупроводниковые материалы и приборы"),
    (
        "Radioisotopes in industry and medicine",
        "放射性同位素在工业和医学中的应用",
        "Радиоизотопы в промышленности и медицине",
    ),
    ("Hydraulic engineering of large rivers", "大江大河水利工程", "Гидротехника крупных рек"),
    ("Catalysis and petrochemistry", "催化与石油化学", "Катализ и нефтехимия"),
]


def make_plan(items: int) -> Any:
    """A signed plan of `items` items under a zh/ru agreement, written in bulk (unaudited: a throwaway database)."""
    from django.contrib.contenttypes.models import ContentType

    from accord.agreements.models import Agreement, AgreementParty, Signature
    from accord.directory.models import Organisation, Party, Person
    from accord.programmes.models import Deliverable, Plan, PlanItem, PlanItemResponsibility, Project

    cn = Party.objects.create(code="CN", name={"en": "China", "zh": "中国", "ru": "Китай"}, languages=["zh"])
    su = Party.objects.create(code="SU", name={"en": "USSR", "zh": "苏联", "ru": "СССР"}, languages=["ru"])
    agreement = Agreement.objects.create(
        kind="protocol",
        title={"en": "Bench protocol", "zh": "测试议定书", "ru": "Тестовый протокол"},
        signed_on=dt.date(1958, 1, 18),
        status="in_force",
        authentic_languages=["zh", "ru"],
    )
    AgreementParty.objects.create(agreement=agreement, party=cn, position=1)
    AgreementParty.objects.create(agreement=agreement, party=su, position=2)
    orgs = {
        party.code: [
            Organisation.objects.create(
                party=party, name={"en": f"Institute {i}", "zh": f"研究所{i}", "ru": f"Институт {i}"}
            )
            for i in range(3)
        ]
        for party in (cn, su)
    }
    plan = Plan.objects.create(
        agreement=agreement,
        title={"en": "Bench plan", "zh": "测试计划", "ru": "Тестовый план"},
        period_start=dt.date(1960, 1, 1),
        period_end=dt.date(1960, 12, 31),
        status="signed",
        signed_on=dt.date(1960, 2, 24),
        signed_at={"en": "Moscow", "zh": "莫斯科", "ru": "Москва"},
        signed_version=1,
    )
    projects = Project.objects.bulk_create(
        Project(
            agreement=agreement,
            number=str(n),
            title={
                "en": f"{TOPICS[n % 4][0]}, part {n}",
                "zh": f"{TOPICS[n % 4][1]}（第{n}部分）",
                "ru": f"{TOPICS[n % 4][2]}, часть {n}",
            },
        )
        for n in range(1, items + 1)
    )
    plan_items = PlanItem.objects.bulk_create(
        PlanItem(
            plan=plan,
            project=project,
            position=n,
            objectives={
                "en": f"Research and experimental work: {TOPICS[n % 4][0].lower()}",
                "zh": f"{TOPICS[n % 4][1]}的科学研究和实验工作",
                "ru": f"Научно-исследовательские и экспериментальные работы: {TOPICS[n % 4][2].lower()}",
            },
        )
        for n, project in enumerate(projects, start=1)
    )
    PlanItemResponsibility.objects.bulk_create(
        PlanItemResponsibility(plan_item=item, organisation=orgs[party.code][n % 3], side=party)
        for n, item in enumerate(plan_items)
        for party in (cn, su)
    )
    Deliverable.objects.bulk_create(
        Deliverable(
            plan_item=item,
            kind="report",
            title={"en": "Annual research report", "zh": "年度研究报告", "ru": "Годовой научный отчёт"},
            responsible_party=cn,
            due_on=dt.date(1960, 12, 31),
        )
        for item in plan_items
    )
    plan_type = ContentType.objects.get_for_model(Plan)
    for party, name in (
        (cn, {"zh": "武衡", "ru": "У Хэн", "en": "Wu Heng"}),
        (su, {"zh": "阿列克先科", "ru": "Алексенко"}),
    ):
        Signature.objects.create(
            target_type=plan_type,
            target_id=plan.pk,
            target_version=1,
            party=party,
            signatory=Person.objects.create(name=name, party=party),
            signed_on=dt.date(1960, 2, 24),
        )
    return plan


def cpu_seconds() -> float:
    """CPU time of this process and of the PDF worker processes (children of a fork server, read from /proc)."""
    from accord.documents import pdf_output

    total = time.process_time()
    pool = pdf_output._pool
    for pid in list(getattr(pool, "_processes", None) or {}):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
    return total


CPU: dict[str, list[float]] = {}


def timed(fn: Callable[[], Any], rounds: int, name: str = "") -> tuple[list[float], Any]:
    times, cpu, result = [], [], None
    for _ in range(rounds):
        c0, t0 = cpu_seconds(), time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds() - c0)
    if name:
        CPU[name] = cpu
    return times, result


def baseline_docx(rows: list[list[list[str]]]) -> bytes:
    """python-docx alone: the same lines into a two-column table, one paragraph each."""
    import docx

    document = docx.Document()
    table = document.add_table(rows=0, cols=2)
    for row in rows:
        for cell, lines in zip(table.add_row().cells, row, strict=True):
            cell.paragraphs[0].add_run(lines[0])
            for line in lines[1:]:
                cell.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def run(items: int, rounds: int) -> dict[str, Any]:
    from django.db import connection
    from weasyprint import HTML

    from accord.documents.content import Paragraph, Table
    from accord.documents.html_output import write_html
    from accord.documents.pdf_output import available_cores, write_pdf
    from accord.documents.renderers import Options, build, render
    from accord.documents.services import generate_document

    plan = make_plan(items)
    # Warm-up: template loading, fontconfig, WeasyPrint's and python-docx's imports.
    render("plan_text", plan.pk, "zh+ru", "pdf")  # also starts the worker processes
    render("plan_text", plan.pk, "zh+ru", "docx")

    content = build("plan_text", plan.pk, "zh+ru", Options())[2]
    html = write_html(content).decode()
    table = next(b for b in content.blocks if isinstance(b, Table))
    rows = [
        [[b.plain() if isinstance(b, Paragraph) else b.text for b in cell.blocks] for cell in row] for row in table.rows
    ]

    scenarios: dict[str, list[float]] = {}
    outputs: dict[str, bytes] = {}
    for fmt in ("html", "pdf", "docx"):

        def rendered(fmt: str = fmt) -> bytes:
            return render("plan_text", plan.pk, "zh+ru", fmt)

        scenarios[f"accord {fmt}"], outputs[fmt] = timed(rendered, rounds, f"accord {fmt}")
    name = "accord pdf 1 process"
    scenarios[name], one = timed(lambda: write_pdf(content, workers=1), rounds, name)
    assert one == outputs["pdf"], "the pieces laid out in one process and in workers give different PDFs"
    scenarios["accord content"], _ = timed(
        lambda: build("plan_text", plan.pk, "zh+ru", Options()), rounds, "accord content"
    )
    # generate_document: stored once, then served again while the records (and engine, fonts) are unchanged.
    generate_document("plan_text", plan.pk, "zh+ru", "pdf")
    scenarios["accord pdf stored"], _ = timed(
        lambda: generate_document("plan_text", plan.pk, "zh+ru", "pdf"), rounds, "accord pdf stored"
    )
    scenarios["baseline pdf"], base_pdf = timed(lambda: HTML(string=html).write_pdf(), rounds, "baseline pdf")
    scenarios["baseline docx"], base_docx = timed(lambda: baseline_docx(rows), rounds, "baseline docx")

    import pypdf

    pages = len(pypdf.PdfReader(io.BytesIO(outputs["pdf"])).pages)
    baseline_pages = len(pypdf.PdfReader(io.BytesIO(base_pdf)).pages)
    median = {name: statistics.median(times) for name, times in scenarios.items()}
    ratios = {fmt: median[f"accord {fmt}"] / median[f"baseline {fmt}"] for fmt in ("pdf", "docx")}
    ratios["pdf 1 process"] = median["accord pdf 1 process"] / median["baseline pdf"]
    ratios["pdf stored"] = median["accord pdf stored"] / median["baseline pdf"]
    return {
        "vendor": connection.vendor,
        "items": items,
        "rounds": rounds,
        "pages": pages,
        "baseline_pages": baseline_pages,
        "pdf_workers": available_cores(),
        "sizes": {
            "html": len(outputs["html"]),
            "pdf": len(outputs["pdf"]),
            "docx": len(outputs["docx"]),
            "baseline_pdf": len(base_pdf),
            "baseline_docx": len(base_docx),
        },
        "scenarios": {
            name: {
                "median_s": round(median[name], 3),
                "rounds_s": [round(t, 3) for t in times],
                "median_cpu_s": round(statistics.median(CPU[name]), 3),
            }
            for name, times in scenarios.items()
        },
        "ratios_accord_over_baseline": {fmt: round(r, 2) for fmt, r in ratios.items()},
        "goals_s": GOALS_S,
        "goals_hold": {
            "pdf (laid out now)": median["accord pdf"] <= GOALS_S["pdf"],
            "pdf (a signed plan: stored)": median["accord pdf stored"] <= GOALS_S["pdf"],
            "docx": median["accord docx"] <= GOALS_S["docx"],
        },
    }


def print_report(result: dict[str, Any], meta: dict[str, Any]) -> None:
    print(
        f"\ndocument benchmark: plan text, {result['items']} items, zh+ru parallel, {result['vendor']}, "
        f"{result['rounds']} rounds (median), {result['pages']} PDF pages ({result['baseline_pages']} in one piece), "
        f"{meta['cpus']} CPUs, load {meta['load_average'][0]:.1f}, commit {meta['commit']}"
    )
    head = f"{'scenario':<21} {'median s':>9} {'cpu s':>7} {'goal s':>7} {'accord/baseline':>16}  rounds s"
    print(head)
    print("-" * len(head))
    for name, s in result["scenarios"].items():
        fmt = name.split()[1]
        goal = f"{GOALS_S[fmt]:.1f}" if name.startswith("accord") and fmt in GOALS_S else ""
        ratio = (
            result["ratios_accord_over_baseline"].get(name.removeprefix("accord "))
            if name.startswith("accord")
            else None
        )
        ratio_text = f"{ratio:.2f}x" if ratio is not None else ""
        rounds = " ".join(f"{t:.3f}" for t in s["rounds_s"])
        print(f"{name:<21} {s['median_s']:>9.3f} {s['median_cpu_s']:>7.2f} {goal:>7} {ratio_text:>16}  {rounds}")
    for what, holds in result["goals_hold"].items():
        fmt = what.split()[0]
        print(f"goal {what} <= {GOALS_S[fmt]:.0f} s: {'holds' if holds else 'MISSED'}")


def write_json(result: dict[str, Any], meta: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{dt.date.today().isoformat()}-documents-{result['vendor']}.json"
    path.write_text(json.dumps({**meta, **result}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.documents", description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=1000, help="plan items (default 1000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per scenario; the median is reported")
    add_database_url(parser)
    args = parser.parse_args(argv)
    if args.items < 1 or args.rounds < 1:
        parser.error("--items and --rounds must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with bench_database(args.database_url):
        setup_django()
        import docx
        import weasyprint

        result = run(args.items, args.rounds)
        meta = {
            "benchmark": "documents",
            "date": dt.date.today().isoformat(),
            "started_utc": started,
            **machine(),
            "weasyprint": weasyprint.__version__,
            "python_docx": getattr(docx, "__version__", "?"),
        }
    print_report(result, meta)
    path = write_json(result, meta)
    print(f"\nresults: {path.relative_to(BENCH_DIR.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
