"""Every change of a credential is told to the account's owner by e-mail (ASVS 2.2.3, 2.5.5), whatever the channel:
a password changed on the account page, reset by the e-mailed link, set by an administrator or `changepassword`;
a second factor turned on or off (by the person, or removed by an administrator); an API token issued or revoked
through the API or the CLI; a signing key made or revoked through the API or the CLI. The notice is in the
recipient's language, says when, from where and what to do, and holds no secret."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from accord.accounts import credentials, services
from accord.accounts.models import ApiToken, Preferences, SecurityEvent
from accord.demo.seed import DEMO_PASSPHRASES
from accord.signing.models import SigningKey
from tests.accounts.conftest import code_for, enrol, user
from tests.api.conftest import api_as

NEW_PASSWORD = "Tianjin-harbour-1960-night"
CN_PASSWORD = "accord-demo-cn-coordinator"


@pytest.fixture
def mailing(settings: Any, seed: Any, django_capture_on_commit_callbacks: Any) -> Any:
    """E-mail on (Django's local-memory outbox), addresses for the demo accounts, and the notices that wait for
    the change's commit sent when the test's block ends."""
    settings.ACCORD_EMAIL_ENABLED = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ACCORD_SITE_URL = "https://accord.example.org"
    for name in ("admin", "cn-coordinator", "su-coordinator", "cas-reporter"):
        account = user(name)
        account.email = f"{name}@example.org"
        account.save(update_fields=["email"])
        Preferences.objects.update_or_create(user=account, defaults={"language": "en"})  # (test_..._language)
    mail.outbox.clear()
    return lambda: django_capture_on_commit_callbacks(execute=True)


def to(address: str) -> list[Any]:
    return [m for m in mail.outbox if m.to == [address]]


def only_notice(address: str) -> Any:
    found = to(address)
    assert len(found) == 1, [m.subject for m in mail.outbox]
    return found[0]


def signed_in(name: str) -> Client:
    client = Client(REMOTE_ADDR="192.0.2.7")
    client.force_login(user(name))
    return client


def assert_says_what_to_do(message: Any) -> None:
    body = message.body
    assert "https://accord.example.org/password-reset/" in body and "https://accord.example.org/account/" in body
    assert re.search(r"security event \d+", body)
    assert message.extra_headers.get("Auto-Submitted") == "auto-generated"


def test_a_password_changed_on_the_account_page_is_told_with_when_and_where(mailing):
    client = signed_in("cas-reporter")
    with mailing():
        response = client.post(
            "/account/password/",
            {"old_password": "accord-demo-cas-reporter", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
    assert response.status_code == 302
    notice = only_notice("cas-reporter@example.org")
    assert "password was changed" in notice.subject
    assert "The password of your Accord account cas-reporter was changed." in notice.body
    assert "from the address 192.0.2.7, through the web pages" in notice.body
    assert NEW_PASSWORD not in notice.body and "accord-demo-cas-reporter" not in notice.body
    assert "When: " in notice.body and "(UTC)" in notice.body
    assert_says_what_to_do(notice)
    event = SecurityEvent.objects.get(kind="password-changed", account="cas-reporter")
    assert event.address == "192.0.2.7" and event.channel == "page" and f"security event {event.pk}" in notice.body


def test_a_password_reset_by_the_emailed_link_is_told_as_a_reset(mailing):
    client = Client()
    with mailing():
        client.post("/password-reset/", {"email": "cas-reporter@example.org"})
    (link,) = re.findall(r"https?://\S+/password-reset/\S+/\S+/", only_notice("cas-reporter@example.org").body)
    mail.outbox.clear()
    form = client.get(link.split("accord.example.org")[-1].replace("http://testserver", ""), follow=True)
    with mailing():
        done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    notice = only_notice("cas-reporter@example.org")
    assert "was reset with a link sent by e-mail" in notice.body and NEW_PASSWORD not in notice.body
    event = SecurityEvent.objects.get(kind="password-changed", account="cas-reporter")
    assert event.detail == "by e-mail reset"


def test_a_password_set_by_an_administrator_in_the_admin_is_told_naming_who(mailing):
    client = signed_in("admin")
    target = user("cas-reporter")
    with mailing():
        response = client.post(
            f"/admin/auth/user/{target.pk}/password/",
            {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
        )
    assert response.status_code == 302, response.content[:500]
    notice = only_notice("cas-reporter@example.org")
    assert "through the administration pages" in notice.body and "By: admin" in notice.body
    assert to("admin@example.org") == []  # the owner of the account is told, not the administrator
    assert SecurityEvent.objects.get(kind="password-changed", account="cas-reporter").channel == "admin"


def test_a_password_changed_on_the_command_line_is_told(mailing, monkeypatch):
    monkeypatch.setattr(
        "django.contrib.auth.management.commands.changepassword.getpass.getpass", lambda prompt: NEW_PASSWORD
    )
    with mailing():
        call_command("changepassword", "cas-reporter", stdout=io.StringIO())
    notice = only_notice("cas-reporter@example.org")
    assert "on the server itself" in notice.body
    assert get_user_model().objects.get(username="cas-reporter").check_password(NEW_PASSWORD)


def test_a_new_accounts_first_password_is_not_a_change(mailing):
    with mailing():
        get_user_model().objects.create_user("new-reporter", email="new@example.org", password=NEW_PASSWORD)
    assert mail.outbox == []
    assert not SecurityEvent.objects.filter(kind="password-changed", account="new-reporter").exists()


def test_the_second_factor_turned_on_and_off_by_its_owner_is_told(mailing):
    client = signed_in("admin")
    client.get("/account/two-factor/")
    from accord.accounts import totp

    pending = totp.pending_device(user("admin"))
    with mailing():
        assert client.post("/account/two-factor/", {"action": "enable", "code": code_for(pending)}).status_code == 302
    on = only_notice("admin@example.org")
    assert "turned on" in on.subject and "Two-factor authentication was turned on" in on.body
    assert pending.bin_key.hex() not in on.body and totp.secret_text(pending).replace(" ", "") not in on.body
    mail.outbox.clear()
    with mailing():
        off = client.post("/account/two-factor/", {"action": "disable", "code": code_for(pending, 1)})
    assert off.status_code == 302
    assert "turned off" in only_notice("admin@example.org").subject


def test_a_second_factor_removed_by_an_administrator_is_told_to_its_owner(mailing):
    device = enrol(user("cn-coordinator"))
    client = signed_in("admin")
    with mailing():
        response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    notice = only_notice("cn-coordinator@example.org")
    assert "turned off" in notice.body and "By: admin" in notice.body
    assert SecurityEvent.objects.get(kind="otp-disabled", account="cn-coordinator").detail == "by an administrator"


def test_the_admin_shows_no_second_factor_secret_and_adds_none(seed):
    device = enrol(user("cn-coordinator"))
    client = signed_in("admin")
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    assert device.key not in page
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403


def test_an_api_token_issued_and_revoked_through_the_api_is_told_without_its_key(mailing):
    client = signed_in("cn-coordinator")
    with mailing():
        issued = client.post(
            "/api/v1/tokens", {"name": "harvester", "password": CN_PASSWORD}, content_type="application/json"
        )
    assert issued.status_code == 201
    key, prefix = issued.json()["token"], issued.json()["prefix"]
    notice = only_notice("cn-coordinator@example.org")
    assert "“harvester”" in notice.body and prefix in notice.body and "through the API" in notice.body
    assert key not in notice.body and key.rsplit("_", 1)[1] not in notice.body and CN_PASSWORD not in notice.body
    mail.outbox.clear()
    with mailing():
        assert client.delete(f"/api/v1/tokens/{prefix}").status_code == 204
    assert "revoked" in only_notice("cn-coordinator@example.org").body


def test_an_api_token_issued_and_revoked_on_the_command_line_is_told(mailing):
    with mailing():
        call_command("token", "issue", "cn-coordinator", "nightly export", stdout=io.StringIO())
    token = ApiToken.objects.get(name="nightly export")
    assert "“nightly export”" in only_notice("cn-coordinator@example.org").body
    mail.outbox.clear()
    with mailing():
        call_command("token", "revoke", token.prefix, stdout=io.StringIO())
    assert "revoked" in only_notice("cn-coordinator@example.org").subject


def test_a_signing_key_made_through_the_api_is_told_to_its_partys_coordinators(mailing, seed):
    cn = api_as("cn-coordinator")
    mail.outbox.clear()
    with mailing():
        made = cn.post(f"/people/{seed.liu_xiao.pk}/signing-key", {"passphrase": "a long enough passphrase"})
    key = SigningKey.objects.get(pk=made.json()["id"])
    notice = only_notice("cn-coordinator@example.org")
    assert key.fingerprint in notice.body and "signing key" in notice.subject
    assert "a long enough passphrase" not in notice.body
    assert to("su-coordinator@example.org") == []  # the other side's coordinators are not told
    assert SecurityEvent.objects.filter(kind="key-created", account="cn-coordinator").exists()


def test_a_signing_key_revoked_on_the_command_line_is_told_to_the_coordinators(mailing, seed):
    key = SigningKey.objects.get(person=seed.wu_heng, revoked_on__isnull=True)
    with mailing():
        call_command("signing-key", "revoke", str(seed.wu_heng.pk), stdout=io.StringIO())
    notice = only_notice("cn-coordinator@example.org")
    assert "was revoked" in notice.body and key.fingerprint in notice.body and "on the server itself" in notice.body
    assert DEMO_PASSPHRASES["wu_heng"] not in notice.body


@pytest.mark.parametrize(
    ("language", "subject", "sentence"),
    [
        ("zh-hans", "密码", "您的 Accord 账户 cas-reporter 的密码已更改。"),
        ("ru", "пароль", "Пароль вашей учётной записи Accord cas-reporter изменён."),
    ],
)
def test_the_notice_is_in_the_recipients_language(mailing, language, subject, sentence):
    Preferences.objects.filter(user=user("cas-reporter")).update(language=language)
    account = user("cas-reporter")
    with mailing():
        account.set_password(NEW_PASSWORD)
        account.save()
    notice = only_notice("cas-reporter@example.org")
    assert subject in notice.subject and sentence in notice.body
    assert "If it was not you" not in notice.body  # translated as a whole


def test_nothing_is_sent_for_a_change_that_is_rolled_back(mailing):
    account = user("cas-reporter")
    with mailing(), pytest.raises(RuntimeError), transaction.atomic():
        account.set_password(NEW_PASSWORD)
        account.save()
        raise RuntimeError("the change is undone")
    assert mail.outbox == []


def test_with_email_off_the_change_is_still_logged(mailing, settings):
    settings.ACCORD_EMAIL_ENABLED = False
    with mailing():
        services.issue_token(user("cn-coordinator"), "quiet")
    assert mail.outbox == []
    assert SecurityEvent.objects.filter(kind="token-issued", account="cn-coordinator").exists()


def test_a_mail_server_that_fails_does_not_undo_the_change(mailing, settings, caplog):
    from tests.processes import free_port

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with mailing():
        token, _ = services.issue_token(user("cn-coordinator"), "while the mail server is down")
    assert ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).exists()
    assert "not sent" in caplog.text


def test_only_credential_changes_are_notices(seed):
    with pytest.raises(ValueError, match="not a change of credentials"):
        credentials.changed("signin", user=user("admin"))
