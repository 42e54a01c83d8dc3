"""`accord worker`: run queued background jobs (document generation, imports, exports) in this process."""

from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import CommandParser
from django.db import close_old_connections

from accord.core.cli import AccordCommand
from accord.jobs.runner import run_pending


class Command(AccordCommand):
    help = "Run queued background jobs; with --once, run what is queued and stop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs queued now, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the queue")
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="stop when the process that started this one is gone (how `accord serve` runs its worker)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            self.stdout.write(f"ran {run_pending()} job(s)")
            return
        self.stdout.write("waiting for jobs (Ctrl-C to stop)")
        parent = os.getppid()
        try:
            while True:
                if options["exit_with_parent"] and os.getppid() != parent:
                    self.stdout.write("the serving process is gone: stopping")
                    return
                close_old_connections()
                if not run_pending(limit=10):
                    time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("stopped")
