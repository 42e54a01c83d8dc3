"""Granting roles and issuing API tokens: audited like every other change."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.accounts.models import ApiToken, Membership, TokenScope
from accord.core import services
from accord.core.errors import DomainError
from accord.core.refs import unique_or_none

TOKEN_PREFIX = "acc_"


def grant(user: Any, party: Any, role: str, *, organisation: Any = None, may_sign: bool = False) -> Membership:
    return services.create(Membership, user=user, party=party, role=role, organisation=organisation, may_sign=may_sign)


def revoke_membership(membership: Membership) -> None:
    services.delete(membership, expected_version=membership.version)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def issue_token(
    user: Any, name: str, *, scope: str = TokenScope.READ, expires_at: dt.datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token and its key (`acc_<prefix>_<secret>`), which is not stored and cannot be shown again."""
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = services.create(
        ApiToken, user=user, name=name, prefix=prefix, key_hash=_digest(secret), scope=scope, expires_at=expires_at
    )
    return token, f"{TOKEN_PREFIX}{prefix}_{secret}"


def revoke_token(token: ApiToken) -> ApiToken:
    if token.revoked_at:
        return token
    return services.update(token, expected_version=token.version, revoked_at=timezone.now())


class BadToken(DomainError):
    code = "bad_token"


def authenticate_token(key: str) -> ApiToken:
    """The live token for `key`; BadToken (saying why) if it is malformed, unknown, revoked or expired."""
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
