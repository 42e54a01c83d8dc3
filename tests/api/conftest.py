"""What the API tests share: a client that speaks JSON with a token, and an empty database to start from."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from accord.accounts import services as accounts


class Api:
    """The test client as an integrator uses the API: JSON in and out, a bearer token, If-Match on changes."""

    def __init__(self, token: str | None = None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        self.client = Client(**headers)

    def get(self, url: str, status: int = 200, **params: Any) -> Any:
        r = self.client.get(f"/api/v1{url}", params)
        assert r.status_code == status, (url, r.status_code, r.content[:600])
        return r

    def post(self, url: str, body: Any = None, status: int = 201, if_match: Any = None) -> Any:
        headers = {"HTTP_IF_MATCH": str(if_match)} if if_match is not None else {}
        r = self.client.post(f"/api/v1{url}", body or {}, content_type="application/json", **headers)
        assert r.status_code == status, (url, r.status_code, r.content[:600])
        return r

    def patch(self, url: str, body: Any, status: int = 200, if_match: Any = None) -> Any:
        headers = {"HTTP_IF_MATCH": str(if_match)} if if_match is not None else {}
        r = self.client.patch(f"/api/v1{url}", body, content_type="application/json", **headers)
        assert r.status_code == status, (url, r.status_code, r.content[:600])
        return r

    def all(self, url: str, **params: Any) -> list[dict[str, Any]]:
        """Every record of a list, following the cursor."""
        found, page = [], self.get(url, limit=500, **params).json()
        found += page["results"]
        while page["next"]:
            page = self.client.get(page["next"]).json()
            found += page["results"]
        return found


def token_of(username: str, scope: str = "read-write") -> str:
    user = get_user_model().objects.get(username=username)
    return accounts.issue_token(user, "test", scope=scope)[1]


def api_as(username: str | None = None, scope: str = "read-write") -> Api:
    return Api(token_of(username, scope) if username else None)


@pytest.fixture
def empty_database(db, settings, tmp_path):
    """The test database with nothing in it: the seed every other test builds on is removed inside this test's
    transaction (rolled back after it), accounts and the audit chain included, so a test starts from an
    installation as `accord migrate` leaves it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]
    users = get_user_model()
    ours = [
        m
        for m in models
        if m.__module__.startswith("accord.")
        or m is users
        or m._meta.db_table.startswith(f"{users._meta.db_table}_")
        or m._meta.app_label == "admin"
    ]
    with connection.cursor() as cursor:
        for model in ours:  # foreign keys are checked at commit (deferred): the order does not matter
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    from accord.agreements.models import Agreement
    from accord.core.models import ChangeRecord
    from accord.directory.models import Party

    assert not Party.objects.exists() and not Agreement.objects.exists() and not ChangeRecord.objects.exists()
    assert not get_user_model().objects.exists()
