"""The pages of meetings (delegations, attendees, agenda, minutes, documents) and reviews (statements, completion).

A meeting is prepared on its one page: each side adds its delegation and members, the attendees and the agenda
(meetings.views takes the forms, the services decide who may); its minutes are read there in every language,
amended and compared, and signed off (the steps in meetings.steps)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from accord.agreements.models import Agreement
from accord.core.errors import ValidationFailed
from accord.core.pages.languages import editor_languages, language_name
from accord.core.pages.listing import Column
from accord.core.pages.records import CreateSpec, EditSpec, RecordType, extend_detail, register
from accord.core.pages.steps import actions_of
from accord.core.permissions import asking_for_many, can, may_create, parties_of_agreement
from accord.core.visibility import principal, visible
from accord.meetings import forms as f
from accord.meetings.filters import MeetingFilters, ReviewFilters
from accord.meetings.models import DelegationMember, Meeting, Minutes, MinutesRevision, Review
from accord.meetings.services import create_meeting, delegations_frozen, update_meeting
from accord.meetings.services.minutes import (
    compare,
    languages_of,
    parties_of,
    pending_parties,
    sign_offs_of_current,
    text_in,
    unified_diff,
)

_MEETING_FIELDS = ("title", "kind", "place", "start_on", "end_on", "visibility")


def meeting_parts(meeting: Meeting, user: Any, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    """The delegations, attendees and agenda as the page shows them, each part with whether `user` may remove it,
    and the forms `user` may add with (`bound`: a form posted with errors, shown again in its place)."""
    bound = bound or {}
    members = visible(DelegationMember.objects.select_related("person"), user)
    delegations = list(
        visible(meeting.delegations.all(), user)
        .select_related("party", "organisation")
        .prefetch_related(Prefetch("members", queryset=members))
    )
    attendees = list(visible(meeting.attendees.all(), user).select_related("person", "party"))
    agenda = list(visible(meeting.agenda_items.all(), user).select_related("plan").order_by("position"))
    party_ids = parties_of_agreement(meeting.agreement_id)
    shared = {"meeting": meeting, "party_ids": party_ids, "languages": editor_languages(meeting)}
    parts: list[Any] = [*delegations, *attendees, *agenda]
    frozen = bool(delegations) and delegations_frozen(meeting)  # final minutes: who came stays
    with asking_for_many(user, parts, read_through_visible=True):  # what the reader may do, asked once
        for part in parts:
            part.removable = can(user, "delete", part)
        for item in parts[len(delegations) + len(attendees) :]:
            item.movable = can(user, "change", item)
        for delegation in parts[: len(delegations)]:
            delegation.removable = delegation.removable and not frozen
            for member in delegation.members.all():
                member.removable = delegation.removable
            key = f"member-{delegation.pk}"
            delegation.member_form = bound.get(key) or (
                f.MemberForm(party_id=delegation.party_id, prefix=key, **shared)
                if can(user, "change", delegation) and not frozen
                else None
            )
    who = principal(user)
    may_add = may_create(user, agreement=meeting.agreement)  # the meeting was read as the reader may see it
    sent = {d.party_id for d in delegations}
    mine = None if who.is_admin else set(who.coordinates)
    may_send = may_add and not frozen and any(mine is None or pk in mine for pk in party_ids - sent)
    forms: dict[str, Any] = {
        "delegation_form": f.DelegationForm(mine=mine, sent=sent, prefix="delegation", **shared) if may_send else None,
        "attendee_form": f.AttendeeForm(prefix="attendee", **shared) if may_add else None,
        "agenda_form": f.AgendaItemForm(user=user, prefix="agenda", **shared) if may_add else None,
    }
    for key, form in bound.items():
        if not key.startswith("member-"):
            forms[f"{key}_form"] = form
    return {"delegations": delegations, "attendees": attendees, "agenda": agenda, **forms}


def minutes_part(meeting: Meeting, user: Any, params: Any) -> dict[str, Any]:
    """The minutes as everyone asked to approve them reads them: the current text in every language, the
    sign-offs, the revisions, and a comparison of any two (?a=1&b=2&lang=zh)."""
    minutes = visible(Minutes.objects.filter(meeting=meeting), user).first()
    if minutes is None:
        return {"minutes": None}
    revisions = list(MinutesRevision.objects.filter(minutes=minutes).select_related("party").order_by("number"))
    current = revisions[-1] if revisions else None
    order = editor_languages(meeting)  # the parties' languages first, in the agreement's order
    languages = sorted(languages_of(minutes), key=lambda t: (order.index(t) if t in order else len(order), t))
    texts = [(tag, text_in(current, tag)) for tag in languages] if current else []
    context: dict[str, Any] = {
        "minutes": minutes,
        "revisions": revisions,
        "current": current,
        "texts": [(tag, language_name(tag), text) for tag, text in texts if text],
        "sign_offs": sign_offs_of_current(minutes),
        "pending": pending_parties(minutes) if not minutes.is_final else [],
        "minutes_parties": parties_of(minutes),
        "minutes_actions": actions_of(user, minutes),
        "minutes_languages": [(tag, language_name(tag)) for tag in languages],
    }
    context.update(_comparison(minutes, revisions, languages, params))
    return context


def _comparison(
    minutes: Minutes, revisions: list[MinutesRevision], languages: list[str], params: Any
) -> dict[str, Any]:
    last = revisions[-1].number if revisions else 1
    wanted = {"a": params.get("a", ""), "b": params.get("b", ""), "lang": params.get("lang", "")}
    out: dict[str, Any] = {"compare_a": max(last - 1, 1), "compare_b": last, "compare_lang": "", "compare_errors": {}}
    if not any(wanted.values()):
        return out
    errors: dict[str, list[str]] = {}
    numbers: dict[str, int] = {}
    for name in ("a", "b"):
        try:
            numbers[name] = int(wanted[name])
        except ValueError:
            errors[name] = [str(_("Give a revision number."))]
    langs = [wanted["lang"]] if wanted["lang"] else languages
    out.update(
        compare_a=numbers.get("a", wanted["a"]), compare_b=numbers.get("b", wanted["b"]), compare_lang=wanted["lang"]
    )
    if errors:
        out["compare_errors"] = errors
        return out
    results = []
    try:
        for tag in langs:
            changes = compare(minutes, numbers["a"], numbers["b"], tag)
            diff = unified_diff(minutes, numbers["a"], numbers["b"], tag)
            results.append((tag, language_name(tag), changes, diff))
    except ValidationFailed as exc:
        out["compare_errors"] = exc.errors
        return out
    out["comparison"] = results
    return out


def _meeting_related(meeting: Meeting, user: Any, params: Any) -> dict[str, Any]:
    return {
        **meeting_parts(meeting, user),
        **minutes_part(meeting, user, params),
        "documents": list(visible(meeting.documents.all(), user)),
        "languages": meeting.agreement.authentic_languages,
    }


def _new_meeting(agreement: Agreement, user: Any, params: Any, context: dict[str, Any]) -> dict[str, Any]:
    """The agreement's page offers a new meeting to whoever may add one under it."""
    return {"may_add_meeting": may_create(user, agreement=agreement)}


