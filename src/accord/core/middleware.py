"""Request middleware: the audit actor for each request (the signed-in user and a request id); NUL refusal."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.db import OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _

from accord.core.actor import acting_as, actor_for_user
from accord.core.clientaddr import client_address

# What a client's X-Request-ID may be to be kept (apart from ours): a short token, nothing a log or terminal
# could misread. Anything else is dropped.
CLIENT_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def channel_of(request: HttpRequest) -> str:
    """Which way in a request came: the admin, the API or the pages."""
    if request.path.startswith("/admin/"):
        return "admin"
    if request.path.startswith("/api/"):
        return "api"
    return "page"


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The audit trail's request id is always the server's own: a client choosing it could make its changes
        # pass for another request's. What the client sent is kept apart (ChangeRecord.client_request_id).
        request_id = uuid.uuid4().hex
        given = request.headers.get("X-Request-ID", "")
        client_id = given if CLIENT_REQUEST_ID.fullmatch(given) else ""
        user = getattr(request, "user", None)
        actor = actor_for_user(user, request_id, client_id, client_address(request), channel_of(request))
        with acting_as(actor):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class RefuseNulCharactersMiddleware:
    """A NUL character in a query string or a form is refused (400) before it reaches a query: it is never
    meaningful, and PostgreSQL text cannot hold one (a search for it was a 500 there). Endpoints with their own
    error shape answer for themselves: the API names the field in JSON (core.api.AccordParser), OAI-PMH
    answers badArgument in its XML, as the protocol requires."""

    OWN_ERRORS = ("/api/", "/oai")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(self.OWN_ERRORS):
            sources = [request.GET] + ([request.POST] if request.method == "POST" else [])
            for data in sources:
                for key in data:
                    if "\x00" in key or any("\x00" in value for value in data.getlist(key)):
                        raise BadRequest(f"{key!r} holds a NUL character")
        return self.get_response(request)


class UnreadableApiBodyMiddleware:
    """A multipart body Django's parser refuses (a part's headers past its size limit: a file name of a few
    thousand characters; a truncated body) is answered, under /api/, with the API's JSON error shape and no
    traceback in the log: it is the client's mistake, not the server's. Read here, before ninja reads it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and request.content_type == "multipart/form-data":
            try:
                request.FILES  # noqa: B018  (parses the body once; Django keeps what it read)
            except MultiPartParserError as exc:
                body = {
                    "code": "malformed_request",
                    "message": f"the multipart body cannot be read: {exc}",
                    "field": None,
                }
                return JsonResponse(body, status=400)
        return self.get_response(request)


class BusyDatabaseMiddleware:
    """SQLite's one write lock still held when the busy timeout ran out (a long import's transaction holds it until
    it commits): 503 with Retry-After, saying that nothing was changed and why, instead of a server error. The
    request's own transaction was rolled back with the error. PostgreSQL never answers this."""

    RETRY_AFTER_SECONDS = 60

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError) or "database is locked" not in str(exception):
            return None
        message = _(
            "The database is busy writing a large import and could not take this change; nothing was changed. "
            "Try again when the import has ended (its progress is on the jobs page)."
        )
        response: HttpResponse
        if channel_of(request) == "api":
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = render(request, "web/busy.html", {"message": message}, status=503)
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
