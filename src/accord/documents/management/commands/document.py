"""accord document KIND REF --lang L --format html|pdf|docx -o FILE [--layout ...] [--with-english] [--store]"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accord.core.errors import DomainError
from accord.documents.renderers import FORMATS, KINDS, Options, render_document
from accord.documents.services import generate_document


class Command(BaseCommand):
    help = (
        "Write a document generated from the records (communiqué or minutes of a meeting, text of a plan, "
        "review report) to a file."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = "; ".join(f"{name}: {kind.description}" for name, kind in sorted(KINDS.items()))
        parser.add_argument("kind", help=f"what to generate ({kinds})")
        parser.add_argument("ref", help="the record: its id or its global id (uid)")
        parser.add_argument(
            "--lang",
            default=None,
            help="language tag (zh, ru, en); for a plan text also several joined by + (zh+ru) "
            "or 'authentic' (the default there: the agreement's authentic languages)",
        )
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="html")
        parser.add_argument("-o", "--output", required=True, help="file to write ('-' for standard output)")
        parser.add_argument("--layout", choices=("parallel", "sequential"), default="parallel")
        parser.add_argument("--with-english", action="store_true", help="add an English version after the others")
        parser.add_argument("--store", action="store_true", help="also store it as a Document with hashes (audited)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["store"]:
                generated = generate_document(
                    opts["kind"],
                    opts["ref"],
                    opts["lang"],
                    opts["fmt"],
                    layout=opts["layout"],
                    with_english=opts["with_english"],
                )
                data = generated.data or b""
                stored = f" (stored as document {generated.document.uid})"
                for finding in generated.language_findings():
                    self.stderr.write(f"warning: the language versions disagree: {finding.message}")
            else:
                options = Options(layout=opts["layout"], with_english=opts["with_english"])
                data = render_document(opts["kind"], opts["ref"], opts["lang"], opts["fmt"], options=options).data
                stored = ""
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        output = opts["output"]
        if output == "-":
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
            return
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror or exc}") from None
        self.stdout.write(f"Wrote {output} ({len(data):,} bytes){stored}")
