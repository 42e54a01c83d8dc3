"""Cache-Control: no-store on private responses (signed-in pages, API answers to a token or session, exports,
account pages); public pages stay cacheable."""

from __future__ import annotations

from django.test import Client

from accord.accounts import services as accounts
from tests.accounts.conftest import user


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_signed_in_pages_are_not_stored(client, seed):
    client.post("/login/", {"username": "cn-observer", "password": "accord-demo-cn-observer"})
    for path in ("/", "/projects/", "/dashboard/", "/account/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response) and "private" in response["Cache-Control"], path


def test_api_answers_to_a_token_are_not_stored(seed):
    key = accounts.issue_token(user("cn-observer"), "reader")[1]
    response = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/plans")
    assert response.status_code == 200 and no_store(response)


def test_exports_are_not_stored(seed):
    response = Client().get("/api/v1/exports/projects", {"format": "csv"})  # anonymous, public records only
    assert response.get("Content-Disposition", "").startswith("attachment"), response.status_code
    assert no_store(response)


def test_the_sign_in_page_is_not_stored(seed):
    assert no_store(Client().get("/login/"))


def test_public_pages_for_anonymous_readers_stay_cacheable(seed):
    response = Client().get("/projects/")
    assert response.status_code == 200 and not no_store(response)
