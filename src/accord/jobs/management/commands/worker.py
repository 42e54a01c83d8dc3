"""`accord worker`: run queued background jobs (document generation, imports, exports) in this process."""

from __future__ import annotations

import logging
import os
import time
from typing import Any

from django.core.management.base import CommandParser
from django.db import DatabaseError, close_old_connections

from accord.core.cli import AccordCommand
from accord.jobs.models import Job
from accord.jobs.runner import HEARTBEAT_SECONDS, beat, queue_scheduled, run_pending, upkeep
from accord.jobs.supervisor import supervise, worker_command

log = logging.getLogger(__name__)


class Command(AccordCommand):
    help = "Run queued background jobs; with --once, run what is queued and stop."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs queued now, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between looks at the queue")
        parser.add_argument(
            "--queue",
            action="append",
            choices=Job.Queue.values,
            help="run only the jobs of this queue (repeatable; default: every queue). `accord serve` runs one "
            "worker for 'imports' and one for 'default', so a large import never holds up a document",
        )
        parser.add_argument(
            "--exit-with-parent",
            action="store_true",
            help="stop when the process that started this one is gone (how `accord serve` runs its worker)",
        )
        parser.add_argument(
            "--supervise",
            action="store_true",
            help="run the worker as a child process and start it again when it dies, with back-off "
            "(how `accord serve` runs it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["supervise"]:
            self.supervise(options)
            return
        queues = options["queue"] or None
        if options["once"]:
            queue_scheduled()
            upkeep(force=True)
            self.stdout.write(f"ran {run_pending(queues=queues)} job(s)")
            return
        self.stdout.write("waiting for jobs (Ctrl-C to stop)")
        parent = os.getppid()
        last_beat = 0.0
        try:
            while True:
                if options["exit_with_parent"] and os.getppid() != parent:
                    self.stdout.write("the serving process is gone: stopping")
                    return
                close_old_connections()
                try:
                    if time.monotonic() - last_beat >= HEARTBEAT_SECONDS:
                        beat()
                        queue_scheduled()  # the daily kinds (the reminder digest), looked at with each beat
                        upkeep()  # the apps' sweeps (uploads nobody needs any more), each at its own pace
                        last_beat = time.monotonic()
                    ran = run_pending(limit=10, queues=queues)
                except DatabaseError:  # SQLite's one write lock held by another worker's import: wait, look again
                    log.warning("the database is busy; the worker looks again shortly", exc_info=True)
                    ran = 0
                if not ran:
                    time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("stopped")

    def supervise(self, options: dict[str, Any]) -> None:
        """Keep one worker for the queues asked running (accord.jobs.supervisor: restarted with back-off when it
        dies; stopped when this process's parent is gone or on SIGTERM)."""
        supervise([worker_command(options["interval"], options["queue"] or ())], out=self.stderr)
