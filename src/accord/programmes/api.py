"""/plans, /projects, /plan-items, /exchanges."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from accord.core.api import read_endpoints
from accord.programmes.models import Exchange, Plan, PlanItem, Project


class PlanOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    agreement_id: int
    title: dict[str, str]
    kind: str
    period_start: dt.date
    period_end: dt.date
    revision: int
    supersedes_id: int | None
    previous_id: int | None
    status: str
    signed_on: dt.date | None
    signed_at: dict[str, str]
    signed_version: int | None
    visibility: str


class ProjectOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    agreement_id: int
    number: str
    title: dict[str, str]
    field: str
    modality: str
    provider_party_id: int | None
    recipient_party_id: int | None
    start_on: dt.date | None
    end_on: dt.date | None
    visibility: str
    is_illustrative: bool


class PlanItemOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    plan_id: int
    project_id: int
    position: int
    objectives: dict[str, str]
    carry_over: str
    carried_over_from_id: int | None
    visibility: str


class ExchangeOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    agreement_id: int
    project_id: int | None
    kind: str
    description: dict[str, str]
    from_party_id: int
    to_party_id: int
    start_on: dt.date | None
    end_on: dt.date | None
    quantity: Decimal
    unit: str
    sent_on: dt.date | None
    received_on: dt.date | None
    received_reference: str
    visibility: str
    is_illustrative: bool


def _by(field: str, cast: Any = int) -> Any:
    """A list filter on one query parameter (?plan=3), refused with a clear error when malformed."""

    def apply(queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
        value = request.GET.get(field)
        if value in (None, ""):
            return queryset
        try:
            return queryset.filter(**{f"{field}_id": cast(value)})
        except (TypeError, ValueError):
            from accord.core.errors import ValidationFailed

            raise ValidationFailed({field: [f"{value!r} is not a {field} id"]}) from None

    return apply


router = Router()
for path, model, schema, filters in (
    ("plans", Plan, PlanOut, _by("agreement")),
    ("projects", Project, ProjectOut, _by("agreement")),
    ("plan-items", PlanItem, PlanItemOut, _by("plan")),
    ("exchanges", Exchange, ExchangeOut, _by("agreement")),
):
    resource = Router(tags=[path])
    read_endpoints(resource, model, schema, name=path.replace("-", "_"), filters=filters)
    router.add_router(f"/{path}", resource)
