"""A deterministic synthetic portfolio for benchmarks: parties, organisations, people, agreements, plans,
projects with participations, plan items, deliverables, progress reports and exchanges.

Speed is the point, so rows are built as plain values and written in large batches (executemany on SQLite,
COPY on PostgreSQL) with ids assigned here, bypassing the services. The result is still a valid Accord
database: every row gets its create entry in the audit chain, appended by core.audit.append (the chain's one
writer), so `accord verify` passes. Only benchmarks and tests call this; the application writes through services.

The same seed and sizes give the same records (ids, uids, texts); only timestamps differ between runs.
"""

from __future__ import annotations

import bisect
import datetime as dt
import gettext
import itertools
import random
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import orjson
import pycountry
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from accord.agreements.models import Agreement, AgreementParty
from accord.core.audit import Entry, append
from accord.core.models import ChangeRecord
from accord.directory.models import Organisation, Party, Person
from accord.programmes.choices import (
    TWO_SIDED_EXCHANGES,
    DeliverableKind,
    ExchangeKind,
    FieldOfScience,
    PlanStatus,
    ProgressStatus,
    QuantityUnit,
)
from accord.programmes.models import Deliverable, Exchange, Participation, Plan, PlanItem, ProgressReport, Project
from bench import words as w

FIRST_YEAR, LAST_YEAR = 2019, 2026  # plans run over these years; LAST_YEAR's plans are in force
CURRENT_YEAR = LAST_YEAR
HISTORIC = {
    "SU": (
        "Union of Soviet Socialist Republics",
        "Союз Советских Социалистических Республик",
        "苏维埃社会主义共和国联盟",
    ),
    "DD": ("German Democratic Republic", "Германская Демократическая Республика", "德意志民主共和国"),
    "YU": (
        "Socialist Federal Republic of Yugoslavia",
        "Социалистическая Федеративная Республика Югославия",
        "南斯拉夫社会主义联邦共和国",
    ),
    "CS": (
        "Czechoslovak Socialist Republic",
        "Чехословацкая Социалистическая Республика",
        "捷克斯洛伐克社会主义共和国",
    ),
}
ZH_PARTIES = {"CN", "TW", "SG", "HK", "MO"}
RU_PARTIES = {"RU", "SU", "BY", "KZ", "KG", "TJ", "UZ", "AM", "AZ", "MD", "UA", "TM"}
# Partners that sign many agreements come first, so the skew lands on them.
MAJOR = ["CN", "RU", "US", "DE", "FR", "GB", "JP", "IN", "BR", "IT", "KR", "SU", "KZ", "VN", "EG", "ZA", "CA"]
FIELDS = [c for c in FieldOfScience.values if "." in c]
UID_EPOCH_MS = 1_546_300_800_000  # 2019-01-01T00:00:00Z: generated uids read as created from then on
BATCH_ROWS = 60_000  # rows gathered before a write: large enough to amortise, small enough for memory


