"""The pages of plans, projects, plan items and exchanges."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accord.agreements.models import Agreement
from accord.agreements.pages import plans_counted
from accord.core.pages.listing import SEARCH_MAX, Column, paginate, text_search
from accord.core.pages.records import CreateSpec, EditSpec, RecordType, TypedRef, export_url, register
from accord.core.pages.steps import STEPS, actions_of, actions_of_each
from accord.core.visibility import shown_and_withheld, visible
from accord.programmes.choices import CarryOver, PlanStatus
from accord.programmes.filters import ExchangeFilters, PlanFilters, PlanItemFilters, ProjectFilters
from accord.programmes.models import Exchange, Plan, PlanItem, PlanItemResponsibility, ProgressReport, Project
from accord.programmes.selectors import latest_reports
from accord.programmes.services import (
    add_plan_item,
    create_project,
    frozen_reason,
    missing_approvals,
    missing_signatures,
    update_plan,
    update_plan_item,
    update_project,
)

PLAN_ITEMS_PAGE = 50  # as a list page: the page costs the same at any plan size
PLAN_ITEM_SEARCH = ("objectives", "project__title")  # the plan items' list searches the same (PLAN_ITEMS below)
PLAN_ITEM_SEARCH_EXACT = ("project__number",)
_PLAN_ORDER = ("period_start", "period_end", "agreement_id", "revision")  # unique, and indexed (plan_period_idx)
_PLAN_ORDER_OF_ITEMS = tuple(f"plan__{f}" for f in _PLAN_ORDER)


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
    # Found by a project's number, or a word of its title or the item's objectives (as the plan items' list).
    text = str(params.get("q", "")).strip()[:SEARCH_MAX]
    if text:
        items = text_search(items, text, PLAN_ITEM_SEARCH, PLAN_ITEM_SEARCH_EXACT)
    page = paginate(items, params.get("page"), PLAN_ITEMS_PAGE, cap=None, total=None if text else shown)
    latest_of = latest_reports(plan, item_ids=[i.pk for i in page.rows])
    latest = {r.plan_item_id: r for r in visible(latest_of, user).select_related("reporting_organisation")}
    for item in page.rows:
        item.plan = plan  # the steps below read the item's plan: the one already read, not one query per item
        item.latest_report = latest.get(item.pk)
    actions_of_each(user, page.rows)  # carry over, leave out, record progress: what this reader may do
    reviews = list(visible(plan.reviews.all(), user).prefetch_related("statements__party"))
    for review in reviews:
        review.steps = actions_of(user, review)  # type: ignore[attr-defined]
    return {
        "carry_over": _carry_over_controls(plan, user),
        "amendments": list(visible(plan.amendments.all(), user)),
        # Where the plan stands in its cycle: who has agreed to this version, who still has to agree or sign.
        "approvals": list(plan.approvals.filter(plan_version=plan.version).select_related("party")),
        "missing_approvals": missing_approvals(plan) if plan.status == PlanStatus.PROPOSED else [],
        "missing_signatures": missing_signatures(plan) if plan.status == PlanStatus.AGREED else [],
        "next_plans": list(visible(plan.next.all(), user)),
        "signed": None,  # a signed plan's content as signed (the signing app adds it)
        "items": page.rows,
        "items_page": page,
        "items_withheld": hidden,  # parts the reader may not see: counted, not shown
        "items_shown": shown,  # every item the reader may see; items_page.total: those the search found
        "items_query": text,
        # The whole plan stays at hand: its items as a list (sorted, filtered, exported) and as its documents.
        "items_list": f"{reverse('programmes:plan-items-list')}?plan={plan.pk}",
        "items_export": export_url(PLAN_ITEMS, {"plan": str(plan.pk)}),
        "reviews": reviews,
        "documents": list(visible(plan.documents.all(), user)),
        "languages": plan.agreement.authentic_languages,
    }


def _carry_over_controls(plan: Plan, user: Any) -> dict[str, Any] | None:
    """The plan page's form for deciding on many carried-over items at once (a checkbox on each proposed item),
    when the reader may take those steps now: the URLs the buttons post to, and how many are still proposed."""
    steps = {name: STEPS[("plans", name)] for name in ("carry-over-all", "carry-over-selected", "leave-out-selected")}
    if not all(step.offered(user, plan) for step in steps.values()):
        return None
    return {
        "all": steps["carry-over-all"].url(plan),
        "selected": steps["carry-over-selected"].url(plan),
        "leave_out": steps["leave-out-selected"].url(plan),
        "proposed": plan.items.filter(carry_over=CarryOver.PROPOSED).count(),
    }


def _item_row(item: PlanItem, user: Any) -> tuple[str, dict[str, Any]]:
    """The row of an item edited in place on its plan's page."""
    item = PlanItem.objects.select_related("project", "plan__agreement").get(pk=item.pk)
    responsibilities = visible(
        PlanItemResponsibility.objects.filter(plan_item=item).select_related("organisation", "side"), user
    )
    item.latest_report = (  # type: ignore[attr-defined]
        visible(ProgressReport.objects.filter(plan_item=item), user).order_by("-period_end", "-id").first()
    )
    item.steps = actions_of(user, item, in_list=True)  # type: ignore[attr-defined]
    return "programmes/plan-items/_row.html", {
        "item": item,
        "responsibilities": list(responsibilities),
        "languages": item.plan.agreement.authentic_languages,
        "may_edit_items": True,
        "record": item.plan,
        # The row swapped back after an inline edit keeps its carry-over checkbox, as the page drew it.
        "carry_over": _carry_over_controls(item.plan, user),
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


def _exchange_related(exchange: Exchange, user: Any, params: Any) -> dict[str, Any]:
    return {
        "people": list(visible(exchange.people.all(), user).select_related("person")),
        "languages": exchange.agreement.authentic_languages,
    }


PLANS = RecordType(
    kind="plans",
    model=Plan,
    label=_("Plan"),
    label_plural=_("Plans"),
    list_queryset=lambda: Plan.objects.select_related("agreement"),
    for_reader=plans_counted,
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
    frozen=frozen_reason,  # the service's rule: a signed plan offers no Edit (it is amended instead)
    history_on_demand=True,  # about every item of the plan: read when asked for
)


PROJECTS = RecordType(
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
)


PLAN_ITEMS = RecordType(
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
    search=PLAN_ITEM_SEARCH,
    search_exact=PLAN_ITEM_SEARCH_EXACT,
    default_sort="plan",
    related=_plan_item_related,
    part_of="plan",
    edit=EditSpec(("objectives", "position"), update_plan_item),
    create=CreateSpec(
        "plan",
        Plan,
        ("project", "objectives"),
        lambda plan, **fields: add_plan_item(plan, fields.pop("project"), **fields),
        # Projects are many: the number is typed, not picked from a list of every project.
        typed=TypedRef("project", "number", _("Project number"), _("No project with this number under the agreement.")),
    ),
    frozen=lambda item: frozen_reason(item.plan, str(_("its items"))),
    inline_row=_item_row,
)


EXCHANGES = RecordType(
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
)

register(PLANS, PROJECTS, PLAN_ITEMS, EXCHANGES)
