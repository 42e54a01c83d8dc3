"""`accord plan ...`: the plan lifecycle from the command line, thin over accord.programmes.services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from accord.core.cli import AccordCommand, get_record, parse_date
from accord.core.errors import DomainError
from accord.core.localized import text_for
from accord.directory.models import Party, Person
from accord.programmes import services
from accord.programmes.choices import PlanStatus
from accord.programmes.models import Plan, PlanItem
from accord.programmes.selectors import latest_progress


class Command(AccordCommand):
    help = "Show and move plans along their lifecycle: propose, approve, next, accept/drop carry-overs, amend."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        show = sub.add_parser("show", help="a plan, its status, approvals, signatures and items")
        show.add_argument("plan")
        for name, text in (("propose", "propose a draft plan to the parties"), ("withdraw", "back to draft")):
            sub.add_parser(name, help=text).add_argument("plan")
        approve = sub.add_parser("approve", help="a party agrees to the plan's current version")
        approve.add_argument("plan")
        approve.add_argument("--party", required=True, help="party code, e.g. CN")
        approve.add_argument("--version", type=int, required=True, help="the version you have read (see show)")
        approve.add_argument("--on", help="date agreed (YYYY-MM-DD; default today)")
        approve.add_argument("--by", help="person id or uid")
        approve.add_argument(
            "--fidelity-override",
            default="",
            metavar="REASON",
            help="agree although the language versions disagree; the reason is recorded",
        )
        move = sub.add_parser("transition", help="move to in_force, reviewed or closed")
        move.add_argument("plan")
        move.add_argument("status", choices=[PlanStatus.IN_FORCE, PlanStatus.REVIEWED, PlanStatus.CLOSED])
        nxt = sub.add_parser("next", help="draft the next plan, proposing the unfinished items")
        nxt.add_argument("plan")
        nxt.add_argument("--title", required=True, action="append", metavar="LANG=TEXT")
        nxt.add_argument("--from", dest="start", required=True)
        nxt.add_argument("--to", dest="end", required=True)
        for name in ("accept", "drop"):
            p = sub.add_parser(name, help=f"{name} a proposed carry-over item")
            p.add_argument("item", help="plan item id or uid")
        sub.add_parser("amend", help="start an amendment (a new revision) of a signed plan").add_argument("plan")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            with transaction.atomic():
                getattr(self, f"do_{action}")(options)
        except DomainError as exc:
            raise CommandError(str(exc)) from None

    def do_show(self, options: dict[str, Any]) -> None:
        plan = get_record(Plan, options["plan"])
        langs = plan.agreement.authentic_languages
        self.stdout.write(f"{text_for(plan.title, None, langs)}  [{plan.status}, version {plan.version}]")
        self.stdout.write(f"period {plan.period_start} – {plan.period_end}; revision {plan.revision}")
        for a in plan.approvals.select_related("party"):
            self.stdout.write(
                f"agreed by {a.party.code} on {a.approved_on or 'date not recorded'} (version {a.plan_version})"
            )
        missing = services.missing_approvals(plan) if plan.status == PlanStatus.PROPOSED else []
        if missing:
            self.stdout.write(f"awaiting agreement of: {', '.join(p.code for p in missing)}")
        status = latest_progress(plan)
        for item in plan.items.select_related("project").order_by("position"):
            state, pct = status.get(item.pk, ("not_started", 0))
            flag = f" [{item.carry_over}]" if item.carry_over else ""
            title = text_for(item.project.title, None, langs)
            self.stdout.write(
                f"{item.position:>4}. #{item.project.number} {title} — {state} {pct}%{flag} (item {item.pk})"
            )

    def do_propose(self, options: dict[str, Any]) -> None:
        plan = get_record(Plan, options["plan"])
        services.transition_plan(plan, PlanStatus.PROPOSED, expected_version=plan.version)
        self.stdout.write(f"proposed: version {plan.version}")

    def do_withdraw(self, options: dict[str, Any]) -> None:
        plan = get_record(Plan, options["plan"])
        services.transition_plan(plan, PlanStatus.DRAFT, expected_version=plan.version)
        self.stdout.write(f"back to draft: version {plan.version}")

    def do_approve(self, options: dict[str, Any]) -> None:
        plan = get_record(Plan, options["plan"])
        party = Party.objects.filter(code=options["party"]).first()
        if party is None:
            raise CommandError(f"--party: no party {options['party']!r}")
        by = get_record(Person, options["by"], "person") if options["by"] else None
        on = parse_date(options["on"], "--on") or dt.date.today()
        services.approve_plan(
            plan,
            party=party,
            expected_version=options["version"],
            approved_on=on,
            approved_by=by,
            fidelity_override=options["fidelity_override"],
        )
        plan.refresh_from_db()
        self.stdout.write(f"{party.code} agreed; the plan is {plan.status}")

    def do_transition(self, options: dict[str, Any]) -> None:
        plan = get_record(Plan, options["plan"])
        services.transition_plan(plan, options["status"], expected_version=plan.version)
        self.stdout.write(f"now {plan.status}")

    def do_next(self, options: dict[str, Any]) -> None:
        previous = get_record(Plan, options["plan"])
        title = {}
        for pair in options["title"]:
            lang, sep, text = pair.partition("=")
            if not sep:
                raise CommandError(f"--title: expected LANG=TEXT, got {pair!r}")
            title[lang] = text
        plan = services.draft_next_plan(
            previous,
            title=title,
            period_start=parse_date(options["start"], "--from"),
            period_end=parse_date(options["end"], "--to"),
        )
        proposed = plan.items.count()
        self.stdout.write(f"plan {plan.pk} drafted with {proposed} items proposed for carry-over; accept or drop each")

    def do_accept(self, options: dict[str, Any]) -> None:
        item = get_record(PlanItem, options["item"], "plan item")
        services.accept_carry_over(item, expected_version=item.version)
        self.stdout.write("accepted")

    def do_drop(self, options: dict[str, Any]) -> None:
        item = get_record(PlanItem, options["item"], "plan item")
        services.drop_carry_over(item, expected_version=item.version)
        self.stdout.write("dropped")

    def do_amend(self, options: dict[str, Any]) -> None:
        plan = get_record(Plan, options["plan"])
        amendment = services.amend_plan(plan)
        self.stdout.write(f"amendment drafted: plan {amendment.pk}, revision {amendment.revision}")
