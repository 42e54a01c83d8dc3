"""The record pages' registry: for each kind of record, how it is listed, shown, edited and created.

One entry per kind keeps the views generic (one list view, one detail view, one edit view); what
differs between kinds is data here and a detail template per kind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accord.agreements.filters import AgreementFilters
from accord.agreements.models import Agreement, AgreementParty
from accord.agreements.services import update_agreement
from accord.core.filters import Filters
from accord.core.visibility import count_parts, shown_and_withheld, visible
from accord.directory.filters import OrganisationFilters, PersonFilters
from accord.directory.models import Organisation, OrganisationName, Person, Position
from accord.directory.services import update_organisation, update_person
from accord.documents.filters import DocumentFilters
from accord.documents.models import Document
from accord.documents.services import publication_state
from accord.meetings.filters import MeetingFilters, ReviewFilters
from accord.meetings.models import DelegationMember, Meeting, Review
from accord.meetings.services import update_meeting
from accord.programmes.filters import ExchangeFilters, PlanFilters, PlanItemFilters, ProjectFilters
from accord.programmes.models import (
    Exchange,
    Plan,
    PlanItem,
    PlanItemResponsibility,
    ProgressReport,
    Project,
)
from accord.programmes.selectors import latest_reports
from accord.programmes.services import add_plan_item, create_project, update_plan, update_plan_item, update_project
from accord.signing.services import signed_view
from accord.web.listing import Column, paginate

PLAN_ITEMS_PAGE = 50  # as a list page: the page costs the same at any plan size


@dataclass(frozen=True)
class EditSpec:
    """Which fields a page form edits, and the service that applies the change."""

    fields: tuple[str, ...]
    update: Callable[..., Model]  # update(record, expected_version=..., **changes)


@dataclass(frozen=True)
class CreateSpec:
    """A new record made under a parent (a project under an agreement, an item in a plan)."""

    parent_param: str  # GET/POST parameter naming the parent's id
    parent_model: type[Model]
    fields: tuple[str, ...]
    create: Callable[..., Model]  # create(parent, **fields)


@dataclass(frozen=True)
class RecordType:
    kind: str  # the URL segment, e.g. "projects"
    model: type[Model]
    label: Any
    label_plural: Any
    list_queryset: Callable[[], QuerySet[Any]]
    columns: list[Column]
    filters: type[Filters] = Filters  # the kind's filters (<app>/filters.py), shared with its API list and export
    search: tuple[str, ...] = ()
    search_exact: tuple[str, ...] = ()
    default_sort: str = ""
    detail_queryset: Callable[[], QuerySet[Any]] | None = None
    related: Callable[[Any, Any, Any], dict[str, Any]] | None = None  # (record, user, GET parameters) -> context
    edit: EditSpec | None = None
    create: CreateSpec | None = None
    # The filter naming the composite these records are parts of ("plan"): filtered to one, the list counts
    # the parts the reader may not see and says so.
    part_of: str = ""
    # What a list's rows count for the reader (a plan's items they may see, and those withheld): (rows, user) -> rows.
    for_reader: Callable[[QuerySet[Any], Any], QuerySet[Any]] | None = None

    def list_for(self, user: Any) -> QuerySet[Any]:
        rows = self.list_queryset()
        return self.for_reader(rows, user) if self.for_reader else rows

    @property
    def row_template(self) -> str:
        return f"web/records/rows/{self.kind}.html"

    @property
    def detail_template(self) -> str:
        return f"web/records/detail/{self.kind}.html"

    def detail_qs(self) -> QuerySet[Any]:
        return self.detail_queryset() if self.detail_queryset else self.list_queryset()


# --- what each detail page shows beside the record ------------------------------------------------------


def _agreement_related(agreement: Agreement, user: Any, params: Any) -> dict[str, Any]:
    return {
        "parties": list(agreement.agreement_parties.select_related("party").order_by("position")),
        "plans": list(_plans_counted(visible(agreement.plans.all(), user), user)),
        "meetings": list(visible(agreement.meetings.all(), user)),
        "documents": list(visible(agreement.documents.all(), user)),
        "project_count": visible(agreement.projects.all(), user).count(),
    }


def _plan_related(plan: Plan, user: Any, params: Any) -> dict[str, Any]:
    # A plan may have thousands of items: a page of them, so the page costs the same at any plan size.
    responsibilities = visible(PlanItemResponsibility.objects.select_related("organisation", "side"), user)
    items = (
        visible(plan.items.all(), user)
        .select_related("project")
        .prefetch_related(Prefetch("responsibilities", queryset=responsibilities))
        .order_by("position", "id")
    )
    # A plan's items: few enough to count, with those the reader may not see in the same query.
    shown, hidden = shown_and_withheld(plan.items.all(), user)
    page = paginate(items, params.get("page"), PLAN_ITEMS_PAGE, total=shown)
    latest_of = latest_reports(plan, item_ids=[i.pk for i in page.rows])
    latest = {r.plan_item_id: r for r in visible(latest_of, user).select_related("reporting_organisation")}
    # A signed plan shows its items as signed, and what has changed in the records since.
    signed = signed_view(plan) if plan.signed_version is not None else None
    signed_items = signed.items if signed else {}
    for item in page.rows:
        item.latest_report = latest.get(item.pk)
        item.signed = signed_items.get(str(item.uid))
    return {
        "signed": signed,
        "items": page.rows,
        "items_page": page,
        "items_withheld": hidden,  # parts the reader may not see: counted, not shown
        "reviews": list(visible(plan.reviews.all(), user)),
        "documents": list(visible(plan.documents.all(), user)),
        "languages": plan.agreement.authentic_languages,
    }


def _project_related(project: Project, user: Any, params: Any) -> dict[str, Any]:
    items = list(visible(project.plan_items.all(), user).select_related("plan").order_by("plan__period_start", "id"))
    reports: dict[int, ProgressReport] = {}
    for report in visible(ProgressReport.objects.filter(plan_item__project=project), user).order_by(
        "plan_item_id", "period_end", "id"
    ):
        reports[report.plan_item_id] = report  # ordered: the last one per item wins
    for item in items:
        item.latest_report = reports.get(item.pk)  # type: ignore[attr-defined]
    return {
        "participations": list(
            visible(project.participations.all(), user).select_related("organisation", "side").order_by("side", "id")
        ),
        "items": items,
        "exchanges": list(
            visible(project.exchanges.all(), user).select_related("from_party", "to_party").order_by("start_on", "id")
        ),
        "languages": project.agreement.authentic_languages,
    }


def _plan_item_related(item: PlanItem, user: Any, params: Any) -> dict[str, Any]:
    return {
        "responsibilities": list(
            visible(item.responsibilities.all(), user).select_related("organisation", "side").order_by("side", "id")
        ),
        "deliverables": list(visible(item.deliverables.all(), user).select_related("responsible_party")),
        "reports": list(
            visible(item.progress_reports.all(), user).select_related("reporting_organisation").order_by("-period_end")
        ),
        "exchanges": list(visible(item.exchanges.all(), user).select_related("from_party", "to_party")),
        "languages": item.plan.agreement.authentic_languages,
    }


def _organisation_related(org: Organisation, user: Any, params: Any) -> dict[str, Any]:
    return {
        "names": list(OrganisationName.objects.filter(organisation=org).order_by("valid_from", "id")),
        "successors": list(org.successions.select_related("successor").order_by("on", "id")),
        "predecessors": list(org.predecessions.select_related("predecessor").order_by("on", "id")),
        "children": list(visible(org.children.all(), user).order_by("id")),
        "participations": list(
            visible(org.participations.all(), user).select_related("project").order_by("project_id")[:100]
        ),
        "positions": list(org.positions.select_related("person").order_by("-start_on", "id")),
        "languages": org.party.languages,
    }


def _person_related(person: Person, user: Any, params: Any) -> dict[str, Any]:
    return {
        "positions": list(
            Position.objects.filter(person=person).select_related("organisation").order_by("-start_on", "id")
        ),
        "languages": person.party.languages if person.party else [],
    }


def _exchange_related(exchange: Exchange, user: Any, params: Any) -> dict[str, Any]:
    return {
        "people": list(visible(exchange.people.all(), user).select_related("person")),
        "languages": exchange.agreement.authentic_languages,
    }


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


def _document_related(document: Document, user: Any, params: Any) -> dict[str, Any]:
    return {
        "publication": publication_state(document),
        "texts": list(visible(document.texts.all(), user).order_by("language")),
        "files": list(visible(document.files.all(), user).order_by("languages", "format")),
        "languages": document.agreement.authentic_languages,
    }


def _review_related(review: Review, user: Any, params: Any) -> dict[str, Any]:
    return {
        "statements": list(visible(review.statements.all(), user).select_related("party")),
        "completion": (review.figures or {}).get("completion", {}),
        "languages": review.plan.agreement.authentic_languages,
    }


# --- the registry --------------------------------------------------------------------------------------

_PLAN_ORDER = ("period_start", "period_end", "agreement_id", "revision")  # unique, and indexed (plan_period_idx)
_PLAN_ORDER_OF_ITEMS = tuple(f"plan__{f}" for f in _PLAN_ORDER)


def _plans_counted(plans: QuerySet[Plan], user: Any) -> QuerySet[Plan]:
    """Plans with the number of their items `user` may see (item_count) and of those withheld (items_withheld):
    a count of every item would tell how many internal items one side has. Per row, not a join with GROUP BY: the
    list then reads its page in sort order (an index) and counts 50 plans' items."""
    shown, hidden = count_parts(Plan, "items", user)
    return plans.annotate(item_count=shown, items_withheld=hidden)


