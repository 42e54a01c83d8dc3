"""The filters of reviews: one definition for their page (and any API list or export that joins it)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accord.core.filters import VISIBILITY, Choice, Filters
from accord.programmes.filters import plan_param
from accord.reviews.models import Review


class ReviewFilters(Filters):
    params = (
        plan_param(),
        Choice(name="status", label=_("Status"), lookup="status", choices=Review.Status.choices),
        VISIBILITY,
    )
