"""`accord search-index rebuild`: refill the search index from the records (it is derived data)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import CommandParser

from accord.core.cli import AccordCommand


class Command(AccordCommand):
    help = "Rebuild the search index: `rebuild` empties it and indexes every project, organisation, agreement, person."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="rebuild")
        sub.add_parser("rebuild", help="Rebuild the whole index from the records.")

    def handle(self, *args: Any, **options: Any) -> None:
        from accord.core.search import rebuild_index

        started = time.perf_counter()
        counts = rebuild_index()
        for label, n in counts.items():
            self.stdout.write(f"{label:<28} {n:>10}")
        self.stdout.write(f"indexed {sum(counts.values())} records in {time.perf_counter() - started:.1f} s")
