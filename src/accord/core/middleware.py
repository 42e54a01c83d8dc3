"""Request middleware: the audit actor for each request (the signed-in user and a request id); NUL refusal."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse

from accord.core.actor import acting_as, actor_for_user

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class AuditContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _SAFE_ID.match(given) else uuid.uuid4().hex
        with acting_as(actor_for_user(getattr(request, "user", None), request_id)):
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
