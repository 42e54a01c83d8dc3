"""The one sign-in throttle (issue 17): every way in, normalised account names, progressive waits, no lock a
stranger can make permanent. Each reproduction of the issue is a test here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from accord.accounts import throttle
from accord.accounts.models import AttemptCounter, SecurityEvent
from accord.accounts.signin import DEVICE_COOKIE, normalise_username

ADMIN_PASSWORD = "accord-demo-admin"
OBSERVER_PASSWORD = "accord-demo-cn-observer"


def signed_in(client: Client) -> bool:
    return bool(client.session.get("_auth_user_id"))


def later(monkeypatch, seconds: int) -> None:
    """Move the throttle's clock on by `seconds`."""
    moved = timezone.now() + dt.timedelta(seconds=seconds)

    class Clock:
        @staticmethod
        def now():
            return moved

    monkeypatch.setattr(throttle, "timezone", Clock)


def test_admin_login_twenty_wrong_then_the_right_password_is_refused(client, seed):
    for n in range(20):
        response = client.post("/admin/login/", {"username": "admin", "password": f"wrong-{n}"})
        assert response.status_code in (200, 429)
        assert not signed_in(client)
    response = client.post("/admin/login/", {"username": "admin", "password": ADMIN_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not signed_in(client)
    assert client.get("/admin/").status_code == 302  # still sent to sign in
    kinds = set(SecurityEvent.objects.filter(account="admin").values_list("kind", flat=True))
    assert {"signin-failed", "lockout", "signin-refused"} <= kinds
    assert not SecurityEvent.objects.filter(kind="signin", account="admin").exists()


def test_admin_login_page_is_the_sites_own_and_signs_in(client, seed):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin", "password": ADMIN_PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert SecurityEvent.objects.filter(kind="signin", account="admin", channel="admin").count() == 1


def test_a_fullwidth_variant_is_the_same_account_and_shares_its_throttle(client, seed):
    for _ in range(5):
        client.post("/login/", {"username": "cn-observer", "password": "wrong"})
    response = client.post("/login/", {"username": "ｃｎ-observer", "password": OBSERVER_PASSWORD})
    assert response.status_code == 429 and not signed_in(client)
    response = client.post("/login/", {"username": "CN-OBSERVER", "password": OBSERVER_PASSWORD})
    assert response.status_code == 429 and not signed_in(client)


def test_variants_do_not_each_get_their_own_tries(client, seed):
    for name in ("CN-Observer", "ｃｎ-ｏｂｓｅｒｖｅｒ", "cn-observer", "Cn-Observer", "ＣＮ-OBSERVER"):
        client.post("/login/", {"username": name, "password": "wrong"})
    assert throttle.failures_of(throttle.subject("account", "cn-observer")) == 5
    assert client.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD}).status_code == 429


def test_a_variant_with_the_right_password_signs_in_as_the_one_account(client, seed):
    response = client.post("/login/", {"username": "ＣＮ-Observer", "password": OBSERVER_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(get_user_model().objects.get(username="cn-observer").pk)


def test_waits_double_after_the_free_attempts_up_to_a_cap(seed):
    subject = [throttle.subject("account", "nobody")]
    waits = [throttle.record_failure(subject).wait_seconds for _ in range(12)]
    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:9] == [30, 60, 120, 240, 480]
    assert waits[9:] == [900, 900, 900]  # never longer than 15 minutes after the last failure


def test_the_right_password_works_once_the_wait_is_over(client, seed, monkeypatch):
    for _ in range(6):
        client.post("/login/", {"username": "cn-observer", "password": "wrong"})
    assert client.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD}).status_code == 429
    later(monkeypatch, 61)
    response = client.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD})
    assert response.status_code == 302 and signed_in(client)
    assert throttle.failures_of(throttle.subject("account", "cn-observer")) == 0  # success forgets the account's


def test_a_stranger_cannot_lock_the_owner_out(seed, monkeypatch):
    owner = Client(REMOTE_ADDR="10.1.1.1")
    assert owner.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD}).status_code == 302
    assert DEVICE_COOKIE in owner.cookies
    owner.post("/logout/")

    stranger = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(40):
        stranger.post("/login/", {"username": "cn-observer", "password": f"guess-{n}"})
    assert stranger.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD}).status_code == 429

    # The owner's browser signed in before: the stranger's failures do not make it wait.
    response = owner.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD})
    assert response.status_code == 302 and signed_in(owner)
    # A new browser of the owner's waits at most 15 minutes after the stranger's last failure, then gets in.
    elsewhere = Client(REMOTE_ADDR="10.2.2.2")
    assert elsewhere.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD}).status_code == 429
    assert 0 < throttle.wait_for([throttle.subject("account", "cn-observer")]) <= 15 * 60 + 1
    later(monkeypatch, 15 * 60 + 1)
    assert elsewhere.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD}).status_code == 302


