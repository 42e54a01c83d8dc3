"""Reminders: what falls due for each person through their roles, on their page and by e-mail.

The digest goes to a real SMTP server (aiosmtpd on the loopback) through Django's SMTP backend, sent by the job
worker's daily job; each due thing once, in the recipient's language.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.accounts.models import Preferences, ReminderSent
from accord.accounts.reminders import digests, language_of
from accord.core.reminders import reminders_for
from accord.jobs.models import Job
from accord.jobs.runner import queue_scheduled, run_pending
from accord.meetings.services.minutes import start_minutes
from accord.programmes import services as programmes
from accord.programmes.models import Exchange, PlanItemResponsibility
from tests.processes import free_port


def reminder_jobs(now=None):
    """The reminder digests queued now (the worker's other daily upkeep, the security log's prune, left out)."""
    return [job for job in queue_scheduled(now) if job.kind == "reminders"]


def account(name: str) -> Any:
    return get_user_model().objects.get(username=name)


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # aiosmtpd's hook
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def to(self, address: str) -> list[Any]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    """A real SMTP server, and Accord's e-mail settings pointing at it (as ACCORD_EMAIL_HOST/PORT would)."""
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.ACCORD_EMAIL_ENABLED = True
    settings.ACCORD_REMIND_HOUR = 0  # the daily job is due from midnight: any time the test runs
    settings.DEFAULT_FROM_EMAIL = "accord@test"
    settings.ACCORD_SITE_URL = "https://accord.example.org"
    try:
        yield inbox
    finally:
        server.stop()


@pytest.fixture
def addresses(seed: Any) -> dict[str, str]:
    """E-mail addresses for the demo's reporter of CAS (Chinese by her party), the SU coordinator (Russian by his)
    and the MSU reporter, who chose English in the interface."""
    found = {}
    for name in ("cas-reporter", "su-coordinator", "msu-reporter"):
        user = account(name)
        user.email = f"{name}@example.org"
        user.save(update_fields=["email"])
        found[name] = user.email
    Preferences.objects.create(user=account("msu-reporter"), language="en")
    return found


