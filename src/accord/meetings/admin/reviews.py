"""Admin for reviews: every write goes through the review services (a review is made and its statements added
and changed there; it is recomputed and published by the list actions); the figures are read-only."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from accord.core.admin import AuditedModelAdmin, ReadOnlyInline, Writes
from accord.core.errors import DomainError
from accord.meetings.models import Review, ReviewStatement
from accord.meetings.services import reviews as services


class StatementInline(ReadOnlyInline):
    model = ReviewStatement
    fields = ("party", "text", "visibility", "version")
    show_change_link = True


@admin.register(Review)
class ReviewAdmin(AuditedModelAdmin):
    writes = Writes(create=services.create_review, create_args=("plan", "as_of"))
    list_display = ("plan", "as_of", "status", "computed_at", "published_at")
    list_filter = ("status",)
    list_select_related = ("plan",)
    readonly_fields = (
        *AuditedModelAdmin.readonly_fields,
        "baseline_version",
        "status",
        "computed_at",
        "published_at",
        "inputs_hash",
        "figures_json",
    )
    inlines = [StatementInline]
    actions = ["recompute", "publish"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fixed = ("plan", "as_of") if obj is not None else ()
        return (*self.readonly_fields, *fixed)

    def get_inlines(self, request: HttpRequest, obj: Any) -> Any:
        return self.inlines if obj is not None else []  # statements are made on a computed review

    @admin.display(description="figures")
    def figures_json(self, obj: Review) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.figures, indent=2, ensure_ascii=False))

    def _each(self, request: HttpRequest, queryset: QuerySet[Review], action: Any, done: str) -> None:
        count = 0
        for review in queryset:
            try:
                action(review, expected_version=review.version)
                count += 1
            except DomainError as exc:
                self.message_user(request, f"{review}: {exc}", messages.ERROR)
        if count:
            self.message_user(request, f"{count} review(s) {done}.", messages.SUCCESS)

    @admin.action(description="Recompute the figures of the selected drafts")
    def recompute(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._each(request, queryset, services.recompute_review, "recomputed")

    @admin.action(description="Publish the selected reviews (freezes them)")
    def publish(self, request: HttpRequest, queryset: QuerySet[Review]) -> None:
        self._each(request, queryset, services.publish_review, "published")


@admin.register(ReviewStatement)
class ReviewStatementAdmin(AuditedModelAdmin):
    writes = Writes(
        create=services.add_statement, create_args=("review", "party", "text"), update=services.update_statement
    )
    list_display = ("review", "party", "visibility")
    list_select_related = ("review__plan", "party")
    readonly_fields = (*AuditedModelAdmin.readonly_fields, "owner_party")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fixed = ("review", "party") if obj is not None else ()
        return (*self.readonly_fields, *fixed)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Not offered once published (update_statement would refuse it).
        if obj is not None and obj.review.status != Review.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)
