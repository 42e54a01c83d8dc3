"""Passwords (12 characters at least, not common, checked offline) and password reset by e-mail: single use,
expiring, in the three interface languages, off when no mail server is configured."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    CommonPasswordValidator,
    MinimumLengthValidator,
    NumericPasswordValidator,
    validate_password,
)
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from accord.accounts import throttle
from accord.accounts.models import SecurityEvent
from accord.demo.seed import DEMO_ADMIN, DEMO_MEMBERS

NEW_PASSWORD = "Tianjin-harbour-1960-night"


@pytest.fixture
def mailing(settings):
    settings.ACCORD_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def observer(seed):
    account = get_user_model().objects.get(username="cn-observer")
    account.email = "observer@example.org"
    account.save()
    return account


@pytest.mark.parametrize("password", ["short-pw-11", "abcdefghijk"])
def test_passwords_under_twelve_characters_are_refused(password):
    with pytest.raises(ValidationError, match="at least 12 characters"):
        validate_password(password)


@pytest.mark.parametrize("password", ["password1234", "qwertyuiop123"])
def test_common_passwords_are_refused_offline(password):
    assert len(password) >= 12
    with pytest.raises(ValidationError, match="too common"):
        validate_password(password)


def test_the_demo_passwords_are_long_and_uncommon_and_documented_as_demo_only(seed):
    """They contain their account's name (so the similarity check would refuse them if typed into a form): they
    are for trying Accord only, listed in the README with the command that removes the accounts."""
    checks = [CommonPasswordValidator(), MinimumLengthValidator(12), NumericPasswordValidator()]
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    for username, password, *_ in [DEMO_ADMIN, *DEMO_MEMBERS]:
        validate_password(password, get_user_model().objects.get(username=username), password_validators=checks)
        assert f"`{password}`" in readme
    assert "accord demo --remove-accounts" in readme


def test_without_a_mail_server_the_reset_page_says_so_and_sends_nothing(client, observer):
    response = client.get("/password-reset/")
    assert 'data-testid="reset-unavailable"' in response.content.decode()
    client.post("/password-reset/", {"email": "observer@example.org"})
    assert mail.outbox == []


def _link(message) -> str:
    return re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)


def test_reset_by_email_sets_a_new_password_once(client, observer, mailing):
    response = client.post("/password-reset/", {"email": "observer@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["observer@example.org"]
    link = _link(mail.outbox[0])
    form_page = client.get(link, follow=True)
    assert "new_password1" in form_page.content.decode()
    weak = client.post(form_page.redirect_chain[-1][0], {"new_password1": "short", "new_password2": "short"})
    assert "at least 12 characters" in weak.content.decode()
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    assert Client().post("/login/", {"username": "cn-observer", "password": NEW_PASSWORD}).status_code == 302
    # The same link again: refused (the token covered the password it replaced).
    again = client.get(link, follow=True)
    assert 'data-testid="reset-invalid"' in again.content.decode()
    kinds = list(SecurityEvent.objects.filter(account="cn-observer").values_list("kind", flat=True))
    assert "password-reset-requested" in kinds and "password-changed" in kinds


def test_a_reset_link_expires(client, observer, mailing, settings):
    client.post("/password-reset/", {"email": "observer@example.org"})
    link = _link(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1  # as if the hour had passed
    assert 'data-testid="reset-invalid"' in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, observer, mailing):
    response = client.post("/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []


def test_guessing_addresses_is_throttled_per_client(observer, mailing):
    guesser = Client(REMOTE_ADDR="10.4.4.4")
    for n in range(20):
        guesser.post("/password-reset/", {"email": f"guess{n}@example.org"})
    assert guesser.post("/password-reset/", {"email": "observer@example.org"}).status_code == 429
    assert mail.outbox == []


def test_a_reset_lifts_the_accounts_sign_in_wait(client, observer, mailing):
    for _ in range(6):
        Client(REMOTE_ADDR="10.9.9.9").post("/login/", {"username": "cn-observer", "password": "wrong"})
    assert throttle.wait_for([throttle.subject("account", "cn-observer")]) > 0
    client.post("/password-reset/", {"email": "observer@example.org"})
    confirm = client.get(_link(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(confirm, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert throttle.wait_for([throttle.subject("account", "cn-observer")]) == 0


@pytest.mark.parametrize(
    ("language", "title"), [("en", "Reset your password"), ("zh-hans", "重置密码"), ("ru", "Сброс пароля")]
)
def test_the_reset_pages_speak_the_interface_languages(client, mailing, language, title):
    response = client.get("/password-reset/", HTTP_ACCEPT_LANGUAGE=language)
    assert title in response.content.decode()


def test_changing_the_password_when_signed_in_checks_the_policy(client, seed):
    client.post("/login/", {"username": "cn-observer", "password": "accord-demo-cn-observer"})
    weak = client.post(
        "/account/password/",
        {"old_password": "accord-demo-cn-observer", "new_password1": "password1234", "new_password2": "password1234"},
    )
    assert weak.status_code == 200 and "too common" in weak.content.decode()
    ok = client.post(
        "/account/password/",
        {"old_password": "accord-demo-cn-observer", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert ok.status_code == 302
    assert SecurityEvent.objects.filter(kind="password-changed", account="cn-observer").exists()


def test_a_password_change_signs_out_every_other_session(seed):
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        assert (
            browser.post("/login/", {"username": "cn-observer", "password": "accord-demo-cn-observer"}).status_code
            == 302
        )
    assert elsewhere.get("/account/").status_code == 200
    changed = here.post(
        "/account/password/",
        {"old_password": "accord-demo-cn-observer", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    assert here.get("/account/").status_code == 200  # the page that changed it keeps its session
    assert elsewhere.get("/account/").status_code == 302  # every other one is signed out
