"""SQLite's one write lock held past the busy timeout (a long import's transaction holds it until it commits): a
page or an API call that needed to write answers 503 with Retry-After, saying nothing was changed, not a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import Client

from accord.documents import steps
from accord.jobs.models import Job
from accord.programmes.models import Plan
from tests.accounts.conftest import user

pytestmark = pytest.mark.django_db


def locked(*args: Any, **kwargs: Any) -> Any:
    raise OperationalError("database is locked")


def test_asking_for_a_plan_text_while_the_database_is_locked_answers_503_saying_nothing_changed(seed, monkeypatch):
    client = Client()
    client.force_login(user("cn-coordinator"))
    plan = Plan.objects.order_by("pk").first()
    page = f"/workflow/plans/{plan.pk}/generate-plan-text/"
    form = client.get(page)
    assert form.status_code == 200
    monkeypatch.setattr(steps, "enqueue", locked)
    jobs = Job.objects.count()
    answer = client.post(page, {"version": plan.version, "language": "en", "format": "html"})
    assert answer.status_code == 503 and answer["Retry-After"] == "60"
    assert "busy writing a large import" in answer.content.decode() and "nothing was changed" in answer.content.decode()
    assert Job.objects.count() == jobs
    client.cookies["django_language"] = "zh-hans"
    answer = client.post(
        page, {"version": plan.version, "language": "en", "format": "html"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert answer.status_code == 503 and "数据库正忙" in answer.content.decode()


def test_other_database_errors_are_still_server_errors(seed, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(user("cn-coordinator"))
    plan = Plan.objects.order_by("pk").first()

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("no such table: jobs_job")

    monkeypatch.setattr(steps, "enqueue", broken)
    answer = client.post(
        f"/workflow/plans/{plan.pk}/generate-plan-text/", {"version": plan.version, "language": "en", "format": "html"}
    )
    assert answer.status_code == 500


def test_an_api_call_that_meets_the_held_write_lock_answers_503_in_json(seed, monkeypatch):
    """The API's channel: the same 503 and Retry-After, as JSON with the reason (an integrator's retry loop reads
    both), whatever the endpoint was doing when the lock ran out."""
    from accord.core import api

    monkeypatch.setattr(api, "readable", locked)
    answer = Client().get("/api/v1/parties")
    assert answer.status_code == 503 and answer["Retry-After"] == "60"
    assert answer["Content-Type"].startswith("application/json")
    assert "nothing was changed" in answer.json()["detail"]
