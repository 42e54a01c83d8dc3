"""`kill -9` in the middle of applying a file: nothing of it stays applied, and importing it again applies each
message once. A real `accord` process (its own data dir), with a fake apply_changes that stalls inside the
batch's transaction after writing, where the test kills it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.federation.conftest import FakePeer
from tests.processes import fresh_installation, run_accord

pytestmark = [pytest.mark.slow]

SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    import django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    django.setup()
    from django.core.management import call_command
    from accord.core.actor import Actor, acting_as
    from accord.directory.services import create_person
    from accord.federation import protocol

    def apply_change(body, sender_party, peer_name):
        create_person(name={"en": body["name"]})
        if sys.argv[1] == "stall" and body["name"] == "person 2":
            print("stalling", flush=True)
            time.sleep(600)

    def apply_changes(bodies, sender_party, peer_name):
        for body in bodies:
            apply_change(body, sender_party, peer_name)

    protocol.apply_changes = apply_changes
    with acting_as(Actor(None, "cli:test", "test-crash", system=True)):
        call_command("inbox", "import", sys.argv[2])
    """
)


def _count(data_dir: Path, sql: str) -> int:
    import sqlite3

    db = sqlite3.connect(data_dir / "accord.sqlite3", timeout=30)
    try:
        return int(db.execute(sql).fetchone()[0])
    finally:
        db.close()


def test_a_node_killed_while_applying_a_file_loses_nothing_and_applies_nothing_twice(tmp_path, installation_template):
    data_dir = fresh_installation(installation_template, tmp_path / "cn")
    assert run_accord(data_dir, "node", "init", "--party", "CN").returncode == 0
    node = json.loads(run_accord(data_dir, "node", "show", "--json").stdout)
    su = FakePeer(node["node_id"])
    assert run_accord(data_dir, "peer", "add", "su", "--key", su.public_key, "--party", "SU").returncode == 0
    batch = tmp_path / "su-to-cn.json"
    batch.write_bytes(su.of(1, 2, 3) + b"\n")
    script = tmp_path / "apply.py"
    script.write_text(SCRIPT)
    env = {k: v for k, v in os.environ.items() if k not in {"ACCORD_DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env["ACCORD_DATA_DIR"] = str(data_dir)
    people = "SELECT count(*) FROM directory_person WHERE name LIKE '%person %'"
    stalled = subprocess.Popen(
        [sys.executable, str(script), "stall", str(batch)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert stalled.stdout is not None
        assert stalled.stdout.readline().strip() == "stalling"  # person 1 and 2 written, not committed
        stalled.send_signal(signal.SIGKILL)
    finally:
        stalled.wait(timeout=60)
        if stalled.stdout is not None:
            stalled.stdout.close()
    time.sleep(0.5)
    assert _count(data_dir, people) == 0
    assert _count(data_dir, "SELECT in_seq FROM federation_peer") == 0
    for _ in range(2):  # imported again after the restart, and once more: each message applied once
        done = subprocess.run(
            [sys.executable, str(script), "apply", str(batch)], env=env, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, done.stderr
    assert _count(data_dir, people) == 3
    assert _count(data_dir, "SELECT in_seq FROM federation_peer") == 3
    assert _count(data_dir, "SELECT count(*) FROM federation_inmessage") == 3
    verify = run_accord(data_dir, "verify")
    assert verify.returncode == 0, verify.stderr
