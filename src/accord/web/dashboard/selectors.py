"""The dashboard's figures: the portfolio at a glance, aggregated in the database from what the viewer may read.

Every function here is pure: its inputs are the viewer (narrowed through core.visibility.visible before
anything is counted) and a Scope (agreement, year, the date the figures are as of); it reads, groups in SQL
and returns plain data, never model instances. A cache can wrap any of them later, keyed by the viewer's
principal and the scope. Each function is a fixed number of queries, whatever the number of records.

Definitions:
- a project's *status* as of a date is that of the latest progress report on any of its plan items whose
  period ended by then (latest period end, then the one recorded last), as in the review; a project without
  one is "not started";
- with a year, a project counts when its dates overlap that year (no start or no end: open that way), a
  plan when its period does, an exchange when it started (or was sent) in it; the figures are as of the end
  of the year, or today if that is earlier;
- *overdue*, as of that date: a deliverable due before it and not delivered by it; an item of a signed plan
  running on it (for at least STALE_AFTER_DAYS) with no progress report for a period ending in the last
  STALE_AFTER_DAYS; a transfer or shipment sent at least RECEIPT_AFTER_DAYS before and not confirmed
  received by the date.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce

from accord.agreements.models import Agreement
from accord.core.visibility import principal, visible
from accord.directory.models import Organisation, Party
from accord.programmes.choices import FROZEN_PLAN_STATUSES, ProgressStatus
from accord.programmes.models import (
    Deliverable,
    Exchange,
    Participation,
    Plan,
    PlanItem,
    ProgressReport,
    Project,
    overdue_condition,
    received_condition,
    sent_condition,
)

STALE_AFTER_DAYS = 90  # a quarter without a progress report
RECEIPT_AFTER_DAYS = 60  # long enough for a shipment to arrive and be confirmed
OVERDUE_ROWS = 20  # rows listed per kind of overdue item (the total is always given)
NETWORK_SIZE = 24  # organisations drawn in the network
MAX_PLANS = 200  # plans on the timeline


@dataclass(frozen=True)
class Scope:
    """What the figures cover: one agreement or all, one year or all, as of a date."""

    today: dt.date
    agreement_id: int | None = None
    year: int | None = None

    @property
    def as_of(self) -> dt.date:
        if self.year is None:
            return self.today
        return min(self.today, dt.date(self.year, 12, 31))

    @property
    def year_start(self) -> dt.date | None:
        return dt.date(self.year, 1, 1) if self.year is not None else None

    @property
    def year_end(self) -> dt.date | None:
        return dt.date(self.year, 12, 31) if self.year is not None else None


class Year(Func):
    """The year of a date as an integer; on SQLite read from the ISO text, not Django's Python function."""

    output_field = IntegerField()
    template = "CAST(EXTRACT(YEAR FROM %(expressions)s) AS integer)"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="CAST(SUBSTR(%(expressions)s, 1, 4) AS integer)", **extra)


def _overlapping(qs: QuerySet[Any], scope: Scope, start: str, end: str) -> QuerySet[Any]:
    """Rows whose period [start, end] overlaps the scope's year (a missing bound is open)."""
    if scope.year is None:
        return qs
    return qs.filter(
        Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": scope.year_end}),
        Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": scope.year_start}),
    )


def _in_agreement(qs: QuerySet[Any], scope: Scope, path: str = "agreement_id") -> QuerySet[Any]:
    return qs if scope.agreement_id is None else qs.filter(**{path: scope.agreement_id})


# --- the portfolio ---------------------------------------------------------------------------------------


def projects(user: Any, scope: Scope) -> QuerySet[Project]:
    """The projects the viewer may read, in the scope."""
    qs = _in_agreement(visible(Project.objects.all(), user), scope)
    return _overlapping(qs, scope, "start_on", "end_on").order_by()


def project_status(user: Any, as_of: dt.date) -> Coalesce:
    """A project's status as of the date, from the latest progress report the viewer may read (module doc)."""
    latest = (
        visible(ProgressReport.objects.all(), user)
        .filter(plan_item__project_id=OuterRef("pk"), period_end__lte=as_of)
        .order_by("-period_end", "-id")
        .values("status")[:1]
    )
    return Coalesce(Subquery(latest), Value(ProgressStatus.NOT_STARTED.value))


