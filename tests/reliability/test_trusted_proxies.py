"""Against a real `accord serve`: the client's address behind a reverse proxy, and the e-mail a credential change
sends through a real SMTP server.

Without ACCORD_TRUSTED_PROXIES, a client that writes X-Forwarded-For gains nothing: the log keeps its connection's
address and the sign-in throttle counts that address, however it varies the header. With the server's loopback
named as the proxy, each client behind it is logged and counted on its own, a client's own header entries to the
left of the proxy's are not believed, and the notice of a token issued through the API names the client's address.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller

from tests.accounts.test_reminders import Inbox
from tests.processes import free_port
from tests.reliability.conftest import Installations, Instance, server_errors, serving

pytestmark = pytest.mark.slow

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def fail_sign_in(url: str, username: str, forwarded: str) -> int:
    """One wrong password for `username` from a fresh browser that says it is `forwarded`; the status."""
    session = requests.Session()
    headers = {"X-Forwarded-For": forwarded}
    page = session.get(f"{url}/login/", headers=headers, timeout=60)
    token = CSRF.findall(page.text)[0]  # (every form of the page carries the same)
    body = {"csrfmiddlewaretoken": token, "username": username, "password": "not the password at all"}
    return session.post(f"{url}/login/", data=body, headers=headers, timeout=60).status_code


def logged_addresses(instance: Instance, prefix: str) -> list[str]:
    rows = instance.sql(
        f"SELECT address FROM accounts_securityevent WHERE kind = 'signin-failed' AND account LIKE '{prefix}%' "
        "ORDER BY id"
    )
    return [r[0] for r in rows]


@pytest.fixture(scope="module")
def instance(installations: Installations) -> Instance:
    return installations.new()


def test_without_trusted_proxies_a_spoofed_forwarded_for_is_ignored(instance: Instance) -> None:
    with serving(instance, workers=1) as server:
        statuses = [fail_sign_in(server.url, f"spoof-{n}", f"203.0.113.{n}") for n in range(1, 22)]
        # The 21st failure from one address locks it (20 free): a new name and a new header change nothing.
        assert statuses[:20] == [200] * 20, statuses
        assert fail_sign_in(server.url, "spoof-new", "198.51.100.77") == 429
        log = server.log_text()
    assert set(logged_addresses(instance, "spoof-")) == {"127.0.0.1"}
    assert server_errors(log) == []


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    found = Inbox()
    smtp = Controller(found, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        yield found, smtp.port
    finally:
        smtp.stop()


def test_behind_a_trusted_proxy_each_client_is_logged_counted_and_told_on_its_own(
    instance: Instance, inbox: Any
) -> None:
    messages, port = inbox
    instance.accord(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model as m; "
        "u = m().objects.get(username='cn-coordinator'); u.email = 'cn@example.org'; u.save()",
    )
    env = {
        "ACCORD_TRUSTED_PROXIES": "127.0.0.1",
        "ACCORD_EMAIL_HOST": "127.0.0.1",
        "ACCORD_EMAIL_PORT": str(port),
        "ACCORD_SITE_URL": "https://accord.example.org",
        "ACCORD_REMIND_HOUR": "off",  # only the notice in the inbox, no reminder digest
    }
    with serving(instance, workers=1, extra_env=env) as server:
        # 21 failures, each from its own client behind the proxy: none of them is held up by the others.
        statuses = [fail_sign_in(server.url, f"behind-{n}", f"203.0.113.{n}") for n in range(1, 22)]
        assert 429 not in statuses, statuses
        # A client's own entry to the left of what the proxy appended is not believed.
        fail_sign_in(server.url, "behind-left", "6.6.6.6, 198.51.100.8")
        # One client past its 20 free failures is held up; another is not.
        for n in range(21):
            fail_sign_in(server.url, f"same-{n}", "198.51.100.50")
        assert fail_sign_in(server.url, "same-new", "198.51.100.50") == 429
        assert fail_sign_in(server.url, "other-new", "198.51.100.51") == 200

        # A token issued through the API: its owner is told by e-mail, naming the client's address.
        session = requests.Session()
        headers = {"X-Forwarded-For": "203.0.113.200"}
        page = session.get(f"{server.url}/login/", headers=headers, timeout=60)
        signed = session.post(
            f"{server.url}/login/",
            data={
                "csrfmiddlewaretoken": CSRF.findall(page.text)[0],
                "username": "cn-coordinator",
                "password": "accord-demo-cn-coordinator",
            },
            headers=headers,
            timeout=60,
        )
        assert signed.status_code == 200 and "cn-coordinator" in signed.text
        token = CSRF.findall(session.get(f"{server.url}/account/", headers=headers, timeout=60).text)[0]
        issued = session.post(
            f"{server.url}/api/v1/tokens",
            json={"name": "from behind the proxy", "password": "accord-demo-cn-coordinator"},
            headers={**headers, "X-CSRFToken": token},
            timeout=60,
        )
        assert issued.status_code == 201, issued.text
        key = issued.json()["token"]
        log = server.log_text()

    addresses = logged_addresses(instance, "behind-")
    assert addresses[:21] == [f"203.0.113.{n}" for n in range(1, 22)] and addresses[21] == "198.51.100.8"
    (notice,) = [m for m in messages.to("cn@example.org") if "API" in m["Subject"]]  # (in Chinese: his party's)
    text = notice.get_body(preferencelist=("plain",)).get_content()
    assert "203.0.113.200" in text and "from behind the proxy" in text and key not in text
    assert "API" in text and "https://accord.example.org/password-reset/" in text
    assert server_errors(log) == []
