"""The filters of signatures: one definition for their API list (and any page or export that lists them)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.core.filters import VISIBILITY, Filters
from accord.directory.filters import party_param
from accord.programmes.filters import plan_param
from accord.programmes.models import Plan


def _of_plan(queryset: QuerySet[Any], plan: Plan) -> QuerySet[Any]:
    # A signature names what it signs by content type and id (agreements know no plans).
    return queryset.filter(target_type=ContentType.objects.get_for_model(Plan), target_id=plan.pk)


class SignatureFilters(Filters):
    params = (
        plan_param(lookup=_of_plan),  # type: ignore[arg-type]
        party_param(label=_("Party"), aliases=("party_id",)),
        VISIBILITY,
    )
