"""The steps on plans, their items and exchanges: propose, agree, add an item, amend, draft the next plan,
carry over, record progress, confirm receipt. Each calls the programmes' services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.agreements.models import Agreement
from accord.core import clock
from accord.core.pages.forms import ConfirmForm
from accord.core.pages.steps import Step, add, chosen_party, names
from accord.core.services import ensure_version
from accord.directory.models import Party
from accord.programmes import forms as f
from accord.programmes.choices import FINISHED_PROGRESS, FROZEN_PLAN_STATUSES, CarryOver, PlanStatus
from accord.programmes.models import Exchange, Plan, PlanItem, Project
from accord.programmes.selectors import latest_progress
from accord.programmes.services import (
    accept_carry_over,
    add_participation,
    add_plan_item,
    add_responsibility,
    amend_plan,
    approve_plan,
    confirm_receipt,
    create_plan,
    decide_carry_over,
    draft_next_plan,
    drop_carry_over,
    frozen_reason,
    missing_approvals,
    record_exchange,
    record_progress,
    signatory_parties,
    transition_plan,
)


def plan_page(plan: Plan) -> str:
    return reverse("programmes:plans-detail", args=[plan.pk])


def today() -> dt.date:
    return clock.today()  # the installation's date: the demo's 1960 when ACCORD_TODAY says so


# --- plans -----------------------------------------------------------------------------------------


def _signatory_parties(plan: Plan) -> list[Party]:
    return signatory_parties(plan)


def _describe_propose(plan: Plan, form: Any) -> str:
    return _(
        "Propose plan “%(plan)s” version %(version)s (%(items)s items) to the parties: %(parties)s. "
        "Each party then agrees to exactly this version; any later change to its content sends it back to draft."
    ) % {
        "plan": plan,
        "version": plan.version,
        "items": plan.items.count(),
        "parties": names(_signatory_parties(plan)),
    }


def _propose(request: Any, plan: Plan, form: Any) -> str:
    transition_plan(plan, PlanStatus.PROPOSED, expected_version=form.expected_version())
    return plan_page(plan)


add(
    Step(
        "plans",
        "propose",
        Plan,
        gettext_lazy("Propose to the parties"),
        "propose",
        ConfirmForm,
        _describe_propose,
        _propose,
        ready=lambda plan: plan.status == PlanStatus.DRAFT,
    )
)


def _missing_approvals(plan: Plan) -> list[Party]:
    return missing_approvals(plan) if plan.status == PlanStatus.PROPOSED else []


def _describe_agree(plan: Plan, form: Any) -> str:
    return _(
        "Agree to plan “%(plan)s” version %(version)s on behalf of %(party)s. "
        "Still to agree: %(missing)s. When every party has agreed to this version, the plan is agreed "
        "and can be signed; a change to its content afterwards needs everyone's agreement again."
    ) % {
        "plan": plan,
        "version": plan.version,
        "party": chosen_party(form),
        "missing": names(_missing_approvals(plan)) or "—",
    }


def _agree(request: Any, plan: Plan, form: Any) -> str:
    approve_plan(
        plan,
        party=form.cleaned_data["party"],
        expected_version=form.expected_version(),
        approved_on=today(),
        fidelity_override=form.cleaned_data["fidelity_override"],
    )
    return plan_page(plan)


def parties_first_missing(missing: Callable[[Plan], list[Party]]) -> Callable[[Plan], dict[str, Any]]:
    """Form arguments: every signatory party, those still to act first (the others get the service's refusal)."""

    def kwargs(plan: Plan) -> dict[str, Any]:
        waiting = missing(plan)
        rest = [p for p in _signatory_parties(plan) if p not in waiting]
        return {"parties": waiting + rest}

    return kwargs


add(
    Step(
        "plans",
        "agree",
        Plan,
        gettext_lazy("Agree to this version"),
        "agree",
        f.AgreeForm,
        _describe_agree,
        _agree,
        ready=lambda plan: plan.status == PlanStatus.PROPOSED,
        form_kwargs=parties_first_missing(_missing_approvals),
        pending_parties=_missing_approvals,
    )
)


def _describe_add_item(plan: Plan, form: Any) -> str:
    text = _("Add a project to plan “%(plan)s” as a new item.") % {"plan": plan}
    if plan.status in (PlanStatus.PROPOSED, PlanStatus.AGREED):
        text += " " + _(
            "The plan is %(status)s: adding an item sends it back to draft, and the parties must agree again."
        ) % {"status": plan.get_status_display().lower()}
    return text


def _add_item(request: Any, plan: Plan, form: Any) -> str:
    add_plan_item(plan, form.cleaned_data["project"], objectives=form.objectives())
    return plan_page(plan)


add(
    Step(
        "plans",
        "add-item",
        Plan,
        gettext_lazy("Add an item"),
        "change",
        f.AddItemForm,
        _describe_add_item,
        _add_item,
        ready=lambda plan: frozen_reason(plan) is None,  # the rule add_plan_item meets: a signed plan is amended
        kind="secondary",
    )
)


def _describe_amend(plan: Plan, form: Any) -> str:
    return _(
        "Amend plan “%(plan)s”: start revision %(revision)s, a draft with a copy of its %(items)s items. "
        "The signed version stays as it was signed; the amendment is proposed, agreed and signed anew."
    ) % {"plan": plan, "revision": plan.revision + 1, "items": plan.items.count()}


def _amend(request: Any, plan: Plan, form: Any) -> str:
    ensure_version(plan, form.expected_version())
    return plan_page(amend_plan(plan))


def _amendable(plan: Plan) -> bool:
    return plan.status in (PlanStatus.SIGNED, PlanStatus.IN_FORCE) and not (
        plan.amendments.exclude(status__in=FROZEN_PLAN_STATUSES).exists()
    )


add(
    Step(
        "plans",
        "amend",
        Plan,
        gettext_lazy("Amend this plan"),
        "propose",
        ConfirmForm,
        _describe_amend,
        _amend,
        ready=_amendable,
        kind="secondary",
    )
)


def _describe_next(plan: Plan, form: Any) -> str:
    statuses = latest_progress(plan)
    unfinished = sum(
        1
        for pk in plan.items.values_list("pk", flat=True)
        if statuses.get(pk, ("not_started", 0))[0] not in FINISHED_PROGRESS
    )
    return _(
        "Draft the plan that follows “%(plan)s”: a new draft for the period below, with the %(n)s items not "
        "completed or cancelled proposed for carry-over. The coordinators then accept or drop each one "
        "before the new plan can be proposed."
    ) % {"plan": plan, "n": unfinished}


def _next(request: Any, plan: Plan, form: Any) -> str:
    new = draft_next_plan(
        plan,
        title=form.title(),
        period_start=form.cleaned_data["period_start"],
        period_end=form.cleaned_data["period_end"],
    )
    return plan_page(new)


add(
    Step(
        "plans",
        "next",
        Plan,
        gettext_lazy("Draft the next plan"),
        "propose",
        f.NextPlanForm,
        _describe_next,
        _next,
        ready=lambda plan: plan.status in FROZEN_PLAN_STATUSES and not plan.next.exists(),
        kind="secondary",
    )
)


# --- carry-over of many items at once (a plan drafted from the previous one) -------------------------------


def _proposed(plan: Plan) -> list[PlanItem]:
    return list(plan.items.filter(carry_over=CarryOver.PROPOSED).select_related("project").order_by("position", "id"))


def _deciding(plan: Plan) -> bool:
    return plan.status not in FROZEN_PLAN_STATUSES and plan.items.filter(carry_over=CarryOver.PROPOSED).exists()


def _describe_carry_all(plan: Plan, form: Any) -> str:
    return _(
        "Carry over all %(n)s items still proposed from “%(source)s” into “%(plan)s”, at once. They become part "
        "of the new plan, which the parties agree to and sign as a whole; leave out the ones you do not want first."
    ) % {"n": len(_proposed(plan)), "source": plan.previous or "—", "plan": plan}


def _carry_all(request: Any, plan: Plan, form: Any) -> str:
    decide_carry_over(plan, expected_version=form.expected_version(), accept=_proposed(plan))
    return plan_page(plan)


def _describe_carry_selected(plan: Plan, form: Any) -> str:
    return _(
        "Carry over the items you tick below (of %(n)s still proposed) into “%(plan)s”, in one step. "
        "The others stay proposed until you decide on them."
    ) % {"n": len(_proposed(plan)), "plan": plan}


def _carry_selected(request: Any, plan: Plan, form: Any) -> str:
    decide_carry_over(plan, expected_version=form.expected_version(), accept=form.cleaned_data["items"])
    return plan_page(plan)


def _describe_leave_out(plan: Plan, form: Any) -> str:
    return _(
        "Leave the items you tick below (of %(n)s still proposed) out of “%(plan)s”, in one step. They are "
        "removed from the new plan and the items after them move up, so the numbers stay 1, 2, 3…; the items "
        "in the earlier plan keep their history and progress reports."
    ) % {"n": len(_proposed(plan)), "plan": plan}


def _leave_out(request: Any, plan: Plan, form: Any) -> str:
    decide_carry_over(plan, expected_version=form.expected_version(), drop=form.cleaned_data["items"])
    return plan_page(plan)


for _name, _label, _form, _describe, _perform, _kind in (
    ("carry-over-all", gettext_lazy("Carry over all"), ConfirmForm, _describe_carry_all, _carry_all, "primary"),
    (
        "carry-over-selected",
        gettext_lazy("Carry over the selected"),
        f.CarryOverForm,
        _describe_carry_selected,
        _carry_selected,
        "secondary",
    ),
    (
        "leave-out-selected",
        gettext_lazy("Leave out the selected"),
        f.CarryOverForm,
        _describe_leave_out,
        _leave_out,
        "danger",
    ),
):
    add(Step("plans", _name, Plan, _label, "change", _form, _describe, _perform, ready=_deciding, kind=_kind))


# --- plan items: carry-over and progress -------------------------------------------------------------


def _item_label(item: PlanItem) -> str:
    return f"{item.position}. #{item.project.number} {item.project.title}"


def _describe_accept(item: PlanItem, form: Any) -> str:
    source = item.carried_over_from.plan if item.carried_over_from else None
    return _(
        "Carry item “%(item)s” over from “%(source)s” into “%(plan)s”. It becomes part of the new plan, which "
        "the parties agree to and sign as a whole."
    ) % {"item": _item_label(item), "source": source or "—", "plan": item.plan}


def _accept(request: Any, item: PlanItem, form: Any) -> str:
    accept_carry_over(item, expected_version=form.expected_version())
    return plan_page(item.plan)


def _describe_drop(item: PlanItem, form: Any) -> str:
    return _(
        "Leave item “%(item)s” out of “%(plan)s”. It is removed from the new plan; the item in the earlier "
        "plan keeps its history and progress reports."
    ) % {"item": _item_label(item), "plan": item.plan}


def _drop(request: Any, item: PlanItem, form: Any) -> str:
    plan = item.plan
    drop_carry_over(item, expected_version=form.expected_version())
    return plan_page(plan)


def _carry_over_proposed(item: PlanItem) -> bool:
    return item.carry_over == CarryOver.PROPOSED and item.plan.status not in FROZEN_PLAN_STATUSES


add(
    Step(
        "items",
        "accept",
        PlanItem,
        gettext_lazy("Carry over"),
        "change",
        ConfirmForm,
        _describe_accept,
        _accept,
        ready=_carry_over_proposed,
    )
)
add(
    Step(
        "items",
        "drop",
        PlanItem,
        gettext_lazy("Leave out"),
        "change",
        ConfirmForm,
        _describe_drop,
        _drop,
        ready=_carry_over_proposed,
        kind="danger",
    )
)


def _describe_progress(item: PlanItem, form: Any) -> str:
    return _(
        "Record progress on item “%(item)s” of “%(plan)s”. The report is added to the item's history and "
        "counts in the plan's review; earlier reports stay as they were."
    ) % {"item": _item_label(item), "plan": item.plan}


def _progress(request: Any, item: PlanItem, form: Any) -> str:
    data = form.cleaned_data
    narrative = {data["narrative_language"]: data["narrative"]} if data["narrative"].strip() else {}
    record_progress(
        item,
        reporting_organisation=data["reporting_organisation"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        status=data["status"],
        percent=data["percent"],
        narrative=narrative,
        evidence=data["evidence"],
    )
    return plan_page(item.plan)


add(
    Step(
        "items",
        "progress",
        PlanItem,
        gettext_lazy("Record progress"),
        "report",
        f.ProgressForm,
        _describe_progress,
        _progress,
        ready=lambda item: item.plan.status in FROZEN_PLAN_STATUSES and item.plan.status != PlanStatus.CLOSED,
    )
)


# --- exchanges: the receiving side confirms --------------------------------------------------------


def _describe_receipt(exchange: Exchange, form: Any) -> str:
    return _(
        "Confirm on behalf of %(to)s that “%(exchange)s”, sent by %(from)s on %(sent)s (reference: %(ref)s), "
        "arrived. The sending side sees the confirmation; it cannot be withdrawn."
    ) % {
        "to": exchange.to_party,
        "exchange": exchange,
        "from": exchange.from_party,
        "sent": exchange.sent_on or "—",
        "ref": exchange.sent_reference or "—",
    }


def _receipt(request: Any, exchange: Exchange, form: Any) -> str:
    confirm_receipt(
        exchange,
        received_on=form.cleaned_data["received_on"],
        reference=form.cleaned_data["reference"],
        expected_version=form.expected_version(),
    )
    return reverse("programmes:exchanges-detail", args=[exchange.pk])


add(
    Step(
        "exchanges",
        "confirm-receipt",
        Exchange,
        gettext_lazy("Confirm receipt"),
        "confirm_receipt",
        f.ReceiptForm,
        _describe_receipt,
        _receipt,
        ready=lambda ex: ex.needs_receipt and ex.received_on is None and ex.sent_on is not None,
    )
)


# --- setting up a programme: the first plan, participants and responsible organisations, exchanges ---------


def _describe_first_plan(agreement: Agreement, form: Any) -> str:
    return _(
        "Start the first plan under “%(agreement)s”: a draft for the period below, shared by its parties. Add "
        "its items next, then propose it to the parties: %(parties)s."
    ) % {"agreement": agreement, "parties": names([ap.party for ap in agreement.agreement_parties.all()])}


def _first_plan(request: Any, agreement: Agreement, form: Any) -> str:
    data = form.cleaned_data
    plan = create_plan(
        agreement=agreement,
        title=form.texts("title"),
        kind=data["kind"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        visibility=data["visibility"],
    )
    return plan_page(plan)


add(
    Step(
        "agreements",
        "first-plan",
        Agreement,
        gettext_lazy("Start the first plan"),
        "propose",
        f.FirstPlanForm,
        _describe_first_plan,
        _first_plan,
        ready=lambda agreement: not agreement.plans.exists(),
    )
)


def _describe_participation(project: Project, form: Any) -> str:
    return _(
        "Add an organisation taking part in project %(number)s “%(project)s”, on its party's side. Each side adds "
        "its own organisations; those taking part report progress on the project's items."
    ) % {"number": project.number, "project": project}


def _participation(request: Any, project: Project, form: Any) -> str:
    organisation = form.cleaned_data["organisation"]
    add_participation(project, organisation, side=organisation.party, role=form.cleaned_data["role"])
    return reverse("programmes:projects-detail", args=[project.pk])


add(
    Step(
        "projects",
        "participation",
        Project,
        gettext_lazy("Add a participating organisation"),
        "change",
        f.ParticipationForm,
        _describe_participation,
        _participation,
        kind="secondary",
    )
)


def _describe_responsibility(item: PlanItem, form: Any) -> str:
    return _(
        "Name an organisation responsible for item “%(item)s” of “%(plan)s”, on its party's side. Its reporters "
        "then record progress on the item."
    ) % {"item": _item_label(item), "plan": item.plan}


def _responsibility(request: Any, item: PlanItem, form: Any) -> str:
    organisation = form.cleaned_data["organisation"]
    add_responsibility(item, organisation, side=organisation.party)
    return reverse("programmes:plan-items-detail", args=[item.pk])


add(
    Step(
        "items",
        "responsibility",
        PlanItem,
        gettext_lazy("Add a responsible organisation"),
        "change",
        f.ResponsibilityForm,
        _describe_responsibility,
        _responsibility,
        ready=lambda item: item.plan.status not in FROZEN_PLAN_STATUSES,
        kind="secondary",
        in_lists=False,
    )
)


def _describe_exchange(record: Project | PlanItem, form: Any) -> str:
    return _(
        "Record an exchange under “%(record)s” on behalf of the sending side: a visit, experts or trainees, or data "
        "or samples sent. Data and samples sent are then confirmed received by the receiving side."
    ) % {"record": _item_label(record) if isinstance(record, PlanItem) else f"{record.number}. {record}"}


def _exchange(request: Any, record: Project | PlanItem, form: Any) -> str:
    item = record if isinstance(record, PlanItem) else None
    project = record.project if isinstance(record, PlanItem) else record
    exchange = record_exchange(
        agreement=project.agreement,
        project=project,
        plan_item=item,
        people=form.cleaned_data["people"],
        **form.exchange_fields(),
    )
    return reverse("programmes:exchanges-detail", args=[exchange.pk])


for slug, model in (("projects", Project), ("items", PlanItem)):
    add(
        Step(
            slug,
            "exchange",
            model,
            gettext_lazy("Record an exchange"),
            "change",
            f.ExchangeForm,
            _describe_exchange,
            _exchange,
            kind="secondary",
            in_lists=False,
        )
    )
