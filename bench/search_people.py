"""Search for people and organisations on real data: recall and latency before and after accent folding, Russian
stems and the texts of records' parts (positions, former names), measured in the same run.

    .venv/bin/python -m bench.search_people [--repeats 5] [--queries 40] [--database-url URL]

A throwaway database (bench.common). Loaded in bulk from the shared data sets (../shared/data), as they are:
- NSFC (nsfc-projects-zh): each project's leader (负责人) is a person holding a position (the project's category,
  e.g. 青年科学基金项目) at the host institution (依托单位), an organisation;
- CORDIS (cordis-eu-china-projects/organizations.csv): every participating organisation, with its party by
  country — German, French, Spanish, Portuguese names with their accents;
- Russian text: neither set has any, so the Russian paragraphs of the UN parallel corpus (un-parallel-dev), with
  their Chinese and English, are loaded as project titles.

Query sets, each query with the records it must find (chosen without the search code's help):
- `zh name`: a leader's name (陶志富) finds the person;
- `name + position`: the name and the post held (陶志富 青年科学基金项目) finds the person;
- `accent-less`: a CORDIS name's accented word typed without its accents (universitat, ninez) finds it;
- `accented`: the same word as written (Universität) finds it;
- `ru other form`: a Russian word from a title in another inflection (сотрудничества for сотрудничество),
  rewritten by a fixed table of endings, not by the stemmer, finds the title that has the word;
- `ru as written`: the word as it stands in the title.

`before` is the index and queries as they were (no folding, no stems, people and organisations by their own
names only), rebuilt in this run on the same data; `after` is the current code; the two are measured in turns,
twice each. Each query is timed as a list
page with ?q= asks (the count up to 1,000 and the first 50 rows: bench.search's `search page`). Rows give recall
(found targets / targets), p50 and p95, and the ratios after/before.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.common import add_database_url, bench_database, database_version, machine, ms, setup_django

RESULTS_DIR = Path(__file__).resolve().parent / "results"
PAGE = 50

# Russian endings and another form of the same word (case or number), applied to a word of the text to make a
# query it does not contain. A fixed table, so the ground truth owes nothing to the stemmer under test.
RU_FORMS = (
    ("ество", "ества"),
    ("ества", "еству"),
    ("ости", "остью"),
    ("ость", "ости"),
    ("ание", "ания"),
    ("ания", "анию"),
    ("ение", "ения"),
    ("ения", "ением"),
    ("ция", "ции"),
    ("ции", "цией"),
    ("ский", "ского"),
    ("ского", "ском"),
    ("ной", "ная"),
    ("ная", "ной"),
    ("ных", "ные"),
    ("ные", "ных"),
    ("ный", "ного"),
    ("ного", "ному"),
    ("ами", "ах"),
)


def data_dir() -> Path:
    for candidate in (os.environ.get("ACCORD_SHARED_DATA"), Path(__file__).resolve().parents[2] / "shared" / "data"):
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return Path("/work/shared/data")


# --- loading -----------------------------------------------------------------------------------------------


def load(base: Path) -> dict[str, Any]:
    """The three data sets into the database, in bulk (the index is rebuilt afterwards); what the queries need."""
    from accord.agreements.models import Agreement
    from accord.directory.models import Organisation, Party, Person, Position
    from accord.programmes.models import Project

    parties: dict[str, Any] = {}

    def party(code: str) -> Any:
        code = (code or "XX").upper()[:16]
        if code not in parties:
            parties[code] = Party.objects.create(code=code, name={"en": code})
        return parties[code]

    # NSFC: leaders, their posts, host institutions.
    nsfc: list[dict[str, str]] = []
    with (base / "nsfc-projects-zh" / "natural-2017-09-26.csv").open(encoding="utf-8") as f:
        nsfc = [r for r in csv.DictReader(f) if r.get("负责人") and r.get("依托单位")]
    cn = party("CN")
    hosts = {name: Organisation(party=cn, name={"zh": name}) for name in dict.fromkeys(r["依托单位"] for r in nsfc)}
    Organisation.objects.bulk_create(hosts.values(), batch_size=1000)
    people: dict[str, Any] = {}
    posts: list[Any] = []
    for r in nsfc:
        name = r["负责人"].strip()
        if name in people:
            continue
        people[name] = Person(name={"zh": name})
        posts.append((name, r["依托单位"], r["项目类别"]))
    Person.objects.bulk_create(people.values(), batch_size=1000)
    Position.objects.bulk_create(
        [Position(person=people[n], organisation=hosts[h], title={"zh": t}) for n, h, t in posts], batch_size=1000
    )
    # CORDIS: participating organisations by country.
    cordis: dict[str, str] = {}
    with (base / "cordis-eu-china-projects" / "organizations.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            cordis.setdefault(r["org_name"].strip(), r["country"])
    orgs = {name: Organisation(party=party(cc), name={"en": name}) for name, cc in cordis.items() if name}
    Organisation.objects.bulk_create(orgs.values(), batch_size=1000)
    # Russian text: the UN corpus's paragraphs as trilingual project titles.
    un = base / "un-parallel-dev" / "UNv1.0.devset-half"
    texts = {lang: Path(f"{un}.{lang}").read_text(encoding="utf-8").splitlines() for lang in ("zh", "ru", "en")}
    agreement = Agreement.objects.create(title={"en": "Search benchmark"})
    projects = [
        Project(agreement=agreement, number=f"UN-{i}", title={"zh": zh, "ru": ru, "en": en})
        for i, (zh, ru, en) in enumerate(zip(texts["zh"], texts["ru"], texts["en"], strict=True), 1)
        if ru.strip()
    ]
    Project.objects.bulk_create(projects, batch_size=1000)
    return {
        "people": {n: p.pk for n, p in people.items()},
        "posts": posts,
        "organisations": {n: o.pk for n, o in orgs.items()},
        "projects": {p.pk: p.title["ru"] for p in projects},
        "counts": {"people": len(people), "organisations": len(hosts) + len(orgs), "projects": len(projects)},
    }


# --- queries -----------------------------------------------------------------------------------------------


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def pick_queries(data: dict[str, Any], per_set: int, seed: int = 1960) -> dict[str, list[tuple[str, str, set[int]]]]:
    """{set: [(model label, query, ids it must find)]}, drawn with a fixed seed."""
    rng = random.Random(seed)
    out: dict[str, list[tuple[str, str, set[int]]]] = {}
    people = data["people"]
    names = rng.sample(sorted(people), min(per_set, len(people)))
    out["zh name"] = [("person", n, {people[n]}) for n in names]
    posts = rng.sample(data["posts"], min(per_set, len(data["posts"])))
    out["name + position"] = [("person", f"{n} {title}", {people[n]}) for n, _host, title in posts]
    accented: list[tuple[str, str, int]] = []
    for name, pk in sorted(data["organisations"].items()):
        for word in re.findall(r"\w+", name):
            if len(word) >= 4 and _plain(word) != word:
                accented.append((word, _plain(word), pk))
                break
    chosen = rng.sample(accented, min(per_set, len(accented)))
    out["accent-less"] = [("organisation", plain, {pk}) for _word, plain, pk in chosen]
    out["accented"] = [("organisation", word, {pk}) for word, _plain_word, pk in chosen]
    forms: list[tuple[str, str, int]] = []
    for pk, title in sorted(data["projects"].items()):
        words = set(re.findall(r"[а-яё]{7,}", title.lower()))
        for word in sorted(words):
            for end, other in RU_FORMS:
                if word.endswith(end):
                    form = word[: -len(end)] + other
                    if form not in title.lower():
                        forms.append((word, form, pk))
                    break
    chosen_ru = rng.sample(forms, min(per_set, len(forms)))
    out["ru other form"] = [("project", form, {pk}) for _word, form, pk in chosen_ru]
    out["ru as written"] = [("project", word, {pk}) for word, _form, pk in chosen_ru]
    return out


# --- measuring ---------------------------------------------------------------------------------------------


@contextmanager
def before_this_change() -> Iterator[None]:
    """The search as it was: no accent folding, no stems, people and organisations by their own names only."""
    from accord.core import search
    from accord.directory.models import Organisation, Person

    saved = (search.fold, search.stem, Person.search_fields, Organisation.search_fields)
    search.fold = lambda text: text  # type: ignore[assignment]
    search.stem = lambda term: term  # type: ignore[assignment]
    Person.search_fields = ("name",)
    Organisation.search_fields = ("name", "aliases")
    search._parents = None
    try:
        yield
    finally:
        search.fold, search.stem, Person.search_fields, Organisation.search_fields = saved  # type: ignore[assignment]
        search._parents = None


def _page(model: Any, q: str) -> Callable[[], Any]:
    from accord.core.pages.listing import paginate
    from accord.core.search import search

    def run() -> Any:
        return paginate(search(model.objects.all(), q).order_by("id").values_list("id", flat=True), 1, PAGE)

    return run


def _matches(model: Any, q: str) -> set[int]:
    from accord.core.search import search

    return set(search(model.objects.all(), q).values_list("id", flat=True))


def measure(queries: dict[str, list[tuple[str, str, set[int]]]], repeats: int) -> dict[str, dict[str, Any]]:
    """{set: recall, p50, p95} for the code and index as they are now (rebuilt first)."""
    from accord.core.search import rebuild_index
    from accord.directory.models import Organisation, Person
    from accord.programmes.models import Project

    models = {"person": Person, "organisation": Organisation, "project": Project}
    t = time.perf_counter_ns()
    rebuild_index()
    rebuilt_ms = round((time.perf_counter_ns() - t) / 1e6, 1)
    for items in queries.values():  # a first pass warms the caches alike for every set
        for label, q, _targets in items:
            _page(models[label], q)()
    out: dict[str, dict[str, Any]] = {}
    for name, items in queries.items():
        found = wanted = 0
        times: list[int] = []
        matched: list[int] = []
        for label, q, targets in items:
            run = _page(models[label], q)
            hits = _matches(models[label], q)  # every match, not only the first page (lists sort by number, not rank)
            matched.append(len(hits))
            wanted += len(targets)
            found += len(targets & hits)
            for _ in range(repeats):
                t = time.perf_counter_ns()
                run()
                times.append(time.perf_counter_ns() - t)
        out[name] = {
            "times": times,
            "queries": len(items),
            "recall": round(found / wanted, 3) if wanted else None,
            "matches_median": sorted(matched)[len(matched) // 2] if matched else 0,
            "p50_ms": ms(times, 50),
            "p95_ms": ms(times, 95),
            "examples": [q for _label, q, _targets in items[:3]],
        }
    out["_rebuild_ms"] = {"ms": rebuilt_ms}
    return out


def merged(runs: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """One result from runs in turns: their timings together, the first run's recall (each run finds the same)."""
    out: dict[str, dict[str, Any]] = {}
    for name, first in runs[0].items():
        if name == "_rebuild_ms":
            out[name] = {"ms": min(r[name]["ms"] for r in runs)}
            continue
        times = [t for r in runs for t in r[name]["times"]]
        out[name] = {**first, "p50_ms": ms(times, 50), "p95_ms": ms(times, 95), "samples": len(times)}
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--queries", type=int, default=40, help="queries per set")
    add_database_url(parser)
    args = parser.parse_args(argv)
    url = args.database_url or os.environ.get("ACCORD_DATABASE_URL")
    base = data_dir()
    with bench_database(url):
        setup_django()
        from django.db import connection

        t = time.perf_counter()
        data = load(base)
        loaded_s = round(time.perf_counter() - t, 1)
        queries = pick_queries(data, args.queries)
        # In turns (before, after, before, after), so a busy moment of the machine falls on both alike.
        runs: dict[str, list[dict[str, dict[str, Any]]]] = {"before": [], "after": []}
        for _ in range(2):
            with before_this_change():
                runs["before"].append(measure(queries, args.repeats))
            runs["after"].append(measure(queries, args.repeats))
        before, after = merged(runs["before"]), merged(runs["after"])
        rows = []
        for name in queries:
            b, a = before[name], after[name]
            rows.append(
                {
                    "set": name,
                    "queries": a["queries"],
                    "examples": a["examples"],
                    "recall_before": b["recall"],
                    "recall_after": a["recall"],
                    "matches_median_before": b["matches_median"],
                    "matches_median_after": a["matches_median"],
                    "p50_ms_before": b["p50_ms"],
                    "p50_ms_after": a["p50_ms"],
                    "p95_ms_before": b["p95_ms"],
                    "p95_ms_after": a["p95_ms"],
                    "p95_ratio": _ratio(a["p95_ms"], b["p95_ms"]),
                    "samples": a["samples"],
                }
            )
        result = {
            "benchmark": "search_people",
            "date": dt.date.today().isoformat(),
            **machine(),
            "vendor": connection.vendor,
            "database_version": database_version(),
            "records": data["counts"],
            "load_s": loaded_s,
            "rebuild_ms_before": before["_rebuild_ms"]["ms"],
            "rebuild_ms_after": after["_rebuild_ms"]["ms"],
            "repeats": args.repeats,
            "sets": rows,
        }
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{result['date']}-search_people-{result['vendor']}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(f"{result['vendor']}: {data['counts']}; index rebuilt in {result['rebuild_ms_before']} ms before, "
          f"{result['rebuild_ms_after']} ms after")  # fmt: skip
    print(
        f"{'set':<18} {'n':>4} {'recall before':>14} {'recall after':>13} "
        f"{'p95 ms before':>14} {'p95 ms after':>13} {'p95 ratio':>10} {'matches before/after':>21}"
    )
    for r in rows:
        print(
            f"{r['set']:<18} {r['queries']:>4} {r['recall_before']!s:>14} {r['recall_after']!s:>13} "
            f"{r['p95_ms_before']:>14} {r['p95_ms_after']:>13} {r['p95_ratio']!s:>10} "
            f"{str(r['matches_median_before']) + ' / ' + str(r['matches_median_after']):>21}"
        )
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
