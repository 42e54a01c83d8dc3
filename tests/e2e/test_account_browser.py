"""A real browser against a real `accord serve` with a real SMTP server (aiosmtpd, on the loopback): an
administrator resets a forgotten password by e-mail, sets up a second factor from the page's secret, and then
signs in with the password and a one-time code. The same link a second time is refused."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django_otp.oath import TOTP

from tests.e2e.conftest import accord_serve
from tests.processes import free_port, fresh_installation

NEW_PASSWORD = "Lanzhou-reactor-1960-dawn"


class Inbox:
    """What the SMTP server received, message by message."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # aiosmtpd's hook
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(self.messages) >= count, "no e-mail arrived"
        return self.messages[count - 1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        data = fresh_installation(installation_template, tmp_path_factory.mktemp("account-serve-data"))
        with accord_serve(
            data, ACCORD_EMAIL_HOST="127.0.0.1", ACCORD_EMAIL_PORT=str(smtp.port), ACCORD_EMAIL_FROM="accord@test"
        ) as (url, env):
            set_email = (
                "from django.contrib.auth.models import User; "
                "User.objects.filter(username='admin').update(email='admin@example.org')"
            )
            done = subprocess.run(
                [sys.executable, "-m", "accord", "shell", "-c", set_email], env=env, capture_output=True, timeout=120
            )
            assert done.returncode == 0, done.stderr
            yield url, inbox
    finally:
        smtp.stop()


def code_for(secret: str, steps_ahead: int = 0) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def test_password_reset_by_email_then_two_factor_sign_in(browser, served) -> None:
    url, inbox = served
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    # Forgot the password: the sign-in page links to the reset, which mails a link.
    page.goto(f"{url}/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#id_email", "admin@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_test_id("reset-sent").wait_for()
    message = inbox.wait_for(1)
    link = re.search(r"(http://\S+/password-reset/\S+/)", message.replace("=\n", "")).group(1)
    assert link.startswith(url)

    page.goto(link)
    page.fill("#id_new_password1", "too-short")
    page.fill("#id_new_password2", "too-short")
    page.get_by_role("button", name="Set the new password").click()
    assert "at least 12 characters" in page.content()
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    page.get_by_role("button", name="Set the new password").click()
    page.get_by_test_id("reset-complete").wait_for()
    page.goto(link)  # used once: refused now
    page.get_by_test_id("reset-invalid").wait_for()

    # Sign in with the new password, then set up the second factor from the secret shown as text.
    page.goto(f"{url}/login/?next=/account/two-factor/")
    page.fill("#id_username", "ＡＤＭＩＮ")  # a width variant of the name is the same account
    page.fill("#id_password", NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/account/two-factor/")
    assert page.get_by_test_id("totp-qr").get_attribute("src").startswith("data:image/svg+xml")
    secret = page.get_by_test_id("totp-secret").inner_text()
    page.fill("#id_code", code_for(secret))
    page.get_by_role("button", name="Turn the second factor on").click()
    page.wait_for_url(f"{url}/account/")
    assert page.get_by_test_id("two-factor-state").inner_text().startswith("On")
    response = page.goto(f"{url}/account/")
    assert response is not None and "no-store" in response.headers["cache-control"]
    # Each change of a credential was told to the account's owner by e-mail: the reset, then the second factor.
    told = [inbox.wait_for(2), inbox.wait_for(3)]
    assert "Subject: Accord: your password was changed" in told[0] and "reset with a link" in told[0]
    assert "Subject: Accord: two-factor authentication turned on" in told[1]
    assert NEW_PASSWORD not in told[0] + told[1] and secret.replace(" ", "") not in told[1]
    page.get_by_role("button", name="Sign out").click()

    # Signing in now takes the password and then a one-time code.
    page.goto(f"{url}/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/login/code/")
    page.fill("#id_code", "000000" if code_for(secret, 1) != "000000" else "111111")
    page.get_by_role("button", name="Sign in").click()
    assert "That code is not right" in page.content()
    page.fill("#id_code", code_for(secret, 1))  # the next period's code: each code is accepted once
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{url}/admin/")
    assert "Site administration" in page.content() or "Accord administration" in page.content()
    context.close()
