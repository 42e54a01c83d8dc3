"""The primary/replica router with two database aliases: plain reads on the replica, the rest on the primary.

The replica alias mirrors the test database (TEST MIRROR) and shares the primary's connection, so it sees
the test's uncommitted rows as a streaming replica sees committed ones; each alias keeps its own query
log, which is how the tests tell which database a statement went to.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_started
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accord.core import bulk, routers, services
from accord.directory.models import Person
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture
def replica(settings: Any) -> Iterator[Any]:
    primary = connections[DEFAULT_DB_ALIAS]
    conf = {**primary.settings_dict, "TEST": {**primary.settings_dict.get("TEST", {}), "MIRROR": DEFAULT_DB_ALIAS}}
    connections.settings["replica"] = conf
    conn = connections.create_connection("replica")
    primary.ensure_connection()
    conn.connection = primary.connection
    connections["replica"] = conn
    settings.ACCORD_REPLICAS = ["replica"]
    settings.DATABASE_ROUTERS = ["accord.core.routers.PrimaryReplicaRouter"]
    routers.reset_pin()
    yield conn
    routers.reset_pin()
    conn.connection = None  # the primary's: not this wrapper's to close
    del connections["replica"]
    del connections.settings["replica"]


def statements(conn: Any, run: Any) -> tuple[list[str], Any]:
    with CaptureQueriesContext(conn) as ctx:
        result = run()
    return [q["sql"] for q in ctx.captured_queries], result


def test_plain_reads_go_to_the_replica(seed: Any, replica: Any) -> None:
    primary = connections[DEFAULT_DB_ALIAS]
    assert Project.objects.all().db == "replica"
    with CaptureQueriesContext(primary) as on_primary:
        on_replica, count = statements(replica, lambda: Project.objects.filter(agreement=seed.protocol).count())
    assert count == 122  # the seed's projects, read through the replica
    assert len(on_replica) == 1 and not on_primary.captured_queries


def test_writes_and_reads_after_a_write_go_to_the_primary(seed: Any, replica: Any) -> None:
    person = Person.objects.get(pk=seed.wu_heng.pk)
    assert person._state.db == "replica"
    on_replica, _ = statements(
        replica, lambda: services.update(person, expected_version=person.version, orcid="0000-0002-1825-0097")
    )
    assert on_replica == []  # the locked re-read, the write, the chain head and the entry: all on the primary
    assert routers.is_pinned()
    assert Person.objects.all().db == DEFAULT_DB_ALIAS
    on_replica, fresh = statements(replica, lambda: Person.objects.get(pk=person.pk))
    assert on_replica == [] and fresh.orcid == "0000-0002-1825-0097"


def test_create_and_bulk_writes_pin_too(seed: Any, replica: Any) -> None:
    on_replica, _ = statements(replica, lambda: services.create(Person, name={"en": "Pinned Person"}))
    assert on_replica == [] and routers.is_pinned()
    routers.reset_pin()
    on_replica, _ = statements(replica, lambda: bulk.create_many(Person, [Person(name={"en": "Bulk Person"})]))
    assert on_replica == [] and routers.is_pinned()


def test_reads_inside_a_transaction_and_locks_use_the_primary(seed: Any, replica: Any) -> None:
    with transaction.atomic():
        assert Project.objects.all().db == DEFAULT_DB_ALIAS
        on_replica, rows = statements(replica, lambda: list(Project.objects.select_for_update().filter(number="1")))
        assert on_replica == [] and rows
    routers.reset_pin()  # select_for_update() is a write intent: it pinned the context
    assert Project.objects.select_for_update().db == DEFAULT_DB_ALIAS
    assert Project.objects.all().db == DEFAULT_DB_ALIAS  # ... and pins again


def test_a_new_request_or_job_starts_unpinned(seed: Any, replica: Any) -> None:
    routers.pin_primary()
    with routers.unpinned():
        assert Project.objects.all().db == "replica"
    assert Project.objects.all().db == DEFAULT_DB_ALIAS  # the scope's pin is restored
    request_started.send(sender=None)
    assert Project.objects.all().db == "replica"


def test_after_a_write_the_same_browser_reads_the_primary_for_a_while(seed: Any, replica: Any, settings: Any) -> None:
    settings.ACCORD_REPLICA_STICKY_SECONDS = 7

    def writes(request: HttpRequest) -> HttpResponse:
        services.create(Person, name={"en": "Posted Person"})
        return HttpResponse("ok")

    def reads(request: HttpRequest) -> HttpResponse:
        return HttpResponse(Person.objects.all().db)

    factory = RequestFactory()
    posted = routers.PrimaryAfterWriteMiddleware(writes)(factory.post("/people/new"))
    cookie = posted.cookies[routers.STICKY_COOKIE]
    assert cookie["max-age"] == 7
    routers.reset_pin()  # what request_started does for the next request
    follow = factory.get("/people/")
    follow.COOKIES[routers.STICKY_COOKIE] = cookie.value
    assert routers.PrimaryAfterWriteMiddleware(reads)(follow).content == b"default"
    routers.reset_pin()
    stranger = routers.PrimaryAfterWriteMiddleware(reads)(factory.get("/people/"))
    assert stranger.content == b"replica" and routers.STICKY_COOKIE not in stranger.cookies


def test_without_replicas_everything_stays_on_default(seed: Any, settings: Any) -> None:
    settings.ACCORD_REPLICAS = []
    router = routers.PrimaryReplicaRouter()
    assert router.db_for_read(Project) == DEFAULT_DB_ALIAS
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "programmes") is None


def test_replicas_are_never_migrated(replica: Any) -> None:
    router = routers.PrimaryReplicaRouter()
    assert router.allow_migrate("replica", "programmes") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "programmes") is None


def test_settings_read_replica_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    from accord import settings as accord_settings

    monkeypatch.setenv("ACCORD_DATABASE_URL", "postgres://app@primary:5432/accord")
    monkeypatch.setenv("ACCORD_REPLICA_DATABASE_URLS", "postgres://ro@r1:5432/accord, postgres://ro@r2:5432/accord")
    dbs = accord_settings._databases()
    assert list(dbs) == ["default", "replica1", "replica2"]
    assert dbs["replica2"]["HOST"] == "r2" and dbs["replica1"]["TEST"] == {"MIRROR": "default"}
