"""A meeting's parts added and removed on its page: delegations (with their head), members, attendees, agenda.

Thin: find the meeting as the reader may see it, parse the form, call the service, render. With htmx the
parts' block is swapped in place (the form again with the reason on a refusal); without it, a redirect back to
the page, or the page again with the form and the reason. Who may is the services' rule (meetings.services).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accord.core.errors import DomainError, Forbidden, StaleVersion, ValidationFailed, http_status
from accord.core.ids import record_id
from accord.core.pages.forms import stale_message
from accord.core.pages.records import record_type
from accord.core.pages.views import refusals, render_detail
from accord.core.permissions import require
from accord.core.visibility import visible
from accord.meetings import forms as f
from accord.meetings import services
from accord.meetings.models import AgendaItem, Delegation, DelegationMember, Meeting, MeetingAttendee
from accord.meetings.pages import meeting_parts

PARTS_TEMPLATE = "meetings/meetings/_parts.html"


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    if not request.user.is_authenticated:
        raise Forbidden(_("Sign in to add records."))
    return get_object_or_404(visible(Meeting.objects.select_related("agreement"), request.user), pk=pk)


def _respond(request: HttpRequest, meeting: Meeting, bound: dict[str, Any] | None = None, status: int = 200) -> Any:
    """The parts' block (htmx), or the meeting's page: after a change a redirect, after a refusal the page again."""
    if request.headers.get("HX-Request") == "true":
        context = {"record": meeting, "languages": meeting.agreement.authentic_languages, "htmx": True}
        context.update(meeting_parts(meeting, request.user, bound))
        return render(request, PARTS_TEMPLATE, context, status=status)
    if not bound:
        return HttpResponseRedirect(reverse("meetings:meetings-detail", args=[meeting.pk]) + "#parts")
    return render_detail(
        request, record_type("meetings"), meeting, extra=meeting_parts(meeting, request.user, bound), status=status
    )


def _save(
    request: HttpRequest, meeting: Meeting, key: str, form: Any, write: Any, rename: dict[str, str] | None = None
) -> HttpResponse:
    """Validate `form`, then write through the service: a refusal is put back on the form, nothing written."""
    if not form.is_valid():
        return _respond(request, meeting, {key: form}, status=422)
    try:
        with transaction.atomic():
            done = write(form.cleaned_data)
    except Forbidden:
        raise  # the 403 page, as on every channel
    except DomainError as exc:
        _show(form, exc, rename or {})
        return _respond(request, meeting, {key: form}, status=http_status(exc))
    messages.success(request, _("Added “%(record)s”.") % {"record": done})
    return _respond(request, meeting)


def _show(form: Any, exc: DomainError, rename: dict[str, str]) -> None:
    """The service's refusal beside the field it names (`rename`: the service's name for a field of the form)."""
    errors = exc.errors if isinstance(exc, ValidationFailed) else {exc.field or "__all__": [exc.message]}
    for name, msgs in errors.items():
        target = rename.get(name, name)
        for msg in msgs:
            if target in form.fields:
                form.add_error(target, msg)
            else:
                form.add_error(None, msg if name == "__all__" else f"{name}: {msg}")


@refusals
@require_POST
def add_delegation(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = f.DelegationForm(request.POST, meeting=meeting, prefix="delegation")

    def write(data: dict[str, Any]) -> Any:
        head = data.get("head")
        members = [(head, DelegationMember.Role.HEAD, data.get("head_capacity") or {})] if head else []
        return services.add_delegation(meeting, data["party"], organisation=data.get("organisation"), members=members)

    return _save(request, meeting, "delegation", form, write, rename={"members": "head"})


@refusals
@require_POST
def add_member(request: HttpRequest, pk: int, delegation_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    delegation = get_object_or_404(visible(Delegation.objects.filter(meeting=meeting), request.user), pk=delegation_pk)
    key = f"member-{delegation.pk}"
    form = f.MemberForm(request.POST, meeting=meeting, party_id=delegation.party_id, prefix=key)

    def write(data: dict[str, Any]) -> Any:
        return services.add_delegation_member(
            delegation, data["person"], role=data["role"], capacity=data.get("capacity") or {}
        )

    return _save(request, meeting, key, form, write)


@refusals
@require_POST
def add_attendee(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = f.AttendeeForm(request.POST, meeting=meeting, prefix="attendee")

    def write(data: dict[str, Any]) -> Any:
        return services.add_attendee(
            meeting,
            data["person"],
            party=data.get("party"),
            capacity=data.get("capacity") or {},
            occasion=data.get("occasion") or {},
        )

    return _save(request, meeting, "attendee", form, write)


@refusals
@require_POST
def add_agenda_item(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    form = f.AgendaItemForm(request.POST, meeting=meeting, user=request.user, prefix="agenda")

    def write(data: dict[str, Any]) -> Any:
        return services.add_agenda_item(meeting, title=data["title"], kind=data["kind"], plan=data.get("plan"))

    return _save(request, meeting, "agenda", form, write)


# What each kind of part is, and the service that removes it.
_REMOVABLE: dict[str, tuple[type[Any], str, Any]] = {
    "delegations": (Delegation, "meeting", services.remove_delegation),
    "members": (DelegationMember, "delegation__meeting", services.remove_delegation_member),
    "attendees": (MeetingAttendee, "meeting", services.remove_attendee),
    "agenda": (AgendaItem, "meeting", services.remove_agenda_item),
}


@refusals
@require_POST
def remove_part(request: HttpRequest, pk: int, part: str, part_pk: int) -> HttpResponse:
    if part not in _REMOVABLE:
        raise Http404
    meeting = _meeting(request, pk)
    model, path, remove = _REMOVABLE[part]
    record = get_object_or_404(visible(model._default_manager.filter(**{path: meeting}), request.user), pk=part_pk)
    try:
        with transaction.atomic():
            remove(record)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        if request.headers.get("HX-Request") == "true":
            return _respond(request, meeting, status=http_status(exc))
        return HttpResponseRedirect(reverse("meetings:meetings-detail", args=[meeting.pk]) + "#parts")
    messages.success(request, _("Removed “%(record)s”.") % {"record": record})
    return _respond(request, meeting)


@refusals
@require_POST
def move_agenda_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    meeting = _meeting(request, pk)
    item = get_object_or_404(visible(AgendaItem.objects.filter(meeting=meeting), request.user), pk=item_pk)
    to = request.POST.get("to", "")
    try:
        with transaction.atomic():
            services.move_agenda_item(item, to=record_id(to) or 0)
    except Forbidden:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        status = http_status(exc)
    else:
        status = 200
    if request.headers.get("HX-Request") == "true":
        return _respond(request, meeting, status=status)
    return HttpResponseRedirect(reverse("meetings:meetings-detail", args=[meeting.pk]) + "#parts")


@refusals
def edit_agenda_item(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """An agenda item's title, kind, plan and decision, on a page of its own; back to the meeting when saved."""
    meeting = _meeting(request, pk)
    item = get_object_or_404(visible(AgendaItem.objects.filter(meeting=meeting), request.user), pk=item_pk)
    require(request.user, "change", item)
    status = 200
    if request.method == "POST":
        form = f.AgendaItemEditForm(request.POST, meeting=meeting, user=request.user, item=item)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = services.update_agenda_item(
                        item, expected_version=form.cleaned_data["version"], **form.changes()
                    )
            except Forbidden:
                raise
            except DomainError as exc:
                if isinstance(exc, StaleVersion):
                    form.add_error(None, stale_message(exc))
                    data = request.POST.copy()
                    data["version"] = str(exc.current)  # saving again is the user's informed choice
                    form.data = data
                else:
                    _show(form, exc, {})
                status = http_status(exc)
            else:
                messages.success(request, _("Saved “%(record)s”.") % {"record": saved})
                return HttpResponseRedirect(reverse("meetings:meetings-detail", args=[meeting.pk]) + "#parts")
        else:
            status = 422
    else:
        form = f.AgendaItemEditForm(meeting=meeting, user=request.user, item=item)
    context = {"record": meeting, "item": item, "form": form, "languages": meeting.agreement.authentic_languages}
    return render(request, "meetings/meetings/agenda_edit.html", context, status=status)
