"""/plans, /projects, /plan-items, /exchanges."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from accord.agreements.models import Agreement
from accord.core.api import Error, expected_version, read_endpoints, readable, resolve_refs, respond_with
from accord.core.errors import ValidationFailed
from accord.core.refs import find
from accord.core.visibility import count_withheld, withheld
from accord.directory.models import Organisation, Party
from accord.programmes import services
from accord.programmes.filters import (
    DeliverableFilters,
    ExchangeFilters,
    PlanFilters,
    PlanItemFilters,
    ProgressReportFilters,
    ProjectFilters,
)
from accord.programmes.models import Deliverable, Exchange, Plan, PlanItem, ProgressReport, Project


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
    items_withheld: int  # the plan's items the caller may not see (not listed under /plan-items either)

    @staticmethod
    def resolve_items_withheld(obj: Plan, context: Any) -> int:
        found = getattr(obj, "items_withheld", None)
        return found if found is not None else withheld(obj.items.all(), context["request"].user)


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


def _with_items_withheld(queryset: QuerySet[Any], request: HttpRequest) -> QuerySet[Any]:
    """Each plan with the number of its items withheld from the caller."""
    return queryset.annotate(items_withheld=count_withheld(Plan, "items", request.user))


router = Router()
resources: dict[str, Router] = {}  # the writes below join the same routers, so each path has one URL pattern
for path, model, schema, filters in (
    ("plans", Plan, PlanOut, PlanFilters),
    ("projects", Project, ProjectOut, ProjectFilters),
    ("plan-items", PlanItem, PlanItemOut, PlanItemFilters),
    ("exchanges", Exchange, ExchangeOut, ExchangeFilters),
):
    resource = Router(tags=[path])
    annotate = _with_items_withheld if model is Plan else None
    read_endpoints(resource, model, schema, name=path.replace("-", "_"), filters=filters, annotate=annotate)
    router.add_router(f"/{path}", resource)
    resources[path] = resource


# --- writes ------------------------------------------------------------------------------------------------
# Every change names the version it saw (If-Match). Who may make it is the services' business (they check the
# acting account), so these routes only parse, find the record the caller may read, and answer.


class ProjectParticipationIn(Schema):
    organisation_id: int | str
    side: str | None = None  # the party's code; by default the organisation's party
    role: str = "partner"


class ProjectIn(Schema):
    agreement_id: int | str
    participations: list[ProjectParticipationIn] = []  # the organisations taking part, added with it
    number: str
    title: dict[str, str]
    field: str = ""
    modality: str = "joint"
    provider_party_id: int | str | None = None
    recipient_party_id: int | str | None = None
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    visibility: str = "bilateral"
    owner_party_id: int | str | None = None
    external_id: str | None = None


class ProjectPatch(Schema):
    title: dict[str, str] | None = None
    field: str | None = None
    modality: str | None = None
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    visibility: str | None = None
    external_id: str | None = None


class PlanIn(Schema):
    agreement_id: int | str
    title: dict[str, str]
    kind: str = "annual"
    period_start: dt.date
    period_end: dt.date
    visibility: str = "bilateral"


class PlanPatch(Schema):
    title: dict[str, str] | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    visibility: str | None = None


class PlanItemIn(Schema):
    plan_id: int | str
    project_id: int | str
    objectives: dict[str, str] = {}
    position: int | None = None


class PlanItemPatch(Schema):
    objectives: dict[str, str] | None = None
    position: int | None = None


class ExchangeIn(Schema):
    agreement_id: int | str
    project_id: int | str | None = None
    kind: str
    description: dict[str, str] = {}
    from_party_id: int | str
    to_party_id: int | str
    start_on: dt.date | None = None
    end_on: dt.date | None = None
    quantity: Decimal = Decimal(1)
    unit: str = "persons"
    sent_on: dt.date | None = None
    visibility: str = "bilateral"


class ProgressIn(Schema):
    reporting_organisation_id: int | str
    period_start: dt.date
    period_end: dt.date
    status: str
    percent: int
    narrative: dict[str, str] = {}
    evidence: str = ""


class ProgressOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    plan_item_id: int
    reporting_organisation_id: int
    period_start: dt.date
    period_end: dt.date
    status: str
    percent: int
    narrative: dict[str, str]
    evidence: str
    visibility: str


class TransitionIn(Schema):
    to: str


class ApprovalIn(Schema):
    party: str  # the party's code, e.g. "CN"
    approved_on: dt.date | None = None
    note: str = ""


class SignIn(Schema):
    party: str
    signatory_id: int | str
    passphrase: str
    signed_on: dt.date | None = None
    signed_at: dict[str, str] = {}
    otp: str = ""  # the one-time code, when the signing account has a second factor


class SignatureOut(Schema):
    id: int
    uid: uuid.UUID
    party_id: int
    target_version: int
    content_hash: str
    signed_on: dt.date | None


class NextPlanIn(Schema):
    period_start: dt.date
    period_end: dt.date
    title: dict[str, str] | None = None


class ReceiptIn(Schema):
    received_on: dt.date
    reference: str = ""


_REFS: dict[str, type[Model]] = {
    "agreement": Agreement,
    "project": Project,
    "plan": Plan,
    "provider_party": Party,
    "recipient_party": Party,
    "owner_party": Party,
    "from_party": Party,
    "to_party": Party,
    "reporting_organisation": Organisation,
}


def _party(code: str) -> Party:
    party = Party.objects.filter(code=code.strip().upper()).first()
    if party is None:
        raise ValidationFailed({"party": [f"no party with code {code!r}"]})
    return party


def _patch(router: Router, model: type[Any], schema: type[Schema], out: type[Schema], update: Any) -> None:
    what = str(model._meta.verbose_name)

    def patch(request: HttpRequest, ref: str, payload: Any, response: HttpResponse) -> Any:
        record = find(readable(model, request), ref, what)
        version = expected_version(request, record)
        changes = resolve_refs(request, payload.dict(exclude_unset=True), _REFS)
        return respond_with(response, update(record, expected_version=version, **changes))

    # Annotations are strings in this module: name the body's schema itself, or ninja cannot find it.
    patch.__annotations__ = {"request": HttpRequest, "ref": str, "payload": schema, "response": HttpResponse}
    router.patch(
        "/{ref}",
        response={200: out, **_errors(401, 403, 404, 409, 412, 422, 428)},
        summary=f"Change a {what}",
        operation_id=f"change_{model._meta.model_name}",
    )(patch)


def _errors(*codes: int) -> dict[int, Any]:
    return {c: Error for c in codes}


projects_w, plans_w = resources["projects"], resources["plans"]
items_w, exchanges_w = resources["plan-items"], resources["exchanges"]


@projects_w.post("", response={201: ProjectOut, **_errors(401, 403, 422)}, summary="Add a project")
def create_project(request: HttpRequest, payload: ProjectIn, response: HttpResponse) -> Any:
    fields = resolve_refs(request, payload.dict(), _REFS)
    fields["participations"] = [
        (
            resolve_refs(request, {"organisation_id": p["organisation_id"]}, {"organisation": Organisation})[
                "organisation"
            ],
            _party(p["side"]) if p["side"] else None,
            p["role"],
        )
        for p in fields.pop("participations")
    ]
    return Status(201, respond_with(response, services.create_project(**fields)))


_patch(projects_w, Project, ProjectPatch, ProjectOut, services.update_project)


@plans_w.post("", response={201: PlanOut, **_errors(401, 403, 422)}, summary="Draft a plan")
def create_plan(request: HttpRequest, payload: PlanIn, response: HttpResponse) -> Any:
    fields = resolve_refs(request, payload.dict(), _REFS)
    return Status(201, respond_with(response, services.create_plan(**fields)))


_patch(plans_w, Plan, PlanPatch, PlanOut, services.update_plan)


def _plan(request: HttpRequest, ref: str) -> Plan:
    return find(readable(Plan, request), ref, "plan")


@plans_w.post("/{ref}/propose", response={200: PlanOut, **_errors(401, 403, 404, 409, 412, 428)}, summary="Propose")
def propose_plan(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    plan = _plan(request, ref)
    return respond_with(
        response, services.transition_plan(plan, "proposed", expected_version=expected_version(request, plan))
    )


@plans_w.post(
    "/{ref}/transition", response={200: PlanOut, **_errors(401, 403, 404, 409, 412, 422, 428)}, summary="Move on"
)
def transition_plan(request: HttpRequest, ref: str, payload: TransitionIn, response: HttpResponse) -> Any:
    """Put a signed plan in force, mark it reviewed or closed (agreeing and signing have their own routes)."""
    plan = _plan(request, ref)
    if payload.to in ("agreed", "signed"):
        raise ValidationFailed({"to": [f"a plan becomes {payload.to} through /approve or /sign by every party"]})
    version = expected_version(request, plan)
    return respond_with(response, services.transition_plan(plan, payload.to, expected_version=version))


@plans_w.post(
    "/{ref}/approve", response={200: PlanOut, **_errors(401, 403, 404, 409, 412, 422, 428)}, summary="Agree (one party)"
)
def approve_plan(request: HttpRequest, ref: str, payload: ApprovalIn, response: HttpResponse) -> Any:
    """One party agrees the current version; when every party has, the plan is agreed."""
    party = _party(payload.party)
    plan = _plan(request, ref)
    services.approve_plan(
        plan,
        party=party,
        expected_version=expected_version(request, plan),
        approved_on=payload.approved_on or dt.date.today(),
        note=payload.note,
    )
    plan.refresh_from_db()
    return respond_with(response, plan)


@plans_w.post("/{ref}/next", response={201: PlanOut, **_errors(401, 403, 404, 409, 422)}, summary="Draft the next plan")
def next_plan(request: HttpRequest, ref: str, payload: NextPlanIn, response: HttpResponse) -> Any:
    """A draft for the next period, of the plan's kind and visibility, with unfinished items proposed for carry-over."""
    plan = _plan(request, ref)
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    return Status(201, respond_with(response, services.draft_next_plan(plan, **fields)))


