"""Issuing an API token is a way in: it asks for the password again (and the code, with a second factor),
through the one sign-in throttle."""

from __future__ import annotations

from django.test import Client

from accord.accounts.models import ApiToken, SecurityEvent
from tests.accounts.conftest import code_for, enrol, user

PASSWORD = "accord-demo-cn-coordinator"


def session() -> Client:
    client = Client()
    client.force_login(user("cn-coordinator"))
    return client


def issue(client: Client, **body):
    return client.post("/api/v1/tokens", {"name": "harvester", **body}, content_type="application/json")


def test_a_token_needs_the_password_again(seed):
    client = session()
    assert issue(client).status_code == 422  # no password: a clear refusal naming the field
    wrong = issue(client, password="not-my-password")
    assert wrong.status_code == 422 and wrong.json()["field"] == "password"
    assert not ApiToken.objects.filter(user=user("cn-coordinator")).exists()
    assert issue(client, password=PASSWORD).status_code == 201
    kinds = list(SecurityEvent.objects.filter(account="cn-coordinator").values_list("kind", flat=True))
    assert "signin-failed" in kinds and "token-issued" in kinds


def test_guessing_the_password_through_token_issuance_is_throttled(seed):
    client = session()
    for n in range(5):
        issue(client, password=f"guess-{n}")
    refused = issue(client, password=PASSWORD)
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert not ApiToken.objects.filter(user=user("cn-coordinator")).exists()
    # The same account's sign-in page waits too: one throttle for every way in.
    assert Client().post("/login/", {"username": "cn-coordinator", "password": PASSWORD}).status_code == 429


def test_with_a_second_factor_a_token_needs_the_code(seed):
    device = enrol(user("cn-coordinator"))
    client = session()
    missing = issue(client, password=PASSWORD)
    assert missing.status_code == 422 and missing.json()["field"] == "otp"
    assert issue(client, password=PASSWORD, otp=code_for(device)).status_code == 201
