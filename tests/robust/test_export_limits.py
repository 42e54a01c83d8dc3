"""Exports are bounded: a rate per client (anonymous stricter), a few at once server-wide, anonymous exports cut at
a number of records with a note, and a signed-in account's large export made as a background job."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client

from accord.core.throttle import HoldingSlot, Throttled, take_slot
from accord.jobs.models import Job
from accord.programmes.models import Project
from tests.api.test_writes import api

pytestmark = pytest.mark.django_db


def get(client, url):
    """A GET whose streamed body is read to the end (the test client then closes it, as a server does)."""
    r = client.get(url)
    if r.streaming:
        r.body = b"".join(r.streaming_content)
    return r


@pytest.fixture(autouse=True)
def _fresh_counts(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # the slots' lock files
    cache.clear()
    yield
    cache.clear()


def test_anonymous_clients_are_limited_per_address_with_retry_after(seed, settings):
    settings.ACCORD_EXPORT_RATE_ANONYMOUS = 3
    one = Client(REMOTE_ADDR="192.0.2.1")
    for _ in range(3):
        assert get(one, "/api/v1/exports/projects?format=csv").status_code == 200
    r = get(one, "/api/v1/exports/projects?format=csv")
    assert r.status_code == 429
    assert r.json()["code"] == "throttled" and "3 a minute" in r.json()["message"]
    assert int(r["Retry-After"]) >= 1
    # Another address has its own count; a signed-in account its own, larger, allowance.
    assert get(Client(REMOTE_ADDR="192.0.2.2"), "/api/v1/exports/projects?format=csv").status_code == 200
    assert get(api("cn-observer"), "/api/v1/exports/projects?format=csv").status_code == 200


def test_accounts_have_their_own_larger_rate(seed, settings):
    settings.ACCORD_EXPORT_RATE_ACCOUNT = 2
    c = api("cn-observer")
    assert [get(c, "/api/v1/exports/projects").status_code for _ in range(3)] == [200, 200, 429]


def test_when_every_slot_is_busy_an_export_is_refused_at_once(seed, settings):
    settings.ACCORD_EXPORT_SLOTS = 1
    release = take_slot("export", 1)
    try:
        r = get(Client(), "/api/v1/exports/projects")
        assert r.status_code == 429 and "busy" in r.json()["message"]
    finally:
        release()
    r = get(Client(), "/api/v1/exports/projects")
    assert r.status_code == 200
    # The slot was freed when the response ended: the next export takes it.
    assert get(Client(), "/api/v1/exports/projects").status_code == 200


def test_a_client_that_goes_away_frees_the_slot(seed, settings):
    # What Django does when a client leaves mid-stream: it closes the response's iterable, read or not.
    chunks = HoldingSlot(iter([b"first", b"second"]), take_slot("export", 1))
    reading = iter(chunks)  # the server holds the iterator while it sends
    assert next(reading) == b"first"
    with pytest.raises(Throttled):
        take_slot("export", 1)
    chunks.close()
    take_slot("export", 1)()  # free again
    unread = HoldingSlot(iter([b"never read"]), take_slot("export", 1))
    unread.close()
    take_slot("export", 1)()


def test_anonymous_exports_are_cut_with_a_note(seed, settings):
    settings.ACCORD_EXPORT_ANONYMOUS_MAX_ROWS = 5
    total = Project.objects.filter(visibility="public").count()
    r = get(Client(), "/api/v1/exports/projects?format=xlsx")
    assert r.status_code == 200 and r["Accord-Truncated"] == f"5 of {total}"
    book = openpyxl.load_workbook(io.BytesIO(r.body), read_only=True)
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 1 + 5
    note = next(book.worksheets[1].iter_rows(values_only=True))[0]
    assert f"Only the first 5 of {total} records" in note
    csv = get(Client(), "/api/v1/exports/projects?format=csv")
    assert csv["Accord-Truncated"] == f"5 of {total}"
    assert len(csv.body.decode("utf-8-sig").strip().splitlines()) == 1 + 5


def test_signed_in_exports_are_not_cut(seed, settings):
    settings.ACCORD_EXPORT_ANONYMOUS_MAX_ROWS = 5
    r = get(api("admin"), "/api/v1/exports/projects?format=csv")
    assert r.status_code == 200 and "Accord-Truncated" not in r
    assert len(r.body.decode("utf-8-sig").strip().splitlines()) == 1 + Project.objects.count()


def test_a_large_export_of_an_account_becomes_a_job(seed, settings):
    settings.ACCORD_EXPORT_INLINE_MAX_ROWS = 10
    r = get(api("admin"), "/api/v1/exports/projects?format=xlsx&agreement=1")
    assert r.status_code == 202, r.content[:300]
    body = r.json()
    job = Job.objects.get(pk=body["job"])
    assert body["code"] == "queued" and body["url"] == f"/jobs/{job.pk}/" and r["Location"] == body["url"]
    assert job.kind == "export" and job.parameters == {
        "kind": "projects",
        "format": "xlsx",
        "filters": {"agreement": "1"},
    }
    assert job.requested_by.username == "admin"
    from accord.jobs.runner import run_pending

    run_pending()
    job.refresh_from_db()
    assert job.status == "done", job.error