@pytest.fixture
def draft_plan(seed: Any) -> Any:
    """A draft 1961 plan under the protocol with two items."""
    from accord.programmes.models import Plan, Project

    plan = programmes.create_plan(
        agreement=seed.protocol,
        kind=Plan.Kind.ANNUAL,
        visibility="bilateral",
        title={"en": "1961 cooperation plan", "zh": "1961年合作计划", "ru": "План сотрудничества на 1961 год"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    for project in Project.objects.filter(agreement=seed.protocol).order_by("number")[:2]:
        programmes.add_plan_item(plan, project, objectives={"en": "Continue the work"})
    plan.refresh_from_db()
    return plan


def body(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


# --- who owes what ------------------------------------------------------------------------------------------


def test_a_reporter_owes_her_institutions_reports_and_its_coordinator_waits_for_them(seed):
    cas = account("cas-reporter")
    owed = reminders_for(cas)
    assert owed.owe and {d.kind for d in owed.owe} == {"progress"}
    cas_org = cas.memberships.get().organisation_id
    expected = PlanItemResponsibility.objects.filter(
        organisation_id=cas_org, plan_item__plan__uid=seed.plan_1960.uid
    ).count()
    assert len(owed.owe) == expected  # nobody reported on the 1960 plan yet
    waited = reminders_for(account("cn-coordinator")).wait
    assert {d.key for d in owed.owe} <= {d.key for d in waited}
    assert not reminders_for(account("cn-observer"))  # an observer owes nothing and waits for nothing


def test_the_receiving_side_owes_a_receipt_that_the_sending_side_waits_for(seed):
    shipment = Exchange.objects.awaiting_receipt().get()
    key = f"receipt:{shipment.uid}"
    receiving = account(f"{shipment.to_party.code.lower()}-coordinator")
    sending = account(f"{shipment.from_party.code.lower()}-coordinator")
    assert key in {d.key for d in reminders_for(receiving).owe}
    assert key in {d.key for d in reminders_for(sending).wait}
    assert key not in {d.key for d in reminders_for(sending).owe}


def test_proposed_plans_and_draft_minutes_await_each_party(seed, draft_plan):
    plan = programmes.transition_plan(draft_plan, "proposed", expected_version=draft_plan.version)
    cn, su = account("cn-coordinator"), account("su-coordinator")
    assert any(d.kind == "plan-approval" and d.record == plan for d in reminders_for(cn).owe)
    programmes.approve_plan(plan, party=seed.cn, expected_version=plan.version, approved_on=dt.date(1960, 12, 1))
    assert not any(d.kind == "plan-approval" for d in reminders_for(cn).owe)
    assert any(d.kind == "plan-approval" for d in reminders_for(cn).wait)  # for the Soviet side's agreement
    assert any(d.kind == "plan-approval" for d in reminders_for(su).owe)

    start_minutes(seed.meeting, {"en": "The delegations met in Moscow."}, party=seed.cn, author_name="tester")
    owed = [d for d in reminders_for(su).owe if d.kind == "minutes-sign-off"]
    assert len(owed) == 1 and owed[0].url  # linked to a page the coordinator can read


# --- the person's page ----------------------------------------------------------------------------------------


def test_the_page_shows_what_i_owe_and_a_resolved_thing_disappears(client, seed):
    cas = account("cas-reporter")
    client.force_login(cas)
    page = client.get("/workflow/").content.decode()
    first = reminders_for(cas).owe[0]
    assert "What I owe" in page and "What I wait for" in page
    assert f'data-key="{first.key}"' in page and f'href="{first.url}"' in page
    count = len(reminders_for(cas).owe)
    assert f'<span class="count" data-testid="owe-count">{count}</span>' in page
    assert page.count("<li data-key=") <= 20  # one page of each list, however much falls due

    item, organisation = first.record, cas.memberships.get().organisation
    programmes.record_progress(
        item,
        reporting_organisation=organisation,
        period_start=item.plan.period_start,
        period_end=item.plan.period_end,
        status="on_track",
        percent=50,
    )
    page = client.get("/workflow/").content.decode()
    assert f'data-key="{first.key}"' not in page
    assert f'<span class="count" data-testid="owe-count">{count - 1}</span>' in page


def test_the_page_speaks_the_readers_language(client, seed):
    client.force_login(account("cas-reporter"))
    page = client.get("/workflow/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "我应完成的" in page and "1960年年度科学技术合作计划" in page


# --- the digest -----------------------------------------------------------------------------------------------


def test_the_recipients_language_is_the_one_they_chose_else_their_partys(seed, addresses):
    assert language_of(account("cas-reporter")) == "zh-hans"
    assert language_of(account("su-coordinator")) == "ru"
    assert language_of(account("msu-reporter")) == "en"


def test_the_worker_sends_each_digest_once_in_the_recipients_language(seed, addresses, smtp, monkeypatch):
    monkeypatch.setattr("accord.accounts.reminders.DIGEST_MAX", 1000)  # everything in the first digest
    queued = reminder_jobs()
    assert len(queued) == 1
    assert reminder_jobs() == []  # once a day
    run_pending()
    job = Job.objects.get(pk=queued[0].pk)
    assert job.status == Job.Status.DONE, job.error

    (chinese,) = smtp.to(addresses["cas-reporter"])
    text = body(chinese)
    assert "你应完成的" in text and "进展报告" in text and "1960年年度科学技术合作计划" in text
    assert "https://accord.example.org/plan-items/" in text and "https://accord.example.org/workflow/" in text
    assert "Progress report" not in text  # not English
    assert "提醒" in chinese["Subject"]
    (russian,) = smtp.to(addresses["su-coordinator"])
    assert "Вы должны" in body(russian) and "Получение" in body(russian)
    (english,) = smtp.to(addresses["msu-reporter"])
    assert "What you owe" in body(english) and "Progress report on item" in body(english)
    assert len(smtp.messages) == 3  # nobody without an address, no observer with nothing due
    sent = ReminderSent.objects.filter(user=account("cas-reporter")).count()
    assert sent == len(reminders_for(account("cas-reporter")).owe) + len(reminders_for(account("cas-reporter")).wait)

    out = io.StringIO()
    call_command("remind", stdout=out)  # sent now, again: nothing new to send
    assert "sent 0 digest(s)" in out.getvalue()
    assert len(smtp.messages) == 3


def test_a_dry_run_shows_what_would_go_out_and_sends_nothing(seed, addresses, smtp):
    out = io.StringIO()
    call_command("remind", "--dry-run", stdout=out)
    shown = out.getvalue()
    assert "to cas-reporter <cas-reporter@example.org> (zh-hans)" in shown and "(dry run)" in shown
    assert smtp.messages == [] and not ReminderSent.objects.exists()


def test_a_thing_resolved_after_a_digest_is_not_sent_and_a_new_one_is(seed, addresses, smtp):
    call_command("remind", stdout=io.StringIO())
    assert len(smtp.to(addresses["su-coordinator"])) == 1
    shipment = Exchange.objects.awaiting_receipt().get()
    programmes.confirm_receipt(shipment, received_on=dt.date(1960, 2, 20), expected_version=shipment.version)
    assert not any(f"receipt:{shipment.uid}" in d.keys for d in digests())  # resolved: gone for everyone
    start_minutes(seed.meeting, {"en": "The delegations met in Moscow."}, party=seed.cn, author_name="tester")
    call_command("remind", stdout=io.StringIO())
    first, second = smtp.to(addresses["su-coordinator"])
    assert "протокол" in body(second).lower() and "Получение" not in body(second)
    links = [line.strip() for line in body(second).splitlines() if line.strip().startswith("https://")][:-1]
    assert not set(links) & set(body(first).split())  # what the first digest listed is not listed again


def test_no_digest_is_scheduled_while_email_is_off(seed, settings):
    settings.ACCORD_EMAIL_ENABLED = False
    assert reminder_jobs(timezone.now()) == []


# --- the person's own choices, and what they may not see ------------------------------------------------------


def test_the_language_switch_and_the_account_page_set_how_a_person_is_written_to(client, seed, addresses):
    cas = account("cas-reporter")
    client.force_login(cas)
    client.post("/i18n/setlang/", {"language": "ru", "next": "/workflow/"})
    assert language_of(cas) == "ru"
    page = client.get("/account/").content.decode()
    assert 'name="reminder_emails" value="on" checked' in page
    client.post("/account/", {})  # the box unticked
    assert not any(d.user == cas for d in digests())
    client.post("/account/", {"reminder_emails": "on"})
    assert any(d.user == cas for d in digests())


def test_nobody_else_changes_a_persons_choices(client, seed):
    response = client.post("/account/", {})  # not signed in
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not Preferences.objects.exists()


def test_nobody_is_reminded_of_a_record_they_may_not_see(seed):
    shipment = Exchange.objects.awaiting_receipt().get()
    receiving = account(f"{shipment.to_party.code.lower()}-coordinator")
    assert f"receipt:{shipment.uid}" in {d.key for d in reminders_for(receiving).owe}
    Exchange.objects.filter(pk=shipment.pk).update(visibility="internal")  # the sending side's own record now
    assert f"receipt:{shipment.uid}" not in {d.key for d in reminders_for(receiving).owe}


def test_a_deliverable_past_due_is_owed_by_its_side_until_delivered(seed, draft_plan):
    from accord.agreements.services import record_signature

    item = draft_plan.items.order_by("position").first()
    programmes.add_responsibility(item, seed.cas)
    deliverable = programmes.add_deliverable(
        item, kind="report", responsible_party=seed.cn, due_on=dt.date(1961, 6, 30), title={"en": "Mid-year report"}
    )
    plan = programmes.transition_plan(draft_plan, "proposed", expected_version=draft_plan.version)
    for party in (seed.cn, seed.su):
        plan.refresh_from_db()
        programmes.approve_plan(plan, party=party, expected_version=plan.version, approved_on=None)
    plan.refresh_from_db()
    assert {d.kind for d in reminders_for(account("su-coordinator")).owe} >= {"plan-signature"}
    for party in (seed.cn, seed.su):
        record_signature(plan, party=party, signatory=None, signed_on=None)
    plan.refresh_from_db()
    programmes.transition_plan(plan, "signed", expected_version=plan.version)

    key = f"deliverable:{deliverable.uid}:1961-06-30"
    assert key in {d.key for d in reminders_for(account("cn-coordinator")).owe}
    assert key in {d.key for d in reminders_for(account("cas-reporter")).owe}  # CAS is responsible on that side
    assert key in {d.key for d in reminders_for(account("su-coordinator")).wait}
    assert key not in {d.key for d in reminders_for(account("msu-reporter")).owe}
    # Not yet due on a day more than the lead time before its date.
    early = reminders_for(account("cn-coordinator"), as_of=dt.date(1961, 1, 2))
    assert key not in {d.key for d in early.owe}
    deliverable.refresh_from_db()
    programmes.mark_delivered(deliverable, delivered_on=dt.date(1961, 7, 2), expected_version=deliverable.version)
    assert key not in {d.key for d in reminders_for(account("cn-coordinator")).owe}


def test_the_digest_is_queued_once_its_hour_has_come(seed, settings):
    settings.ACCORD_EMAIL_ENABLED, settings.ACCORD_REMIND_HOUR = True, 7
    today = timezone.localtime(timezone.now())
    assert reminder_jobs(today.replace(hour=6, minute=59)) == []  # not yet
    (job,) = reminder_jobs(today.replace(hour=7, minute=0))
    assert job.kind == "reminders" and job.requested_by is None  # the system's upkeep, nobody's request
    assert reminder_jobs(today.replace(hour=23, minute=0)) == []  # once a day


def test_a_mail_server_that_cannot_be_reached_is_one_line_and_nothing_counts_as_sent(seed, addresses, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2  # nobody listens
    settings.ACCORD_EMAIL_ENABLED = True
    with pytest.raises(CommandError, match=r"the mail server 127\.0\.0\.1:\d+ failed after 0 digest"):
        call_command("remind", stdout=io.StringIO())
    assert not ReminderSent.objects.exists()  # all of it goes out next time