def test_a_forged_device_cookie_counts_as_no_cookie(seed):
    for _ in range(5):
        Client(REMOTE_ADDR="10.9.9.9").post("/login/", {"username": "cn-observer", "password": "wrong"})
    forger = Client(REMOTE_ADDR="10.3.3.3")
    forger.cookies[DEVICE_COOKIE] = "eyJhIjoiY24tb2JzZXJ2ZXIiLCJkIjoiMDAwMCJ9:forged:signature"
    assert forger.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD}).status_code == 429


def test_one_address_guessing_many_accounts_is_slowed_too(seed):
    guesser = Client(REMOTE_ADDR="10.7.7.7")
    for n in range(20):
        guesser.post("/login/", {"username": f"someone-{n}", "password": "wrong"})
    response = guesser.post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD})
    assert response.status_code == 429
    assert (
        Client(REMOTE_ADDR="10.8.8.8")
        .post("/login/", {"username": "cn-observer", "password": OBSERVER_PASSWORD})
        .status_code
        == 302
    )


def test_a_refused_attempt_while_waiting_is_not_counted_and_checks_no_password(client, seed):
    for _ in range(5):
        client.post("/login/", {"username": "cn-observer", "password": "wrong"})
    before = AttemptCounter.objects.get(subject="account:cn-observer").failures
    for _ in range(3):
        client.post("/login/", {"username": "cn-observer", "password": "wrong"})
    assert AttemptCounter.objects.get(subject="account:cn-observer").failures == before


# --- account names -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["cn-observer", "CN-Observer", "ｃｎ-observer", "ＣＮ－ＯＢＳＥＲＶＥＲ", " cn-observer "]
)
def test_names_normalise_to_one_form(typed):
    assert normalise_username(typed) == "cn-observer"


def test_creating_a_variant_of_a_taken_name_is_refused_and_writes_nothing(seed):
    users = get_user_model().objects
    count = users.count()
    for variant in ("ＡＤＭＩＮ", "Admin", "admin"):
        with pytest.raises(ValidationError, match="is taken"):
            users.create_user(username=variant, password="a-long-enough-password")
    assert users.count() == count


def test_a_new_account_is_stored_under_its_normalised_name(seed):
    made = get_user_model().objects.create_user(username="Ｎew-Reporter", password="a-long-enough-pass")
    made.refresh_from_db()
    assert made.username == "new-reporter"
    assert Client().post("/login/", {"username": "NEW-REPORTER", "password": "a-long-enough-pass"}).status_code == 302


def test_the_admin_refuses_a_variant_with_a_form_error(client, seed):
    client.post("/login/", {"username": "admin", "password": ADMIN_PASSWORD})
    count = get_user_model().objects.count()
    response = client.post(
        "/admin/auth/user/add/",
        {
            "username": "ＣＮ-Observer",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
            "usable_password": "true",
        },
    )
    assert response.status_code == 200
    assert "is taken" in response.content.decode()
    assert get_user_model().objects.count() == count


def test_the_migration_renames_existing_accounts_and_stops_on_a_clash():
    import importlib

    migration = importlib.import_module("accord.accounts.migrations.0003_normalise_usernames")

    class Rows(list):
        def values_list(self, *fields):
            return self

        def order_by(self, *fields):
            return self

    updates = {}

    class Manager:
        rows = Rows([(1, "Admin"), (2, "ｃｎ-observer"), (3, "plain")])

        def values_list(self, *fields):
            return self.rows

        def filter(self, pk):
            class Update:
                def update(self, username):
                    updates[pk] = username

            return Update()

    class Apps:
        def get_model(self, app, name):
            return type("User", (), {"objects": Manager()})

    migration.forwards(Apps(), None)
    assert updates == {1: "admin", 2: "cn-observer"}
    Manager.rows = Rows([(1, "Admin"), (2, "ADMIN")])
    updates.clear()
    with pytest.raises(RuntimeError, match="same name once normalised"):
        migration.forwards(Apps(), None)
    assert updates == {}
