"""Signing in, the same way on every channel: account names normalised, the throttle asked first, failures
and lock-outs logged, a second factor checked where the account has one.

The password check itself is Django's (ThrottledBackend below is the only authentication backend), so the
sign-in page, /admin/login/ and the API's token issuance all pass through here.
"""

from __future__ import annotations

import secrets
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from accord.accounts import security, throttle

DEVICE_COOKIE = "accord_device"
DEVICE_COOKIE_AGE = 365 * 24 * 60 * 60
_DEVICE_SALT = "accord.accounts.device"


def normalise_username(name: str) -> str:
    """The one form of an account name: NFKC (fullwidth and other compatibility forms folded) and casefold,
    so `ｃｎ-observer`, `CN-Observer` and `cn-observer` are one account, for sign-in, throttle and creation."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).strip()


def check_new_username(name: str, *, exclude_pk: Any = None) -> str:
    """The normalised form of a new account's name; ValidationError if empty or taken in any variant."""
    canonical = normalise_username(name)
    if not canonical:
        raise ValidationError(_("An account name is required."), code="required")
    taken = get_user_model()._default_manager.filter(username=canonical)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            _("The account name %(name)s is taken (names that differ only in case or width are the same)."),
            code="unique",
            params={"name": canonical},
        )
    return canonical


def normalise_on_save(sender: Any, instance: Any, **kwargs: Any) -> None:
    """pre_save of the user model (connected in AccountsConfig.ready): every channel that creates or renames an
    account (admin, createsuperuser, the demo, tests) stores the normalised name, and a variant of a taken one
    is refused rather than becoming a second account."""
    # A new account's first password is not a change to tell anyone about (accounts.credentials).
    instance._accord_new_account = instance._state.adding
    canonical = normalise_username(instance.username or "")
    if canonical != instance.username or instance.pk is None:
        instance.username = check_new_username(canonical, exclude_pk=instance.pk)


# --- who is trying: the throttle's subjects ---------------------------------------------------------------


def _device_of(request: HttpRequest | None, account: str) -> str | None:
    """The id of this browser if it signed in to `account` before (a signed cookie), else None."""
    if request is None:
        return None
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        data = signing.loads(raw, salt=_DEVICE_SALT, max_age=DEVICE_COOKIE_AGE) if raw else None
    except signing.BadSignature:
        return None
    if isinstance(data, dict) and data.get("a") == account and isinstance(data.get("d"), str):
        return data["d"]
    return None


def subjects_for(request: HttpRequest | None, account: str) -> list[str]:
    """The throttle subjects of an attempt on `account`: the account (or, from a browser that signed in to it
    before, that browser: a stranger's failures do not lock its owner out) and the client's address."""
    device = _device_of(request, account)
    subject = throttle.subject("device", f"{account}:{device}") if device else throttle.subject("account", account)
    return [subject, *address_subjects(request)]


def address_subjects(request: HttpRequest | None) -> list[str]:
    address = security.client_address(request)
    return [throttle.subject("address", address)] if address else []


def remember_device(request: HttpRequest, response: HttpResponse, account: str) -> None:
    """After a full sign-in: mark this browser as one the account's owner uses (see subjects_for)."""
    device = _device_of(request, account) or secrets.token_hex(8)
    response.set_cookie(
        DEVICE_COOKIE,
        signing.dumps({"a": account, "d": device}, salt=_DEVICE_SALT),
        max_age=DEVICE_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )


class Locked(PermissionDenied):
    """Attempts are refused for `seconds` more."""

    def __init__(self, seconds: int):
        super().__init__(f"attempts refused for {seconds} s")
        self.seconds = seconds

    def message(self) -> str:
        minutes = max(1, (self.seconds + 59) // 60)
        return _(
            "Too many failed sign-in attempts for this account or from this address. "
            "Try again in %(minutes)d minute(s)."
        ) % {"minutes": minutes}


def refuse_if_locked(request: HttpRequest | None, account: str, subjects: list[str]) -> None:
    wait = throttle.wait_for(subjects)
    if wait:
        security.record(security.Kind.SIGNIN_REFUSED, request=request, account=account, detail=f"wait {wait} s")
        raise Locked(wait)


def count_failure(request: HttpRequest | None, account: str, subjects: list[str], kind: str, detail: str = "") -> None:
    user = get_user_model()._default_manager.filter(username=account).first()
    security.record(kind, request=request, user=user, account=account, detail=detail)
    failure = throttle.record_failure(subjects)
    if failure.locked:
        security.record(
            security.Kind.LOCKOUT,
            request=request,
            user=user,
            account=account,
            detail=f"{', '.join(failure.locked)} wait {failure.wait_seconds} s",
        )


class ThrottledBackend(ModelBackend):
    """Django's password check behind the throttle: refused (PermissionDenied, which stops every backend)
    while the account, the browser or the address must wait; each failure counted and logged."""

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        account = normalise_username(username)
        subjects = subjects_for(request, account)
        if request is not None:
            request.accord_lockout = None  # type: ignore[attr-defined]
        try:
            refuse_if_locked(request, account, subjects)
        except Locked as locked:
            if request is not None:
                request.accord_lockout = locked  # type: ignore[attr-defined]
            raise
        user = super().authenticate(request, username=account, password=password, **kwargs)
        if user is None:
            count_failure(request, account, subjects, security.Kind.SIGNIN_FAILED)
            return None
        return user


def password_accepted(request: HttpRequest | None, user: Any) -> None:
    """The whole sign-in succeeded (password, and the second factor if any): forget the account's failures."""
    account = user.get_username()
    throttle.forget([s for s in subjects_for(request, account) if not s.startswith("address:")])
