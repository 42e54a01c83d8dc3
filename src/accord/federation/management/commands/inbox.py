"""`accord inbox import FILE`: apply a peer's signed file, in order, all or nothing (importing it again: no change)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.federation import services


class Command(AccordCommand):
    help = "Apply a file of messages a peer exported (its signature and each message's checked first)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="check and apply a peer's file")
        imp.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        try:
            got = services.receive_batch(data, channel="file")
        except DomainError as exc:
            raise CommandError(f"{path}: refused, nothing applied: {exc}") from None
        returned = f"; {got.returned} of ours returned and applied again" if got.returned else ""
        self.stdout.write(
            f"{path}: from {got.peer.name}: {len(got.applied)} applied, {got.duplicates} applied before (skipped)"
            + returned
        )
        got.peer.refresh_from_db()
        if got.peer.lost_from is not None:
            self.stdout.write(services.recovery_note(got.peer))
        if got.held:
            raise CommandError(
                f"{path}: message {got.expected} is missing: {len(got.held)} later message(s) held until it arrives"
            )
