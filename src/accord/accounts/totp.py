"""The optional second factor: a time-based one-time code (RFC 6238, django-otp's TOTP devices) for
administrators and designated signatories. Once enabled it is asked at every sign-in and for every signature.

Codes are checked against the same throttle as passwords (accounts.throttle), and each code is accepted once
(django-otp keeps the last time step used).
"""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accord.accounts import credentials, security, signin, throttle
from accord.accounts.models import Membership, Role
from accord.core.errors import ValidationFailed

DEVICE_NAME = "accord"


def may_enrol(user: Any) -> bool:
    """Administrators and designated signatories may protect their account with a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff) or Membership.objects.filter(user=user, role=Role.COORDINATOR, may_sign=True).exists()


def required(user: Any) -> bool:
    """Whether `user` must have a second factor: ACCORD_REQUIRE_SECOND_FACTOR on, and they may enrol (administrators
    and designated signatories). Such an account signs in with its password once, and is then sent to turn it on
    before anything else (accounts.middleware.SecondFactorRequiredMiddleware)."""
    return bool(getattr(settings, "ACCORD_REQUIRE_SECOND_FACTOR", False)) and may_enrol(user)


def missing(user: Any) -> bool:
    """A second factor is required of `user` and they have none yet."""
    return required(user) and device_of(user) is None


def refuse_if_missing(user: Any) -> None:
    """Issuing a token or signing a plan without the second factor the installation requires: refused on "otp"."""
    if missing(user):
        raise ValidationFailed(
            {"otp": [_("Turn on a second factor first: this installation requires one for your account.")]}
        )


def device_of(user: Any) -> TOTPDevice | None:
    """The user's confirmed device, if they enabled the second factor."""
    if not getattr(user, "is_authenticated", False):
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def start_enrolment(user: Any) -> TOTPDevice:
    """A new, unconfirmed device (replacing an earlier unconfirmed one): its secret is shown once to be scanned."""
    if not may_enrol(user):
        raise ValidationFailed({"user": [_("Only administrators and designated signatories use a second factor.")]})
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def pending_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an authenticator app by hand."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG data URI made here (no outside service sees the secret)."""
    import segno  # where it is used: every process loads this module, only the two-factor set-up page draws

    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def _check(request: HttpRequest | None, user: Any, device: TOTPDevice, code: str) -> bool:
    """Whether `code` is right for `device`, behind the sign-in throttle; a wrong one counts as a failure."""
    account = user.get_username()
    subjects = signin.subjects_for(request, account)
    signin.refuse_if_locked(request, account, subjects)
    code = "".join(code.split())
    if code.isdigit() and len(code) == device.digits and device.verify_token(code):
        return True
    signin.count_failure(request, account, subjects, security.Kind.OTP_FAILED)
    return False


def verify(request: HttpRequest | None, user: Any, code: str) -> bool:
    """The second step of signing in: is `code` right for the user's device? (signin.Locked while waiting)"""
    device = device_of(user)
    return device is not None and _check(request, user, device, code)


def confirm_enrolment(request: HttpRequest, user: Any, code: str) -> TOTPDevice:
    """Turn the second factor on once the user proves their app shows the right codes."""
    device = pending_device(user)
    if device is None:
        raise ValidationFailed({"code": [_("Start again: no second factor is being set up.")]})
    if not _check(request, user, device, code):
        raise ValidationFailed({"code": [_("That code is not right. Check the time on your device and try again.")]})
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    credentials.changed(security.Kind.OTP_ENABLED, request=request, user=user)
    return device


def disable(request: HttpRequest, user: Any, code: str) -> None:
    """Turn the second factor off, with a current code (so a borrowed session alone cannot)."""
    if required(user):
        raise ValidationFailed(
            {"code": [_("This installation requires a second factor for your account: it cannot be turned off.")]}
        )
    if not verify(request, user, code):
        raise ValidationFailed({"code": [_("That code is not right.")]})
    remove(user, request=request)


def remove(user: Any, *, request: HttpRequest | None = None, by_administrator: bool = False) -> None:
    """Turn `user`'s second factor off: by themselves with a code (`disable`), or by an administrator in the
    admin when the device is lost. Logged and told to the account's owner either way."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.filter(user=user).delete()
        return
    TOTPDevice.objects.filter(user=user).delete()
    detail = "by an administrator" if by_administrator else ""
    credentials.changed(security.Kind.OTP_DISABLED, request=request, user=user, detail=detail)


def check_for_signing(user: Any, code: str) -> None:
    """Signing with an account that has a second factor takes a current code too (ValidationFailed on "otp").

    The failure is counted by the caller outside its transaction (see signing.services.sign_plan)."""
    device = device_of(user)
    if device is None:
        return
    code = "".join((code or "").split())
    if not code:
        raise ValidationFailed({"otp": [_("Enter the one-time code from your authenticator app.")]})
    if not (code.isdigit() and len(code) == device.digits and device.verify_token(code)):
        raise ValidationFailed({"otp": [_("That one-time code is not right.")]})


def throttle_subject(user: Any) -> str:
    return throttle.subject("account", user.get_username())
