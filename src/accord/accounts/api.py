"""/tokens: a signed-in user's personal API tokens (issued from a browser session, never from a token)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from accord.accounts import services
from accord.accounts.models import ApiToken, TokenScope
from accord.core.api import Error
from accord.core.errors import Forbidden
from accord.core.refs import NotFound


class TokenIn(Schema):
    name: str
    scope: TokenScope = TokenScope.READ
    expires_at: dt.datetime | None = None
    # A token outlives the session: issuing one asks for the password again (and the one-time code, if any),
    # through the sign-in throttle.
    password: str
    otp: str = ""


class TokenOut(Schema):
    prefix: str
    name: str
    scope: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None


class IssuedToken(TokenOut):
    token: str  # shown once


router = Router(tags=["tokens"])


def _session_user(request: HttpRequest) -> Any:
    """Tokens are managed by a person at a browser: a token cannot mint or revoke tokens."""
    if getattr(request, "api_token", None) is not None or not request.user.is_authenticated:
        raise Forbidden("manage API tokens from a signed-in browser session")
    return request.user


@router.get("", response={200: list[TokenOut], 403: Error}, summary="Your API tokens")
def list_tokens(request: HttpRequest) -> object:
    return list(ApiToken.objects.filter(user=_session_user(request)).order_by("-id"))


@router.post("", response={201: IssuedToken, 403: Error, 422: Error, 429: Error}, summary="Issue an API token")
def issue_token(request: HttpRequest, payload: TokenIn) -> object:
    user = _session_user(request)
    services.confirm_identity(request, user, payload.password, payload.otp)
    token, key = services.issue_token(
        user, payload.name, scope=payload.scope, expires_at=payload.expires_at, request=request
    )
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": key})


@router.delete("/{prefix}", response={204: None, 403: Error, 404: Error}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, prefix: str) -> object:
    token = ApiToken.objects.filter(user=_session_user(request), prefix=prefix).first()
    if token is None:
        raise NotFound(f"you have no API token {prefix}")
    services.revoke_token(token, request=request)
    return Status(204, None)