RECORD_TYPES: list[RecordType] = [
    RecordType(
        kind="agreements",
        model=Agreement,
        label=_("Agreement"),
        label_plural=_("Agreements"),
        list_queryset=lambda: Agreement.objects.prefetch_related(
            Prefetch("agreement_parties", queryset=AgreementParty.objects.select_related("party"))
        ),
        columns=[
            Column(_("Title"), "title", ("id",)),
            Column(_("Kind"), "kind", ("kind",)),
            Column(_("Parties")),
            Column(_("Signed"), "signed", ("signed_on",)),
            Column(_("Status"), "status", ("status",)),
        ],
        filters=AgreementFilters,
        search=("title", "short_title"),
        search_exact=("reference",),
        default_sort="signed",
        related=_agreement_related,
        edit=EditSpec(
            ("title", "short_title", "reference", "signed_on", "entry_into_force_on", "end_on", "visibility"),
            update_agreement,
        ),
    ),
    RecordType(
        kind="plans",
        model=Plan,
        label=_("Plan"),
        label_plural=_("Plans"),
        list_queryset=lambda: Plan.objects.select_related("agreement"),
        for_reader=_plans_counted,
        detail_queryset=lambda: Plan.objects.select_related("agreement", "previous", "supersedes"),
        columns=[
            Column(_("Title"), "title", ("agreement_id", "period_start", "revision")),
            Column(_("Agreement")),
            Column(_("Period"), "period", _PLAN_ORDER),
            Column(_("Status"), "status", ("status",)),
            Column(_("Items"), "items", ("item_count",)),
        ],
        filters=PlanFilters,
        search=("title",),
        default_sort="period",
        related=_plan_related,
        edit=EditSpec(("title", "kind", "period_start", "period_end", "visibility"), update_plan),
    ),
    RecordType(
        kind="projects",
        model=Project,
        label=_("Project"),
        label_plural=_("Projects"),
        list_queryset=lambda: Project.objects.select_related("agreement"),
        detail_queryset=lambda: Project.objects.select_related("agreement", "provider_party", "recipient_party"),
        columns=[
            Column(_("No."), "number", ("agreement_id", "id")),
            Column(_("Title")),
            # then in number order, as the indexes (project_*_order_idx) hold them
            Column(_("Field of science"), "field", ("field", "agreement_id")),
            Column(_("Modality"), "modality", ("modality", "agreement_id")),
            Column(_("Agreement")),
            Column(_("Visibility"), "visibility", ("visibility",)),
        ],
        filters=ProjectFilters,
        search=("title",),
        search_exact=("number",),
        default_sort="number",
        related=_project_related,
        edit=EditSpec(
            ("title", "field", "modality", "provider_party", "recipient_party", "start_on", "end_on", "visibility"),
            update_project,
        ),
        create=CreateSpec(
            "agreement",
            Agreement,
            ("number", "title", "field", "modality", "provider_party", "recipient_party", "start_on", "visibility"),
            lambda agreement, **fields: create_project(agreement=agreement, **fields),
        ),
    ),
    RecordType(
        kind="plan-items",
        model=PlanItem,
        label=_("Plan item"),
        label_plural=_("Plan items"),
        list_queryset=lambda: PlanItem.objects.select_related("plan", "project"),
        detail_queryset=lambda: PlanItem.objects.select_related("plan__agreement", "project", "carried_over_from"),
        columns=[
            Column(_("No."), "position", ("plan_id", "position")),
            Column(_("Project")),
            Column(_("Objectives")),
            # The plans' order (plan_period_idx, unique), then the items' (planitem_plan_order_idx): a page is
            # read in order from both indexes, not sorted from every item.
            Column(_("Plan"), "plan", (*_PLAN_ORDER_OF_ITEMS, "position")),
        ],
        filters=PlanItemFilters,
        search=("objectives", "project__title"),
        search_exact=("project__number",),
        default_sort="plan",
        related=_plan_item_related,
        part_of="plan",
        edit=EditSpec(("objectives", "position"), update_plan_item),
        create=CreateSpec(
            "plan",
            Plan,
            ("project", "objectives"),
            lambda plan, **fields: add_plan_item(plan, fields.pop("project"), **fields),
        ),
    ),
    RecordType(
        kind="organisations",
        model=Organisation,
        label=_("Organisation"),
        label_plural=_("Organisations"),
        list_queryset=lambda: Organisation.objects.select_related("party"),
        detail_queryset=lambda: Organisation.objects.select_related("party", "parent"),
        columns=[
            Column(_("Name"), "name", ("party_id", "id")),
            Column(_("Kind"), "kind", ("kind",)),
            Column(_("Party"), "party", ("party__code",)),
            Column(_("Founded"), "founded", ("founded_on",)),
        ],
        filters=OrganisationFilters,
        search=("name",),
        default_sort="name",
        related=_organisation_related,
        edit=EditSpec(("name", "kind", "founded_on", "dissolved_on", "visibility"), update_organisation),
    ),
    RecordType(
        kind="people",
        model=Person,
        label=_("Person"),
        label_plural=_("People"),
        list_queryset=lambda: Person.objects.select_related("party"),
        detail_queryset=lambda: Person.objects.select_related("party"),
        columns=[
            Column(_("Name"), "name", ("id",)),
            Column(_("Party"), "party", ("party__code",)),
            Column(_("ORCID iD")),
        ],
        filters=PersonFilters,
        search=("name",),
        search_exact=("orcid",),
        default_sort="name",
        related=_person_related,
        edit=EditSpec(("name", "orcid"), update_person),
    ),
    RecordType(
        kind="exchanges",
        model=Exchange,
        label=_("Exchange"),
        label_plural=_("Exchanges"),
        list_queryset=lambda: Exchange.objects.select_related("from_party", "to_party", "project"),
        detail_queryset=lambda: Exchange.objects.select_related(
            "agreement", "project", "plan_item", "from_party", "to_party"
        ).select_related("sending_organisation", "receiving_organisation"),
        columns=[
            Column(_("Kind"), "kind", ("kind",)),
            Column(_("Direction")),
            Column(_("Project")),
            Column(_("Start"), "start", ("start_on",)),
            Column(_("Quantity"), "quantity", ("quantity",)),
            Column(_("Received")),
        ],
        filters=ExchangeFilters,
        search=("description", "project__title"),
        search_exact=("project__number", "sent_reference", "received_reference"),
        default_sort="start",
        related=_exchange_related,
    ),
    RecordType(
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
    ),
    RecordType(
        kind="documents",
        model=Document,
        label=_("Document"),
        label_plural=_("Documents"),
        list_queryset=lambda: Document.objects.select_related("agreement"),
        detail_queryset=lambda: Document.objects.select_related("agreement", "meeting", "plan"),
        columns=[
            Column(_("Title"), "title", ("id",)),
            Column(_("Kind"), "kind", ("kind",)),
            Column(_("Origin"), "origin", ("origin",)),
            Column(_("Issued"), "issued", ("issued_on",)),
            Column(_("Status"), "status", ("status",)),
        ],
        filters=DocumentFilters,
        search=("title",),
        default_sort="-issued",
        related=_document_related,
    ),
    RecordType(
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
    ),
]

BY_KIND = {t.kind: t for t in RECORD_TYPES}
BY_MODEL = {t.model._meta.label_lower: t for t in RECORD_TYPES}
# Parts of a record shown on its parent's page.
_PARENT_PAGE = {
    "programmes.participation": "project",
    "programmes.planitemresponsibility": "plan_item",
    "programmes.deliverable": "plan_item",
    "programmes.progressreport": "plan_item",
    "programmes.exchangeperson": "exchange",
    "agreements.agreementparty": "agreement",
    "meetings.delegation": "meeting",
    "meetings.agendaitem": "meeting",
    "meetings.meetingattendee": "meeting",
    "documents.documenttext": "document",
    "documents.documentfile": "document",
    "meetings.reviewstatement": "review",
    "directory.position": "person",
    "directory.organisationname": "organisation",
}


def url_of(record: Model) -> str:
    """The page of `record` (or of the record it is part of); '' if it has none."""
    kind = BY_MODEL.get(record._meta.label_lower)
    if kind is not None:
        return reverse(f"web:{kind.kind}-detail", args=[record.pk])
    parent = _PARENT_PAGE.get(record._meta.label_lower)
    if parent:
        return url_of(getattr(record, parent))
    return ""