def _review_related(review: Review, user: Any, params: Any) -> dict[str, Any]:
    return {
        "statements": list(visible(review.statements.all(), user).select_related("party")),
        "completion": (review.figures or {}).get("completion", {}),
        "languages": review.plan.agreement.authentic_languages,
    }


MEETINGS = RecordType(
    kind="meetings",
    model=Meeting,
    label=_("Meeting"),
    label_plural=_("Meetings"),
    list_queryset=lambda: Meeting.objects.select_related("agreement"),
    columns=[
        Column(_("Title"), "title", ("id",)),
        Column(_("Kind"), "kind", ("kind",)),
        Column(_("Place")),
        Column(_("Dates"), "dates", ("end_on",)),
    ],
    filters=MeetingFilters,
    search=("title", "place"),
    default_sort="-dates",
    related=_meeting_related,
    edit=EditSpec(_MEETING_FIELDS, update_meeting),
    create=CreateSpec(
        "agreement",
        Agreement,
        _MEETING_FIELDS,
        lambda agreement, **fields: create_meeting(agreement=agreement, **fields),
    ),
)


REVIEWS = RecordType(
    kind="reviews",
    model=Review,
    label=_("Review"),
    label_plural=_("Reviews"),
    list_queryset=lambda: Review.objects.select_related("plan"),
    detail_queryset=lambda: Review.objects.select_related("plan__agreement"),
    columns=[
        Column(_("Plan"), "plan", ("plan_id",)),
        Column(_("As of"), "as_of", ("as_of",)),
        Column(_("Status"), "status", ("status",)),
        Column(_("Completed")),
    ],
    filters=ReviewFilters,
    search=("plan__title",),
    default_sort="-as_of",
    related=_review_related,
)

register(MEETINGS, REVIEWS)
extend_detail("agreements", _new_meeting)
