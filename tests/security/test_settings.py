"""Security settings as a browser meets them: headers, no inline script, cookies over TLS, CSRF, hashing, uploads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import Client, override_settings

from accord.core.pages.records import record_types

pytestmark = pytest.mark.django_db

STRICT = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
    "form-action 'self'",
}


def policy(response) -> set[str]:
    return {d.strip() for d in response["Content-Security-Policy"].split(";") if d.strip()}


class InlineFinder(HTMLParser):
    """Collects what a strict policy would block: inline scripts, event-handler attributes, inline styles."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self.scripts: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=...>")
            if name == "style":
                self.blocked.append(f"<{tag} style={value!r}>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.blocked.append(f"<{tag} {name}=javascript:>")
        if tag == "style":
            self.blocked.append("<style>")
        if tag == "script":
            if names.get("src"):
                self.scripts.append(names["src"] or "")
            elif (names.get("type") or "").lower() not in ("application/json", "application/ld+json"):
                self._in_inline_script = True  # a data block is never run; anything else would be

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.blocked.append(f"<script>{data.strip()[:40]}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def inline_parts(html: str) -> InlineFinder:
    finder = InlineFinder()
    finder.feed(html)
    return finder


@pytest.fixture
def coordinator(seed) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="cn-coordinator"))
    return client


def page_urls(seed) -> list[str]:
    """The home page, every list page and the first record's page of each kind that has records."""
    urls = ["/", "/dashboard/", "/search/?q=1960"]
    for rt in record_types():
        urls.append(f"/{rt.kind}/")
        first = rt.model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if first is not None:
            urls.append(f"/{rt.kind}/{first}/")
    return urls


def test_main_pages_carry_the_strict_policy_and_no_inline_script(coordinator, seed):
    checked = 0
    for url in page_urls(seed):
        response = coordinator.get(url)
        if response.status_code == 404:
            continue  # a page another part of Accord has not added yet
        assert response.status_code == 200, url
        assert policy(response) == STRICT, url
        found = inline_parts(response.content.decode())
        assert found.blocked == [], (url, found.blocked[:5])
        assert all(src.startswith("/static/") for src in found.scripts), (url, found.scripts)
        checked += 1
    assert checked >= 10


@pytest.mark.parametrize("url", ["/", "/login/", "/api/v1/plans"])
def test_every_kind_of_response_carries_the_security_headers(client, seed, url):
    response = client.get(url)
    assert policy(response) == STRICT
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_login_page_has_no_inline_script(client):
    response = client.get("/login/")
    assert response.status_code == 200
    assert inline_parts(response.content.decode()).blocked == []


def test_api_docs_work_under_the_strict_policy(client):
    """django-ninja's Swagger UI page loads its settings as a JSON data block and its code from static files."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert policy(response) == STRICT
    found = inline_parts(response.content.decode())
    assert found.blocked == []
    assert len(found.scripts) >= 2
    for src in found.scripts:
        assert src.startswith(settings.STATIC_URL) or src.startswith("/" + settings.STATIC_URL)
        assert finders.find(src.split(settings.STATIC_URL, 1)[1]), src  # served by Accord, not a CDN
    assert client.get("/api/v1/openapi.json").status_code == 200


def tls_settings() -> dict:
    """The settings module as it loads with ACCORD_TLS=1 (a fresh process: settings are read once)."""
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SECURE_HSTS_SECONDS",
    ]
    env = {k: v for k, v in os.environ.items() if k != "ACCORD_DATABASE_URL"}
    env |= {"ACCORD_TLS": "1", "ACCORD_DATA_DIR": str(settings.DATA_DIR)}
    code = f"import json, accord.settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    values = json.loads(out)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"] or ())
    return values


def test_without_tls_nothing_insists_on_https():
    assert not settings.SESSION_COOKIE_SECURE and not settings.SECURE_SSL_REDIRECT
    assert settings.SECURE_HSTS_SECONDS == 0


def test_behind_tls_cookies_are_secure_hsts_is_sent_and_http_is_redirected(seed):
    tls = tls_settings()
    assert tls["SESSION_COOKIE_SECURE"] and tls["CSRF_COOKIE_SECURE"] and tls["SECURE_SSL_REDIRECT"]
    assert tls["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert tls["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    with override_settings(**tls):
        client = Client(HTTP_X_FORWARDED_PROTO="https")
        page = client.get("/login/")
        assert page.status_code == 200
        assert page["Strict-Transport-Security"] == f"max-age={tls['SECURE_HSTS_SECONDS']}"
        assert page.cookies["csrftoken"]["secure"] and page.cookies["csrftoken"]["httponly"]
        signed_in = client.post(
            "/login/", {"username": "cn-coordinator", "password": "accord-demo-cn-coordinator"}, follow=False
        )
        assert signed_in.status_code == 302
        session = signed_in.cookies[settings.SESSION_COOKIE_NAME]
        assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
        assert session["max-age"] == 8 * 3600
        plain = Client().get("/login/")
        assert plain.status_code == 301 and plain["Location"].startswith("https://")


def test_forms_refuse_a_post_without_the_csrf_token(seed):
    client = Client(enforce_csrf_checks=True)
    refused = client.post("/login/", {"username": "cn-coordinator", "password": "accord-demo-cn-coordinator"})
    assert refused.status_code == 403
    page = client.get("/login/")
    token = page.cookies["csrftoken"].value
    accepted = client.post(
        "/login/",
        {"username": "cn-coordinator", "password": "accord-demo-cn-coordinator", "csrfmiddlewaretoken": token},
    )
    assert accepted.status_code == 302
    # Signed in, a record form still needs the token.
    journal = client.post(f"/plans/{seed.plan_1960.pk}/journal/", {"occurred_on": "1960-02-26", "text": "note"})
    assert journal.status_code == 403


def test_passwords_are_hashed_with_argon2id(seed):
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert get_user_model().objects.get(username="cn-coordinator").password.startswith("argon2$argon2id$")


def test_uploads_live_in_the_data_dir_outside_the_static_root():
    media, static, data = (Path(p).resolve() for p in (settings.MEDIA_ROOT, settings.STATIC_ROOT, settings.DATA_DIR))
    assert media.is_relative_to(data)
    assert not media.is_relative_to(static) and not static.is_relative_to(media)
    assert settings.MEDIA_URL in ("", "/")  # uploads are not served as static files; views check who may read them
    assert 0 < settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 100 * 1024 * 1024
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o640


def test_sessions_end_after_a_working_day():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
