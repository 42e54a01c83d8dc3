"""`accord export KIND --format csv|xlsx|json -o FILE [--filter name=value ...]`: the records of a kind, streamed
to a file or stdout; the filters are the kind's own (<app>/filters.py), as its list page and API list take them.

Also `accord export cerif -o FILE`, `raid` and `iati` (accord.interop.standards).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.interop.extensions import STANDARDS, load


class Command(AccordCommand):
    help = "Export records as CSV, XLSX or JSON (or CERIF-XML, RAiD), streamed."

    def add_arguments(self, parser: CommandParser) -> None:
        from accord.interop.services import FORMATS, KINDS

        parser.add_argument("kind", choices=[*KINDS, *STANDARDS])
        parser.add_argument("--format", choices=FORMATS, default=None, help="default: from the file's extension")
        parser.add_argument("-o", "--output", required=True, help="the file to write; - for stdout (csv, json)")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="narrow the export as the kind's list page does (e.g. --filter agreement=1 --filter field=physics);"
            " repeatable",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind, output = options["kind"], options["output"]
        try:
            if kind in STANDARDS:
                if options["filter"]:
                    raise CommandError(f"{kind} exports take no --filter")
                write = load(STANDARDS, kind)
                with _open(output, binary_ok=True) as fh:
                    write(fh)
                return
            from accord.core.filters import parse_pairs
            from accord.interop.services import export_filters, export_stream

            # Checked before the file is opened: a refused filter leaves no empty file behind.
            filters = export_filters(kind, parse_pairs(options["filter"]))
            fmt = options["format"] or _format_of(output)
            if output == "-" and fmt == "xlsx":
                raise CommandError("an XLSX workbook is not written to stdout; give -o FILE.xlsx")
            with _open(output, binary_ok=True) as fh:
                for chunk in export_stream(kind, fmt, filters=filters):
                    fh.write(chunk)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        if output != "-":
            self.stderr.write(f"wrote {output}")


def _format_of(output: str) -> str:
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix in ("csv", "xlsx", "json"):
        return suffix
    raise CommandError("give --format csv|xlsx|json (it cannot be told from the file name)")


class _open:
    """The output file, or stdout's binary buffer for '-' (left open)."""

    def __init__(self, output: str, *, binary_ok: bool):
        self.output = output
        self.fh: IO[bytes] | None = None

    def __enter__(self) -> IO[bytes]:
        if self.output == "-":
            return sys.stdout.buffer
        self.fh = Path(self.output).open("wb")
        return self.fh

    def __exit__(self, *exc: Any) -> None:
        if self.fh is not None:
            self.fh.close()
