"""Error answers Django gives before a view runs (a request it cannot read), in the API's JSON shape under /api/."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """400: a request Django refuses before any view (a Host header this installation does not serve, a body its
    parsers cannot read) reaches no view. An API client gets the JSON error shape every other refusal has, saying
    which of the two; a page, the site's 400 page."""
    if request.path.startswith("/api/"):
        if isinstance(exception, DisallowedHost):  # any operation, a read too: documented on every one (core.api)
            message, field = "the Host header names a host this installation does not serve (ALLOWED_HOSTS)", "Host"
        else:
            message, field = "the request cannot be read (malformed body)", None
        return JsonResponse({"code": "malformed_request", "message": message, "field": field}, status=400)
    return defaults.bad_request(request, exception)
