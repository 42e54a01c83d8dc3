"""The reminder digest: once a day, each person gets by e-mail what they owe and what they wait for (core.reminders),
in their own language, each due thing once.

Sent by the job worker (the daily "reminders" job, at ACCORD_REMIND_HOUR, when e-mail is on: ACCORD_EMAIL_HOST)
or by `accord remind`. "Never twice" is a row per person and due thing (ReminderSent), written in the same
transaction as the digest is handed to the mail server: a digest that could not be sent leaves no row, and two
runs at once cannot both write the same row.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from accord.accounts.models import Membership, Preferences, ReminderSent
from accord.core import clock
from accord.core.errors import DomainError
from accord.core.reminders import Reminders, Scope, collect, holders_of, split
from accord.core.visibility import principal
from accord.jobs.registry import Context, JobKind, Outcome, register

DIGEST_MAX = 25  # due things listed per section of one digest; the rest wait for the next one (and are on the page)
INTERFACE = {"zh": "zh-hans", "ru": "ru", "en": "en"}  # a party's language (BCP 47) -> the interface's


def email_enabled() -> bool:
    return bool(getattr(settings, "ACCORD_EMAIL_ENABLED", False))


def language_of(user: Any) -> str:
    """The language Accord writes to `user` in: the one they last chose in the interface, else their party's
    (a Chinese coordinator reads Chinese), else the installation's default."""
    chosen = Preferences.objects.filter(user=user).values_list("language", flat=True).first()
    known = {code for code, _ in settings.LANGUAGES}
    if chosen in known:
        return str(chosen)
    for languages in Membership.objects.filter(user=user).order_by("id").values_list("party__languages", flat=True):
        for tag in languages or []:
            code = INTERFACE.get(str(tag).split("-")[0].lower())
            if code in known:
                return code
    return str(settings.LANGUAGE_CODE)


def remember_language(user: Any, language: str) -> None:
    """The person switched the interface to `language`: write to them in it from now on."""
    if language in {code for code, _ in settings.LANGUAGES}:
        Preferences.objects.update_or_create(user=user, defaults={"language": language})


def reminder_emails_on(user: Any) -> bool:
    return Preferences.objects.filter(user=user, reminder_emails=False).first() is None


def set_reminder_emails(user: Any, on: bool) -> None:
    """The person's own choice: reminders by e-mail or not (the page shows them either way)."""
    Preferences.objects.update_or_create(user=user, defaults={"reminder_emails": on})


def recipients() -> list[Any]:
    """Active accounts with an e-mail address and a role, who did not turn reminders by e-mail off."""
    users = get_user_model()._default_manager.filter(is_active=True, memberships__isnull=False).exclude(email="")
    users = users.exclude(accord_preferences__reminder_emails=False)
    return list(users.distinct().order_by("pk"))


@dataclass
class Digest:
    """One person's e-mail: what they owe and wait for that they were not yet reminded of."""

    user: Any
    language: str
    reminders: Reminders
    more_owed: int  # beyond DIGEST_MAX, for the next digest
    more_awaited: int
    subject: str = ""
    body: str = ""

    @property
    def keys(self) -> list[str]:
        return [d.key for d in (*self.reminders.owe, *self.reminders.wait)]


def site_url() -> str:
    return str(getattr(settings, "ACCORD_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def _render(digest: Digest) -> None:
    with translation.override(digest.language):
        context = {
            "user": digest.user,
            "owe": digest.reminders.owe,
            "wait": digest.reminders.wait,
            "more_owed": digest.more_owed,
            "more_awaited": digest.more_awaited,
            "site": site_url(),
            "page": site_url() + reverse("web:workflow"),
        }
        digest.subject = render_to_string("accounts/reminder_subject.txt", context).strip()
        digest.body = render_to_string("accounts/reminder_email.txt", context)


def digests(as_of: dt.date | None = None) -> list[Digest]:
    """The digests to send now: per recipient, in their language, the due things not yet sent to them."""
    as_of = as_of or clock.today()
    by_language: dict[str, list[Any]] = {}
    for user in recipients():
        by_language.setdefault(language_of(user), []).append(user)
    found = []
    for language, users in by_language.items():
        with translation.override(language):  # the due things' lines are written in the recipients' language
            dues = collect(Scope(as_of))
        for user in users:
            holds = holders_of(principal(user))
            if not holds:
                continue
            mine = split(user, holds, dues)
            sent = set(ReminderSent.objects.filter(user=user).values_list("key", flat=True))
            owe = [d for d in mine.owe if d.key not in sent]
            wait = [d for d in mine.wait if d.key not in sent]
            if not owe and not wait:
                continue
            digest = Digest(
                user,
                language,
                Reminders(owe[:DIGEST_MAX], wait[:DIGEST_MAX]),
                more_owed=max(0, len(owe) - DIGEST_MAX),
                more_awaited=max(0, len(wait) - DIGEST_MAX),
            )
            _render(digest)
            found.append(digest)
    return found


class MailFailed(DomainError):
    """The mail server could not be reached or refused a digest: what was not sent is sent next time."""

    code = "mail_failed"


def send_digests(as_of: dt.date | None = None) -> list[Digest]:
    """Send each recipient their digest; the digests sent. Nothing is sent while e-mail is off."""
    if not email_enabled():
        return []
    sent: list[Digest] = []
    try:
        with get_connection() as connection:
            for digest in digests(as_of):
                message = EmailMessage(
                    digest.subject,
                    digest.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [digest.user.email],
                    connection=connection,
                    headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no vacation replies to it
                )
                try:
                    with transaction.atomic():
                        ReminderSent.objects.bulk_create([ReminderSent(user=digest.user, key=k) for k in digest.keys])
                        message.send()
                except IntegrityError:  # another run sent these meanwhile
                    continue
                sent.append(digest)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailFailed(
            f"the mail server {settings.EMAIL_HOST}:{settings.EMAIL_PORT} failed after {len(sent)} digest(s): "
            f"{' '.join(str(exc).split()) or type(exc).__name__}; the rest go out next time"
        ) from None
    return sent


def digest_job(ctx: Context) -> Outcome:
    """The daily job: send the digests due now."""
    sent = send_digests()
    return Outcome(result={"sent": len(sent), "due things": sum(len(d.keys) for d in sent)})


def remind_hour() -> int | None:
    """The local hour the digest goes out at; None (not scheduled) while e-mail is off or the hour is unset."""
    hour = getattr(settings, "ACCORD_REMIND_HOUR", None)
    return hour if email_enabled() and hour is not None else None


register(JobKind("reminders", digest_job, "Reminder e-mails", listed=False, daily_at=remind_hour))
