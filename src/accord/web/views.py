from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accord.web.selectors import agreements_overview


def home(request: HttpRequest) -> HttpResponse:
    """The first page: agreements with their plans, projects and counts."""
    return render(request, "web/home.html", {"agreements": agreements_overview(request.user)})


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
