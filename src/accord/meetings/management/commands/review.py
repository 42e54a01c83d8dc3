"""`accord review PLAN --as-of DATE`: the implementation review of a plan, as a table or JSON.

A thin layer over the review services (accord.meetings.services.reviews): it resolves the plan, computes (or
stores, publishes, verifies) the review and prints it; a refusal becomes a one-line reason and a non-zero exit.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.core.localized import text_for
from accord.meetings.models import Review
from accord.meetings.selectors import HEADLINE_QUANTITIES, field_order
from accord.meetings.services import reviews as services
from accord.programmes.choices import ExchangeKind, FieldOfScience, Modality, ProgressStatus, QuantityUnit
from accord.programmes.models import Plan

HEADLINE_ROWS = [*HEADLINE_QUANTITIES, "exchanges", "delegation_visits", "sent", "received", "awaiting_receipt"]


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date like 1960-02-24") from None


def _plan(ref: str) -> Plan:
    ref = ref.strip()
    if ref.isdigit():
        plan = Plan.objects.filter(pk=int(ref)).first()
    else:
        try:
            plan = Plan.objects.filter(uid=uuid.UUID(ref)).first()
        except ValueError:
            raise CommandError(f"PLAN must be the plan's id or uid, not {ref!r}") from None
    if plan is None:
        raise CommandError(f"there is no plan {ref}")
    return plan


def _label(choices: Any, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value or "—"


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], right: Iterable[int] = ()) -> list[str]:
    """A plain text table; columns in `right` are right-aligned (numbers)."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    align = set(right)

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in align else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


def render(figures: dict[str, Any], *, lang: str, limit: int, review: Review | None = None) -> str:
    """The figures as readable text: headline, counts, exchanges, then the lists (first `limit` rows)."""
    plan, items, completion = figures["plan"], figures["items"], figures["completion"]
    ex = figures["exchanges"]
    out: list[str] = []
    stored = (
        f" ({review.get_status_display().lower()}, computed {review.computed_at:%Y-%m-%d %H:%M} UTC)" if review else ""
    )
    out.append(f"Review of “{text_for(plan['title'], lang)}” as of {figures['as_of']}{stored}")
    out.append(
        f"Period {plan['period_start']} – {plan['period_end']}; baseline: the signed plan (version "
        f"{plan['baseline_version']}); parties: {', '.join(figures['parties'])}; "
        f"{figures['agreement_projects']} projects under the agreement"
    )
    pct = completion["percent_complete"]
    out.append(
        f"Items: {completion['planned']} planned, {completion['completed']} completed"
        f"{f' ({pct}%)' if pct is not None else ''}, {completion['cancelled']} cancelled, "
        f"{completion['carried_over']} to carry over"
    )

    out += ["", "By status"]
    out += _table(
        ["status", "items"],
        [(_label(ProgressStatus, s), items["by_status"].get(s, 0)) for s in ProgressStatus.values],
        right=[1],
    )
    out += ["", "By modality"]
    out += _table(
        ["modality", "items"],
        [(_label(Modality, m), items["by_modality"].get(m, 0)) for m in Modality.values],
        right=[1],
    )
    out += ["", "By field (OECD)"]
    area_rows = []
    for area, n in sorted(items["by_area"].items(), key=lambda kv: field_order(kv[0])):
        area_rows.append((area or "—", _label(FieldOfScience, area), n))
        for field, m in sorted(items["by_field"].items(), key=lambda kv: field_order(kv[0])):
            if field != area and field.split(".", 1)[0] == area:
                area_rows.append((f"  {field}", f"  {_label(FieldOfScience, field)}", m))
    out += _table(["code", "field", "items"], area_rows, right=[2])
    out += ["", "By responsible side"]
    out += _table(["side", "items"], sorted(items["by_side"].items()), right=[1])

    out += ["", "Exchanges in the plan period up to the date"]
    out += _table(
        ["kind", "direction", "count", "quantity", "unit", "sent", "received", "awaiting"],
        [
            (
                _label(ExchangeKind, r["kind"]),
                f"{r['from']}→{r['to']}",
                r["count"],
                r["quantity"],
                _label(QuantityUnit, r["unit"]),
                r["sent"],
                r["received"],
                r["awaiting_receipt"],
            )
            for r in ex["by_kind_and_direction"]
        ],
        right=[2, 3, 5, 6, 7],
    )
    # Stored figures come back from PostgreSQL's jsonb with their keys reordered: order them here.
    columns = sorted(ex["headline"], key=lambda key: (key != "all", key))
    out += ["", "Headline"]
    out += _table(
        ["", *columns],
        [(name.replace("_", " "), *(ex["headline"][c][name] for c in columns)) for name in HEADLINE_ROWS],
        right=range(1, len(columns) + 1),
    )

    def listed(title: str, headers: Sequence[str], rows: list[Sequence[Any]], right: Iterable[int]) -> None:
        out.extend(["", f"{title}: {len(rows)}"])
        if rows:
            out.extend(_table(headers, rows[:limit], right))
            if len(rows) > limit:
                out.append(f"... and {len(rows) - limit} more (--limit, or --json for all)")

    listed(
        "Transfers and shipments awaiting receipt",
        ["sent on", "kind", "direction", "quantity", "unit", "reference", "project", "days"],
        [
            (
                r["sent_on"],
                _label(ExchangeKind, r["kind"]),
                f"{r['from']}→{r['to']}",
                r["quantity"],
                _label(QuantityUnit, r["unit"]),
                r["sent_reference"],
                r["project"] or "",
                r["days_waiting"],
            )
            for r in ex["receipts_outstanding"]
        ],
        right=[3, 7],
    )
    listed(
        "Overdue deliverables",
        ["due", "item", "project", "deliverable", "owed by", "days"],
        [
            (
                r["due_on"],
                r["position"],
                r["project"],
                text_for(r["title"], lang),
                r["owed_by"] or "",
                r["days_overdue"],
            )
            for r in figures["overdue_deliverables"]
        ],
        right=[1, 5],
    )
    listed(
        "Carried over (neither completed nor cancelled)",
        ["item", "project", "title", "status", "percent"],
        [
            (r["position"], r["project"], text_for(r["title"], lang), _label(ProgressStatus, r["status"]), r["percent"])
            for r in figures["carry_over"]
        ],
        right=[0, 4],
    )
    if review is not None:
        statements = list(review.statements.select_related("party").order_by("party__code"))
        out.extend(["", f"Statements: {len(statements)}"])
        for st in statements:
            out.append(f"  {st.party.code}: {text_for(st.text, lang, st.party.languages)}")
    return "\n".join(out)


