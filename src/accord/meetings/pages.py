"""The pages of meetings (delegations, attendees, agenda, documents) and reviews (statements, completion)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from accord.core.pages.listing import Column
from accord.core.pages.records import EditSpec, RecordType, register
from accord.core.visibility import visible
from accord.meetings.filters import MeetingFilters, ReviewFilters
from accord.meetings.models import DelegationMember, Meeting, Review
from accord.meetings.services import update_meeting


def _meeting_related(meeting: Meeting, user: Any, params: Any) -> dict[str, Any]:
    members = visible(DelegationMember.objects.select_related("person"), user)
    return {
        "delegations": list(
            visible(meeting.delegations.all(), user)
            .select_related("party", "organisation")
            .prefetch_related(Prefetch("members", queryset=members))
        ),
        "attendees": list(visible(meeting.attendees.all(), user).select_related("person", "party")),
        "agenda": list(visible(meeting.agenda_items.all(), user).select_related("plan").order_by("position")),
        "documents": list(visible(meeting.documents.all(), user)),
        "languages": meeting.agreement.authentic_languages,
    }


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
    edit=EditSpec(("title", "place", "kind", "start_on", "end_on", "visibility"), update_meeting),
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
