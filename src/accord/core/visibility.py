"""Who may read which records. For now: staff read everything, everyone else reads what is public.

Party memberships (coordinators, reporters, observers) refine this in the permissions work; every list
goes through `visible` so that refinement lands in one place.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from accord.core.models import Visibility

M = TypeVar("M", bound=Model)


def visible(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    if user is not None and getattr(user, "is_staff", False):
        return queryset
    return queryset.filter(visibility=Visibility.PUBLIC)
