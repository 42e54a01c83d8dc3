from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.backup import restore_backup
from accord.core.cli import AccordCommand


class Command(AccordCommand):
    help = "Restore a backup made by `accord backup` into the configured database, then verify it and count its rows."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The backup file.")
        parser.add_argument("--force", action="store_true", help="Replace a database that is not empty.")

    def handle(self, *args: Any, **options: Any) -> None:
        summary = restore_backup(options["file"], force=options["force"])
        report = summary.report
        assert report is not None
        self.stdout.write(
            f"restored {options['file']}: {summary.tables} tables, {summary.rows} rows, "
            f"{summary.media_files} media files"
        )
        self.stdout.write(
            f"verify: {report.entries} change records chained, {report.rows} rows checked, "
            f"{len(report.problems)} problems"
        )
        for name in summary.data_files:
            self.stdout.write(f"data dir: {name} put back (mode 600)")
        for note in summary.notes:
            self.stderr.write(f"note: {note}")
        for line in summary.mismatches:
            self.stderr.write(f"mismatch: {line}")
        for problem in report.problems[:10]:
            self.stderr.write(str(problem))
        if summary.pending_migrations:
            self.stdout.write(
                f"{summary.pending_migrations} migrations are newer than the backup: run `accord migrate`"
            )
        if not summary.ok:
            first = summary.mismatches[0] if summary.mismatches else str(report.problems[0])
            raise CommandError(f"restore does not match the backup; first: {first}")
        self.stdout.write("ok: counts equal the manifest and the audit chain verifies")
