"""Granting roles and issuing API tokens: audited like every other change."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from accord.accounts import credentials, security, signin, totp
from accord.accounts.models import ApiToken, Membership, TokenScope
from accord.core import services
from accord.core.errors import DomainError, Forbidden, ValidationFailed
from accord.core.refs import unique_or_none

TOKEN_PREFIX = "acc_"


def grant(user: Any, party: Any, role: str, *, organisation: Any = None, may_sign: bool = False) -> Membership:
    return services.create(Membership, user=user, party=party, role=role, organisation=organisation, may_sign=may_sign)


def revoke_membership(membership: Membership) -> None:
    services.delete(membership, expected_version=membership.version)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class Throttled(DomainError):
    """Too many failed attempts: refused until the wait is over (429)."""

    code = "throttled"


def confirm_identity(request: HttpRequest, user: Any, password: str, otp: str = "") -> None:
    """The signed-in `user` proves it is them again (before issuing an API token): their password, and their
    one-time code if they have a second factor, through the same throttle as signing in."""
    checked = authenticate(request, username=user.get_username(), password=password or "")
    locked = getattr(request, "accord_lockout", None)
    if locked is not None:
        raise Throttled(locked.message())
    if checked is None or checked.pk != user.pk:
        raise ValidationFailed({"password": ["the password is not right"]})
    totp.refuse_if_missing(user)
    if totp.device_of(user) is not None:
        if not (otp or "").strip():
            raise ValidationFailed({"otp": ["enter the one-time code from your authenticator app"]})
        try:
            ok = totp.verify(request, user, otp)
        except signin.Locked as exc:
            raise Throttled(exc.message()) from None
        if not ok:
            raise ValidationFailed({"otp": ["the one-time code is not right"]})
    signin.password_accepted(request, user)


@transaction.atomic
def issue_token(
    user: Any,
    name: str,
    *,
    scope: str = TokenScope.READ,
    expires_at: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> tuple[ApiToken, str]:
    """A new token and its key (`acc_<prefix>_<secret>`), which is not stored and cannot be shown again."""
    if not getattr(user, "is_active", False):
        raise Forbidden("a disabled account cannot have API tokens")
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = services.create(
        ApiToken, user=user, name=name, prefix=prefix, key_hash=_digest(secret), scope=scope, expires_at=expires_at
    )
    credentials.changed(
        security.Kind.TOKEN_ISSUED,
        request=request,
        user=user,
        detail=f"{prefix} ({scope}) {name}"[:500],
        facts={"name": name, "prefix": prefix},
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def revoke_token(token: ApiToken, *, request: HttpRequest | None = None) -> ApiToken:
    if token.revoked_at:
        return token
    revoked = services.update(token, expected_version=token.version, revoked_at=timezone.now())
    credentials.changed(
        security.Kind.TOKEN_REVOKED,
        request=request,
        user=token.user,
        detail=token.prefix,
        facts={"name": token.name, "prefix": token.prefix},
    )
    return revoked


class BadToken(DomainError):
    code = "bad_token"


def authenticate_token(key: str) -> ApiToken:
    """The live token for `key`; BadToken (saying why) if it is malformed, unknown, revoked or expired.
    Each refusal is in the security log."""
    try:
        return _live_token(key)
    except BadToken as exc:
        security.record(security.Kind.TOKEN_REFUSED, channel="api", detail=f"{key[:12]}…: {exc.message}")
        raise


def _live_token(key: str) -> ApiToken:
    if not key.startswith(TOKEN_PREFIX) or key.count("_") < 2:
        raise BadToken("not an Accord API token")
    prefix, _, secret = key[len(TOKEN_PREFIX) :].partition("_")
    token = unique_or_none(ApiToken.objects.select_related("user").filter(prefix=prefix))
    # Compare digests in constant time, and spend the same work when the prefix is unknown.
    expected = token.key_hash if token else _digest("")
    if not hmac.compare_digest(expected, _digest(secret)) or token is None:
        raise BadToken("unknown API token")
    if token.revoked_at:
        raise BadToken("this API token was revoked")
    if token.expires_at and token.expires_at <= timezone.now():
        raise BadToken("this API token has expired")
    if not token.user.is_active:
        raise BadToken("the token's account is disabled")
    return token
