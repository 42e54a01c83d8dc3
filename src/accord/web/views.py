"""The shell's own pages: the public portal (home), search across kinds, the account's work, health.

The record pages are the domain apps' (each app's pages.py and urls.py, rendered by core.pages); the shell
links them together.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accord.core.pages.listing import text_search
from accord.core.pages.records import record_type
from accord.core.pages.steps import actions_of
from accord.core.pages.views import login_url
from accord.core.permissions import asking_for_many
from accord.core.reminders import reminders_for
from accord.core.visibility import visible
from accord.documents.models import Document
from accord.meetings.models import Meeting, Minutes
from accord.programmes.models import Exchange, Plan, Project
from accord.web.selectors import agreement_total, agreements_overview

# --- portal and search -----------------------------------------------------------------------------


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The first page: agreements with their plans and counts, then what is published (for everyone
    this is the portal: anonymous visitors see public records only, through the same visibility rule)."""
    user = request.user
    context = {
        "agreements": list(agreements_overview(user)),  # the latest few
        "agreement_total": agreement_total(user),
        "projects": list(
            visible(Project.objects.select_related("agreement"), user).order_by("agreement_id", "id")[:10]
        ),
        "communiques": list(
            visible(
                Document.objects.filter(kind=Document.Kind.COMMUNIQUE, status=Document.Status.PUBLISHED), user
            ).order_by("-issued_on", "id")[:10]
        ),
    }
    return render(request, "web/home.html", context)


SEARCH_KINDS = ("agreements", "plans", "projects", "documents", "organisations", "people", "meetings")


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search titles and names across the main kinds of records (what the user may read only)."""
    text = request.GET.get("q", "").strip()[:200]
    groups = []
    if text:
        for kind in SEARCH_KINDS:
            rt = record_type(kind)
            qs = text_search(visible(rt.list_queryset(), request.user), text, rt.search, rt.search_exact, reads=11)
            rows = list(qs.order_by("pk")[:11])
            groups.append({"type": rt, "rows": rows[:10], "more": len(rows) > 10})
    return render(request, "web/search.html", {"q": text, "groups": groups})


REMINDERS_PER_PAGE = 10
WORK_PER_PAGE = 20  # plans, meetings, minutes and exchanges: a page of each, however many the account may read


def _page_with_steps(request: HttpRequest, records: QuerySet[Any], param: str) -> Page:
    """One page of `records` (read through `visible` for the user), each with the steps the user may take on it:
    the permissions asked once for the page, not once per record."""
    page = Paginator(records, WORK_PER_PAGE).get_page(request.GET.get(param))
    rows = list(page.object_list)
    with asking_for_many(request.user, rows, read_through_visible=True):
        page.object_list = [{"record": r, "steps": actions_of(request.user, r)} for r in rows]
    return page


@require_GET
def workflow(request: HttpRequest) -> HttpResponse:
    """Everything waiting for the account: what they owe and wait for, plans, meetings and minutes, exchanges.
    Each list is a page: a national programme has thousands of plans and exchanges the account may read."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), login_url())
    user = request.user
    plans = visible(Plan.objects.select_related("agreement"), user).order_by("-period_start", "-id")
    meetings = visible(Meeting.objects.all(), user).order_by("-start_on", "-id")
    minutes = visible(Minutes.objects.select_related("meeting"), user).order_by("-id")
    awaiting = visible(Exchange.objects.awaiting_receipt().select_related("from_party", "to_party"), user)
    due = reminders_for(user)  # what falls due, through the account's roles (core.reminders)
    context = {
        "owe": Paginator(due.owe, REMINDERS_PER_PAGE).get_page(request.GET.get("owe")),
        "wait": Paginator(due.wait, REMINDERS_PER_PAGE).get_page(request.GET.get("wait")),
        "plans": _page_with_steps(request, plans, "plans"),
        "meetings": _page_with_steps(request, meetings, "meetings"),
        "minutes": _page_with_steps(request, minutes, "minutes"),
        "exchanges": _page_with_steps(request, awaiting.order_by("sent_on", "id"), "exchanges"),
    }
    return render(request, "web/workflow.html", context)


def plan_workflow(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan's workflow page of earlier versions: the plan's own page now shows its state and steps."""
    plan = get_object_or_404(visible(Plan.objects.all(), request.user), pk=pk)
    return redirect(reverse("programmes:plans-detail", args=[plan.pk]), permanent=True)


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