@items_w.post("", response={201: PlanItemOut, **_errors(401, 403, 404, 409, 422)}, summary="Add a plan item")
def create_plan_item(request: HttpRequest, payload: PlanItemIn, response: HttpResponse) -> Any:
    fields = resolve_refs(request, payload.dict(exclude_none=True), _REFS)
    plan, project = fields.pop("plan"), fields.pop("project")
    return Status(201, respond_with(response, services.add_plan_item(plan, project, **fields)))


_patch(items_w, PlanItem, PlanItemPatch, PlanItemOut, services.update_plan_item)


@items_w.post("/{ref}/progress", response={201: ProgressOut, **_errors(401, 403, 404, 422)}, summary="Record progress")
def record_progress(request: HttpRequest, ref: str, payload: ProgressIn) -> Any:
    item = find(readable(PlanItem, request), ref, "plan item")
    fields = resolve_refs(request, payload.dict(), _REFS)
    organisation = fields.pop("reporting_organisation")
    return Status(201, services.record_progress(item, reporting_organisation=organisation, **fields))


@items_w.post(
    "/{ref}/carry-over", response={200: PlanItemOut, **_errors(401, 403, 404, 409, 412, 422, 428)}, summary="Accept"
)
def accept_carry_over(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
    """Keep an unfinished item proposed for carry-over in the new plan."""
    item = find(readable(PlanItem, request), ref, "plan item")
    return respond_with(response, services.accept_carry_over(item, expected_version=expected_version(request, item)))


@items_w.delete("/{ref}/carry-over", response={204: None, **_errors(401, 403, 404, 409, 412, 422, 428)}, summary="Drop")
def drop_carry_over(request: HttpRequest, ref: str) -> Any:
    """Drop an item proposed for carry-over from the new plan."""
    item = find(readable(PlanItem, request), ref, "plan item")
    services.drop_carry_over(item, expected_version=expected_version(request, item))
    return Status(204, None)


@exchanges_w.post("", response={201: ExchangeOut, **_errors(401, 403, 422)}, summary="Record an exchange")
def create_exchange(request: HttpRequest, payload: ExchangeIn, response: HttpResponse) -> Any:
    fields = resolve_refs(request, payload.dict(), _REFS)
    return Status(201, respond_with(response, services.record_exchange(**fields)))


@exchanges_w.post(
    "/{ref}/confirm-receipt",
    response={200: ExchangeOut, **_errors(401, 403, 404, 409, 412, 422, 428)},
    summary="Confirm receipt",
)
def confirm_receipt(request: HttpRequest, ref: str, payload: ReceiptIn, response: HttpResponse) -> Any:
    """The receiving side confirms a shipment or transfer arrived (with its MTA or permit reference)."""
    exchange = find(readable(Exchange, request), ref, "exchange")
    version = expected_version(request, exchange)
    return respond_with(
        response,
        services.confirm_receipt(
            exchange, received_on=payload.received_on, reference=payload.reference, expected_version=version
        ),
    )


# --- progress reports, deliverables, participations, responsibilities ---------------------------------------


class DeliverableOut(Schema):
    id: int
    uid: uuid.UUID
    version: int
    plan_item_id: int
    kind: str
    title: dict[str, str]
    responsible_party_id: int | None
    due_on: dt.date | None
    delivered_on: dt.date | None
    visibility: str
    is_illustrative: bool


class ProgressReportIn(ProgressIn):
    plan_item_id: int | str


class DeliverableIn(Schema):
    plan_item_id: int | str
    kind: str = "report"
    title: dict[str, str]
    responsible_party_id: int | str | None = None
    due_on: dt.date | None = None


class DeliveredIn(Schema):
    delivered_on: dt.date


class ParticipationOut(Schema):
    id: int
    uid: uuid.UUID
    project_id: int
    organisation_id: int
    side_id: int
    role: str
    visibility: str


class ResponsibilityIn(Schema):
    organisation_id: int | str
    side: str | None = None


class ResponsibilityOut(Schema):
    id: int
    uid: uuid.UUID
    plan_item_id: int
    organisation_id: int
    side_id: int


parts: tuple[tuple[str, type[Model], type[Schema], Any], ...] = (
    ("progress-reports", ProgressReport, ProgressOut, ProgressReportFilters),
    ("deliverables", Deliverable, DeliverableOut, DeliverableFilters),
)
for part_path, part_model, part_schema, part_filters in parts:
    resource = Router(tags=[part_path])
    read_endpoints(resource, part_model, part_schema, name=part_path.replace("-", "_"), filters=part_filters)
    router.add_router(f"/{part_path}", resource)
    resources[part_path] = resource
progress_w, deliverables_w = resources["progress-reports"], resources["deliverables"]
_REFS["plan_item"] = PlanItem
_REFS["responsible_party"] = Party
_REFS["organisation"] = Organisation


@progress_w.post("", response={201: ProgressOut, **_errors(401, 403, 404, 422)}, summary="Record progress")
def create_progress_report(request: HttpRequest, payload: ProgressReportIn, response: HttpResponse) -> Any:
    """A report on a plan item by an organisation taking part (the same as POST /plan-items/{ref}/progress)."""
    fields = resolve_refs(request, payload.dict(), _REFS)
    item, organisation = fields.pop("plan_item"), fields.pop("reporting_organisation")
    return Status(
        201, respond_with(response, services.record_progress(item, reporting_organisation=organisation, **fields))
    )


@deliverables_w.post(
    "", response={201: DeliverableOut, **_errors(401, 403, 404, 409, 422)}, summary="Add a deliverable"
)
def create_deliverable(request: HttpRequest, payload: DeliverableIn, response: HttpResponse) -> Any:
    """What a plan item is to deliver, and when (refused once the plan is signed: amend it instead)."""
    fields = resolve_refs(request, payload.dict(exclude_none=True), _REFS)
    item = fields.pop("plan_item")
    return Status(201, respond_with(response, services.add_deliverable(item, **fields)))


@deliverables_w.post(
    "/{ref}/delivered",
    response={200: DeliverableOut, **_errors(401, 403, 404, 409, 412, 422, 428)},
    summary="Mark delivered",
)
def mark_delivered(request: HttpRequest, ref: str, payload: DeliveredIn, response: HttpResponse) -> Any:
    """Record the day it was delivered (what was done: allowed on a signed plan)."""
    deliverable = find(readable(Deliverable, request), ref, "deliverable")
    version = expected_version(request, deliverable)
    return respond_with(
        response, services.mark_delivered(deliverable, delivered_on=payload.delivered_on, expected_version=version)
    )


@projects_w.post(
    "/{ref}/participations",
    response={201: ParticipationOut, **_errors(401, 403, 404, 422)},
    summary="An organisation takes part",
)
def add_participation(request: HttpRequest, ref: str, payload: ProjectParticipationIn) -> Any:
    """An organisation joins the project on a side (by default its party's); each side adds its own."""
    project = find(readable(Project, request), ref, "project")
    organisation = resolve_refs(request, {"organisation_id": payload.organisation_id}, _REFS)["organisation"]
    side = _party(payload.side) if payload.side else None
    return Status(201, services.add_participation(project, organisation, side=side, role=payload.role))


@items_w.post(
    "/{ref}/responsibilities",
    response={201: ResponsibilityOut, **_errors(401, 403, 404, 409, 422)},
    summary="An organisation is responsible for it",
)
def add_responsibility(request: HttpRequest, ref: str, payload: ResponsibilityIn) -> Any:
    """A responsible organisation for the item on a side (its reporters then report on it)."""
    item = find(readable(PlanItem, request), ref, "plan item")
    organisation = resolve_refs(request, {"organisation_id": payload.organisation_id}, _REFS)["organisation"]
    side = _party(payload.side) if payload.side else None
    return Status(201, services.add_responsibility(item, organisation, side=side))


class AmendIn(Schema):
    title: dict[str, str] | None = None


@plans_w.post("/{ref}/amend", response={201: PlanOut, **_errors(401, 403, 404, 409, 422)}, summary="Amend")
def amend_plan(request: HttpRequest, ref: str, payload: AmendIn, response: HttpResponse) -> Any:
    """Start an amendment of a signed plan: a new revision, a draft with a copy of its items, to agree and sign
    again (the signed revision stays as it was)."""
    plan = _plan(request, ref)
    fields = {k: v for k, v in payload.dict().items() if v is not None}
    return Status(201, respond_with(response, services.amend_plan(plan, **fields)))
