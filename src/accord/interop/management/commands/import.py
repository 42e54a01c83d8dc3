"""`accord import KIND FILE [--dry-run]`: records from a CSV, XLSX or JSON file, all or nothing.

KIND is one of the tabular kinds (organisations, people, agreements, projects, participations, plan-items,
progress-reports, exchanges), or `cordis` / `treaties` for the published data sets (accord.interop.sources).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.interop.extensions import SOURCES, load
from accord.interop.report import ImportRefused, ImportReport


class Command(AccordCommand):
    help = "Import records from a CSV, XLSX or JSON file (all or nothing); --dry-run shows what would change."

    def add_arguments(self, parser: CommandParser) -> None:
        from accord.interop.services import KINDS

        parser.add_argument("kind", choices=[*KINDS, *SOURCES], help="what the file holds")
        parser.add_argument("file", help="the file (.csv, .xlsx or .json; for cordis/treaties: a file or folder)")
        parser.add_argument("--dry-run", action="store_true", help="report what would be done; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        kind, path, dry_run = options["kind"], Path(options["file"]), options["dry_run"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            report = self._import(kind, path, dry_run)
        except ImportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            if exc.limit_note:
                self.stderr.write(exc.limit_note)
            raise CommandError(f"nothing was imported: {len(exc.problems)} problem(s)") from None
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(report.summary())

    def _import(self, kind: str, path: Path, dry_run: bool) -> ImportReport:
        if kind in SOURCES:
            importer = load(SOURCES, kind)
            report: ImportReport = importer(path, dry_run=dry_run)
            return report
        from accord.interop.services import import_file

        if path.is_dir():
            raise CommandError(f"{path}: is a folder; give a .csv, .xlsx or .json file")
        max_bytes = _max_bytes()
        if path.stat().st_size > max_bytes:
            # Refused before reading: the message is the service's own.
            with path.open("rb") as fh:
                return import_file(kind, fh, path.name, dry_run=dry_run)
        return import_file(kind, path.read_bytes(), path.name, dry_run=dry_run)


def _max_bytes() -> int:
    from accord.interop.limits import limit

    return limit("ACCORD_IMPORT_MAX_BYTES")
