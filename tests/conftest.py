"""Test set-up shared by every folder.

The seed programme is loaded once per session into the test database; each test then runs in a
transaction that is rolled back, so tests can build on the seed and never see each other's writes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

# Every `accord serve` the tests start shares one collected static root: collecting (and compressing) the assets is
# most of a fresh server's start-up (20 s of wall, 36 s of CPU), and the files are the same for all of them. The
# checkout's var/collected-static, which the benchmarks' servers share too (bench/common.py): after the tests, CI's
# benchmark run collects nothing.
os.environ.setdefault(
    "ACCORD_STATIC_ROOT",
    os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "collected-static"),
)

from accord.core.actor import Actor, acting_as
from tests import database_template
from tests.processes import (  # fixtures for every folder, and the template built early
    installation_template,  # noqa: F401
    scratch_database,  # noqa: F401
    start_installation_template,
)

_template_build: threading.Thread | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    global _template_build
    _template_build = start_installation_template(session.config)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if _template_build is not None:
        _template_build.join()
    if getattr(session.config.option, "numprocesses", None) and not hasattr(session.config, "workerinput"):
        database_template.drop_postgres_template()  # the workers' test databases were cloned from it


# Tests run once, in scripts/test's SQLite pass: they run `accord` only in processes of their own on SQLite, or use
# no database at all, so the PostgreSQL pass would do the same work again. (Not every test without the test database
# belongs here: the reliability tests start servers on the pass's database.) In the PostgreSQL pass (ACCORD_TEST_ONCE=1)
# they are reported as skipped with their reason, never left out silently. A test there that asks for the test
# database is an error, so the list cannot quietly come to hold one the PostgreSQL pass must run.
OWN_SQLITE_INSTALLATION = (
    "runs `accord` on its own SQLite installation whatever the pass's database: run in the SQLite pass (scripts/test)"
)
NO_DATABASE = (
    "uses no database and starts nothing on one: the same work in either pass; run in the SQLite pass (scripts/test)"
)
TWO_NODES = (
    "two nodes, China's on SQLite and the Soviet node on PostgreSQL (the server ACCORD_TEST_POSTGRES_URL names, "
    "tests/federation/nodes.py): run in the SQLite pass (scripts/test)"
)
RUN_ONCE = {  # under tests/: a folder ("e2e/"), a module, or tests of one ("m.py::test_x"): why the SQLite pass only
    "e2e/": OWN_SQLITE_INSTALLATION,
    "test_end_to_end.py": OWN_SQLITE_INSTALLATION,
    "test_cli.py": OWN_SQLITE_INSTALLATION,
    "test_suite.py": OWN_SQLITE_INSTALLATION,
    "federation/test_crash.py": OWN_SQLITE_INSTALLATION,
    "security/test_backup.py::test_sqlite_round_trip": OWN_SQLITE_INSTALLATION,
    "security/test_backup.py::test_restore_refuses_a_database_in_use": OWN_SQLITE_INSTALLATION,
    "security/test_backup.py::test_restore_reports_a_count": OWN_SQLITE_INSTALLATION,
    "security/test_backup.py::test_restore_refuses_what_is_not_a_backup": OWN_SQLITE_INSTALLATION,
    "jobs/test_supervisor.py": NO_DATABASE,
    "fidelity/test_corpus.py": NO_DATABASE,
    "test_catalogues.py": NO_DATABASE,
    "web/test_display_value.py": NO_DATABASE,
    "federation/test_cycle.py": TWO_NODES,
    "federation/test_hosted_to_two_nodes.py": TWO_NODES,
    "federation/test_crash_http.py": TWO_NODES,
    "federation/test_two_nodes.py": TWO_NODES,
    "federation/test_recovery_processes.py": TWO_NODES,
}
TESTS = os.path.dirname(os.path.abspath(__file__))


def _runs_once(item: pytest.Item) -> str | None:
    """Why `item` runs in the SQLite pass only (RUN_ONCE), or None."""
    path = os.path.relpath(str(item.path), TESTS).replace(os.sep, "/")
    test = f"{path}::{item.name}"
    return next((why for name, why in RUN_ONCE.items() if _names(name, path, test)), None)


def _names(name: str, path: str, test: str) -> bool:
    """Whether the RUN_ONCE entry `name` takes in the test `test` of the module at `path`."""
    if "::" in name:
        return test.startswith(name)
    return path == name or (name.endswith("/") and path.startswith(name))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The modules marked slow (servers, browsers, installations) first, each module's tests in their order: under
    pytest-xdist a worker takes a whole module, so a long module started last would leave the other worker idle
    at the end of the pass (the longest first is how the two workers finish together)."""
    slow_modules = {item.path for item in items if item.get_closest_marker("slow")}
    items.sort(key=lambda item: item.path not in slow_modules)  # a stable sort: the order within stays
    once = os.environ.get("ACCORD_TEST_ONCE") == "1" and settings.DATABASES["default"]["ENGINE"] != (
        "django.db.backends.sqlite3"
    )
    for item in items:
        why = _runs_once(item)
        if why is None:
            continue
        uses_db = {"django_db_setup", "db", "transactional_db", "_django_db_helper"} & set(item.fixturenames)
        if uses_db or item.get_closest_marker("django_db"):
            raise pytest.UsageError(f"{item.nodeid} uses the test database: take it out of RUN_ONCE")
        if once:
            item.add_marker(pytest.mark.skip(reason=why))


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> None:
    """Argon2id as in production, at its smallest cost: the test process hashes the seed's passwords for each
    worker's database and every password sign-in of a test (Django's default, 100 MiB and 8 lanes, costs
    0.2 s of CPU a hash). No test asserts the cost; the algorithm (argon2id, the first hasher) is unchanged and
    tested (tests/security/test_settings.py). Servers and commands the tests start hash at the real cost."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost, Argon2PasswordHasher.parallelism = 1, 8, 1


@pytest.fixture(scope="session", autouse=True)
def _media_root_per_worker() -> None:
    """Under pytest-xdist each worker keeps uploads and renderings in a folder of its own, as it has its own
    test database: no worker sees (or removes) another's files."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        settings.MEDIA_ROOT = os.path.join(settings.MEDIA_ROOT, worker)


