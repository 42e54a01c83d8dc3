"""Test set-up shared by every folder.

The seed programme is loaded once per session into the test database; each test then runs in a
transaction that is rolled back, so tests can build on the seed and never see each other's writes.
"""

from __future__ import annotations

import os
import tempfile

import pytest
from django.conf import settings
from django.utils import translation

# Every `accord serve` the tests start shares one collected static root: collecting (and compressing)
# the assets is most of a fresh server's start-up, and the files are the same for all of them.
os.environ.setdefault("ACCORD_STATIC_ROOT", os.path.join(tempfile.gettempdir(), f"accord-test-static-{os.getuid()}"))

from accord.core.actor import Actor, acting_as
from tests.processes import installation_template, scratch_database  # noqa: F401  (fixtures for every folder)


@pytest.fixture(scope="session", autouse=True)
def _media_root_per_worker() -> None:
    """Under pytest-xdist each worker keeps uploads and renderings in a folder of its own, as it has its own
    test database: no worker sees (or removes) another's files."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        settings.MEDIA_ROOT = os.path.join(settings.MEDIA_ROOT, worker)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from accord.demo.seed import load_seed

    with django_db_blocker.unblock(), acting_as(Actor(None, "test-setup", "seed", system=True)):
        load_seed()


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
