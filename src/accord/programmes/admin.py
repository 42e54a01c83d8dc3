from django.contrib import admin

from accord.core.admin import AuditedModelAdmin
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


@admin.register(Plan)
class PlanAdmin(AuditedModelAdmin):
    list_display = ("__str__", "agreement", "period_start", "period_end", "revision", "status")
    list_filter = ("status", "kind")


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    list_display = ("number", "title", "agreement", "field", "modality", "is_illustrative")
    list_filter = ("modality", "field")
    search_fields = ("number", "title")


@admin.register(Participation)
class ParticipationAdmin(AuditedModelAdmin):
    list_display = ("project", "organisation", "side", "role")
    list_select_related = ("project", "organisation", "side")


@admin.register(PlanItem)
class PlanItemAdmin(AuditedModelAdmin):
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
    list_display = ("kind", "from_party", "to_party", "start_on", "quantity", "unit", "sent_on", "received_on")
    list_filter = ("kind",)


@admin.register(ExchangePerson)
class ExchangePersonAdmin(AuditedModelAdmin):
    list_display = ("exchange", "person")


@admin.register(PlanApproval)
class PlanApprovalAdmin(AuditedModelAdmin):
    list_display = ("plan", "party", "plan_version", "approved_on", "approved_by")
