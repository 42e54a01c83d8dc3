"""What the record pages cost: list, detail and dashboard pages, server side, beside hand-written SQL.

    .venv/bin/python -m bench.pages [--projects 100000] [--repeats 30] [--database-url URL]

Without a database URL (the flag or ACCORD_DATABASE_URL) it uses a fresh SQLite file in a temporary
directory; a PostgreSQL URL names a throwaway database (its name must contain "bench") that is dropped,
created, and dropped again at the end.

The portfolio comes from bench.generator (as bench.suite), then the search index is rebuilt. Two
readers, each through Django's test client: an administrator (reads everything) and a coordinator of the
party with the most projects (reads through the visibility filter). Pages, per reader:

- `list by agreement`: /projects/?agreement=<the largest agreement>, 50 rows;
- `list by field`: /projects/?field=<the commonest field>;
- `list sorted, page 3`: /projects/?sort=modality&page=3 (all projects, paged by number);
- `list search`: /projects/?q=<a title word that matches many>;
- `project detail`: /projects/<id>/, a random visible project each repeat;
- `plan detail`: /plans/<id>/, the visible plan with the most items;
- with `--plan-items N`: `plan detail (N items, signed)` and `(N items, draft)`, two plans of N items written for
  the run, each beside hand-written SQL for the same page (the plan, its items counted, the first page of them),
  and `plan history (N items)`, the signed plan's history as the page reads it on demand;
- `dashboard (uncached)`: /dashboard/ after clearing the cache each time; `dashboard (cached)`: repeated.

Per page: server time (perf_counter around client.get) p50/p95/p99; the request thread's CPU time; the database
time (the sum over its statements, from an execute wrapper) and the statement count; and beside it the
hand-written SQL for the same content (the rows and columns the page shows, the filter options, the count),
timed with the same execute wrapper, in turns with the page. The ratio is page database time / hand-written time (p50s).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import functools
import gc
import io
import json
import os
import pstats
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.common import (
    DatabaseTime,
    add_database_url,
    bench_database,
    database_version,
    machine,
    percentile,
    setup_django,
)

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
PAGE = 50
GOALS_MS = {"list": 50.0, "detail": 50.0, "dashboard": 300.0, "plan": 200.0}  # p95; "plan": --plan-items N
HOME_MAX_BYTES = 200_000  # the first page, whatever the number of agreements


# --- the data -------------------------------------------------------------------------------------------------


def build(n_projects: int, seed: int, agreements: int = 0) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count

    from accord.accounts.services import grant
    from accord.agreements.models import AgreementParty
    from accord.core.actor import Actor, acting_as
    from accord.core.search import rebuild_index
    from accord.directory.models import Party
    from accord.programmes.models import Project
    from bench.generator import Sizes, generate

    t0 = time.perf_counter()
    with acting_as(Actor(None, "bench", "bench-pages", system=True)):
        report = generate(Sizes(projects=n_projects, agreements=agreements), seed=seed)
        generated_s = time.perf_counter() - t0
        t1 = time.perf_counter()
        indexed = rebuild_index()
        indexed_s = time.perf_counter() - t1
        largest = Project.objects.values("agreement").annotate(n=Count("id")).order_by("-n", "agreement").first()
        assert largest is not None
        # The coordinator's party: of the largest agreement's parties, the one with the most projects overall.
        sides = AgreementParty.objects.filter(agreement_id=largest["agreement"]).values_list("party_id", flat=True)
        per_party = Counter[int]()
        for party_id, n in (
            AgreementParty.objects.filter(party_id__in=list(sides))
            .values_list("party_id")
            .annotate(n=Count("agreement__projects"))
        ):
            per_party[party_id] = n
        party = Party.objects.get(pk=per_party.most_common(1)[0][0])
        users = get_user_model().objects
        admin = users.create_user("bench-admin", password="bench-admin-pass-1", is_staff=True)
        coordinator = users.create_user("bench-coordinator", password="bench-coordinator-pass-1")
        grant(coordinator, party, "coordinator")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "admin": admin,
        "coordinator": coordinator,
        "party": party,
        "largest_agreement": largest["agreement"],
        "largest_agreement_projects": largest["n"],
        "rows": dict(report.rows),
        "generated_s": round(generated_s, 1),
        "indexed": indexed,
        "indexed_s": round(indexed_s, 1),
    }


def big_plan(agreement_id: int, items: int, *, signed: bool = True, prefix: str = "", year: int = 0) -> int:
    """A plan of `items` items under the agreement, each with its own project, an organisation responsible on each
    side and a deliverable: the largest plan page a reader may open. Signed: with the content as signed stored (as
    sign_plan stores it); else a draft (its items edited in place, their steps offered). Written in bulk,
    unaudited: this database is thrown away (and the page-bound tests' transaction rolled back). `prefix` starts the
    projects' numbers (P1, P2... signed; D1, D2... a draft); `year` is the plan's period (2027 signed, 2028 a draft)."""
    from django.db import transaction

    from accord.agreements.models import Agreement, AgreementParty
    from accord.directory.models import Organisation
    from accord.programmes.models import Deliverable, Plan, PlanItem, PlanItemResponsibility, Project
    from accord.signing import crypto
    from accord.signing.content import plan_content, signed_payload
    from accord.signing.models import SignedContent

    agreement = Agreement.objects.get(pk=agreement_id)
    sides = [ap.party for ap in AgreementParty.objects.filter(agreement=agreement).select_related("party")[:2]]
    orgs = {p.pk: list(Organisation.objects.filter(party=p).order_by("id")[:3]) for p in sides}
    with transaction.atomic():
        year = year or (2027 if signed else 2028)
        plan = Plan.objects.create(
            agreement=agreement,
            title={"en": f"Plan of {items} items", "ru": f"План из {items} пунктов", "zh": f"{items}项计划"},
            period_start=dt.date(year, 1, 1),
            period_end=dt.date(year, 12, 31),
            **({"status": "signed", "signed_on": dt.date(2026, 12, 20), "signed_version": 1} if signed else {}),
        )
        projects = Project.objects.bulk_create(
            Project(
                agreement=agreement,
                number=f"{prefix or ('P' if signed else 'D')}{n}",
                title={"en": f"Joint research on topic {n}", "ru": f"Совместные исследования, тема {n}"},
            )
            for n in range(1, items + 1)
        )
        plan_items = PlanItem.objects.bulk_create(
            PlanItem(
                plan=plan,
                project=project,
                position=n,
                objectives={"en": f"Experimental work, stage {n}", "ru": f"Экспериментальные работы, этап {n}"},
            )
            for n, project in enumerate(projects, start=1)
        )
        PlanItemResponsibility.objects.bulk_create(
            PlanItemResponsibility(plan_item=item, organisation=orgs[party.pk][n % len(orgs[party.pk])], side=party)
            for n, item in enumerate(plan_items)
            for party in sides
            if orgs[party.pk]
        )
        Deliverable.objects.bulk_create(
            Deliverable(
                plan_item=item,
                kind="report",
                title={"en": "Annual report", "ru": "Годовой отчёт"},
                responsible_party=sides[0],
                due_on=dt.date(2027, 12, 31),
            )
            for item in plan_items
        )
        if not signed:
            return plan.pk
        payload = crypto.canonical_bytes(signed_payload(plan_content(plan), version=1, texts={}))
        SignedContent.objects.create(
            plan=plan,
            plan_version=1,
            payload=payload.decode("utf-8"),
            payload_sha256=crypto.sha256_hex(payload),
            chain_position=0,
        )
    return plan.pk


def common_word() -> str:
    """A title word that matches many projects: the most frequent longer English word in a sample."""
    from accord.programmes.models import Project

    words = Counter[str]()
    for title in Project.objects.order_by("id").values_list("title", flat=True)[:3000]:
        words.update(w.lower() for w in re.findall(r"[A-Za-z]{6,}", (title or {}).get("en", "")))
    return words.most_common(1)[0][0]


# --- the hand-written SQL -----------------------------------------------------------------------------------


class Sql:
    """Hand-written statements for one reader: visibility conditions inlined (party ids are integers)."""

    def __init__(self, parties: Sequence[int] | None, vendor: str) -> None:
        self.vendor = vendor
        if parties is None:  # an administrator reads everything
            self.ps = ""
        else:
            self.ps = ",".join(str(int(p)) for p in parties)

    def vis(self, alias: str, agreement_col: str | None) -> str:
        """The visibility condition on `alias` (rows whose agreement is `alias.agreement_col`)."""
        if not self.ps:
            return "1=1"
        ours = f"SELECT agreement_id FROM agreements_agreementparty WHERE party_id IN ({self.ps})"
        bilateral = f"({alias}.visibility = 'bilateral' AND {agreement_col} IN ({ours}))" if agreement_col else "0=1"
        return f"({alias}.visibility = 'public' OR {alias}.owner_party_id IN ({self.ps}) OR {bilateral})"

    # The list: the count, 50 rows with their agreement, and the filter's options (agreements, parties).
    def project_list(self, where: str, params: list[Any], order: str, offset: int) -> Callable[[], int]:
        vis = self.vis("p", "p.agreement_id")
        count_sql = f"SELECT COUNT(*) FROM programmes_project p WHERE {vis} AND {where}"
        rows_sql = (
            "SELECT p.id, p.number, p.title, p.field, p.modality, p.visibility, p.is_illustrative, "
            "a.title, a.short_title, a.authentic_languages FROM programmes_project p "
            f"JOIN agreements_agreement a ON a.id = p.agreement_id WHERE {vis} AND {where} "
            f"ORDER BY {order} LIMIT {PAGE} OFFSET {offset}"
        )
        agreements_sql = (
            f"SELECT a.id, a.title, a.short_title FROM agreements_agreement a WHERE {self.vis('a', 'a.id')}"
        )

        def run() -> int:
            with _cursor() as cur:
                cur.execute(count_sql, params)
                cur.fetchone()
                cur.execute(rows_sql, params)
                rows = cur.fetchall()
                cur.execute(agreements_sql)
                cur.fetchall()
                cur.execute("SELECT id, code, name FROM directory_party")
                cur.fetchall()
            return len(rows)

        return run

    def _journal_history(self, cur: Any, label: str, ct: int, pk: int, history: bool = True) -> None:
        cur.execute(
            "SELECT j.id, j.occurred_on, j.author_name, j.visibility, j.text FROM core_journalentry j "
            f"WHERE j.target_type_id = %s AND j.target_id = %s AND {self.vis('j', None)} ORDER BY j.id",
            [ct, str(pk)],
        )
        cur.fetchall()
        if not history:  # a plan's history is read on demand, not with its page
            return
        cur.execute(
            "SELECT id, at, actor_name, action, object_type, object_id, before, after FROM core_changerecord "
            "WHERE (object_type = %s AND object_id = %s) OR (related_type = %s AND related_id = %s) "
            "ORDER BY id DESC LIMIT 50",
            [label, str(pk), label, str(pk)],
        )
        cur.fetchall()

    def _latest(self, item: str) -> tuple[str, str]:
        """(join, columns) for each item's latest report: LATERAL on PostgreSQL, a subquery on SQLite."""
        vis = self.vis("r2", "(SELECT pl2.agreement_id FROM programmes_plan pl2 WHERE pl2.id = i2.plan_id)")
        if self.vendor == "postgresql":
            return (
                "LEFT JOIN LATERAL (SELECT r2.status, r2.percent FROM programmes_progressreport r2 "
                f"JOIN programmes_planitem i2 ON i2.id = r2.plan_item_id WHERE r2.plan_item_id = {item} AND {vis} "
                "ORDER BY r2.period_end DESC, r2.id DESC LIMIT 1) r ON true",
                "r.status, r.percent",
            )
        return (
            "LEFT JOIN programmes_progressreport r ON r.id = (SELECT r2.id FROM programmes_progressreport r2 "
            f"JOIN programmes_planitem i2 ON i2.id = r2.plan_item_id WHERE r2.plan_item_id = {item} AND {vis} "
            "ORDER BY r2.period_end DESC, r2.id DESC LIMIT 1)",
            "r.status, r.percent",
        )

    def project_detail(self, ct: int) -> Callable[[int], int]:
        join, cols = self._latest("i.id")

        def run(pk: int) -> int:
            with _cursor() as cur:
                cur.execute(
                    "SELECT p.id, p.number, p.title, p.field, p.modality, p.start_on, p.end_on, p.visibility, "
                    "p.version, p.agreement_id, a.title, a.authentic_languages, pp.code, rp.code "
                    "FROM programmes_project p JOIN agreements_agreement a ON a.id = p.agreement_id "
                    "LEFT JOIN directory_party pp ON pp.id = p.provider_party_id "
                    "LEFT JOIN directory_party rp ON rp.id = p.recipient_party_id "
                    f"WHERE p.id = %s AND {self.vis('p', 'p.agreement_id')}",
                    [pk],
                )
                found = cur.fetchall()
                cur.execute(
                    "SELECT pa.organisation_id, o.name, s.languages, s.code, pa.role FROM programmes_participation pa "
                    "JOIN directory_organisation o ON o.id = pa.organisation_id "
                    "JOIN directory_party s ON s.id = pa.side_id "
                    f"WHERE pa.project_id = %s AND {self.vis('pa', str(int(found[0][9]) if found else 0))} "
                    "ORDER BY pa.side_id, pa.id",
                    [pk],
                )
                cur.fetchall()
                cur.execute(
                    f"SELECT i.id, i.plan_id, pl.title, i.objectives, {cols} FROM programmes_planitem i "
                    f"JOIN programmes_plan pl ON pl.id = i.plan_id {join} "
                    f"WHERE i.project_id = %s AND {self.vis('i', 'pl.agreement_id')} ORDER BY pl.period_start, i.id",
                    [pk],
                )
                cur.fetchall()
                cur.execute(
                    "SELECT e.id, e.kind, f.code, t.code, e.start_on FROM programmes_exchange e "
                    "JOIN directory_party f ON f.id = e.from_party_id JOIN directory_party t ON t.id = e.to_party_id "
                    f"WHERE e.project_id = %s AND {self.vis('e', 'e.agreement_id')} ORDER BY e.start_on, e.id",
                    [pk],
                )
                cur.fetchall()
                self._journal_history(cur, "programmes.project", ct, pk)
            return len(found)

        return run

    def plan_detail(self, ct: int, agreement_id: int, signed: bool = False) -> Callable[[int], int]:
        """The plan page's content: the plan, its visible items counted, the first page of them with their project,
        latest report and responsible organisations, its reviews, documents and journal (and, signed, the stored
        content's hash and the signatures). Its history is read on demand, apart."""
        join, cols = self._latest("i.id")
        agreement = str(int(agreement_id))  # the plan's agreement, known before the page is asked for
        from accord.programmes.pages import PLAN_ITEMS_PAGE

        page = int(PLAN_ITEMS_PAGE)  # the items a plan's page shows at once

        def run(pk: int) -> int:
            with _cursor() as cur:
                cur.execute(
                    "SELECT pl.id, pl.title, pl.period_start, pl.period_end, pl.status, pl.revision, pl.signed_on, "
                    "pl.signed_at, pl.visibility, pl.version, pl.agreement_id, a.title, a.authentic_languages, "
                    "prev.title FROM programmes_plan pl JOIN agreements_agreement a ON a.id = pl.agreement_id "
                    "LEFT JOIN programmes_plan prev ON prev.id = pl.previous_id "
                    f"WHERE pl.id = %s AND {self.vis('pl', 'pl.agreement_id')}",
                    [pk],
                )
                cur.fetchall()
                cur.execute(
                    f"SELECT COUNT(*) FROM programmes_planitem i WHERE i.plan_id = %s AND {self.vis('i', agreement)}",
                    [pk],
                )
                cur.fetchone()
                cur.execute(
                    f"SELECT i.id, i.position, i.project_id, pr.number, pr.title, i.objectives, i.carry_over, {cols} "
                    f"FROM (SELECT * FROM programmes_planitem i WHERE i.plan_id = %s AND {self.vis('i', agreement)} "
                    f"ORDER BY i.position, i.id LIMIT {page}) i JOIN programmes_project pr ON pr.id = i.project_id "
                    f"{join} ORDER BY i.position, i.id",
                    [pk],
                )
                items = cur.fetchall()
                ids = ",".join(str(int(row[0])) for row in items) or "0"
                cur.execute(
                    "SELECT rs.plan_item_id, o.name, s.languages, s.code FROM programmes_planitemresponsibility rs "
                    "JOIN directory_organisation o ON o.id = rs.organisation_id "
                    "JOIN directory_party s ON s.id = rs.side_id "
                    f"WHERE rs.plan_item_id IN ({ids}) AND {self.vis('rs', agreement)}"
                )
                cur.fetchall()
                if signed:
                    cur.execute(
                        "SELECT id, plan_version, payload_sha256 FROM signing_signedcontent "
                        "WHERE plan_id = %s ORDER BY plan_version DESC LIMIT 1",
                        [pk],
                    )
                    cur.fetchall()
                    cur.execute(
                        "SELECT g.id, g.signed_on, p.code, p.name FROM agreements_signature g "
                        "JOIN directory_party p ON p.id = g.party_id WHERE g.target_id = %s",
                        [pk],
                    )
                    cur.fetchall()
                cur.execute(
                    "SELECT r.id, r.as_of, r.status FROM meetings_review r "
                    f"WHERE r.plan_id = %s AND {self.vis('r', agreement)}",
                    [pk],
                )
                cur.fetchall()
                cur.execute(
                    "SELECT d.id, d.title FROM documents_document d "
                    f"WHERE d.plan_id = %s AND {self.vis('d', 'd.agreement_id')}",
                    [pk],
                )
                cur.fetchall()
                self._journal_history(cur, "programmes.plan", ct, pk, history=False)
            return len(items)

        return run


def _last(run: Callable[[int], int], picked: list[int]) -> int:
    """The baseline for the project the page was just asked for."""
    return run(picked[-1])


def _cursor() -> Any:
    from django.db import connection

    return connection.cursor()


# --- timing -------------------------------------------------------------------------------------------------


class Scenario:
    def __init__(self, page: str, kind: str, reader: str, get: Callable[[], str], hand: Callable[[], Any] | None):
        self.page, self.kind, self.reader = page, kind, reader
        self.get, self.hand = get, hand  # get() returns the URL to fetch this repeat; hand() runs the baseline
        self.wall: list[int] = []
        # The thread's CPU time for the request (SQLite's work included, PostgreSQL's not): on a machine shared
        # with other work, what the page costs apart from waiting for a core.
        self.cpu: list[int] = []
        self.db: list[int] = []
        self.hand_ns: list[int] = []
        self.queries = 0
        self.bytes = 0
        self.before: Callable[[], None] | None = None  # untimed, before each request (clearing the cache)
        self.max_samples: int | None = None
        self.hand_from: Scenario | None = None  # whose baseline samples this row's ratio uses


def measure(client: Any, s: Scenario) -> None:
    from django.db import connection

    url = s.get()
    if s.before:
        s.before()
    meter = DatabaseTime()
    with connection.execute_wrapper(meter):
        t, cpu = time.perf_counter_ns(), time.thread_time_ns()
        response = client.get(url)
        s.wall.append(time.perf_counter_ns() - t)
        s.cpu.append(time.thread_time_ns() - cpu)
    assert response.status_code == 200, (url, response.status_code)
    s.db.append(meter.ns)
    s.queries = meter.queries
    s.bytes = len(response.content)
    if s.hand is not None:
        hand = DatabaseTime()
        with connection.execute_wrapper(hand):
            s.hand()
        s.hand_ns.append(hand.ns)


def profile(client: Any, url: str, top: int = 15) -> dict[str, list[str]]:
    """One request under cProfile: the top functions by own time, and Accord's own code by cumulative time
    (the framework's wrappers, which hold the whole request, say nothing about where it goes)."""
    prof = cProfile.Profile()
    prof.enable()
    client.get(url)
    prof.disable()

    def lines(order: str, n: int, keep: Callable[[str], bool]) -> list[str]:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats(order).print_stats(400)
        found = [ln.strip() for ln in out.getvalue().splitlines() if re.match(r"\s*\d", ln) and keep(ln)]
        return found[:n]

    return {
        "tottime": lines("tottime", top, lambda ln: True),
        "cumulative_accord": lines("cumulative", top, lambda ln: "/accord/" in ln),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.db import connection
    from django.db.models import Count
    from django.test import Client

    from accord.core.search import match_sql
    from accord.core.visibility import principal, visible
    from accord.programmes.models import Plan, Project
    from bench import dashboard as dash

    data = build(args.projects, args.seed, args.agreements)
    vendor = connection.vendor
    agreement = data["largest_agreement"]
    commonest = Project.objects.exclude(field="").values("field").annotate(n=Count("id")).order_by("-n", "field")
    field = commonest[0]["field"]
    word = common_word()
    project_ct = ContentType.objects.get_for_model(Project).pk
    plan_ct = ContentType.objects.get_for_model(Plan).pk
    search_sql, search_params = match_sql("programmes.project", word, vendor) or ("", [])
    rng = random.Random(args.seed)
    today = dt.date.today()

    scenarios: list[Scenario] = []
    dash_baseline: Scenario | None = None

    def dash_sql() -> Any:
        return dash.hand_written(dash.STATUS_BY_WINDOW, vendor, today)

    clients: dict[str, Client] = {}
    facts: dict[str, Any] = {"search_word": word, "field": field, "agreement": agreement}
    for reader in ("admin", "coordinator"):
        user = data[reader]
        client = Client()
        client.force_login(user)
        clients[reader] = client
        who = principal(user)
        sql = Sql(None if who.is_admin else sorted(who.parties), vendor)
        ids = list(visible(Project.objects.all(), user).order_by("id").values_list("id", flat=True))
        plan = visible(Plan.objects.all(), user).annotate(n=Count("items")).order_by("-n", "id").first()
        assert plan is not None
        facts[reader] = {"visible_projects": len(ids), "plan": plan.pk, "plan_items": plan.n}
        picked: list[int] = []

        def pick(ids: list[int] = ids, picked: list[int] = picked) -> str:
            picked.append(rng.choice(ids))
            return f"/projects/{picked[-1]}/"

        detail = sql.project_detail(project_ct)
        plan_sql = sql.plan_detail(plan_ct, plan.agreement_id, plan.signed_version is not None)
        pages: list[tuple[str, str, str, Callable[[], Any] | None]] = [
            (
                "list by agreement",
                "list",
                f"/projects/?agreement={agreement}",
                sql.project_list("p.agreement_id = %s", [agreement], "p.agreement_id, p.id", 0),
            ),
            (
                "list by field",
                "list",
                f"/projects/?field={field}",
                sql.project_list("p.field = %s", [field], "p.agreement_id, p.id", 0),
            ),
            (
                "list sorted, page 3",
                "list",
                "/projects/?sort=modality&page=3",
                sql.project_list("1=1", [], "p.modality, p.id", 2 * PAGE),
            ),
            (
                "list search",
                "list",
                f"/projects/?q={word}",
                sql.project_list(f"p.id IN ({search_sql})", list(search_params), "p.agreement_id, p.id", 0),
            ),
            ("plan detail", "detail", f"/plans/{plan.pk}/", functools.partial(plan_sql, plan.pk)),
        ]
        for page, kind, url, hand in pages:
            scenarios.append(Scenario(page, kind, reader, functools.partial(str, url), hand))
        scenarios.append(Scenario("project detail", "detail", reader, pick, functools.partial(_last, detail, picked)))

        # The dashboard's SQL takes seconds at 100k and is the same for every dashboard row (the
        # administrator's, unfiltered): measured beside the first one only, and shared.
        first = dash_baseline is None
        uncached = Scenario(
            "dashboard (uncached)", "dashboard", reader, lambda: "/dashboard/", dash_sql if first else None
        )
        uncached.before = cache.clear
        uncached.max_samples = min(args.repeats, args.uncached_repeats)  # seconds each at 100k: bound the run
        dash_baseline = dash_baseline or uncached
        uncached.hand_from = dash_baseline
        cached = Scenario("dashboard (cached)", "dashboard", reader, lambda: "/dashboard/", None)
        cached.hand_from = dash_baseline
        scenarios += [uncached, cached]

    # The first page (anonymous and administrator): bounded whatever the number of agreements.
    for reader in ("anonymous", "admin"):
        if reader not in clients:
            clients[reader] = Client()
        scenarios.append(Scenario("home", "list", reader, lambda: "/", None))
    if args.plan_items:
        # The largest plans a reader may open, signed and a draft, each beside its hand-written SQL (the first page
        # of items, as the page shows them) and the generator's largest plan (above: "plan detail") in the same run.
        for signed in (True, False):
            big = big_plan(agreement, args.plan_items, signed=signed)
            state = "signed" if signed else "draft"
            facts[f"big_plan_{state}"] = {"plan": big, "items": args.plan_items}
            for reader in ("admin", "coordinator"):
                who = principal(data[reader])
                page_sql = Sql(None if who.is_admin else sorted(who.parties), vendor).plan_detail(
                    plan_ct, agreement, signed
                )
                scenarios.append(
                    Scenario(
                        f"plan detail ({args.plan_items} items, {state})",
                        "plan",
                        reader,
                        functools.partial(str, f"/plans/{big}/"),
                        functools.partial(page_sql, big),
                    )
                )
                if signed:  # its history, read when the reader scrolls to it (htmx)
                    history = f"/plans/{big}/history/"
                    scenarios.append(
                        Scenario(
                            f"plan history ({args.plan_items} items)",
                            "plan",
                            reader,
                            functools.partial(str, history),
                            None,
                        )
                    )

    load_before = os.getloadavg()
    for s in scenarios:  # warm-up: templates compiled, caches as a running server has them
        s.get()
        clients[s.reader].get(s.get())
        if s.hand:
            s.hand()
    gc.collect()
    t0 = time.perf_counter()
    for _ in range(args.repeats):
        for s in scenarios:  # in turns, so the machine's other load falls on all alike
            if s.max_samples is None or len(s.wall) < s.max_samples:
                measure(clients[s.reader], s)
    timed_s = time.perf_counter() - t0
    load_after = os.getloadavg()

    def ms(values: list[int], p: float) -> float | None:
        return round(percentile(sorted(values), p) / 1e6, 2) if values else None

    rows = []
    for s in scenarios:
        goal = GOALS_MS[s.kind]
        p95 = ms(s.wall, 95)
        db50 = ms(s.db, 50)
        hand50 = ms(s.hand_ns or (s.hand_from.hand_ns if s.hand_from else []), 50)
        rows.append(
            {
                "page": s.page,
                "reader": s.reader,
                "p50_ms": ms(s.wall, 50),
                "p95_ms": p95,
                "p99_ms": ms(s.wall, 99),
                "cpu_p50_ms": ms(s.cpu, 50),
                "cpu_p95_ms": ms(s.cpu, 95),
                "queries": s.queries,
                "kb": round(s.bytes / 1000, 1),
                "db_p50_ms": db50,
                "hand_p50_ms": hand50,
                "ratio": round(db50 / hand50, 2) if db50 is not None and hand50 else None,
                "goal_p95_ms": goal,
                "met": p95 is not None and p95 <= goal and (s.page != "home" or s.bytes < HOME_MAX_BYTES),
            }
        )
    # The slowest page against its goal, profiled once (cProfile) to name where its time goes.
    worst = max(scenarios, key=lambda s: percentile(sorted(s.wall), 95) / GOALS_MS[s.kind])
    if worst.before:
        worst.before()
    prof = profile(clients[worst.reader], worst.get())
    return {
        "pages": rows,
        "facts": facts,
        "slowest": {"page": worst.page, "reader": worst.reader, "profile": prof},
        "data": {
            **data["rows"],
            "generated_s": data["generated_s"],
            "search_index_rebuild_s": data["indexed_s"],
            "largest_agreement_projects": data["largest_agreement_projects"],
            "coordinator_party": data["party"].code,
        },
        "timed_s": round(timed_s, 1),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in load_after],
        "database_version": database_version(),
    }


def print_report(result: dict[str, Any], meta: dict[str, Any]) -> None:
    facts = result["facts"]
    print(
        f"\npages benchmark: {meta['vendor']} {meta['database_version'].split(' on ')[0]}, "
        f"{meta['projects']} projects, {meta['repeats']} repeats; largest agreement {facts['agreement']} "
        f"({result['data']['largest_agreement_projects']} projects), field {facts['field']}, "
        f"search {facts['search_word']!r}"
    )
    for reader in ("admin", "coordinator"):
        seen = facts[reader]
        print(
            f"  {reader}: {seen['visible_projects']} visible projects; "
            f"plan {seen['plan']} has {seen['plan_items']} items"
        )
    head = (
        f"{'page':<32} {'reader':<11} {'p50':>7} {'p95':>7} {'p99':>7} {'cpu p50':>7} {'cpu p95':>7} "
        f"{'queries':>7} {'KB':>6} {'db p50':>7} "
        f"{'hand p50':>8} {'ratio':>6} {'goal':>6} {'met?':>5}"
    )
    print(head)
    print("-" * len(head))

    def f(v: Any, width: int, fmt: str = ".1f") -> str:
        return f"{'—':>{width}}" if v is None else f"{v:>{width}{fmt}}"

    for r in result["pages"]:
        print(
            f"{r['page']:<32} {r['reader']:<11} {f(r['p50_ms'], 7)} {f(r['p95_ms'], 7)} {f(r['p99_ms'], 7)} "
            f"{f(r['cpu_p50_ms'], 7)} {f(r['cpu_p95_ms'], 7)} "
            f"{r['queries']:>7} {f(r['kb'], 6)} {f(r['db_p50_ms'], 7)} {f(r['hand_p50_ms'], 8)} "
            f"{f(r['ratio'], 6, '.2f')} "
            f"{'≤' + format(r['goal_p95_ms'], '.0f'):>6} {'yes' if r['met'] else 'NO':>5}"
        )
    print(
        "times in ms, server side (test client); cpu: the request's thread CPU time (SQLite's work included); "
        "goal is on p95 (and the home page under 200 KB); ratio = page database time / hand-written SQL, p50"
    )
    print(
        f"load average (1/5/15 min) before {result['load_before']}, after {result['load_after']}; cpus {meta['cpus']}"
    )
    slow = result["slowest"]
    print(f"\nslowest against its goal: {slow['page']} ({slow['reader']}); one request under cProfile.")
    print("ncalls tottime percall cumtime percall function — by own time:")
    for line in slow["profile"]["tottime"]:
        print("  " + line[:160])
    print("Accord's own code, by cumulative time:")
    for line in slow["profile"]["cumulative_accord"]:
        print("  " + line[:160])


def write_json(result: dict[str, Any], meta: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{meta['date']}-pages-{meta['vendor']}.json"
    path.write_text(json.dumps({**meta, **result}, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pages", description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--projects", type=int, default=100_000, help="projects (default 100000)")
    parser.add_argument("--repeats", type=int, default=30, help="timed rounds over all pages (default 30)")
    parser.add_argument(
        "--uncached-repeats", type=int, default=10, help="at most this many uncached dashboards (default 10)"
    )
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--agreements", type=int, default=0, help="agreements (default: the generator's, N/50)")
    parser.add_argument(
        "--plan-items", type=int, default=0, help="also a signed plan of this many items (e.g. 5000), timed apart"
    )
    add_database_url(parser)
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args(argv)
    if args.projects < 1 or args.repeats < 1:
        parser.error("--projects and --repeats must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with bench_database(args.database_url):
        setup_django()
        from django.conf import settings
        from django.core.management import call_command

        call_command("createcachetable", verbosity=0)  # the dashboard caches its figures in the database
        from django.db import connection

        # The pages link their stylesheet; without collectstatic there is no hashed-name manifest to look it up in.
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        result = run(args)
        meta = {
            "benchmark": "pages",
            "date": dt.date.today().isoformat(),
            "started_utc": started,
            "vendor": connection.vendor,
            "database_version": result.pop("database_version"),
            "projects": args.projects,
            "agreements": args.agreements or None,
            "plan_items": args.plan_items or None,
            "repeats": args.repeats,
            "seed": args.seed,
            **machine(),
        }
    print_report(result, meta)
    path = write_json(result, meta)
    print(f"\nresults: {path.relative_to(BENCH_DIR.parent)}")
    missed = not all(r["met"] for r in result["pages"])
    return 1 if args.fail_on_miss and missed else 0


if __name__ == "__main__":
    sys.exit(main())
