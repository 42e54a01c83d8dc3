"""kill -9 in the middle of a large import and of a document generation, repeated: the database stays
consistent (`accord verify`), nothing of the killed run is visible, and a re-run completes and is idempotent.

The command runs under a small launcher that prints a marker when the phase to interrupt begins (the writes of
the import, the rendering of the document), so the kill lands inside it and not in Python's start-up.
"""

from __future__ import annotations

import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability.conftest import Installations, Instance
from tests.shared_data import shared_data_dir

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("reliability-crash")]  # one worker: the module shares a server

_SHARED = shared_data_dir()
CORDIS = (_SHARED or Path("/nonexistent")) / "cordis-eu-china-projects"
MARK = "RELIABILITY-MARK"
LAUNCHER = f'''
import importlib, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
import django
django.setup()
module_name, _, name = sys.argv[1].partition(":")
module = importlib.import_module(module_name)
original = getattr(module, name)
def marked(*args, **kwargs):
    print("{MARK}", flush=True)
    return original(*args, **kwargs)
setattr(module, name, marked)
from accord.cli import main
main(["accord", *sys.argv[2:]])
'''
# The tables a CORDIS import writes, and the audit chain.
IMPORT_TABLES = (
    "agreements_agreement",
    "agreements_agreementparty",
    "directory_party",
    "directory_organisation",
    "programmes_project",
    "programmes_participation",
    "core_changerecord",
)
DOCUMENT_TABLES = ("documents_document", "documents_documenttext", "documents_documentfile", "core_changerecord")


def _counts(instance: Instance, tables: tuple[str, ...]) -> dict[str, int]:
    return {table: instance.sql(f"SELECT count(*) FROM {table}")[0][0] for table in tables}


def _kill_after_mark(instance: Instance, target: str, args: list[str], delay: float, log: Path) -> bool:
    """Run ARGS, kill -9 it `delay` s after the marker; True if it was killed, False if it finished first."""
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, target, *args],
        env=instance.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + 240
    while MARK.encode() not in seen:
        ready, _, _ = select.select([proc.stdout], [], [], 1)
        if ready:
            chunk = os.read(proc.stdout.fileno(), 65536)
            if not chunk:
                break
            seen += chunk
        if time.monotonic() > deadline:
            break
    if MARK.encode() not in seen:
        proc.kill()
        proc.wait()
        raise AssertionError(f"the command never reached {target}:\n{seen.decode(errors='replace')}")
    time.sleep(delay)
    finished = proc.poll() is not None
    if not finished:
        proc.send_signal(signal.SIGKILL)
    rest = proc.communicate(timeout=60)[0] or b""
    log.write_bytes(seen + rest)
    if finished:
        assert proc.returncode == 0, (seen + rest).decode(errors="replace")
    else:
        assert proc.returncode == -signal.SIGKILL
    return not finished


@pytest.fixture
def instance(installations: Installations) -> Instance:
    return installations.new()


