"""ACCORD_REQUIRE_SECOND_FACTOR: administrators and designated signatories must have a second factor. Without one
they sign in with their password and reach only the page that turns it on; tokens and signatures are refused
until then; it cannot be turned off. Everyone else, and every installation without the setting, is unchanged."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from accord.accounts import totp
from accord.accounts.models import ApiToken
from accord.accounts.services import confirm_identity
from accord.core.errors import ValidationFailed
from tests.accounts.conftest import code_for, enrol, user

ADMIN_PASSWORD = "accord-demo-admin"


@pytest.fixture
def required(settings):
    settings.ACCORD_REQUIRE_SECOND_FACTOR = True


def signed_in(name: str) -> Client:
    client = Client()
    client.force_login(user(name))
    return client


def test_an_administrator_without_one_is_sent_to_turn_it_on_first(seed, required):
    client = Client()
    signed = client.post("/login/", {"username": "admin", "password": ADMIN_PASSWORD, "next": "/workflow/"})
    assert signed.status_code == 302
    for path in ("/workflow/", "/admin/", "/account/", "/security/events/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == "/account/two-factor/", path
    api = client.get("/api/v1/plans")
    assert api.status_code == 403 and api.json()["code"] == "second_factor_required"
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and 'data-testid="two-factor-required"' in page.content.decode()
    device = totp.pending_device(user("admin"))
    assert client.post("/account/two-factor/", {"action": "enable", "code": code_for(device)}).status_code == 302
    assert client.get("/workflow/").status_code == 200
    assert client.get("/api/v1/plans").status_code == 200


def test_it_cannot_be_turned_off_while_required(seed, required):
    device = enrol(user("admin"))
    client = signed_in("admin")
    refused = client.post("/account/two-factor/", {"action": "disable", "code": code_for(device)})
    assert refused.status_code == 422 and "cannot be turned off" in refused.content.decode()
    assert totp.device_of(user("admin")) is not None


def test_no_token_without_it(seed, required):
    client = signed_in("cn-coordinator")
    issued = client.post(
        "/api/v1/tokens",
        {"name": "x", "password": "accord-demo-cn-coordinator"},
        content_type="application/json",
    )
    assert issued.status_code == 403  # the session itself is held at the enrolment page
    with pytest.raises(ValidationFailed) as refused:
        confirm_identity(RequestFactory().post("/api/v1/tokens"), user("cn-coordinator"), "accord-demo-cn-coordinator")
    assert refused.value.field == "otp"
    assert not ApiToken.objects.filter(user=user("cn-coordinator"), name="x").exists()


def test_others_are_not_asked(seed, required):
    client = signed_in("cas-reporter")  # a reporter signs nothing and administers nothing
    assert client.get("/workflow/").status_code == 200


def test_without_the_setting_nobody_is_held(seed):
    assert signed_in("admin").get("/workflow/").status_code == 200
