"""`accord outbox export PEER -o FILE`: every message the peer has not acknowledged, as one signed file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accord.core.cli import AccordCommand
from accord.core.errors import DomainError
from accord.federation import services


class Command(AccordCommand):
    help = "Write the messages waiting for a peer as one signed file (closed networks: courier, e-mail)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="write every message the peer has not acknowledged")
        export.add_argument("peer")
        export.add_argument("-o", "--output", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            peer = services.get_peer(options["peer"])
            data, count = services.export_outbox(peer)
        except DomainError as exc:
            raise CommandError(str(exc)) from None
        path = Path(options["output"])
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        os.replace(partial, path)  # a file half written is never taken for the whole
        self.stdout.write(f"{path}: {count} message(s) for {peer.name}, with our chain head and acknowledgement")
