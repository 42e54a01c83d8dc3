"""`accord worker`: run queued background jobs (document generation, imports, exports) in this process."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from accord.jobs.runner import run_pending


class Command(BaseCommand):
    help = "Run queued background jobs; with --once, run what is queued and stop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs queued now, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the queue")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(f"ran {run_pending()} job(s)")
            return
        self.stdout.write("waiting for jobs (Ctrl-C to stop)")
        try:
            while True:
                close_old_connections()
                if not run_pending(limit=10):
                    time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("stopped")
