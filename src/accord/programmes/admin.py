from typing import Any, ClassVar

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from accord.core.admin import AuditedModelAdmin, VersionedAdminForm, domain_action
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
    list_display = ("number", "title", "agreement", "field", "modality", "is_illustrative")
    list_filter = ("modality", "field")
    search_fields = ("number", "title")


@admin.register(Participation)
class ParticipationAdmin(AuditedModelAdmin):
    list_display = ("project", "organisation", "side", "role")
    list_select_related = ("project", "organisation", "side")


def _accept(item: PlanItem) -> None:
    services.accept_carry_over(item, expected_version=item.version)


def _drop(item: PlanItem) -> None:
    services.drop_carry_over(item, expected_version=item.version)


@admin.register(PlanItem)
class PlanItemAdmin(AuditedModelAdmin):
    actions = [domain_action(_accept, "Accept the carry-over"), domain_action(_drop, "Drop the carry-over")]
    list_display = ("plan", "position", "project", "carry_over", "carried_over_from")
    list_filter = ("plan",)
    list_select_related = ("plan", "project")


@admin.register(PlanItemResponsibility)
class PlanItemResponsibilityAdmin(AuditedModelAdmin):
    list_display = ("plan_item", "organisation", "side")


@admin.register(Deliverable)
class DeliverableAdmin(AuditedModelAdmin):
    list_display = ("title", "kind", "plan_item", "due_on", "delivered_on")


@admin.register(ProgressReport)
class ProgressReportAdmin(AuditedModelAdmin):
    list_display = ("plan_item", "reporting_organisation", "period_end", "status", "percent")
    list_filter = ("status",)
    list_select_related = ("plan_item__project", "reporting_organisation")


@admin.register(Exchange)
class ExchangeAdmin(AuditedModelAdmin):
    """Entering the receipt date confirms receipt through the service (its rules: sent first, once)."""

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        receipt = {"received_on", "received_reference"}
        if change and receipt & set(form.changed_data) and form.initial.get("received_on") is None:
            other = [name for name in form.changed_data if name not in receipt]
            if other:
                form.changed_data[:] = other
                super().save_model(request, obj, form, change)
                obj.refresh_from_db(fields=["version"])
            services.confirm_receipt(
                obj,
                received_on=form.cleaned_data["received_on"],
                expected_version=obj.version,
                reference=form.cleaned_data.get("received_reference", ""),
            )
            return
        super().save_model(request, obj, form, change)

    list_display = ("kind", "from_party", "to_party", "start_on", "quantity", "unit", "sent_on", "received_on")
    list_filter = ("kind",)


@admin.register(ExchangePerson)
class ExchangePersonAdmin(AuditedModelAdmin):
    list_display = ("exchange", "person")


class PlanApprovalForm(VersionedAdminForm):
    class Meta:
        model = PlanApproval
        fields = ("plan", "party", "approved_on", "approved_by", "note")


@admin.register(PlanApproval)
class PlanApprovalAdmin(AuditedModelAdmin):
    """A party agrees to the plan's current version; approvals are history, never edited."""

    form = PlanApprovalForm
    list_display = ("plan", "party", "plan_version", "approved_on", "approved_by")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: forms.ModelForm, change: bool) -> None:
        plan = form.cleaned_data["plan"]
        approval = services.approve_plan(
            plan,
            party=form.cleaned_data["party"],
            expected_version=plan.version,
            approved_on=form.cleaned_data["approved_on"],
            approved_by=form.cleaned_data["approved_by"],
            note=form.cleaned_data["note"],
        )
        obj.pk = approval.pk
