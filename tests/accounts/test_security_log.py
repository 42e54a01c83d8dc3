"""The security event log: what is appended, who reads it (page, CSV, admin), and that only the service writes."""

from __future__ import annotations

import csv
import io

from django.test import Client

from accord.accounts import services as accounts
from accord.accounts.models import SecurityEvent
from tests.accounts.conftest import user


def admin_client() -> Client:
    client = Client()
    assert client.post("/login/", {"username": "admin", "password": "accord-demo-admin"}).status_code == 302
    return client


def test_sign_ins_failures_and_sign_outs_are_logged_with_address_and_channel(seed):
    client = Client(REMOTE_ADDR="10.5.5.5")
    client.post("/login/", {"username": "CN-Observer", "password": "wrong"})
    client.post("/login/", {"username": "cn-observer", "password": "accord-demo-cn-observer"})
    client.post("/logout/")
    events = list(SecurityEvent.objects.filter(account="cn-observer").order_by("id"))
    assert [e.kind for e in events] == ["signin-failed", "signin", "signout"]
    assert {e.address for e in events} == {"10.5.5.5"} and {e.channel for e in events} == {"page"}
    assert events[1].user == user("cn-observer") and events[1].request_id


def test_failures_for_unknown_accounts_are_logged_under_the_name_tried(seed):
    Client().post("/login/", {"username": "Ｍallory", "password": "x"})
    event = SecurityEvent.objects.get(kind="signin-failed", account="mallory")
    assert event.user is None


def test_tokens_issued_revoked_and_refused_are_logged(seed):
    token, key = accounts.issue_token(user("cn-observer"), "harvester")
    accounts.revoke_token(token)
    Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/v1/plans")
    kinds = list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds[-3:] == ["token-issued", "token-revoked", "token-refused"]


def test_permission_refusals_are_logged_on_every_channel(seed):
    observer = Client()
    observer.post("/login/", {"username": "cn-observer", "password": "accord-demo-cn-observer"})
    observer.get("/security/events/")
    observer.post("/api/v1/plans", {}, content_type="application/json")
    refused = SecurityEvent.objects.filter(kind="permission-refused", account="cn-observer")
    assert {e.channel for e in refused} >= {"page"}
    assert any("/security/events/" in e.detail for e in refused)


def test_only_administrators_read_the_log(seed):
    observer = Client()
    observer.post("/login/", {"username": "cn-observer", "password": "accord-demo-cn-observer"})
    assert observer.get("/security/events/").status_code == 403
    assert observer.get("/security/events/?format=csv").status_code == 403
    assert Client().get("/security/events/").status_code == 302  # to sign in


def test_the_page_filters_and_exports_csv(seed):
    Client().post("/login/", {"username": "cn-observer", "password": "wrong"})
    admin = admin_client()
    page = admin.get("/security/events/", {"kind": "signin-failed"})
    html = page.content.decode()
    assert page.status_code == 200 and "cn-observer" in html
    exported = admin.get("/security/events/", {"kind": "signin-failed", "format": "csv"})
    assert exported["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(exported.content.decode())))
    assert rows[0] == ["at", "kind", "account", "address", "channel", "detail", "request_id"]
    assert {r[1] for r in rows[1:]} == {"signin-failed"} and "cn-observer" in {r[2] for r in rows[1:]}


def test_csv_cells_that_would_run_as_formulas_are_defused(seed):
    Client().post("/login/", {"username": '=HYPERLINK("x")', "password": "x"})
    rows = list(csv.reader(io.StringIO(admin_client().get("/security/events/?format=csv").content.decode())))
    assert not any(cell.startswith("=") for row in rows for cell in row)


def test_the_admin_shows_the_log_read_only(seed):
    admin = admin_client()
    event = SecurityEvent.objects.get(kind="signin", account="admin")
    assert admin.get("/admin/accounts/securityevent/").status_code == 200
    assert admin.get(f"/admin/accounts/securityevent/{event.pk}/change/").status_code == 200
    assert admin.get("/admin/accounts/securityevent/add/").status_code == 403
    assert admin.post(f"/admin/accounts/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()
