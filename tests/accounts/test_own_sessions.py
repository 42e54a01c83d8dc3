"""ASVS 3.3.4: a person sees where they are signed in (since when, last seen, address, browser, this one
marked) and ends any other of their sessions, or all of them but this one; never another account's."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.models import Session
from django.test import Client

from accord.accounts import sessions
from accord.accounts.models import SecurityEvent, SignedInSession
from tests.accounts.conftest import user

PASSWORD = {"cn-observer": "accord-demo-cn-observer", "cn-coordinator": "accord-demo-cn-coordinator"}


def signed_in(name: str, agent: str, address: str = "127.0.0.1") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post("/login/", {"username": name, "password": PASSWORD[name]})
    assert response.status_code == 302, response.status_code
    return client


def key_of(client: Client) -> str:
    return client.cookies["sessionid"].value


def test_signing_in_records_the_session_with_address_and_browser(seed):
    client = signed_in("cn-observer", "Firefox on the office laptop", "10.1.2.3")
    row = SignedInSession.objects.get(session_key=key_of(client))
    assert row.user == user("cn-observer")
    assert row.address == "10.1.2.3" and row.user_agent == "Firefox on the office laptop"
    assert row.started_at == row.last_seen_at


def test_last_seen_is_written_at_most_every_few_minutes(seed):
    client = signed_in("cn-observer", "A")
    row = SignedInSession.objects.get(session_key=key_of(client))
    client.get("/account/")
    assert SignedInSession.objects.get(pk=row.pk).last_seen_at == row.last_seen_at  # no write per request
    session = client.session
    session[sessions.SEEN] = [key_of(client), session[sessions.SEEN][1] - sessions.SEEN_EVERY.seconds - 1]
    session.save()
    client.get("/account/")
    later = SignedInSession.objects.get(pk=row.pk)
    assert later.last_seen_at > row.last_seen_at and later.started_at == row.started_at


def test_a_busy_database_does_not_fail_the_page_and_last_seen_is_written_later(seed, monkeypatch):
    """A signed-in page while a long import holds SQLite's one write lock (there the last-seen write fails at once,
    busy_timeout 0, rather than after 20 s): the page is answered, and a later request writes the time."""
    from django.db import OperationalError

    client = signed_in("cn-observer", "A")
    row = SignedInSession.objects.get(session_key=key_of(client))
    session = client.session
    session[sessions.SEEN] = [key_of(client), session[sessions.SEEN][1] - sessions.SEEN_EVERY.seconds - 1]
    session.save()
    write = SignedInSession.objects.update_or_create

    def locked(*args, **kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(SignedInSession.objects, "update_or_create", locked)
    assert client.get("/account/").status_code == 200
    assert SignedInSession.objects.get(pk=row.pk).last_seen_at == row.last_seen_at
    monkeypatch.setattr(SignedInSession.objects, "update_or_create", write)
    assert client.get("/account/").status_code == 200
    assert SignedInSession.objects.get(pk=row.pk).last_seen_at > row.last_seen_at  # written by the next request


def test_the_account_page_lists_own_sessions_and_marks_this_one(seed):
    laptop = signed_in("cn-observer", "Laptop browser")
    signed_in("cn-observer", "Phone browser")
    signed_in("cn-coordinator", "Someone else's browser")
    page = laptop.get("/account/").content.decode()
    assert page.count('data-testid="session"') == 2
    assert "Laptop browser" in page and "Phone browser" in page and "Someone else" not in page
    assert page.count('data-current="1"') == 1
    assert key_of(laptop) not in page  # the session key itself is never shown


def test_ending_another_session_signs_that_browser_out(seed):
    laptop = signed_in("cn-observer", "Laptop")
    phone = signed_in("cn-observer", "Phone")
    phone_row = SignedInSession.objects.get(session_key=key_of(phone))
    response = laptop.post("/account/sessions/end/", {"session": phone_row.pk})
    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone_row.session_key).exists()
    assert not SignedInSession.objects.filter(pk=phone_row.pk).exists()
    assert phone.get("/account/").status_code == 302  # back to the sign-in page
    assert laptop.get("/account/").status_code == 200
    assert SecurityEvent.objects.filter(kind="session-ended", account="cn-observer").exists()


def test_sign_out_everywhere_else_keeps_only_this_session(seed):
    laptop = signed_in("cn-observer", "Laptop")
    others = [signed_in("cn-observer", f"Browser {n}") for n in range(3)]
    stranger = signed_in("cn-coordinator", "Stranger")
    laptop.post("/account/sessions/end/", {"others": "1"})
    assert list(SignedInSession.objects.filter(user=user("cn-observer")).values_list("session_key", flat=True)) == [
        key_of(laptop)
    ]
    for other in others:
        assert other.get("/account/").status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert stranger.get("/account/").status_code == 200  # another account's sessions are not touched


def test_another_accounts_session_cannot_be_ended(seed):
    mine = signed_in("cn-observer", "Mine")
    theirs = signed_in("cn-coordinator", "Theirs")
    row = SignedInSession.objects.get(session_key=key_of(theirs))
    response = mine.post("/account/sessions/end/", {"session": row.pk})
    assert response.status_code == 403
    assert Session.objects.filter(session_key=row.session_key).exists()
    assert SignedInSession.objects.filter(pk=row.pk).exists()
    assert theirs.get("/account/").status_code == 200


def test_the_current_session_and_nonsense_are_refused_without_change(seed):
    client = signed_in("cn-observer", "Mine")
    row = SignedInSession.objects.get(session_key=key_of(client))
    response = client.post("/account/sessions/end/", {"session": row.pk}, follow=True)
    assert response.status_code == 200 and "sign out to end it" in response.content.decode()
    assert client.post("/account/sessions/end/", {"session": "x' or 1=1"}).status_code == 302
    assert client.post("/account/sessions/end/", {"session": 10**9}).status_code == 403
    assert SignedInSession.objects.filter(pk=row.pk).exists()
    assert client.get("/account/").status_code == 200


def test_anonymous_cannot_end_sessions(seed):
    theirs = signed_in("cn-coordinator", "Theirs")
    row = SignedInSession.objects.get(session_key=key_of(theirs))
    response = Client().post("/account/sessions/end/", {"session": row.pk})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert SignedInSession.objects.filter(pk=row.pk).exists()


def test_signed_out_and_expired_sessions_leave_the_list(seed):
    laptop = signed_in("cn-observer", "Laptop")
    gone = signed_in("cn-observer", "Signed out")
    expired = signed_in("cn-observer", "Expired")
    gone.post("/logout/")
    Session.objects.filter(session_key=key_of(expired)).update(expire_date=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    page = laptop.get("/account/").content.decode()
    assert page.count('data-testid="session"') == 1 and "Laptop" in page
    assert SignedInSession.objects.filter(user=user("cn-observer")).count() == 1
