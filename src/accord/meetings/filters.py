"""The filters of meetings and reviews: one definition per kind for its page (and any API list or export that
joins it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accord.agreements.filters import agreement_param
from accord.core.filters import VISIBILITY, Choice, Filters, Ref
from accord.meetings.models import Meeting, Minutes, Review
from accord.programmes.filters import plan_param


class MeetingFilters(Filters):
    params = (
        agreement_param(),
        Choice(name="kind", label=_("Kind"), lookup="kind", choices=Meeting.Kind.choices),
        VISIBILITY,
    )


class ReviewFilters(Filters):
    params = (
        plan_param(),
        Choice(name="status", label=_("Status"), lookup="status", choices=Review.Status.choices),
        VISIBILITY,
    )


class MinutesFilters(Filters):
    params = (
        agreement_param(lookup="meeting__agreement"),
        Ref(
            name="meeting",
            label=_("Meeting"),
            lookup="meeting",
            aliases=("meeting_id",),
            queryset=lambda: Meeting.objects.order_by("-end_on", "-id"),
        ),
        Choice(name="status", label=_("Status"), lookup="status", choices=Minutes.Status.choices),
        VISIBILITY,
    )
