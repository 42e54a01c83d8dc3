from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.verify import verify


class Command(AccordCommand):
    help = "Walk the audit chain and check every audited row against it; exit 1 naming the first problem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="List every problem, not only the first ten.")
        # The default checks every row against the chain: a row changed with SQL on a record nobody touched since
        # is found only so. After the last checkpoint, only the chain's new entries and the rows they are about.
        parser.add_argument(
            "--since-checkpoint",
            action="store_true",
            help="Check only the change records after the last checkpoint and the rows they are about (fast; "
            "a row changed behind Accord's back on a record with no new change is found by a full run).",
        )
        parser.add_argument("--full", action="store_true", help="Check the whole chain and every row (the default).")
        parser.add_argument(
            "--workers",
            type=int,
            help="Processes to walk the chain and check the rows with (default: one per idle core).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        incremental = options["since_checkpoint"] and not options["full"]
        report = verify(since_checkpoint=incremental, checkpoint=True, workers=options["workers"])
        if report.ok:
            since = (
                f" ({report.checked} checked after the checkpoint at change record #{report.since}; "
                "a run without --since-checkpoint checks all)"
                if report.since is not None
                else ""
            )
            self.stdout.write(
                f"ok: {report.entries} change records chained, {report.rows} rows match their last record{since}"
            )
            return
        shown = report.problems if options["all"] else report.problems[:10]
        for problem in shown:
            self.stderr.write(str(problem))
        if len(shown) < len(report.problems):
            self.stderr.write(f"... and {len(report.problems) - len(shown)} more (use --all)")
        raise CommandError(f"verification failed ({len(report.problems)} problems); first: {report.problems[0]}")
