"""The client's address behind a reverse proxy (core.clientaddr): X-Forwarded-For is read only when the connection
comes from a proxy named in ACCORD_TRUSTED_PROXIES, right to left, skipping the trusted proxies; a header a client
sets itself is never believed. Every use of the address follows it: the security log, the sign-in throttle, the
export rate and the notices of credential changes (through the request's actor)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.test import Client, RequestFactory

from accord.accounts import signin
from accord.accounts.models import SecurityEvent
from accord.core import throttle
from accord.core.clientaddr import client_address, parse_networks, resolve

PROXIES = parse_networks(["10.0.0.1", "172.16.0.0/12", "fd00::/8"])


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("198.51.100.9", "203.0.113.5", "198.51.100.9"),  # not a trusted proxy: the header is ignored
        ("10.0.0.1", "203.0.113.5", "203.0.113.5"),  # the proxy's word for its client
        ("10.0.0.1", "1.2.3.4, 203.0.113.5", "203.0.113.5"),  # what the client wrote itself is to the left
        ("10.0.0.1", "203.0.113.5, 172.16.4.4", "203.0.113.5"),  # through two of our proxies
        ("10.0.0.1", "", "10.0.0.1"),  # no header: the proxy itself
        ("10.0.0.1", "172.16.4.4, 172.20.0.1", "172.16.4.4"),  # only our proxies: the farthest one
        ("10.0.0.1", "203.0.113.5, not-an-address", "10.0.0.1"),  # garbage where a proxy writes: no further
        ("10.0.0.1", "203.0.113.5:51234", "203.0.113.5"),  # with a port
        ("fd00::1", "[2001:db8::7]:443", "2001:db8::7"),
        ("fd00::1", "2001:db8::7", "2001:db8::7"),
        ("10.0.0.2", "203.0.113.5", "10.0.0.2"),  # one address off the trusted one
    ],
)
def test_the_client_is_the_first_untrusted_address_from_the_right(peer, forwarded, client):
    assert resolve(peer, forwarded, PROXIES) == client


def test_a_wrong_entry_in_the_setting_is_named():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.300'"):
        parse_networks(["10.0.0.1", "10.0.0.300"])


def test_a_wrong_setting_stops_the_start_naming_it(tmp_path):
    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path), "ACCORD_TRUSTED_PROXIES": "10.0.0.1, proxy.local"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-m", "accord", "check"], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "ACCORD_TRUSTED_PROXIES: 'proxy.local'" in done.stderr


def test_without_the_setting_the_header_is_ignored(settings):
    settings.ACCORD_TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert client_address(request) == "127.0.0.1"


def failed_sign_in(forwarded: str, peer: str = "10.0.0.1") -> None:
    Client(REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=forwarded).post(
        "/login/", {"username": "cn-observer", "password": "not the password"}
    )


def test_the_security_log_records_the_client_behind_a_trusted_proxy(seed, settings):
    settings.ACCORD_TRUSTED_PROXIES = ["10.0.0.1"]
    failed_sign_in("1.1.1.1, 203.0.113.5")
    failed_sign_in("203.0.113.5", peer="198.51.100.9")  # a spoof from outside: its own address is kept
    events = SecurityEvent.objects.filter(kind="signin-failed", account="cn-observer").order_by("id")
    assert [e.address for e in events] == ["203.0.113.5", "198.51.100.9"]


def test_the_sign_in_throttle_counts_the_client_not_the_proxy(seed, settings):
    settings.ACCORD_TRUSTED_PROXIES = ["10.0.0.1"]
    request = RequestFactory().post("/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert signin.address_subjects(request) == [throttle_subject("203.0.113.5")]
    spoofed = RequestFactory().post("/login/", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert signin.address_subjects(spoofed) == [throttle_subject("198.51.100.9")]


def throttle_subject(address: str) -> str:
    from accord.accounts import throttle as signin_throttle

    return signin_throttle.subject("address", address)


def test_the_export_rate_counts_the_client_not_the_proxy(settings):
    settings.ACCORD_TRUSTED_PROXIES = ["10.0.0.1"]
    request = RequestFactory().get("/projects/export.csv", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert throttle.client_key(request) == ("addr:203.0.113.5", True)
    spoofed = RequestFactory().get("/x", REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert throttle.client_key(spoofed) == ("addr:198.51.100.9", True)