def _load_seed() -> None:
    from accord.demo.seed import load_seed

    with acting_as(Actor(None, "test-setup", "seed", system=True)):
        load_seed()


@pytest.fixture(scope="session")
def _test_database_template(
    django_db_modify_db_settings: None,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    tmp_path_factory: pytest.TempPathFactory,
) -> bool:
    """Under pytest-xdist the workers' test databases are copies of one built once (tests/database_template.py)."""
    applies = database_template.template_applies(django_db_keepdb and not django_db_createdb)
    if applies:
        database_template.install(tmp_path_factory, _load_seed)
    return applies


@pytest.fixture(scope="session")
def django_db_setup(_test_database_template, django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The test database with the seed loaded (a copy of the template, which has it, under pytest-xdist)."""
    if not _test_database_template:
        with django_db_blocker.unblock():
            _load_seed()


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once() -> Iterator[None]:
    """WhiteNoise lists the collected static files (about 900, with their headers) when its middleware is made: once
    per server process, but once per test Client here (each builds its own middleware chain), which took a third of
    the PostgreSQL pass's CPU (py-spy). The list is kept per directory, prefix and header settings, and made again
    when the directory or its manifest changes (a server collecting static files into the shared root)."""
    from whitenoise.base import WhiteNoise

    listing = WhiteNoise.update_files_dictionary
    listed: dict[tuple[Any, ...], dict[str, Any]] = {}

    def _state(path: str) -> int | None:
        try:
            return os.stat(path).st_mtime_ns
        except OSError:
            return None

    def update_files_dictionary(self: WhiteNoise, root: str, prefix: str) -> None:
        # What a listed file's headers depend on: WhiteNoise's settings, and the storage that tells a hashed
        # (immutable) name from a plain one (tests switch it: _plain_static_files).
        configured = [(name, getattr(settings, name)) for name in dir(settings) if name.startswith("WHITENOISE_")]
        storage = settings.STORAGES["staticfiles"], settings.STATIC_URL, settings.DEBUG
        state = _state(root), _state(os.path.join(root, "staticfiles.json"))
        key = (type(self), root, prefix, *state, repr(configured), repr(storage))
        if key not in listed:
            kept, self.files = self.files, {}
            try:
                listing(self, root, prefix)
                listed[key] = self.files
            finally:
                self.files = {**kept, **self.files}
            return
        self.files.update(listed[key])

    WhiteNoise.update_files_dictionary = update_files_dictionary  # type: ignore[method-assign]
    yield
    WhiteNoise.update_files_dictionary = listing  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render pages without running collectstatic, so no hashed-name manifest exists."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _language_reset():
    """A test that activates a language (a page in Russian, a command with --lang zh) leaves the next test in
    the default one: messages and number formats are asserted in English unless a test asks otherwise."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _actor():
    """Every test acts as a named test actor, as a request or CLI run would."""
    with acting_as(Actor(None, "tester", "test-request", system=True)) as actor:
        yield actor


@pytest.fixture
def seed(db):
    """Handles on the seed programme's records."""
    from accord.demo.seed import seed_handles

    return seed_handles()


@pytest.fixture(autouse=True)
def _export_limits_off(settings):
    """Tests of other things export as often as they need, and read a streamed export's headers without reading
    its body (a server closes every response; the test client leaves one unread open, holding its export slot).
    The limits have their own tests, which set them: tests/robust/test_export_limits.py."""
    settings.ACCORD_EXPORT_SLOTS = 0
    settings.ACCORD_EXPORT_RATE_ANONYMOUS = 0
    settings.ACCORD_EXPORT_RATE_ACCOUNT = 0