def portfolio(user: Any, scope: Scope) -> dict[str, Any]:
    """Projects by status, field of science and modality, from one grouped query.

    {"total": n, "by_status": {status: n}, "by_field": {code or "": n}, "by_modality": {modality: n}}.
    """
    rows = _grouped_by_status(user, scope)
    by_status: dict[str, int] = {}
    by_field: dict[str, int] = {}
    by_modality: dict[str, int] = {}
    total = 0
    for row in rows:  # one row per combination present: at most statuses x fields x modalities
        n = row["n"]
        total += n
        by_status[row["progress"]] = by_status.get(row["progress"], 0) + n
        by_field[row["field"] or ""] = by_field.get(row["field"] or "", 0) + n
        by_modality[row["modality"]] = by_modality.get(row["modality"], 0) + n
    return {"total": total, "by_status": by_status, "by_field": by_field, "by_modality": by_modality}


def _grouped_by_status(user: Any, scope: Scope) -> list[dict[str, Any]]:
    """[{progress, field, modality, n}], one statement shaped for each database (as programmes.selectors does,
    measured with bench/dashboard.py): SQLite is fastest with a correlated subquery per project on the reports'
    plan-item index; PostgreSQL sorts the reports once and keeps the latest per project (DISTINCT ON), then
    joins it to the projects."""
    if connection.vendor != "postgresql":
        return list(
            projects(user, scope)
            .annotate(progress=project_status(user, scope.as_of))
            .values("progress", "field", "modality")
            .annotate(n=Count("id"))
            .order_by()
        )
    latest = (
        visible(ProgressReport.objects.filter(period_end__lte=scope.as_of), user)
        .annotate(project=F("plan_item__project_id"))
        .order_by("project", "-period_end", "-id")
        .distinct("project")
        .values("project", "status")
    )
    project_sql, project_params = projects(user, scope).values("id", "field", "modality").query.sql_with_params()
    latest_sql, latest_params = latest.query.sql_with_params()
    # Both inner statements are Django's own, with their parameters in the order they appear.
    sql = (
        f"SELECT COALESCE(l.status, %s), p.field, p.modality, COUNT(*) FROM ({project_sql}) p "
        f"LEFT JOIN ({latest_sql}) l ON l.project = p.id GROUP BY 1, 2, 3"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (ProgressStatus.NOT_STARTED.value, *project_params, *latest_params))
        return [{"progress": a, "field": b, "modality": c, "n": n} for a, b, c, n in cursor.fetchall()]


def projects_by_side(user: Any, scope: Scope) -> dict[int, int]:
    """{party id: projects in which it takes part}, from the participations the viewer may read."""
    rows = (
        participations(user, scope)
        .values("side_id")
        .annotate(n=Count("project_id", distinct=True))
        .order_by()
        .values_list("side_id", "n")
    )
    return dict(rows)


def participations(user: Any, scope: Scope) -> QuerySet[Participation]:
    """The participations the viewer may read, in projects the viewer may read in the scope."""
    qs = visible(Participation.objects.all(), user)
    if principal(user).is_admin and scope.agreement_id is None and scope.year is None:
        return qs.order_by()  # every project counts: no need to ask which
    return qs.filter(project_id__in=projects(user, scope).values("id")).order_by()


# --- reciprocity -----------------------------------------------------------------------------------------


def exchanges(user: Any, scope: Scope) -> QuerySet[Exchange]:
    """The exchanges the viewer may read in the scope, with `on`: the day they started or were sent."""
    qs = _in_agreement(visible(Exchange.objects.all(), user), scope).annotate(on=Coalesce("start_on", "sent_on"))
    if scope.year is not None:
        qs = qs.filter(on__gte=scope.year_start, on__lte=scope.year_end)
    return qs.order_by()


