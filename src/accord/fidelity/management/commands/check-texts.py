from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.fidelity import lang as langs
from accord.fidelity.checker import check_versions
from accord.fidelity.names import Directory

# Exit statuses: 0 the versions agree, 1 findings, 2 the input could not be read (a one-line reason).
BAD_INPUT = 2


class Command(AccordCommand):
    help = (
        "Compare two language versions of a text (numbers, dates, names, codes) and print where they differ. "
        "Exit 0 when they agree, 1 with findings, 2 when a file cannot be read (missing, not UTF-8, empty)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file_a", metavar="FILE_A", help="one version (UTF-8 text)")
        parser.add_argument("file_b", metavar="FILE_B", help="the other version (UTF-8 text)")
        parser.add_argument("--lang-a", metavar="L", help="language of FILE_A (zh, ru, en, ...); default: by script")
        parser.add_argument("--lang-b", metavar="L", help="language of FILE_B; default: by script")
        parser.add_argument(
            "--context-date",
            metavar="YYYY-MM-DD",
            help="the document's date, for days given alone (24日, the 24th); default: a date line in the header",
        )
        parser.add_argument("--json", action="store_true", help="print the findings as JSON")
        names = parser.add_mutually_exclusive_group()
        names.add_argument(
            "--directory", metavar="FILE", help="names to match, as JSON (default: Accord's people and organisations)"
        )
        names.add_argument("--no-directory", action="store_true", help="do not compare names")

    def handle(self, *args: Any, **options: Any) -> None:
        text_a = _read(options["file_a"])
        text_b = _read(options["file_b"])
        context = None
        if options.get("context_date"):
            try:
                context = dt.date.fromisoformat(options["context_date"])
            except ValueError:
                raise CommandError(
                    f"--context-date must be YYYY-MM-DD, not {options['context_date']!r}", returncode=BAD_INPUT
                ) from None
        lang_a = options.get("lang_a") or langs.detect(text_a) or "und"
        lang_b = options.get("lang_b") or langs.detect(text_b) or "und"
        tag_a, tag_b = lang_a, lang_b
        if tag_a == tag_b:  # two versions in one language: still compared, told apart by their position
            tag_a, tag_b = f"{lang_a}-x-a", f"{lang_b}-x-b"
        directory = self._directory(options)
        findings = check_versions({tag_a: text_a, tag_b: text_b}, context_date=context, directory=directory)
        if options["json"]:
            payload = {
                "file_a": options["file_a"],
                "file_b": options["file_b"],
                "languages": [tag_a, tag_b],
                "context_date": context.isoformat() if context else None,
                "names_compared": directory is not None,
                "findings": [f.to_dict() for f in findings],
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            for f in findings:
                self.stdout.write(f"{f.severity}: {f.message}")
            summary = f"{len(findings)} finding{'s' if len(findings) != 1 else ''}" if findings else "no findings"
            self.stdout.write(f"{options['file_a']} ({tag_a}) vs {options['file_b']} ({tag_b}): {summary}")
        if findings:
            raise SystemExit(1)

    def _directory(self, options: dict[str, Any]) -> Directory | None:
        if options.get("no_directory"):
            return None
        if options.get("directory"):
            try:
                return Directory.load(options["directory"])
            except (OSError, ValueError) as exc:
                raise CommandError(
                    f"cannot read the directory {options['directory']}: {exc}", returncode=BAD_INPUT
                ) from None
        # Accord's own names, when there is a database with them; without one, names are not compared.
        from django.db import connection

        name = connection.settings_dict.get("NAME")
        if connection.vendor == "sqlite" and name and str(name) != ":memory:" and not Path(str(name)).exists():
            self.stderr.write("names not compared: no database here (pass --directory FILE, or set up Accord)")
            return None
        try:
            from accord.fidelity.names import directory_from_database

            return directory_from_database()
        except Exception as exc:  # not migrated, server down: the check itself needs no database
            self.stderr.write(f"names not compared: the database cannot be read ({type(exc).__name__})")
            return None


def _read(path: str) -> str:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror or exc}", returncode=BAD_INPUT) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path} is not UTF-8 text (byte {exc.start})", returncode=BAD_INPUT) from None
    if not text.strip():
        raise CommandError(f"{path} is empty", returncode=BAD_INPUT)
    return text
