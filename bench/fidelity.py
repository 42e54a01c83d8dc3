"""Multilingual fidelity: Accord's checker beside translate-toolkit's pofilter "numbers" check.

    .venv/bin/python -m bench.fidelity [--items 1000] [--repeats 5] [--fail-on-miss]
    .venv/bin/python -m bench.fidelity --real [...]   # real UN translations: see bench/fidelity_real.py

1. The corpus (tests/fidelity/corpus/pairs.jsonl, made by its generate.py): recall on the pairs with one
   planted error and the false-alarm rate on the clean pairs, for both checkers. Accord's finding must
   point at the planted span; pofilter gives no spans, so it is scored twice: leniently (any failure on
   a planted pair counts as found) and strictly (only when the same pair without the error passes).
2. Speed: a generated bilingual (zh–en) plan of --items numbered items, checked whole by Accord
   (segmenting, aligning, matching, with the corpus's directory of names), against pofilter's numbers
   check run over the same items as units, as a PO file would hold them. Median of --repeats runs.

Goal (issue 8): recall ≥ 0.99, false alarms ≤ 0.01, better than pofilter on both, a 1,000-item plan in
≤ 1 s. Results go to bench/results/<YYYY-MM-DD>-fidelity.json (a second run on the same day overwrites).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import random
import statistics
import sys
import time
from typing import Any

from bench.common import BENCH_DIR, machine

ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CORPUS = ROOT / "tests" / "fidelity" / "corpus"
GOAL_RECALL, GOAL_FALSE_ALARMS, GOAL_SECONDS = 0.99, 0.01, 1.0

EN_MONTHS = "January February March April May June July August September October November December".split()  # noqa: SIM905
ZH_DIGITS = "零一二三四五六七八九"
TOPICS = [
    ("geological survey of mineral resources", "矿产资源地质调查"),
    ("semiconductor materials and devices", "半导体材料和器件"),
    ("computing machines and numerical mathematics", "计算机与计算数学"),
    ("synthetic polymers", "高分子合成材料"),
    ("production of antibiotics", "抗生素生产"),
    ("seismology and earthquake-resistant construction", "地震学与抗震建筑"),
]
ORGS = [
    ("the Chinese Academy of Sciences", "中国科学院"),
    ("the Academy of Sciences of the USSR", "苏联科学院"),
    ("Tsinghua University", "清华大学"),
    ("Moscow State University", "莫斯科国立大学"),
]


def _zh_small(n: int) -> str:
    """Chinese numeral for 1..9999 (the bench writes some counts in characters, as Chinese plans do)."""
    out, zero = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = n // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += ("" if unit == "十" and d == 1 and not out else ZH_DIGITS[d]) + unit
    return out


def build_plan(items: int, seed: int = 1961) -> dict[str, str]:
    """A plan of `items` numbered items in Chinese and English: project numbers, counts (some in Chinese
    numerals), due dates, percentages, amounts in roubles, institutions. Deterministic."""
    rng = random.Random(seed)
    zh, en = (
        ["1961年度科学技术合作计划", "日期：1961年3月10日"],
        [
            "Annual plan of scientific and technological cooperation for 1961",
            "Date: 10 March 1961",
        ],
    )
    for i in range(1, items + 1):
        topic_en, topic_zh = TOPICS[i % len(TOPICS)]
        org_en, org_zh = ORGS[i % len(ORGS)]
        count = rng.randint(3, 400)
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        pct = rng.randint(5, 95)
        amount = rng.randint(2, 90) * 100_000
        count_zh = _zh_small(count) if i % 2 else str(count)
        zh.append(
            f"{i}. 第{i}号项目：{topic_zh}。{org_zh}于1961年组织考察{count_zh}次，"
            f"报告应于1961年{month}月{day}日前提交，"
            f"目前已完成{pct}%，经费{amount // 10_000}万卢布。"
        )
        en.append(
            f"{i}. Project No. {i}: {topic_en}. {org_en} will carry out {count} expeditions in 1961; the report is "
            f"due by {day} {EN_MONTHS[month - 1]} 1961; {pct}% of the work is done; the budget is "
            f"{amount / 1_000_000:g} million roubles."
        )
    return {"zh": "\n".join(zh), "en": "\n".join(en)}


def _median_seconds(fn: Any, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--real" in argv:  # the same checker on real UN translations: bench/fidelity_real.py
        from bench.fidelity_real import main as real

        return real(argv)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=1000, help="items in the generated plan (default 1000)")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each checker (default 5)")
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 when a goal is missed")
    args = parser.parse_args(argv)

    from accord.fidelity import check_versions
    from accord.fidelity.names import Directory
    from bench.fidelity_evaluation import evaluate_accord, evaluate_pofilter, load_corpus, pofilter_numbers

    try:
        import translate  # noqa: F401
    except ImportError:
        print("translate-toolkit is not installed: pip install translate-toolkit==3.20.4", file=sys.stderr)
        return 2

    records = load_corpus(CORPUS / "pairs.jsonl")
    names = Directory.load(CORPUS / "directory.json")
    ours = evaluate_accord(records, names)
    lenient = evaluate_pofilter(records)
    strict = evaluate_pofilter(records, strict=True)

    plan = build_plan(args.items)
    changed = dict(plan)
    target = f"{args.items // 2}. 第{args.items // 2}号项目"
    changed["zh"] = plan["zh"].replace(target, f"{args.items // 2}. 第{args.items // 2 + 1}号项目", 1)
    check_versions(plan, directory=names)  # warm-up (compiles the expressions)
    clean_findings = check_versions(plan, directory=names)
    changed_findings = check_versions(changed, directory=names)
    ours_s, ours_runs = _median_seconds(lambda: check_versions(plan, directory=names), args.repeats)
    fails = pofilter_numbers()
    units = list(zip(plan["en"].split("\n"), plan["zh"].split("\n"), strict=True))
    po_flagged = sum(fails(a, b) for a, b in units)
    po_s, po_runs = _median_seconds(lambda: [fails(a, b) for a, b in units], args.repeats)

    rows = [
        ("recall on planted errors", f"{ours.recall:.3f}", f"{lenient.recall:.3f}", f"{strict.recall:.3f}"),
        ("false alarms on clean pairs", f"{ours.false_alarm_rate:.3f}", f"{lenient.false_alarm_rate:.3f}", "same"),
        (
            "planted errors found",
            f"{ours.found}/{ours.planted}",
            f"{lenient.found}/{lenient.planted}",
            f"{strict.found}/{strict.planted}",
        ),
        ("clean pairs flagged", f"{ours.false_alarms}/{ours.clean}", f"{lenient.false_alarms}/{lenient.clean}", "same"),
        ("corpus time (s)", f"{ours.seconds:.2f}", f"{lenient.seconds:.2f}", f"{strict.seconds:.2f}"),
        (f"{args.items}-item plan, median (s)", f"{ours_s:.3f}", f"{po_s:.3f}", ""),
        (f"{args.items}-item plan, clean: findings / items flagged", str(len(clean_findings)), str(po_flagged), ""),
        ("same plan, one project number changed: findings", str(len(changed_findings)), "", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'':<{width}}  {'accord':>12}  {'pofilter':>12}  {'pofilter strict':>15}")
    for label, a, b, c in rows:
        print(f"{label:<{width}}  {a:>12}  {b:>12}  {c:>15}")
    print()
    print("by kind of planted error (found / planted): accord, pofilter lenient, pofilter strict")
    for kind in sorted(ours.by_kind):
        n = ours.by_kind[kind][1]
        print(
            f"  {kind:<16} {n:>4}   {ours.by_kind[kind][0]:>4} {lenient.by_kind[kind][0]:>4} "
            f"{strict.by_kind[kind][0]:>4}"
        )
    ratio_recall = ours.recall / strict.recall if strict.recall else float("inf")
    ratio_alarms = lenient.false_alarm_rate / ours.false_alarm_rate if ours.false_alarm_rate else float("inf")
    print()
    print(
        f"ratios: recall accord/pofilter-strict {ratio_recall:.1f}x, false alarms pofilter/accord "
        f"{'inf' if ratio_alarms == float('inf') else f'{ratio_alarms:.1f}x'}, "
        f"plan time accord/pofilter {ours_s / po_s:.1f}x"
    )
    goals = {
        "recall >= 0.99": ours.recall >= GOAL_RECALL,
        "false alarms <= 0.01": ours.false_alarm_rate <= GOAL_FALSE_ALARMS,
        "better recall than pofilter (strict), at least its lenient recall": ours.recall > strict.recall
        and ours.recall >= lenient.recall,
        "fewer false alarms than pofilter": ours.false_alarm_rate < lenient.false_alarm_rate,
        "seed pair clean": "clean-seed" not in ours.alarms,
        f"{args.items}-item plan in <= 1 s": ours_s <= GOAL_SECONDS,
        "plan: clean version clean, changed version found": not clean_findings and len(changed_findings) == 1,
    }
    for goal, ok in goals.items():
        print(f"  {'ok  ' if ok else 'MISS'} {goal}")

    RESULTS_DIR.mkdir(exist_ok=True)
    today = dt.date.today().isoformat()
    result = {
        "benchmark": "fidelity",
        "date": today,
        "started_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **machine(),
        "translate_toolkit": _version("translate-toolkit"),
        "corpus": {"records": len(records), "planted": ours.planted, "clean": ours.clean},
        "accord": ours.to_dict(),
        "pofilter_lenient": lenient.to_dict(),
        "pofilter_strict": strict.to_dict(),
        "plan": {
            "items": args.items,
            "repeats": args.repeats,
            "accord_median_s": round(ours_s, 4),
            "accord_runs_s": [round(t, 4) for t in ours_runs],
            "pofilter_median_s": round(po_s, 4),
            "pofilter_runs_s": [round(t, 4) for t in po_runs],
            "accord_findings_clean": len(clean_findings),
            "accord_findings_changed": [f.message for f in changed_findings],
            "pofilter_items_flagged_clean": po_flagged,
        },
        "goals": goals,
    }
    out = RESULTS_DIR / f"{today}-fidelity.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 1 if args.fail_on_miss and not all(goals.values()) else 0


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


if __name__ == "__main__":
    sys.exit(main())
