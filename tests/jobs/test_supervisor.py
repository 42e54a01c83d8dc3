"""The job workers' supervisor (accord.jobs.supervisor): a process per command, each started again with back-off when
it dies, all stopped on SIGTERM; and it runs without Django."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import children

QUITTER = [sys.executable, "-c", "import sys; sys.exit(3)"]


# The supervisor in a process of its own, watching the commands given as JSON.
SUPERVISE = "import json, sys; from accord.jobs.supervisor import supervise; supervise(json.loads(sys.argv[1]))"


@contextmanager
def supervising(*commands: list[str]) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen([sys.executable, "-c", SUPERVISE, json.dumps(commands)], stderr=subprocess.PIPE, text=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()


def _wait_for(predicate, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("timed out")


def sleeper() -> list[str]:
    """A process that waits, named by a tag of its own (so a test finds its own processes only)."""
    return [sys.executable, "-c", f"import time; time.sleep(600)  # {uuid.uuid4()}"]


def _running(tag: str) -> list[int]:
    """Our processes whose command line holds `tag`, zombies left out."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if os.stat(f"/proc/{pid}").st_uid != os.getuid():
                continue
            cmdline = Path(f"/proc/{pid}/cmdline").read_text()
            state = next(
                line for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("State")
            )
        except (OSError, StopIteration):
            continue
        if tag in cmdline and "Z" not in state.split()[1]:
            found.append(int(pid))
    return found


def test_a_killed_process_is_started_again_and_the_others_are_left_alone():
    one, two = sleeper(), sleeper()
    with supervising(one, two) as proc:
        first = _wait_for(lambda: [p for p, cmd in children(proc.pid) if one[-1] in cmd])[0]
        second = _wait_for(lambda: [p for p, cmd in children(proc.pid) if two[-1] in cmd])[0]
        os.kill(first, signal.SIGKILL)
        again = _wait_for(lambda: [p for p, cmd in children(proc.pid) if one[-1] in cmd and p != first])[0]
        assert [p for p, cmd in children(proc.pid) if two[-1] in cmd] == [second]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert "the job worker stopped (exit status -9); starting it again in 1 s" in proc.stderr.read()
    # SIGTERM to the supervisor stops what it watches.
    assert not _running(one[-1]) and not _running(two[-1]), (again, second)


def test_a_process_that_keeps_dying_is_started_again_after_longer_and_longer_waits():
    with supervising(QUITTER) as proc:
        time.sleep(4.5)  # dies at once each time: started at 0, 1, 3 (after waits of 1 s, then 2 s), then waits 4 s
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        said = proc.stderr.read()
    waits = [
        line.rsplit(" in ", 1)[1] for line in said.splitlines() if "the job worker stopped (exit status 3)" in line
    ]
    assert waits[:3] == ["1 s", "2 s", "4 s"], said


def test_it_stops_with_its_parent():
    child = sleeper()
    # The parent lives on for a moment: a supervisor whose parent is already gone when it starts has nobody to outlive.
    code = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', *sys.argv[1:]]); time.sleep(3)"
    parent = subprocess.Popen([sys.executable, "-c", code, SUPERVISE, json.dumps([child])])
    _wait_for(lambda: _running(child[-1]))  # started while the parent lives
    assert parent.wait(timeout=30) == 0
    _wait_for(lambda: not _running(child[-1]))  # the parent is gone: the supervisor stopped its process and left


def test_the_supervisor_runs_without_django():
    code = "import sys, accord.jobs.supervisor; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.strip() == "[]"


def test_a_supervised_worker_leaves_the_system_checks_to_its_starter(tmp_path: Path) -> None:
    """`accord serve` and `accord worker --supervise` run Django's checks before they start the supervisor: its
    workers, and a worker started again after a crash, skip them (a fifth of a second each). A worker started by
    hand runs them."""
    from accord.jobs.supervisor import worker_command

    command = worker_command(1.0, ["imports"])
    assert command[1:4] == ["-m", "accord", "worker"]
    assert "--skip-checks" in command and "--exit-with-parent" in command
    assert command[command.index("--queue") + 1] == "imports"
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path)}
    shown = subprocess.run(
        [sys.executable, "-m", "accord", "worker", "--help"], env=env, capture_output=True, text=True, timeout=60
    )
    assert "--skip-checks" in shown.stdout  # Django's own option: the worker command accepts it
