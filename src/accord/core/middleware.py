"""Sets the audit actor for each request: the signed-in user and a request id."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

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
