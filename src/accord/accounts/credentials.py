"""Credential changes: a password changed or reset, a second factor turned on or off, an API token issued or
revoked, a signing key made or revoked. Each is one call to `changed`, whatever the channel (pages, admin,
API, command line): it appends the security event and, once the change is committed, e-mails the account's
owner (ASVS 2.2.3, 2.5.5) in their language — what changed, when, from which address and way in, and what to
do if it was not them. The notice never holds a secret: no password, code, token key or passphrase.

Passwords reach here from every channel through Django's own hook (`PasswordChangeNotice`, a password
validator: `User.save` calls `password_changed` on each after a new password is stored), so the admin's and
`changepassword`'s changes are told too; a new account's first password is not a change.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accord.accounts import security
from accord.accounts.models import Membership, Role, SecurityEvent
from accord.accounts.reminders import email_enabled, language_of, site_url
from accord.core.actor import current_actor

Kind = SecurityEvent.Kind
CHANGES = (
    Kind.PASSWORD_CHANGED,
    Kind.OTP_ENABLED,
    Kind.OTP_DISABLED,
    Kind.TOKEN_ISSUED,
    Kind.TOKEN_REVOKED,
    Kind.KEY_CREATED,
    Kind.KEY_REVOKED,
)
RESET = "reset"  # `how` of a password set through the e-mailed reset link

log = logging.getLogger("accord.security")


def changed(
    kind: str,
    *,
    user: Any,
    request: HttpRequest | None = None,
    detail: str = "",
    facts: dict[str, str] | None = None,
    tell: Iterable[Any] = (),
) -> SecurityEvent:
    """Log the change of `user`'s credentials and tell them (and the accounts in `tell`) once it is committed.

    `facts` fill the notice's sentence (a token's name and prefix, a key's fingerprint, whose key); `detail` is
    the security log's own line."""
    if kind not in CHANGES:
        raise ValueError(f"{kind!r} is not a change of credentials")
    event = security.record(kind, request=request, user=user, detail=detail)
    people = {u.pk: u for u in [user, *tell] if u is not None and getattr(u, "pk", None) is not None}
    notice = Notice(event, dict(facts or {}), acting=current_actor().name)
    transaction.on_commit(lambda: notice.send(list(people.values())))
    return event


class Notice:
    """The e-mail about one credential change, written for each recipient in their own language."""

    def __init__(self, event: SecurityEvent, facts: dict[str, str], acting: str):
        self.event = event
        self.facts = facts
        self.acting = acting

    def send(self, recipients: list[Any]) -> int:
        """Send to those of `recipients` with an address; the number sent. A mail server that fails is logged,
        never raised: the change itself is already made."""
        if not email_enabled():
            return 0
        sent = 0
        for user in recipients:
            if not user.is_active or not user.email:
                continue
            with translation.override(language_of(user)):
                subject, body = self.subject(), self.body(user)
            message = EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                [user.email],
                headers={"Auto-Submitted": "auto-generated"},  # RFC 3834: no vacation replies to it
            )
            try:
                message.send()
                sent += 1
            except (smtplib.SMTPException, OSError) as exc:
                log.warning("security notice %s to %s not sent: %s", self.event.kind, user.get_username(), exc)
        return sent

    def subject(self) -> str:
        kind = self.event.kind
        subjects: dict[str, str] = {
            Kind.PASSWORD_CHANGED: _("Accord: your password was changed"),
            Kind.OTP_ENABLED: _("Accord: two-factor authentication turned on"),
            Kind.OTP_DISABLED: _("Accord: two-factor authentication turned off"),
            Kind.TOKEN_ISSUED: _("Accord: a new API token"),
            Kind.TOKEN_REVOKED: _("Accord: an API token revoked"),
            Kind.KEY_CREATED: _("Accord: a new signing key"),
            Kind.KEY_REVOKED: _("Accord: a signing key revoked"),
        }
        return str(subjects[kind])

    def what(self, user: Any) -> str:
        facts = {"account": self.event.account, **self.facts}
        kind = self.event.kind
        if kind == Kind.PASSWORD_CHANGED and facts.get("how") == RESET:
            return _("The password of your Accord account %(account)s was reset with a link sent by e-mail.") % facts
        sentences: dict[str, str] = {
            Kind.PASSWORD_CHANGED: _("The password of your Accord account %(account)s was changed."),
            Kind.OTP_ENABLED: _("Two-factor authentication was turned on for your Accord account %(account)s."),
            Kind.OTP_DISABLED: _("Two-factor authentication was turned off for your Accord account %(account)s."),
            Kind.TOKEN_ISSUED: _(
                "A new API token, “%(name)s” (%(prefix)s…), was issued for your Accord account %(account)s."
            ),
            Kind.TOKEN_REVOKED: _(
                "The API token “%(name)s” (%(prefix)s…) of your Accord account %(account)s was revoked."
            ),
            Kind.KEY_CREATED: _("A signing key (fingerprint %(fingerprint)s) was made for %(person)s."),
            Kind.KEY_REVOKED: _("The signing key (fingerprint %(fingerprint)s) of %(person)s was revoked."),
        }
        return str(sentences[kind]) % facts

    def body(self, user: Any) -> str:
        event = self.event
        when = formats.date_format(timezone.localtime(event.at), "DATETIME_FORMAT")
        ways = {
            "page": _("the web pages"),
            "admin": _("the administration pages"),
            "api": _("the API"),
            "signing": _("the web pages"),
        }
        if event.address:
            where = _("from the address %(address)s, through %(way)s") % {
                "address": event.address,
                "way": ways.get(event.channel, event.channel),
            }
        else:
            where = _("on the server itself (the command line or a background job)")
        lines = [
            _("Hello %(name)s,") % {"name": user.get_full_name() or user.get_username()},
            "",
            self.what(user),
            "",
            _("When: %(when)s (%(zone)s)") % {"when": when, "zone": timezone.get_current_timezone_name()},
            _("Where: %(where)s") % {"where": where},
        ]
        if self.acting and self.acting != user.get_username():
            lines.append(_("By: %(name)s") % {"name": self.acting})
        lines += [
            "",
            _("If this was you, there is nothing to do."),
            _(
                "If it was not you: reset your password at %(reset)s, check your second factor and API tokens on "
                "%(account)s, and tell your Accord administrator, naming security event %(event)s."
            )
            % {
                "reset": site_url() + reverse("accounts:password-reset"),
                "account": site_url() + reverse("accounts:account"),
                "event": event.pk,
            },
            "",
            _("This message was sent by Accord because a credential of your account changed; it holds no secret."),
        ]
        return "\n".join(str(line) for line in lines) + "\n"


def coordinators_of(party: Any) -> list[Any]:
    """The accounts that look after a party's signatories and their keys: its active coordinators."""
    if party is None:
        return []
    memberships = Membership.objects.filter(party=party, role=Role.COORDINATOR, user__is_active=True)
    return [m.user for m in memberships.select_related("user").order_by("user_id")]


class PasswordChangeNotice:
    """A password validator that validates nothing: Django calls its `password_changed` after every new password
    is saved, on every channel, and it logs and tells the change (not a new account's first password)."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if user is None or getattr(user, "_accord_new_account", False):
            return
        how = getattr(user, "accord_password_how", "")
        changed(
            Kind.PASSWORD_CHANGED,
            user=user,
            detail="by e-mail reset" if how == RESET else "",
            facts={"how": how},
        )

    def get_help_text(self) -> str:
        return ""
