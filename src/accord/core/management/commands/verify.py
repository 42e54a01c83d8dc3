from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.verify import verify


class Command(AccordCommand):
    help = "Walk the audit chain and check every audited row against it; exit 1 naming the first problem."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="List every problem, not only the first ten.")
        parser.add_argument(
            "--full",
            action="store_true",
            help="Check the whole chain and every row, not only what came after the last checkpoint.",
        )
        parser.add_argument(
            "--workers", type=int, help="Processes to walk the chain with (default: one per idle core)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify(since_checkpoint=not options["full"], checkpoint=True, workers=options["workers"])
        if report.ok:
            since = (
                f" ({report.checked} checked after the checkpoint at change record #{report.since}; --full for all)"
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