@dataclass
class Sizes:
    projects: int
    parties: int = 200
    agreements: int = 0  # 0: scaled to the projects (N/50, at most 20,000)
    organisations: int = 0  # 0: N/5
    people: int = 0  # 0: N/10

    def __post_init__(self) -> None:
        n = self.projects
        self.agreements = self.agreements or min(20_000, max(4, n // 50))
        self.organisations = self.organisations or max(60, n // 5)
        self.people = self.people or max(50, n // 10)


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.rows.values())


# --- writing -------------------------------------------------------------------------------------------


def _canonical(value: Any) -> bytes:
    """core.audit.canonical's text, as UTF-8, by orjson (a core.audit.Entry's snapshot). Equal for what the
    generator writes (str, int, bool, None, lists and dicts with str keys); not in general (orjson writes
    floats differently), hence only here."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def _db_converter(f: models.Field, vendor: str, now_db: Any) -> Callable[[Any], Any]:
    """How a value of this field goes to the database driver (what get_db_prep_save would give, cheaply)."""
    kind = f.get_internal_type()
    if kind in ("JSONField",) or isinstance(f, models.JSONField):
        return lambda v: None if v is None else orjson.dumps(v).decode()
    if kind == "UUIDField":
        return (lambda v: v.hex if v is not None else None) if vendor == "sqlite" else (lambda v: v)
    if kind == "DateTimeField":
        return lambda v: now_db
    if kind == "DateField" and vendor == "sqlite":
        return lambda v: v.isoformat() if v is not None else None
    if kind == "DecimalField" and vendor == "sqlite":
        return lambda v: str(v)
    return lambda v: v


def _jsonable(f: models.Field, now_iso: str) -> Callable[[Any], Any] | None:
    """How a value appears in the audit snapshot (core.audit.snapshot); None: as it is."""
    if isinstance(f, models.DateTimeField):
        return lambda v: now_iso
    if isinstance(f, models.DateField):
        return lambda v: v.isoformat() if v is not None else None
    if isinstance(f, models.DecimalField):
        q = Decimal(1).scaleb(-f.decimal_places)
        return lambda v: str(Decimal(v).quantize(q))
    if isinstance(f, models.UUIDField):
        return lambda v: str(v) if v is not None else None
    return None


class Table:
    """One model's rows waiting to be written: column order, defaults, and how to snapshot and store them."""

    def __init__(self, writer: Writer, model: type[models.Model], repr_of: Callable[[dict[str, Any]], str]):
        self.model = model
        self.label = model._meta.label_lower
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.columns = [f.column for f in self.fields]
        # Every column gets a value: the field's default ("" for text, None for nullable, now for timestamps).
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.db = [_db_converter(f, writer.vendor, writer.now_db) for f in self.fields]
        self.snap = [(f.attname, _jsonable(f, writer.now_iso)) for f in self.fields]
        self.repr_of = repr_of
        self.writer = writer
        self.rows: list[tuple[dict[str, Any], str, str]] = []  # (values, related type, related id)
        with connections[DEFAULT_DB_ALIAS].cursor() as cur:
            cur.execute(f"SELECT MAX(id) FROM {model._meta.db_table}")
            self.next_id = (cur.fetchone()[0] or 0) + 1

    def add(self, rng: random.Random, related: tuple[str, int] | None = None, **values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        row = {**self.defaults, **values, "id": pk, "uid": self.writer.next_uid(rng)}
        rtype, rid = related or ("", 0)
        self.rows.append((row, rtype, str(rid) if related else ""))
        return pk


class Writer:
    """Writes the tables' rows and their chain entries in batches, one transaction per flush."""

    def __init__(self) -> None:
        self.conn = connections[DEFAULT_DB_ALIAS]
        self.vendor = self.conn.vendor
        now = timezone.now()
        self.now = now
        self.now_iso = now.astimezone(dt.UTC).isoformat()
        self.now_db = self.conn.ops.adapt_datetimefield_value(now) if self.vendor == "sqlite" else now
        self.tables: list[Table] = []
        self.report = Report()
        self.uid_ms = UID_EPOCH_MS
        # Outside a test's transaction the target is a throwaway benchmark database being bulk loaded: it
        # gets the settings a restore would use (SQLite's for the session, put back in finish() so what is
        # measured next is the app's; PostgreSQL's per batch transaction, so they end with it, even on error).
        bulk = not self.conn.in_atomic_block
        self.restore_pragmas = _sqlite_bulk_pragmas(self.conn) if bulk and self.vendor == "sqlite" else []
        self.batch_settings = _postgresql_batch_settings(self.conn) if bulk and self.vendor == "postgresql" else []

    def next_uid(self, rng: random.Random) -> uuid.UUID:
        """A UUIDv7 as core.ids.new_uid makes, with a clock that ticks once per record and random bits from
        the seed: deterministic, and in insertion order like the application's, so the unique indexes on
        uid grow at their right edge instead of taking random inserts (which slow a large load by far)."""
        self.uid_ms += 1
        value = (self.uid_ms << 80) | (0x7 << 76) | (rng.getrandbits(12) << 64) | (0b10 << 62) | rng.getrandbits(62)
        return uuid.UUID(int=value)

    def table(self, model: type[models.Model], repr_of: Callable[[dict[str, Any]], str]) -> Table:
        t = Table(self, model, repr_of)
        self.tables.append(t)
        return t

    def pending(self) -> int:
        return sum(len(t.rows) for t in self.tables)

    def flush(self) -> None:
        if not self.pending():
            return
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            with self.conn.cursor() as cur:
                for setting in self.batch_settings:
                    cur.execute(setting)
            entries: list[Entry] = []
            for t in self.tables:  # in creation order, so every foreign key points at a row written before
                if not t.rows:
                    continue
                out = []
                for row, rtype, rid in t.rows:
                    values = [row[a] for a in t.attnames]
                    out.append([conv(v) for conv, v in zip(t.db, values, strict=True)])
                    after = {a: (j(v) if j else v) for (a, j), v in zip(t.snap, values, strict=True)}
                    entries.append(
                        Entry(
                            _CREATE,
                            t.label,
                            str(row["id"]),
                            row["uid"],
                            row["version"],
                            t.repr_of(row)[:300],
                            rtype,
                            rid,
                            None,
                            _canonical(after).decode(),
                        )
                    )
                self._insert(t.model._meta.db_table, t.columns, out)
                self.report.rows[t.label] = self.report.rows.get(t.label, 0) + len(out)
                t.rows = []
            append(entries, at=self.now)

    def _insert(self, table: str, columns: list[str], rows: list[list[Any]]) -> None:
        if not rows:
            return
        raw = self.conn.connection  # the driver's connection: Django's cursor wrapper costs per row
        cols = ", ".join(columns)
        if self.vendor == "postgresql":
            with raw.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
        else:
            marks = ", ".join("?" * len(columns))
            raw.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)

    def finish(self) -> None:
        self.flush()
        with self.conn.cursor() as cur:
            for pragma in self.restore_pragmas:
                cur.execute(pragma)
        if self.vendor == "postgresql":  # ids were given explicitly: move the sequences past them
            sql = self.conn.ops.sequence_reset_sql(no_style(), [t.model for t in self.tables])
            with self.conn.cursor() as cur:
                for stmt in sql:
                    cur.execute(stmt)
                if self.batch_settings:  # as after a restore: the planner has no statistics for what COPY wrote
                    cur.execute("ANALYZE")


def _sqlite_bulk_pragmas(conn: Any) -> list[str]:
    """A large page cache and no fsync per batch; returns the pragmas that put the connection's back."""
    with conn.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        cache = cur.fetchone()[0]
        cur.execute("PRAGMA synchronous")
        sync = cur.fetchone()[0]
        cur.execute("PRAGMA cache_size=-1048576")
        cur.execute("PRAGMA synchronous=OFF")
    return [f"PRAGMA cache_size={cache}", f"PRAGMA synchronous={sync}"]


def _postgresql_batch_settings(conn: Any) -> list[str]:
    """No wait for the WAL flush at commit, and (for a superuser, as the foreign keys are triggers) none of
    the per-row foreign key checks: every row here is built consistent (ids assigned in order, parents
    written first; the tests load with every check on), so they are skipped as a restore skips them.
    Together: 3,900 -> 14,700 records/s at 30k projects. SQLite's checks cost nothing measurable here: it
    is bound by Python."""
    settings = ["SET LOCAL synchronous_commit = off"]
    with conn.cursor() as cur:
        cur.execute("SELECT current_setting('is_superuser') = 'on'")
        if cur.fetchone()[0]:
            settings.append("SET LOCAL session_replication_role = replica")
    return settings


_CREATE = ChangeRecord.Action.CREATE.value


# --- texts -----------------------------------------------------------------------------------------------


def _fit(head: str, tails: Iterable[str], lo: int, hi: int, sep: str, *, before: bool = False) -> str:
    """Add tails to head (after it, or before it) until the text is at least `lo` long, skipping any that
    would take it past `hi`: titles grow by qualifiers, as real ones do."""
    text = head[:hi]
    for t in tails:
        if len(text) >= lo:
            break
        nxt = f"{t}{sep}{text}" if before else f"{text}{sep}{t}"
        if len(nxt) <= hi:
            text = nxt
    return text


class Texts:
    """Titles and names with the lengths the issue asks for: zh 10-30 characters, ru 40-120, en 40-150."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def title(self, langs: tuple[str, ...]) -> dict[str, str]:
        r = self.rng
        action, topic = r.choice(w.ACTIONS), r.choice(w.TOPICS)
        quals = r.sample(w.QUALIFIERS, len(w.QUALIFIERS))
        # Lower bounds drawn low-heavy: most titles short, a few long.
        lo = min(r.random(), r.random())
        out: dict[str, str] = {}
        if "en" in langs:
            out["en"] = _fit(f"{action[0]} {topic[0]}", (q[0] for q in quals), 40 + int(lo * 100), 150, " ")
        if "ru" in langs:
            out["ru"] = _fit(f"{action[1]} {topic[1]}", (q[1] for q in quals), 40 + int(lo * 70), 120, " ")
        if "zh" in langs:
            out["zh"] = _fit(f"{topic[2]}{action[2]}", (q[2] for q in quals), 10 + int(lo * 18), 30, "", before=True)
        return out

    def organisation(self, code: str, langs: tuple[str, ...]) -> tuple[str, dict[str, str]]:
        r = self.rng
        kind, en, ru, zh = r.choice(w.ORG_KINDS)
        topic = r.choice(w.TOPICS)
        out = {"en": f"{r.choice(w.PLACES_EN)} {en} {topic[0].title()} ({code})"}
        if "ru" in langs:
            out["ru"] = f"{ru} {topic[1]} ({r.choice(w.PLACES_RU).lower()} филиал)"
        if "zh" in langs:
            out["zh"] = f"{r.choice(w.PLACES_ZH)}{topic[2]}{zh}"
        return kind, out

    def person(self, code: str) -> dict[str, str]:
        r = self.rng
        if code in ZH_PARTIES:
            s, g = r.choice(w.SURNAMES_ZH), r.choice(w.GIVEN_ZH)
            return {"zh": s[0] + g[0], "en": f"{s[1]} {g[1]}", "ru": f"{s[2]} {g[2]}"}
        if code in RU_PARTIES:
            s, g2 = r.choice(w.SURNAMES_RU), r.choice(w.GIVEN_RU)
            return {"ru": f"{g2[0]} {s[0]}", "en": f"{g2[1]} {s[1]}", "zh": s[2]}
        return {"en": f"{r.choice(w.GIVEN_EN)} {r.choice(w.SURNAMES_EN)}"}


def _plan_title(year: int, langs: tuple[str, ...]) -> dict[str, str]:
    title = {"en": f"Plan of cooperation for {year}"}
    if "ru" in langs:
        title["ru"] = f"План сотрудничества на {year} год"
    if "zh" in langs:
        title["zh"] = f"{year}年度合作计划"
    return title


def _languages(code: str) -> tuple[str, ...]:
    if code in ZH_PARTIES:
        return ("zh", "en")
    if code in RU_PARTIES:
        return ("ru", "en")
    return ("en",)


def _party_names() -> list[tuple[str, dict[str, str]]]:
    """Every current ISO 3166 state with its names in en, zh and ru (pycountry's catalogues), then historic ones."""
    zh = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["zh_CN"], fallback=True)
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"], fallback=True)
    out = []
    for c in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        out.append((c.alpha_2, {"en": c.name, "zh": zh.gettext(c.name), "ru": ru.gettext(c.name)}))
    for code, (en, ru_name, zh_name) in HISTORIC.items():
        out.append((code, {"en": en, "ru": ru_name, "zh": zh_name}))
    return out


def _zipf_cum(n: int, s: float) -> list[float]:
    return list(itertools.accumulate(1 / (k + 1) ** s for k in range(n)))


# --- the portfolio -----------------------------------------------------------------------------------------


def _count(rng: random.Random, mean: float, lo: int, hi: int) -> int:
    """A skewed count around `mean` (exponential, clamped): most small, a few large."""
    return max(lo, min(hi, round(rng.expovariate(1 / mean)) if mean > 0 else 0))


def generate(
    sizes: Sizes, *, seed: int = 1, progress: Callable[[str], None] | None = None, batch_rows: int = BATCH_ROWS
) -> Report:
    """Generate the portfolio into the default database (which must be migrated). Returns rows per model."""
    t0 = time.perf_counter()
    # One stream per section, so records that already exist (the demo's parties) do not shift the rest.
    rng = random.Random(f"{seed}:portfolio")
    texts = Texts(rng)
    out = Writer()
    say = progress or (lambda _msg: None)

    def flush_if_full() -> None:
        if out.pending() >= batch_rows:
            out.flush()

    parties = out.table(Party, lambda r: r["name"].get("en", r["code"]))
    orgs = out.table(Organisation, lambda r: r["name"]["en"])
    people = out.table(Person, lambda r: next(iter(r["name"].values())))
    agreements = out.table(Agreement, lambda r: r["title"]["en"])
    agreement_parties = out.table(AgreementParty, lambda r: str(r["party_id"]))
    plans = out.table(Plan, lambda r: r["title"]["en"])
    projects = out.table(Project, lambda r: f"{r['number']}. {r['title']['en']}")
    items = out.table(PlanItem, lambda r: f"{r['position']}. project {r['project_id']}")
    participations = out.table(Participation, lambda r: f"organisation {r['organisation_id']} in {r['project_id']}")
    deliverables = out.table(Deliverable, lambda r: r["title"]["en"])
    reports = out.table(ProgressReport, lambda r: f"item {r['plan_item_id']} — {r['status']} ({r['period_end']})")
    exchanges = out.table(Exchange, lambda r: f"{r['kind']} {r['from_party_id']}→{r['to_party_id']}")

    # Parties: the major partners first (they get the most agreements), then the rest; reuse what exists.
    existing = dict(Party.objects.values_list("code", "id"))
    names = _party_names()
    order = [n for n in names if n[0] in MAJOR]
    order.sort(key=lambda n: MAJOR.index(n[0]))
    order += [n for n in names if n[0] in HISTORIC and n[0] not in MAJOR]  # always some historic sides
    rest = [n for n in names if n[0] not in MAJOR and n[0] not in HISTORIC]
    party_ids: list[int] = []
    party_code: dict[int, str] = {}
    party_rng = random.Random(f"{seed}:parties")
    party_rng.shuffle(rest)
    for code, name in (order + rest)[: sizes.parties]:
        uid_rng = random.Random(f"{seed}:party:{code}")
        pid = existing.get(code) or parties.add(
            uid_rng, code=code, kind="state", name=name, languages=list(_languages(code))
        )
        party_ids.append(pid)
        party_code[pid] = code
    party_cum = _zipf_cum(len(party_ids), 1.0)
    say(f"{len(party_ids)} parties")

    # Organisations: every party has a few, the big partners many.
    orgs_of: dict[int, list[int]] = {p: [] for p in party_ids}
    extra = max(0, sizes.organisations - 3 * len(party_ids))
    owners = party_ids * 3 + rng.choices(party_ids, cum_weights=party_cum, k=extra)
    for pid in owners:
        code = party_code[pid]
        kind, name = texts.organisation(code, _languages(code))
        orgs_of[pid].append(orgs.add(rng, party_id=pid, kind=kind, name=name, visibility="public"))
        flush_if_full()
    for _ in range(sizes.people):
        pid = rng.choices(party_ids, cum_weights=party_cum)[0]
        people.add(rng, party_id=pid, name=texts.person(party_code[pid]))
        flush_if_full()
    say(f"{len(owners)} organisations, {sizes.people} people")

    # Projects per agreement: Zipf-like, so a few agreements have thousands and most a handful.
    per_agreement = [0] * sizes.agreements
    for i in rng.choices(range(sizes.agreements), cum_weights=_zipf_cum(sizes.agreements, 0.9), k=sizes.projects):
        per_agreement[i] += 1
    statuses = ["on_track"] * 5 + ["delayed"] * 2 + ["completed"] * 2 + ["not_started", "cancelled"]
    exchange_kinds = list(ExchangeKind.values)
    units = {
        "delegation_visit": "persons",
        "expert_secondment": "person_months",
        "trainee": "persons",
        "data_transfer": "data_sets",
        "sample_shipment": "samples",
        "joint_experiment": "items",
        "conference": "persons",
    }
    deliverable_kinds = list(DeliverableKind.values)
    done = 0
    for a_index, n_projects in enumerate(per_agreement):
        sides = _agreement_sides(rng, party_ids, party_cum)
        langs = tuple(sorted({lang for p in sides for lang in _languages(party_code[p])}))
        signed = dt.date(rng.randint(1990, FIRST_YEAR - 1), rng.randint(1, 12), rng.randint(1, 28))
        a_id = agreements.add(
            rng,
            kind=rng.choice(["agreement", "agreement", "protocol", "memorandum", "programme"]),
            title=texts.title(langs),
            reference=f"BENCH-{a_index + 1:05d}",
            signed_on=signed,
            entry_into_force_on=signed + dt.timedelta(days=30),
            status="in_force",
            authentic_languages=list(langs),
            visibility="public" if rng.random() < 0.3 else "bilateral",
        )
        for pos, pid in enumerate(sides, start=1):
            agreement_parties.add(
                rng, (Agreement._meta.label_lower, a_id), agreement_id=a_id, party_id=pid, position=pos
            )
        if not n_projects:
            continue
        # The agreement's active years: big programmes run through all of them.
        span = min(LAST_YEAR - FIRST_YEAR + 1, 1 + n_projects // 3 + rng.randint(0, 2))
        y0 = rng.randint(FIRST_YEAR, LAST_YEAR - span + 1)
        years = list(range(y0, y0 + span))
        plan_of: dict[int, int] = {}
        position: dict[int, int] = {}
        prev_plan = None
        for y in years:
            status = (
                PlanStatus.IN_FORCE if y == CURRENT_YEAR else PlanStatus.CLOSED if y < y0 + span - 2 else "reviewed"
            )
            plan_of[y] = plans.add(
                rng,
                (Agreement._meta.label_lower, a_id),
                agreement_id=a_id,
                title=_plan_title(y, langs),
                period_start=dt.date(y, 1, 1),
                period_end=dt.date(y, 12, 31),
                previous_id=prev_plan,
                status=status,
                signed_on=dt.date(y - 1, 12, 15),
                signed_version=1,
            )
            prev_plan = plan_of[y]
            position[y] = 0
        pool = {p: rng.sample(orgs_of[p], min(len(orgs_of[p]), 8 + n_projects // 2)) for p in sides}
        pool_all = [(o, p) for p in sides for o in pool[p]]
        for number in range(1, n_projects + 1):
            p_years = years[rng.randrange(len(years)) :][: rng.choice((1, 2, 2, 3))]
            visibility = rng.choices(("bilateral", "public", "internal"), (75, 20, 5))[0]
            owner = sides[0] if visibility == "internal" else None
            modality = rng.choices(("joint", "assistance", "exchange"), (70, 15, 15))[0]
            provider = recipient = None
            if modality == "assistance":
                provider, recipient = rng.sample(sides, 2)
            pr_id = projects.add(
                rng,
                (Agreement._meta.label_lower, a_id),
                agreement_id=a_id,
                number=str(number),
                title=texts.title(langs),
                field=rng.choice(FIELDS),
                modality=modality,
                provider_party_id=provider,
                recipient_party_id=recipient,
                start_on=dt.date(p_years[0], rng.randint(1, 6), 1),
                end_on=dt.date(p_years[-1], 12, 31),
                visibility=visibility,
                owner_party_id=owner,
            )
            project_ref = (Project._meta.label_lower, pr_id)
            members = rng.sample(pool_all, min(len(pool_all), _count(rng, 5.0, 1, 12)))
            for k, (org, side) in enumerate(members):
                participations.add(
                    rng,
                    project_ref,
                    project_id=pr_id,
                    organisation_id=org,
                    side_id=side,
                    role="coordinator" if k == 0 else "partner",
                    owner_party_id=side,
                    visibility=visibility,
                )
            item_ids = []
            previous_item = None
            for y in p_years:
                position[y] += 1
                previous_item = items.add(
                    rng,
                    (Plan._meta.label_lower, plan_of[y]),
                    plan_id=plan_of[y],
                    project_id=pr_id,
                    position=position[y],
                    objectives={"en": f"Stage {y - p_years[0] + 1}: {rng.choice(w.ACTIONS)[0].lower()} the topic"},
                    carry_over="accepted" if previous_item else "",
                    carried_over_from_id=previous_item,
                    visibility=visibility,
                    owner_party_id=owner,
                )
                item_ids.append((previous_item, y))
            for _ in range(_count(rng, 1.0, 0, 4)):
                item, y = rng.choice(item_ids)
                due = dt.date(y, rng.randint(1, 12), rng.randint(1, 28))
                deliverables.add(
                    rng,
                    (PlanItem._meta.label_lower, item),
                    plan_item_id=item,
                    kind=rng.choice(deliverable_kinds),
                    title={"en": f"{rng.choice(w.TOPICS)[0].capitalize()} report"},
                    responsible_party_id=rng.choice(sides),
                    due_on=due,
                    delivered_on=due + dt.timedelta(days=rng.randint(-30, 60)) if rng.random() < 0.7 else None,
                    visibility=visibility,
                    owner_party_id=owner,
                )
            for _ in range(_count(rng, 2.0, 0, 8)):
                item, y = rng.choice(item_ids)
                org, side = rng.choice(members)
                status = rng.choice(statuses)
                half = rng.randint(0, 1)
                reports.add(
                    rng,
                    (PlanItem._meta.label_lower, item),
                    plan_item_id=item,
                    reporting_organisation_id=org,
                    period_start=dt.date(y, 1 + 6 * half, 1),
                    period_end=dt.date(y, 6 + 6 * half, 30 if half == 0 else 31),
                    status=status,
                    percent=100 if status == ProgressStatus.COMPLETED else rng.randint(0, 95),
                    narrative={"en": "Work proceeds as planned."}
                    if status != "delayed"
                    else {"en": "Samples delayed."},
                    owner_party_id=side,
                    visibility=visibility,
                )
            for _ in range(_count(rng, 10.0, 0, 60)):
                kind = rng.choice(exchange_kinds)
                frm, to = rng.sample(sides, 2)
                y = rng.choice(p_years)
                start = dt.date(y, rng.randint(1, 12), rng.randint(1, 28))
                two_sided = kind in TWO_SIDED_EXCHANGES
                received = start + dt.timedelta(days=rng.randint(5, 90)) if two_sided and rng.random() < 0.8 else None
                senders = [o for o, s in members if s == frm]
                receivers = [o for o, s in members if s == to]
                exchanges.add(
                    rng,
                    (Agreement._meta.label_lower, a_id),
                    agreement_id=a_id,
                    project_id=pr_id,
                    kind=kind,
                    description={"en": f"{kind.replace('_', ' ').capitalize()} for {rng.choice(w.TOPICS)[0]}"},
                    from_party_id=frm,
                    to_party_id=to,
                    sending_organisation_id=rng.choice(senders) if senders else None,
                    receiving_organisation_id=rng.choice(receivers) if receivers else None,
                    start_on=start,
                    end_on=None if two_sided else start + dt.timedelta(days=rng.randint(1, 60)),
                    quantity=Decimal(rng.randint(1, 20)),
                    unit=units.get(kind, QuantityUnit.ITEMS),
                    sent_on=start if two_sided else None,
                    received_on=received,
                    received_reference=f"MTA-{a_id}-{pr_id}" if received else "",
                    owner_party_id=frm,
                    visibility=visibility,
                )
            done += 1
            if out.pending() >= batch_rows:
                out.flush()
                say(f"{done} projects, {out.report.total} rows, {time.perf_counter() - t0:.0f} s")
    out.finish()
    out.report.seconds = time.perf_counter() - t0
    return out.report


def _agreement_sides(rng: random.Random, party_ids: list[int], cum: list[float]) -> list[int]:
    """Two parties, sometimes more (multilateral programmes), drawn with the big partners' skew."""
    want = 2 if rng.random() < 0.9 else rng.randint(3, 5)
    sides: list[int] = []
    while len(sides) < want:
        p = party_ids[bisect.bisect(cum, rng.random() * cum[-1]) if cum else 0]
        if p not in sides:
            sides.append(p)
    return sides


def has_other_data() -> bool:
    """Whether the database holds records beyond the seed demo (which the generator may sit beside)."""
    from accord.demo.seed import PROTOCOL_UID

    return (
        Agreement.objects.exclude(uid=PROTOCOL_UID).exists()
        or Project.objects.exclude(agreement__uid=PROTOCOL_UID).exists()
    )
