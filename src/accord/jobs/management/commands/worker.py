"""`accord worker`: run queued background jobs (document generation, imports, exports) in this process."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any

from django.core.management.base import CommandParser
from django.db import DatabaseError, close_old_connections

from accord.core.cli import AccordCommand
from accord.jobs.models import Job
from accord.jobs.runner import HEARTBEAT_SECONDS, beat, queue_scheduled, run_pending, upkeep

log = logging.getLogger(__name__)

# Back-off between restarts of a supervised worker that keeps dying: 1 s, 2 s, 4 s ... at most a minute; a worker
# that ran this long before it died starts the sequence again.
BACKOFF_MAX_SECONDS = 60.0
HEALTHY_AFTER_SECONDS = 60.0


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
        """Keep one worker running: start it, and when it dies (killed, crashed, out of memory) start it again
        after a back-off; stop it and return when this process's parent (`accord serve`) is gone or on SIGTERM."""
        parent = os.getppid()
        command = [
            sys.executable,
            "-m",
            "accord",
            "worker",
            "--exit-with-parent",
            "--interval",
            str(options["interval"]),
            *(arg for queue in options["queue"] or () for arg in ("--queue", queue)),
        ]
        stopping = False

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        failures = 0
        child: subprocess.Popen[bytes] | None = None
        try:
            while not stopping and os.getppid() == parent:
                child = subprocess.Popen(command)
                started = time.monotonic()
                while child.poll() is None and not stopping and os.getppid() == parent:
                    time.sleep(0.2)
                if child.poll() is None:
                    break  # asked to stop, or the parent is gone: stop the worker below
                failures = 1 if time.monotonic() - started >= HEALTHY_AFTER_SECONDS else failures + 1
                delay = min(BACKOFF_MAX_SECONDS, 2.0 ** (failures - 1))
                self.stderr.write(
                    f"the job worker stopped (exit status {child.returncode}); starting it again in {delay:g} s"
                )
                deadline = time.monotonic() + delay
                while time.monotonic() < deadline and not stopping and os.getppid() == parent:
                    time.sleep(0.2)
        finally:
            if child is not None and child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()
