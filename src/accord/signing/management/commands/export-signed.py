from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.signing import cli
from accord.signing.bundle import export_signed
from accord.signing.crypto import sha256_hex


class Command(AccordCommand):
    help = "Write the signed bundle of a plan (canonical document, texts' hashes, signatures, public keys)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("plan", metavar="PLAN", help="the plan's id or uid")
        parser.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write the bundle")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = cli.plan(options["plan"])
        try:
            data = export_signed(plan)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        try:
            Path(options["output"]).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"cannot write {options['output']}: {exc.strerror}") from None
        self.stdout.write(f"wrote {options['output']} ({len(data)} bytes, sha256 {sha256_hex(data)})")
