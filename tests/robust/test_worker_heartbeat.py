"""The jobs page says when a job worker was last seen."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accord.jobs import runner

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(seed):
    cache.delete(runner.HEARTBEAT_KEY)
    c = Client()
    c.force_login(get_user_model().objects.get(username="admin"))
    yield c
    cache.delete(runner.HEARTBEAT_KEY)


def test_no_worker_seen_yet_is_said(admin_client):
    page = admin_client.get("/jobs/").content.decode()
    assert "No job worker has been seen yet" in page


def test_a_worker_that_beat_is_shown_as_seen(admin_client):
    runner.beat()
    page = admin_client.get("/jobs/").content.decode()
    assert "A job worker was last seen 0 s ago" in page


def test_a_worker_gone_quiet_is_a_warning(admin_client):
    old = timezone.now() - dt.timedelta(minutes=5)
    cache.set(runner.HEARTBEAT_KEY, {"runner": "host:1", "at": old.isoformat()}, timeout=None)
    page = admin_client.get("/jobs/").content.decode()
    assert "No job worker has been seen for 300 s" in page


def test_the_worker_loop_beats(admin_client, monkeypatch):
    from django.core.management import call_command

    call_command("worker", "--once")  # --once runs the queue; the loop's beat is checked below
    assert runner.last_seen() is None
    calls = []
    module = "accord.jobs.management.commands.worker"
    monkeypatch.setattr(f"{module}.run_pending", lambda limit=None, queues=None: calls.append(1) or 0)
    monkeypatch.setattr(f"{module}.close_old_connections", lambda: None)  # the test's own connection stays open

    def stop(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr("time.sleep", stop)
    call_command("worker")
    seen = runner.last_seen()
    assert seen is not None and seen["seconds"] <= 1 and not seen["stale"] and calls