def exchange_directions(user: Any, scope: Scope) -> list[tuple[int, int, int]]:
    """[(from party, to party, exchanges)] for every direction with exchanges, the busiest first.

    One grouped query: with many parties there are thousands of directions (about 3,000 among 200
    parties), so the page draws the busiest and counts the rest from this list.
    """
    rows = (
        exchanges(user, scope)
        .values("from_party_id", "to_party_id")
        .annotate(n=Count("id"))
        .order_by("-n", "from_party_id", "to_party_id")
        .values_list("from_party_id", "to_party_id", "n")
    )
    return list(rows)


def reciprocity(user: Any, scope: Scope, directions: Sequence[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """What went from which party to which, per year and kind: how many exchanges, what quantity (per unit),
    and of the transfers and shipments how many were sent and how many confirmed received, as of the date.
    With `directions` ((from party, to party) pairs), only those.

    Rows sorted by year (undated last), kind, direction, unit.
    """
    chosen = exchanges(user, scope)
    if directions is not None:
        pairs = [Q(from_party_id=a, to_party_id=b) for a, b in directions]
        chosen = chosen.filter(reduce(operator.or_, pairs)) if pairs else chosen.none()
    rows = (
        chosen.annotate(year=Year("on"))
        .values("year", "kind", "from_party_id", "to_party_id", "unit")
        .annotate(
            count=Count("id"),
            quantity=Sum("quantity"),
            sent=Count("id", filter=sent_condition(scope.as_of)),
            received=Count("id", filter=received_condition(scope.as_of)),
        )
        .order_by("kind", "from_party_id", "to_party_id", "unit")
    )
    out = list(rows)
    out.sort(key=lambda r: (r["year"] is None, r["year"] or 0, r["kind"], r["from_party_id"], r["to_party_id"]))
    return out


# --- plans -----------------------------------------------------------------------------------------------


def plan_timeline(user: Any, scope: Scope) -> list[dict[str, Any]]:
    """The plans the viewer may read in the scope, per agreement along their periods, with their status."""
    qs = _overlapping(_in_agreement(visible(Plan.objects.all(), user), scope), scope, "period_start", "period_end")
    return list(
        qs.order_by("agreement_id", "period_start", "revision", "id").values(
            "id",
            "agreement_id",
            "agreement__title",
            "agreement__authentic_languages",
            "title",
            "period_start",
            "period_end",
            "revision",
            "status",
        )[:MAX_PLANS]
    )


# --- overdue ---------------------------------------------------------------------------------------------


def _listed(qs: QuerySet[Any], order: list[str], fields: list[str]) -> tuple[int, list[dict[str, Any]]]:
    """The first OVERDUE_ROWS rows and the total, from one query (the total rides along as a window)."""
    rows = list(qs.annotate(total=Window(Count("id"))).order_by(*order).values(*fields, "total")[:OVERDUE_ROWS])
    return (rows[0]["total"] if rows else 0), rows


def overdue_deliverables(user: Any, scope: Scope) -> tuple[int, list[dict[str, Any]]]:
    as_of = scope.as_of
    qs = _in_agreement(visible(Deliverable.objects.all(), user), scope, "plan_item__plan__agreement_id").filter(
        overdue_condition(as_of)
    )
    return _listed(
        qs,
        ["due_on", "id"],
        [
            "id",
            "title",
            "kind",
            "due_on",
            "responsible_party_id",
            "plan_item_id",
            "plan_item__project_id",
            "plan_item__project__number",
            "plan_item__plan__agreement__authentic_languages",
        ],
    )


def stale_plan_items(user: Any, scope: Scope) -> tuple[int, list[dict[str, Any]]]:
    as_of = scope.as_of
    since = as_of - dt.timedelta(days=STALE_AFTER_DAYS)
    recent = visible(ProgressReport.objects.all(), user).filter(
        plan_item_id=OuterRef("pk"), period_end__gte=since, period_end__lte=as_of
    )
    qs = (
        _in_agreement(visible(PlanItem.objects.all(), user), scope, "plan__agreement_id")
        .filter(
            plan__status__in=FROZEN_PLAN_STATUSES,
            plan__period_start__lte=since,
            plan__period_end__gte=as_of,
        )
        .filter(~Exists(recent))
    )
    return _listed(
        qs,
        ["plan__period_start", "plan_id", "position", "id"],
        [
            "id",
            "position",
            "plan_id",
            "plan__title",
            "project_id",
            "project__number",
            "project__title",
            "plan__agreement__authentic_languages",
        ],
    )


def receipts_overdue(user: Any, scope: Scope) -> tuple[int, list[dict[str, Any]]]:
    as_of = scope.as_of
    qs = _in_agreement(visible(Exchange.objects.receipt_overdue(as_of, RECEIPT_AFTER_DAYS), user), scope)
    return _listed(
        qs,
        ["sent_on", "id"],
        ["id", "kind", "sent_on", "from_party_id", "to_party_id", "quantity", "unit", "project__number"],
    )


# --- the network -----------------------------------------------------------------------------------------


def network(user: Any, scope: Scope, size: int = NETWORK_SIZE) -> dict[str, Any]:
    """The organisations that work together: the `size` taking part in most projects (that the viewer may
    read, in the scope), and between each two of them the number of projects they share.

    Three queries: the top organisations by projects, their names, and the pairs grouped in SQL (a self-join
    of their participations on the project; a pair is counted once, lower id first).
    """
    taking_part = participations(user, scope)
    # Twice as many candidates as drawn: those whose organisation the viewer may not read are left out after
    # (filtering them in the grouped query costs SQLite a nested subquery per participation).
    top = list(
        taking_part.values("organisation_id")
        # (project, organisation) is unique: no DISTINCT needed. COUNT(*), not COUNT(project_id): SQLite then
        # counts on the organisation index alone (0.1 s instead of 3 s over 460,000 participations).
        .annotate(n=Count("*"))
        .order_by("-n", "organisation_id")
        .values_list("organisation_id", "n")[: 2 * size]
    )
    names = {
        row["id"]: row
        for row in visible(Organisation.objects.filter(id__in=[org_id for org_id, _ in top]), user).values(
            "id", "name", "party_id", "party__languages"
        )
    }
    top = [(org_id, n) for org_id, n in top if org_id in names][:size]
    if not top:
        return {"nodes": [], "edges": []}
    ids = [org_id for org_id, _ in top]
    pairs = taking_part.filter(organisation_id__in=ids).values("project_id", "organisation_id").order_by()
    inner, params = pairs.query.sql_with_params()
    # The inner SQL is Django's own, with its parameters passed twice (once per side of the join).
    sql = (
        f"SELECT a.organisation_id, b.organisation_id, COUNT(*) FROM ({inner}) a "
        f"JOIN ({inner}) b ON a.project_id = b.project_id AND a.organisation_id < b.organisation_id "
        "GROUP BY a.organisation_id, b.organisation_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*params, *params))
        edges = [(a, b, n) for a, b, n in cursor.fetchall()]
    nodes = [{**names[org_id], "projects": n} for org_id, n in top]
    return {"nodes": nodes, "edges": sorted(edges)}


# --- lookups ---------------------------------------------------------------------------------------------


def parties() -> dict[int, dict[str, Any]]:
    """{party id: code, name, languages}: the sides are public knowledge and few."""
    return {row["id"]: dict(row) for row in Party.objects.values("id", "code", "name", "languages")}


def agreements(user: Any, limit: int | None = None, *, pk: int | None = None) -> list[dict[str, Any]]:
    """The agreements the viewer may read, for the filter: the newest first (as the lists offer them), at most
    `limit`; with `pk`, that one agreement if the viewer may read it."""
    readable = visible(Agreement.objects.all(), user).order_by("-signed_on", "-id")
    if pk is not None:
        readable = readable.filter(pk=pk)
    rows = readable.values("id", "title", "authentic_languages")
    return [dict(row) for row in (rows if limit is None else rows[:limit])]


def years(user: Any) -> list[int]:
    """The years the viewer's plans cover, for the filter (from the earliest start to the latest end)."""
    span = visible(Plan.objects.all(), user).aggregate(first=Min("period_start"), last=Max("period_end"))
    if span["first"] is None:
        return []
    return list(range(span["first"].year, span["last"].year + 1))
