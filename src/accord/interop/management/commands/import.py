"""`accord import KIND FILE [--dry-run] [--encoding NAME] [--sheet NAME]`: records from a CSV, XLSX, ODS or JSON
file, all or nothing. A dry run prints how the file was read (encoding, delimiter or sheet) and a preview of
decoded rows from across the file.

KIND is one of the tabular kinds (organisations, people, agreements, projects, participations, plan-items,
progress-reports, exchanges), `cordis` / `treaties` for the published data sets (accord.interop.sources), or
`iati` for IATI activity files (accord.interop.standards.iati). `--map` reads a file in the user's own layout
through a column mapping (accord.interop.mapping).
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
        parser.add_argument(
            "--map",
            metavar="MAPPING",
            help="read the file's own columns through a mapping: a mapping file (.json, from `accord mapping export`"
            " or --propose-map) or the name of a stored mapping",
        )
        parser.add_argument(
            "--propose-map",
            metavar="OUT",
            help="write the mapping Accord proposes for the file's columns to OUT (JSON, to edit and pass to --map);"
            " imports nothing",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="report what would be done, how the file was read and a preview of decoded rows; write nothing",
        )
        parser.add_argument(
            "--encoding",
            help="the text file's encoding (utf-8, gb18030, cp1251, cp1252, utf-16, …); "
            "default: decided from the whole file, or refused as ambiguous",
        )
        parser.add_argument("--sheet", help="the workbook's sheet to read (default: the first)")

    def handle(self, *args: Any, **options: Any) -> None:
        kind, path, dry_run = options["kind"], Path(options["file"]), options["dry_run"]
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            report = self._import(kind, path, dry_run, options)
        except ImportRefused as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            if exc.limit_note:
                self.stderr.write(exc.limit_note)
            if exc.read_as:  # a wrong encoding shows in the values: how the file was read, and a few of them
                self.stderr.write(f"Read as {exc.read_as}")
                preview = ImportReport(preview=exc.preview).preview_text()
                if preview:
                    self.stderr.write(preview)
            raise CommandError(f"nothing was imported: {exc.total} problem(s)") from None
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if report is not None:
            self.stdout.write(report.summary())
            if dry_run and report.preview:
                self.stdout.write(report.preview_text())

    def _import(self, kind: str, path: Path, dry_run: bool, options: dict[str, Any]) -> ImportReport | None:
        encoding, sheet = options.get("encoding"), options.get("sheet")
        if options.get("map") or options.get("propose_map"):
            if kind in SOURCES:
                raise CommandError(f"{kind} files have their own shape; --map is for the tabular kinds")
            from accord.interop.management.mapping_cli import import_with_mapping

            return import_with_mapping(kind, path, options.get("map"), options.get("propose_map"), dry_run, self)
        if kind in SOURCES:
            importer = load(SOURCES, kind)
            named = {"encoding": encoding} if encoding else {}
            report: ImportReport = importer(path, dry_run=dry_run, **named)
            return report
        from accord.interop.services import import_file

        if path.is_dir():
            raise CommandError(f"{path}: is a folder; give a .csv, .xlsx or .json file")
        # Given as a file: one over the size limit is refused before reading (the message is the service's own),
        # a large CSV is read as it streams.
        with path.open("rb") as fh:
            return import_file(kind, fh, path.name, dry_run=dry_run, encoding=encoding, sheet=sheet)
