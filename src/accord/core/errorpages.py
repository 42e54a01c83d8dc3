"""Error answers Django gives before a view runs (a request it cannot read), in the API's JSON shape under /api/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    """400: a body Django's parsers refuse (a malformed multipart upload, a suspicious header) reaches no view.
    An API client gets the JSON error shape every other refusal has; a page, the site's 400 page."""
    if request.path.startswith("/api/"):
        body = {"code": "malformed_request", "message": "the request cannot be read (malformed body)", "field": None}
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception)
