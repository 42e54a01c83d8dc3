"""The test suite's own promises: the browser tests are reported as skipped when there is no browser (never
silently left out), the session's installation template is a real installation that copies stay apart from, and
RUN_ONCE takes in the folders, modules and tests it names and nothing beside them."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.conftest import TESTS, _runs_once
from tests.processes import fresh_installation, run_accord

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_without_a_browser_the_browser_tests_show_as_skipped_with_the_reason(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "ACCORD_REQUIRE"))}
    env |= {"ACCORD_CHROMIUM": str(tmp_path / "no-chromium"), "ACCORD_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e/test_home_browser.py", "-rs", "-p", "no:cacheprovider", "-n", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 skipped" in done.stdout and "passed" not in done.stdout
    assert "no browser at" in done.stdout and "apt-get install chromium" in done.stdout


@pytest.mark.slow
def test_a_fresh_installation_is_the_demo_and_its_own(installation_template, tmp_path):
    one = fresh_installation(installation_template, tmp_path / "one")
    two = fresh_installation(installation_template, tmp_path / "two")
    assert run_accord(one, "verify").stdout.startswith("ok:")
    with sqlite3.connect(one / "accord.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM programmes_project").fetchone()[0] == 122
        db.execute("DELETE FROM accord_cache")  # the cache table exists (createcachetable) and is this copy's
        db.execute("UPDATE programmes_project SET number = 'x' WHERE number = '1'")
    with sqlite3.connect(two / "accord.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM programmes_project WHERE number = '1'").fetchone()[0] == 1
    with sqlite3.connect(installation_template / "accord.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM programmes_project WHERE number = '1'").fetchone()[0] == 1
    assert not (one / ".complete").exists()


@pytest.mark.parametrize(
    ("test", "once"),
    [
        ("e2e/test_home_browser.py::test_the_first_page_shows_the_seed_programme", True),  # a folder
        ("federation/test_crash.py::test_a_node_killed_while_applying_a_file", True),  # a module
        ("federation/test_crash_http.py::test_either_node_killed_during_a_sync", True),  # its own entry
        ("federation/test_recovery.py::test_one_sync_over_http_recovers", False),  # the folder is not named
        ("security/test_backup.py::test_sqlite_round_trip_keeps_every_row_file_and_signature", True),  # a test
        ("security/test_backup.py::test_postgresql_round_trip_keeps_every_row_and_signature", False),  # its neighbour
        ("test_cli.py::test_first_run_creates_the_data_dir", True),
        ("test_catalogues.py::test_every_message_is_translated[zh_Hans]", True),  # parametrised
        ("web/test_pages.py::test_home", False),
    ],
)
def test_run_once_takes_in_what_it_names_and_nothing_beside_it(test: str, once: bool) -> None:
    path, name = test.split("::")
    item = SimpleNamespace(path=Path(TESTS, path), name=name)
    assert (_runs_once(item) is not None) is once  # type: ignore[arg-type]
