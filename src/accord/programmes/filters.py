"""The filters of plans, projects, plan items, exchanges, progress reports and participations: one definition
each, for the record's page, its API list and its export (`?agreement=3&status=signed` means the same on all)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accord.agreements.filters import agreement_param
from accord.core.filters import VISIBILITY, Choice, Filters, Ref
from accord.directory.filters import party_param
from accord.programmes.choices import (
    CarryOver,
    DeliverableKind,
    ExchangeKind,
    FieldOfScience,
    Modality,
    PlanStatus,
    ProgressStatus,
)
from accord.programmes.models import Participation, Plan, PlanItem, Project


def plan_param(lookup: str = "plan") -> Ref:
    """A plan by id; a page offers the latest periods first."""
    return Ref(
        name="plan",
        label=_("Plan"),
        lookup=lookup,
        aliases=("plan_id",),
        queryset=lambda: Plan.objects.only("id", "title", "revision").order_by(
            "-period_start", "-period_end", "-agreement_id", "-revision"
        ),
    )


def _with_participant(queryset: QuerySet[Any], party: Any) -> QuerySet[Any]:
    # A subquery, not a join: a project with two organisations on that side is listed once.
    return queryset.filter(pk__in=Participation.objects.filter(side=party).values("project_id"))


class PlanFilters(Filters):
    params = (
        agreement_param(),
        Choice(name="status", label=_("Status"), lookup="status", choices=PlanStatus.choices),
        VISIBILITY,
    )


class ProjectFilters(Filters):
    params = (
        agreement_param(),
        Choice(name="field", label=_("Field of science"), lookup="field", choices=FieldOfScience.choices),
        Choice(name="modality", label=_("Modality"), lookup="modality", choices=Modality.choices),
        party_param(label=_("Participating party"), lookup=_with_participant, aliases=("party_id",)),
        VISIBILITY,
    )


class PlanItemFilters(Filters):
    params = (
        plan_param(),
        Choice(name="carry_over", label=_("Carry-over"), lookup="carry_over", choices=CarryOver.choices),
        VISIBILITY,
    )


class ExchangeFilters(Filters):
    params = (
        agreement_param(),
        Choice(name="kind", label=_("Kind"), lookup="kind", choices=ExchangeKind.choices),
        party_param(name="from", label=_("From"), lookup="from_party", aliases=("from_party", "from_party_id")),
        party_param(name="to", label=_("To"), lookup="to_party", aliases=("to_party", "to_party_id")),
        VISIBILITY,
    )


class ProgressReportFilters(Filters):
    params = (
        plan_param(lookup="plan_item__plan"),
        Ref(
            name="plan_item",
            label=_("Plan item"),
            lookup="plan_item",
            aliases=("plan_item_id",),
            queryset=lambda: PlanItem.objects.order_by("id"),
        ),
        Choice(name="status", label=_("Status"), lookup="status", choices=ProgressStatus.choices),
        VISIBILITY,
    )


class ParticipationFilters(Filters):
    params = (
        agreement_param(lookup="project__agreement"),
        Ref(
            name="project",
            label=_("Project"),
            lookup="project",
            aliases=("project_id",),
            queryset=lambda: Project.objects.order_by("id"),
        ),
        party_param(name="side", label=_("Side"), lookup="side", aliases=("side_id",)),
        VISIBILITY,
    )


class DeliverableFilters(Filters):
    params = (
        plan_param(lookup="plan_item__plan"),
        Ref(
            name="plan_item",
            label=_("Plan item"),
            lookup="plan_item",
            aliases=("plan_item_id",),
            queryset=lambda: PlanItem.objects.order_by("id"),
        ),
        Choice(name="kind", label=_("Kind"), lookup="kind", choices=DeliverableKind.choices),
        party_param(name="owed_by", label=_("Owed by"), lookup="responsible_party", aliases=("responsible_party",)),
        VISIBILITY,
    )
