"""The filters of meetings: one definition for their page (and any API list or export that joins it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accord.agreements.filters import agreement_param
from accord.core.filters import VISIBILITY, Choice, Filters
from accord.meetings.models import Meeting


class MeetingFilters(Filters):
    params = (
        agreement_param(),
        Choice(name="kind", label=_("Kind"), lookup="kind", choices=Meeting.Kind.choices),
        VISIBILITY,
    )
