"""`accord progress record ...`: an institution reports on a plan item for a period."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand, get_record, parse_date
from accord.core.errors import DomainError
from accord.directory.models import Organisation
from accord.programmes import services
from accord.programmes.choices import ProgressStatus
from accord.programmes.models import PlanItem


class Command(AccordCommand):
    help = "Record a progress report on a plan item: status, percent done, narrative, for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        record = sub.add_parser("record")
        record.add_argument("item", help="plan item id or uid")
        record.add_argument("--organisation", required=True, help="reporting organisation id or uid")
        record.add_argument("--from", dest="start", required=True, help="period start (YYYY-MM-DD)")
        record.add_argument("--to", dest="end", required=True, help="period end (YYYY-MM-DD)")
        record.add_argument("--status", required=True, choices=ProgressStatus.values)
        record.add_argument("--percent", type=int, required=True)
        record.add_argument("--narrative", action="append", default=[], metavar="LANG=TEXT")
        record.add_argument("--evidence", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        item = get_record(PlanItem, options["item"], "plan item")
        organisation = get_record(Organisation, options["organisation"], "organisation")
        narrative = {}
        for pair in options["narrative"]:
            lang, sep, text = pair.partition("=")
            if not sep:
                raise CommandError(f"--narrative: expected LANG=TEXT, got {pair!r}")
            narrative[lang] = text
        try:
            report = services.record_progress(
                item,
                reporting_organisation=organisation,
                period_start=parse_date(options["start"], "--from"),
                period_end=parse_date(options["end"], "--to"),
                status=options["status"],
                percent=options["percent"],
                narrative=narrative,
                evidence=options["evidence"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"progress report {report.pk} recorded: {report.get_status_display()} {report.percent}%")
