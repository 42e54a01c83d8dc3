"""Keep the job workers running: start each, and when one dies (killed, crashed, out of memory) start it again after
a back-off; stop them all when the process that started this one is gone, or on SIGTERM.

How `accord serve` runs its workers (one for the 'imports' queue, one for the rest), and what
`accord worker --supervise` runs. Deliberately free of Django: a supervisor only starts, watches and stops
processes, so it costs no Django start-up (about a second of CPU) and no memory for the apps (tens of MB) beside
the workers it watches, and it never opens the database.

    python -m accord.jobs.supervisor [--interval S] [--queue Q] [--queue Q] ...

Each --queue gets a worker of its own (`accord worker --exit-with-parent --queue Q`); without --queue, one worker
for every queue.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

# Back-off between restarts of a worker that keeps dying: 1 s, 2 s, 4 s ... at most a minute; a worker that ran this
# long before it died starts the sequence again.
BACKOFF_MAX_SECONDS = 60.0
HEALTHY_AFTER_SECONDS = 60.0
POLL_SECONDS = 0.2


def worker_command(interval: float, queues: Sequence[str]) -> list[str]:
    """The command line of one job worker taking the jobs of `queues` (every queue when empty). Without Django's
    system checks: whoever starts the supervisor (`accord serve`, `accord worker --supervise`) has just run them on
    the same installation, and a worker restarted after a crash need not run them again (a fifth of a second)."""
    command = [sys.executable, "-m", "accord", "worker", "--exit-with-parent", "--skip-checks"]
    command += ["--interval", f"{interval:g}"]
    return [*command, *(arg for queue in queues for arg in ("--queue", queue))]


@dataclass
class _Watched:
    command: list[str]
    child: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    failures: int = 0
    restart_at: float = field(default=0.0)  # when a dead worker is started again (monotonic seconds)


def supervise(commands: Sequence[list[str]], *, out: Any = None) -> None:
    """Run one process per command, each started again with back-off when it stops, until this process's parent is
    gone or SIGTERM arrives; then stop them (terminate, then kill after 20 s) and return."""
    out = out or sys.stderr
    parent = os.getppid()
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    watched = [_Watched(list(command)) for command in commands]
    try:
        while not stopping and os.getppid() == parent:
            now = time.monotonic()
            for w in watched:
                if w.child is None:
                    if now >= w.restart_at:
                        w.child, w.started = subprocess.Popen(w.command), now
                elif w.child.poll() is not None:
                    w.failures = 1 if now - w.started >= HEALTHY_AFTER_SECONDS else w.failures + 1
                    delay = min(BACKOFF_MAX_SECONDS, 2.0 ** (w.failures - 1))
                    print(
                        f"the job worker stopped (exit status {w.child.returncode}); starting it again in {delay:g} s",
                        file=out,
                        flush=True,
                    )
                    w.child, w.restart_at = None, now + delay
            time.sleep(POLL_SECONDS)
    finally:
        stop_all([w.child for w in watched if w.child is not None])


def stop_all(processes: Sequence[subprocess.Popen[bytes]], grace: float = 20.0) -> None:
    """Ask each process still running to stop (SIGTERM), all at once; kill any still running after `grace` s."""
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m accord.jobs.supervisor", description=__doc__.split("\n\n")[0])
    parser.add_argument("--interval", type=float, default=1.0, help="the workers' seconds between looks at the queue")
    parser.add_argument("--queue", action="append", default=[], help="a worker of its own for this queue (repeatable)")
    args = parser.parse_args(argv)
    groups = [[queue] for queue in args.queue] or [[]]
    supervise([worker_command(args.interval, queues) for queues in groups])


if __name__ == "__main__":
    main()
