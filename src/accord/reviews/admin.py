"""Admin for reviews: every write goes through the review services; the figures are read-only."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from accord.core.admin import AuditedModelAdmin, ReadOnlyInline, VersionedAdminForm
from accord.core.errors import DomainError
from accord.reviews import services
from accord.reviews.models import Review, ReviewStatement
from accord.reviews.selectors import has_baseline


class ReviewAdminForm(VersionedAdminForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        plan = data.get("plan")
        if not self.instance.pk and plan is not None and not has_baseline(plan):
            self.add_error("plan", "this plan was never signed, so it has no baseline to review against")
        return data


class StatementAdminForm(VersionedAdminForm):
    def clean(self) -> dict[str, Any]:
        data = super().clean()
        review = data.get("review") or getattr(self.instance, "review", None)
        party = data.get("party") or getattr(self.instance, "party", None)
        if review is not None and review.status != Review.Status.DRAFT:
            self.add_error(None, "the review is published: its statements can no longer change")
        elif review is not None and party is not None and party.pk not in review.plan.agreement.party_ids():
            self.add_error("party", "only a party of the plan's agreement makes a statement")
        return data


class StatementInline(ReadOnlyInline):
    model = ReviewStatement
    fields = ("party", "text", "visibility", "version")
    show_change_link = True


@admin.register(Review)
class ReviewAdmin(AuditedModelAdmin):
    form = ReviewAdminForm
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

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != Review.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.status != Review.Status.DRAFT:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)  # only the visibility and owner can be edited here
            return
        assert isinstance(obj, Review)
        created = services.create_review(obj.plan, obj.as_of, visibility=obj.visibility, owner_party=obj.owner_party)
        for f in Review._meta.concrete_fields:
            setattr(obj, f.attname, getattr(created, f.attname))

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
    form = StatementAdminForm
    list_display = ("review", "party", "visibility")
    list_select_related = ("review__plan", "party")
    readonly_fields = (*AuditedModelAdmin.readonly_fields, "owner_party")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fixed = ("review", "party") if obj is not None else ()
        return (*self.readonly_fields, *fixed)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.review.status != Review.Status.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Model, form: forms.ModelForm, change: bool) -> None:
        assert isinstance(obj, ReviewStatement)
        if change:
            changes = {name: getattr(obj, name) for name in form.changed_data if name in ("text", "visibility")}
            expected = form.cleaned_data.get("expected_version") or obj.version
            services.update_statement(obj, expected_version=expected, **changes)
            return
        created = services.add_statement(obj.review, obj.party, obj.text, visibility=obj.visibility)
        for f in ReviewStatement._meta.concrete_fields:
            setattr(obj, f.attname, getattr(created, f.attname))
