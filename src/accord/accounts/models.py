"""Memberships (a user's role on one party's side) and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accord.core.models import AccordModel


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("party coordinator")
    REPORTER = "reporter", _("institution reporter")
    OBSERVER = "observer", _("observer")


class Membership(AccordModel):
    """A user acts for one party: coordinating its side, reporting for one of its institutions, or observing.

    Administrators are not memberships: they are Django staff accounts and see everything.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="memberships"
    )
    party = models.ForeignKey("directory.Party", verbose_name=_("party"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    organisation = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The institution a reporter reports for."),
    )
    may_sign = models.BooleanField(
        _("designated signatory"), default=False, help_text=_("May sign plans on behalf of the party.")
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "party", "role"], name="membership_unique_role")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.party})"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if self.role == Role.REPORTER and not self.organisation_id:
            errors["organisation"] = [str(_("a reporter reports for one institution: name it"))]
        if self.organisation is not None and self.party_id and self.organisation.party_id != self.party_id:
            errors["organisation"] = [str(_("the institution belongs to another party"))]
        if self.may_sign and self.role != Role.COORDINATOR:
            errors["may_sign"] = [str(_("only a coordinator can be designated to sign"))]
        if errors:
            raise ValidationError(errors)


class TokenScope(models.TextChoices):
    READ = "read", _("read")
    WRITE = "read-write", _("read and write")


class ApiToken(AccordModel):
    """A personal key for the API. Only a hash is stored; the key is shown once, when it is issued."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    prefix = models.CharField(_("prefix"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scope = models.CharField(_("scope"), max_length=16, choices=TokenScope.choices, default=TokenScope.READ)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SecurityEvent(models.Model):
    """One event of the security log: a sign-in, a refusal, a lock-out, a token issued, a signing key used.

    Not an audited record (nothing here is ever edited): rows are only appended, by accounts.security.record,
    and read by administrators (the security events page, its CSV export, the admin).
    """

    class Kind(models.TextChoices):
        SIGNIN = "signin", _("signed in")
        SIGNIN_FAILED = "signin-failed", _("sign-in failed")
        SIGNIN_REFUSED = "signin-refused", _("sign-in refused while locked")
        LOCKOUT = "lockout", _("locked out")
        SIGNOUT = "signout", _("signed out")
        OTP_FAILED = "otp-failed", _("wrong one-time code")
        OTP_ENABLED = "otp-enabled", _("two-factor authentication enabled")
        OTP_DISABLED = "otp-disabled", _("two-factor authentication disabled")
        PASSWORD_RESET_REQUESTED = "password-reset-requested", _("password reset requested")
        PASSWORD_CHANGED = "password-changed", _("password changed")
        TOKEN_ISSUED = "token-issued", _("API token issued")
        TOKEN_REVOKED = "token-revoked", _("API token revoked")
        TOKEN_REFUSED = "token-refused", _("API token refused")
        PERMISSION_REFUSED = "permission-refused", _("permission refused")
        KEY_USED = "key-used", _("signing key used")
        KEY_PASSPHRASE_FAILED = "key-passphrase-failed", _("wrong signing key passphrase")
        KEY_CREATED = "key-created", _("signing key made")
        KEY_REVOKED = "key-revoked", _("signing key revoked")
        EVENTS_PRUNED = "events-pruned", _("old security events removed")
        SESSION_ENDED = "session-ended", _("session ended from another")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The account name as normalised (NFKC + casefold), also for names that match no account.
    account = models.CharField(_("account name"), max_length=150, blank=True, db_index=True)
    address = models.CharField(_("client address"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=32, blank=True)  # page, admin, api, cli, signing...
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.account}"


class AttemptCounter(models.Model):
    """Failed attempts against one subject of the sign-in throttle (an account, a client address, a signing key,
    a browser that signed in before) and how long further attempts are refused. Kept by accounts.throttle."""

    subject = models.CharField(max_length=200, unique=True)  # "account:cn-observer", "address:10.0.0.7", ...
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True, db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("failed-attempt counter")
        verbose_name_plural = _("failed-attempt counters")

    def __str__(self) -> str:
        return f"{self.subject}: {self.failures}"


def interface_languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


class Preferences(models.Model):
    """What a person chose for themselves: the language Accord writes to them in (remembered when they switch the
    interface's language), and whether they want reminders by e-mail. Not a domain record: not audited."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="accord_preferences"
    )
    language = models.CharField(_("language"), max_length=16, blank=True, choices=interface_languages)
    reminder_emails = models.BooleanField(_("reminders by e-mail"), default=True)

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language or '-'}"


class ReminderSent(models.Model):
    """A reminder of one due thing (core.reminders.Due.key) that went to one person: never sent to them twice.

    Appended by accounts.reminders when a digest has been handed to the mail server; not audited.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("due thing"), max_length=300)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="remindersent_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user}: {self.key}"


class SignedInSession(models.Model):
    """One signed-in browser session of an account, as its owner sees it on the account page: since when, last
    seen when, from which address and browser. Kept by accounts.sessions (at sign-in, then last seen at most
    every few minutes); the session itself lives in Django's session store, under `session_key`, never shown."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="+"
    )
    started_at = models.DateTimeField(_("signed in at"))
    last_seen_at = models.DateTimeField(_("last seen"))
    address = models.CharField(_("client address"), max_length=64, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        ordering = ["-last_seen_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.started_at:%Y-%m-%d %H:%M}"