def test_killing_a_cordis_import_leaves_nothing_and_the_rerun_is_complete_and_idempotent(
    instance: Instance, tmp_path: Path
) -> None:
    if not CORDIS.is_dir():
        if os.environ.get("ACCORD_REQUIRE_TOOLS") == "1":
            pytest.fail(f"the CORDIS extract is missing: {CORDIS}")
        pytest.skip(f"the CORDIS extract is not on this machine: {CORDIS}")
    before = _counts(instance, IMPORT_TABLES)
    rng = random.Random()
    killed = 0
    committed = False
    for attempt, delay in enumerate((rng.uniform(0, 0.2), rng.uniform(0.2, 0.6), rng.uniform(0, 1.2))):
        log = tmp_path / f"import-{attempt}.log"
        if not _kill_after_mark(
            instance, "accord.interop.sources.cordis:_write", ["import", "cordis", str(CORDIS)], delay, log
        ):
            committed = True  # it finished before the kill: a complete import, checked below like the re-run
            break
        killed += 1
        verified = instance.accord("verify", check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        if _counts(instance, IMPORT_TABLES) != before:
            # The kill landed after the commit (while the process was exiting). Then the import must be
            # whole: a re-run finds every record already there and creates nothing.
            rerun = instance.accord("import", "cordis", str(CORDIS), timeout=600)
            assert set(_created(rerun.stdout).values()) == {0}, f"kill {attempt} left a half import:\n{rerun.stdout}"
            committed = True
            break
    assert killed >= 2 or committed, "the import finished before most kills: make it larger"

    if committed:
        after = _counts(instance, IMPORT_TABLES)
        assert after["programmes_project"] - before["programmes_project"] > 300
    else:
        first = instance.accord("import", "cordis", str(CORDIS), timeout=600)
        created = _created(first.stdout)
        after = _counts(instance, IMPORT_TABLES)
        assert created["project"] > 300 and created["participation"] > 5000, first.stdout
        assert after["programmes_project"] - before["programmes_project"] == created["project"]
        assert after["programmes_participation"] - before["programmes_participation"] == created["participation"]
        assert after["directory_organisation"] - before["directory_organisation"] == created["organisation"]

    second = instance.accord("import", "cordis", str(CORDIS), timeout=600)
    assert set(_created(second.stdout).values()) == {0}, second.stdout
    assert re.findall(r"(\d+) updated", second.stdout) and set(re.findall(r"(\d+) updated", second.stdout)) == {"0"}
    assert _counts(instance, IMPORT_TABLES) == after  # not even an audit entry
    verified = instance.accord("verify", check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _created(summary: str) -> dict[str, int]:
    """{"project": 383, ...} from the import's summary lines ("  project: 383 created, 0 updated, ...")."""
    return {m[1]: int(m[2]) for m in re.finditer(r"^\s+([a-z ]+): (\d+) created", summary, re.M)}


def test_killing_a_document_generation_leaves_the_database_consistent_and_the_rerun_completes(
    instance: Instance, tmp_path: Path
) -> None:
    plan = instance.sql("SELECT id FROM programmes_plan WHERE status = 'signed' ORDER BY id")[0][0]
    args = ["document", "plan_text", str(plan), "--format", "pdf", "--store", "-o", str(tmp_path / "plan.pdf")]
    before = _counts(instance, DOCUMENT_TABLES)
    rng = random.Random()
    killed = 0
    expected, committed = before, None  # committed: the attempt whose kill came after the commit
    # Twice during the PDF layout, once as the texts are being stored (the last step, inside the transaction).
    for attempt, (target, delay) in enumerate(
        (
            ("accord.documents.services:_render", rng.uniform(0.2, 1.5)),
            ("accord.documents.services:_render", rng.uniform(0, 0.5)),
            ("accord.documents.services:_store_text", 0.0),
        )
    ):
        if not _kill_after_mark(instance, target, args, delay, tmp_path / f"document-{attempt}.log"):
            continue
        killed += 1
        now = _counts(instance, DOCUMENT_TABLES)
        if now != expected:
            # The kill landed after the commit, while the process was exiting (on an idle machine the seed plan's
            # PDF is laid out and stored within the delay): then the document must be whole, which the last run
            # shows below by adding nothing to it. Twice would be a kill that left part of one.
            assert committed is None, f"kill {attempt} left part of a document stored"
            committed, expected = attempt, now
        verified = instance.accord("verify", check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr
    assert killed >= 2

    done = instance.accord("document", *args[1:], timeout=600)
    assert "stored as document" in done.stdout
    pdf = (tmp_path / "plan.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-64:]
    after = _counts(instance, DOCUMENT_TABLES)
    if committed is not None:
        assert after == expected, f"kill {committed} landed after the commit of only part of a document"
    # The seed may hold the plan's text already (then it is updated, not added); the PDF is stored either way.
    assert after["documents_document"] - before["documents_document"] in (0, 1)
    stored = instance.sql(
        "SELECT f.size FROM documents_documentfile f JOIN documents_document d ON d.id = f.document_id "
        f"WHERE f.format = 'pdf' AND d.kind = 'plan_text' AND d.plan_id = {plan}"
    )
    assert [len(pdf)] == [size for (size,) in stored]
    # Regenerating from unchanged records writes nothing.
    instance.accord("document", *args[1:], timeout=600)
    assert _counts(instance, DOCUMENT_TABLES) == after
    verified = instance.accord("verify", check=False)
    assert verified.returncode == 0, verified.stdout + verified.stderr
