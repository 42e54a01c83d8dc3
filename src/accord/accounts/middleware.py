"""Middleware of accounts: private responses are never stored by a browser or proxy cache, every refusal
(403) on any channel is in the security log, each signed-in session is known to its owner, and an account that
must have a second factor turns it on first."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from accord.accounts import security, sessions, totp

# Pages whose forms carry a CSRF token or a secret even for someone not signed in.
_ACCOUNT_PATHS = ("/login/", "/logout/", "/account/", "/admin/", "/password-reset/")


def is_private(request: HttpRequest, response: HttpResponse) -> bool:
    """A response that only this client should see: for a signed-in user or an API token, an export or
    download, or one of the account pages."""
    user = getattr(request, "user", None)
    return bool(
        (user is not None and user.is_authenticated)
        or "HTTP_AUTHORIZATION" in request.META
        or response.get("Content-Disposition", "").startswith("attachment")
        or request.path.startswith(_ACCOUNT_PATHS)
        or "sessionid" in response.cookies
    )


class PrivateResponsesMiddleware:
    """`Cache-Control: no-store, private` on private responses (ASVS 8.2.1): a shared computer's browser cache
    or a proxy keeps no copy of a signed-in page, an API answer given to a token, or an export."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if is_private(request, response):
            if "public" in response.get("Cache-Control", ""):
                del response["Cache-Control"]
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


class SignedInSessionsMiddleware:
    """Keep the row of the signed-in request's session (accounts.sessions.touch): written after signing in, then
    its last-seen time at most every few minutes. Anonymous requests without a session cost nothing."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and response.status_code < 500:
            sessions.touch(request)
        return response


class RefusalLogMiddleware:
    """A 403 answered on any channel (page, API, admin) is a permission refusal in the security log."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            security.record(
                security.Kind.PERMISSION_REFUSED,
                request=request,
                user=user,
                detail=f"{request.method} {request.path}"[:500],
            )
        return response


class SecondFactorRequiredMiddleware:
    """With ACCORD_REQUIRE_SECOND_FACTOR, a signed-in administrator or designated signatory without a second factor
    reaches only the page that turns it on (and signing out): every other page sends them there, the API answers
    403. Token requests never get this far without one: issuing a token asks for it (accounts.services)."""

    OPEN = ("/account/two-factor/", "/logout/", "/admin/logout/", "/static/", "/i18n/", "/health")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(self.OPEN) and totp.missing(user):
            message = _("Your account must have a second factor: turn it on to go on.")
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "second_factor_required", "message": message, "field": None}, status=403)
            return redirect("accounts:two-factor")
        return self.get_response(request)
