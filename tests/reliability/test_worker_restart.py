"""`accord serve` keeps its job worker running: kill it and a new one starts (and runs the queued jobs)."""

from __future__ import annotations

import os
import signal
import time

from tests.processes import children as _children
from tests.reliability.conftest import Installations, serving


def _worker_of(serve_pid: int, timeout: float = 60) -> tuple[int, int]:
    """(supervisor pid, the default queue's worker pid) under `accord serve`, waiting for both to be up: one supervisor
    (accord.jobs.supervisor, without Django) watching a worker per queue."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        supervisors = [p for p, cmd in _children(serve_pid) if "accord.jobs.supervisor" in cmd]
        if supervisors:
            workers = _workers(supervisors[0])
            if {"default", "imports"} <= set(workers):
                return supervisors[0], workers["default"]
        time.sleep(0.2)
    raise AssertionError("no supervised job workers under accord serve")


def _workers(supervisor: int) -> dict[str, int]:
    """The supervisor's job workers by queue."""
    return {cmd.split("--queue ")[-1].split()[0]: p for p, cmd in _children(supervisor) if " worker " in cmd}


def test_a_killed_worker_is_started_again_and_runs_the_queue(installations: Installations) -> None:
    instance = installations.new()
    with serving(instance, workers=1) as server:
        supervisor, worker = _worker_of(server.proc.pid)
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        again = None
        imports = _workers(supervisor)["imports"]
        while time.monotonic() < deadline:
            workers = _workers(supervisor)
            if workers.get("default", worker) != worker:
                again = workers["default"]
                break
            time.sleep(0.2)
        assert _workers(supervisor)["imports"] == imports  # the other queue's worker was left alone
        assert again is not None, server.log_text()[-3000:]
        assert "the job worker stopped" in server.log_text()
        # A job queued now is run by the new worker.
        code = (
            "from django.contrib.auth import get_user_model; from accord.jobs.services import enqueue; "
            "from accord.programmes.models import Plan; "
            "j = enqueue('document', {'kind': 'plan_text', 'ref': Plan.objects.order_by('id').last().pk, "
            "'language': 'zh', 'format': 'html'}, user=get_user_model().objects.get(username='admin')); print(j.pk)"
        )
        job_id = int(instance.accord("shell", "-c", code).stdout.strip().splitlines()[-1])
        deadline = time.monotonic() + 120
        status = None
        while time.monotonic() < deadline:
            status = instance.sql(f"SELECT status FROM jobs_job WHERE id = {job_id}")[0][0]
            if status in ("done", "failed"):
                break
            time.sleep(0.5)
        assert status == "done", server.log_text()[-3000:]