class Command(AccordCommand):
    help = (
        "The implementation review of a plan as of a date: items by status, field, modality and side, "
        "completed against the signed plan, exchanges, overdue deliverables and the carry-over list. "
        "PLAN is the plan's id or uid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", metavar="PLAN")
        parser.add_argument("--as-of", type=_date, required=True, metavar="YYYY-MM-DD", help="The review date.")
        parser.add_argument(
            "--save", action="store_true", help="Store the figures as a draft review (recomputes an existing draft)."
        )
        parser.add_argument("--publish", action="store_true", help="Store and publish the review (freezes it).")
        parser.add_argument(
            "--verify",
            action="store_true",
            help="Check that the records still are what the stored review was computed from; exit 1 if not.",
        )
        parser.add_argument("--json", action="store_true", help="Print the figures as JSON.")
        parser.add_argument("--lang", default="en", help="Language of titles and statements (default en).")
        parser.add_argument("--limit", type=int, default=25, help="Rows of each list in the table (default 25).")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = _plan(options["plan"])
        as_of: dt.date = options["as_of"]
        try:
            if options["verify"]:
                self._verify(plan, as_of)
                return
            review = (
                self._store(plan, as_of, publish=options["publish"]) if options["save"] or options["publish"] else None
            )
            figures = review.figures if review is not None else services.review_figures(plan, as_of)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(figures, indent=2, ensure_ascii=False))
        else:
            self.stdout.write(render(figures, lang=options["lang"], limit=max(options["limit"], 0), review=review))

    @transaction.atomic
    def _store(self, plan: Plan, as_of: dt.date, *, publish: bool) -> Review:
        review = Review.objects.select_for_update().filter(plan=plan, as_of=as_of).first()
        if review is None:
            review = services.create_review(plan, as_of)
            self.stderr.write(f"saved: review {review.uid} (draft)")
        elif review.status == Review.Status.DRAFT:
            review = services.recompute_review(review, expected_version=review.version)
            self.stderr.write(f"recomputed: review {review.uid} (draft)")
        elif not publish:
            raise CommandError(f"the review of this plan as of {as_of} was published; its figures no longer change")
        if publish and review.status == Review.Status.DRAFT:
            review = services.publish_review(review, expected_version=review.version)
            self.stderr.write(f"published: review {review.uid}")
        return review

    def _verify(self, plan: Plan, as_of: dt.date) -> None:
        review = Review.objects.filter(plan=plan, as_of=as_of).first()
        if review is None:
            raise CommandError(f"there is no stored review of this plan as of {as_of} (store one with --save)")
        if services.verify_review(review):
            self.stdout.write(f"ok: the records are as they were when review {review.uid} was computed")
            return
        same = services.review_figures(plan, as_of) == review.figures
        consequence = (
            "recomputing would give the same figures"
            if same
            else "recomputing would give different figures; the stored ones stand"
        )
        raise CommandError(f"records changed since review {review.uid} was computed: {consequence}")
