"""Admin for programmes: every write goes through programmes.services (a reviewed plan's items are refused here
as on the pages and the API); lifecycle steps are list actions calling the same services."""

import datetime as dt
from typing import Any, ClassVar

from django.contrib import admin
from django.http import HttpRequest

from accord.core.admin import AuditedModelAdmin, ReadOnlyAdmin, VersionedAdminForm, Writes, domain_action
from accord.directory.models import Party, Person
from accord.programmes import services
from accord.programmes.choices import PlanStatus
from accord.programmes.models import (
    Deliverable,
    Exchange,
    ExchangePerson,
    Participation,
    Plan,
    PlanApproval,
    PlanItem,
    PlanItemResponsibility,
    ProgressReport,
    Project,
)


def _move(status: str) -> Any:
    def move(plan: Plan) -> None:
        services.transition_plan(plan, status, expected_version=plan.version)

    move.__name__ = f"move_to_{status}"
    return move


@admin.register(Plan)
class PlanAdmin(AuditedModelAdmin):
    """Plans change status only through the lifecycle actions (agreement: add a plan approval)."""

    writes = Writes(create=services.create_plan, update=services.update_plan)
    list_display = ("__str__", "agreement", "period_start", "period_end", "revision", "status")
    list_filter = ("status", "kind")
    readonly_fields = (*AuditedModelAdmin.readonly_fields, "status", "signed_on", "signed_at", "signed_version")
    actions = [
        domain_action(_move(PlanStatus.PROPOSED), "Propose to the parties"),
        domain_action(_move(PlanStatus.DRAFT), "Withdraw to draft"),
        domain_action(_move(PlanStatus.SIGNED), "Mark signed (every party has signed this version)"),
        domain_action(_move(PlanStatus.IN_FORCE), "Put in force"),
        domain_action(_move(PlanStatus.REVIEWED), "Mark reviewed"),
        domain_action(_move(PlanStatus.CLOSED), "Close"),
        domain_action(services.amend_plan, "Start an amendment (new revision)"),
    ]

    # Actions of apps built on programmes (signing: "Sign the plan"), which they add from their own admin module.
    extra_actions: ClassVar[list[tuple[Any, str, str]]] = []

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        for action, name, description in self.extra_actions:
            actions[name] = (action, name, description)
        return actions


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    writes = Writes(create=services.create_project, update=services.update_project)
    list_display = ("number", "title", "agreement", "field", "modality", "is_illustrative")
    list_filter = ("modality", "field")
    search_fields = ("number", "title")


@admin.register(Participation)
class ParticipationAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_participation, create_args=("project", "organisation"))
    list_display = ("project", "organisation", "side", "role")
    list_select_related = ("project", "organisation", "side")


def _accept(item: PlanItem) -> None:
    services.accept_carry_over(item, expected_version=item.version)


def _drop(item: PlanItem) -> None:
    services.drop_carry_over(item, expected_version=item.version)


@admin.register(PlanItem)
class PlanItemAdmin(AuditedModelAdmin):
    writes = Writes(
        create=services.add_plan_item,
        create_args=("plan", "project"),
        update=services.update_plan_item,
        delete=services.remove_plan_item,
    )
    actions = [domain_action(_accept, "Accept the carry-over"), domain_action(_drop, "Drop the carry-over")]
    list_display = ("plan", "position", "project", "carry_over", "carried_over_from")
    list_filter = ("plan",)
    list_select_related = ("plan", "project")


@admin.register(PlanItemResponsibility)
class PlanItemResponsibilityAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_responsibility, create_args=("plan_item", "organisation"))
    add_fields = ("plan_item", "organisation", "side")
    list_display = ("plan_item", "organisation", "side")


@admin.register(Deliverable)
class DeliverableAdmin(AuditedModelAdmin):
    writes = Writes(create=services.add_deliverable, create_args=("plan_item",))
    list_display = ("title", "kind", "plan_item", "due_on", "delivered_on")


@admin.register(ProgressReport)
class ProgressReportAdmin(AuditedModelAdmin):
    writes = Writes(create=services.record_progress, create_args=("plan_item",))
    list_display = ("plan_item", "reporting_organisation", "period_end", "status", "percent")
    list_filter = ("status",)
    list_select_related = ("plan_item__project", "reporting_organisation")


def _change_exchange(exchange: Exchange, *, expected_version: int, **changes: Any) -> Exchange:
    """Entering the receipt date confirms receipt (confirm_receipt's rules: sent first, once); the rest is a
    correction by the sending side (update_exchange, which refuses any other change of the receipt)."""
    receipt = {name: changes.pop(name) for name in ("received_on", "received_reference") if name in changes}
    if changes:
        exchange = services.update_exchange(exchange, expected_version=expected_version, **changes)
        expected_version = exchange.version
    if receipt.get("received_on") is not None:
        return services.confirm_receipt(
            exchange,
            received_on=receipt["received_on"],
            expected_version=expected_version,
            reference=receipt.get("received_reference") or "",
        )
    if receipt:
        return services.update_exchange(exchange, expected_version=expected_version, **receipt)
    return exchange


@admin.register(Exchange)
class ExchangeAdmin(AuditedModelAdmin):
    """Entering the receipt date confirms receipt through the service (its rules: sent first, once)."""

    writes = Writes(create=services.record_exchange, update=_change_exchange)
    list_display = ("kind", "from_party", "to_party", "start_on", "quantity", "unit", "sent_on", "received_on")
    list_filter = ("kind",)


@admin.register(ExchangePerson)
class ExchangePersonAdmin(ReadOnlyAdmin):
    """The people of an exchange are recorded with it (record_exchange)."""

    list_display = ("exchange", "person")


class PlanApprovalForm(VersionedAdminForm):
    class Meta:
        model = PlanApproval
        fields = ("plan", "party", "approved_on", "approved_by", "note")


def _approve(
    plan: Plan,
    *,
    party: Party,
    approved_on: dt.date | None = None,
    approved_by: Person | None = None,
    note: str = "",
) -> PlanApproval:
    """A party agrees to the version of the plan the editor saw."""
    return services.approve_plan(
        plan, party=party, expected_version=plan.version, approved_on=approved_on, approved_by=approved_by, note=note
    )


@admin.register(PlanApproval)
class PlanApprovalAdmin(AuditedModelAdmin):
    """A party agrees to the plan's current version; approvals are history, never edited."""

    form = PlanApprovalForm
    writes = Writes(create=_approve, create_args=("plan",))
    list_display = ("plan", "party", "plan_version", "approved_on", "approved_by")
