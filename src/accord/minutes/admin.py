"""Admin for agreed minutes: a window onto them, not a way round the workflow.

Revisions and sign-offs are written only by the services (amend, sign off), so here they can be read
but not added, changed or deleted; of the minutes themselves only the visibility can be edited.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accord.core.admin import AuditedModelAdmin, ReadOnlyAdmin, ReadOnlyInline
from accord.minutes.models import Minutes, MinutesRevision, MinutesSignOff


class RevisionInline(ReadOnlyInline):
    model = MinutesRevision
    fields = ("number", "based_on", "party", "author_name", "note", "created_at")
    show_change_link = True


class SignOffInline(ReadOnlyInline):
    model = MinutesSignOff
    fields = ("revision", "party", "signer_name", "signed_on", "body_sha256")


@admin.register(Minutes)
class MinutesAdmin(AuditedModelAdmin):
    list_display = ("meeting", "status", "current_revision", "finalised_on", "visibility")
    list_filter = ("status", "visibility")
    readonly_fields = (
        *AuditedModelAdmin.readonly_fields,
        "meeting",
        "status",
        "current_revision",
        "finalised_on",
        "owner_party",
    )
    inlines = [RevisionInline, SignOffInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # minutes start with their first draft: `accord minutes start` or the service

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MinutesRevision)
class MinutesRevisionAdmin(ReadOnlyAdmin):
    list_display = ("minutes", "number", "based_on", "party", "author_name", "note", "created_at")
    list_filter = ("party",)
    search_fields = ("note", "author_name")


@admin.register(MinutesSignOff)
class MinutesSignOffAdmin(ReadOnlyAdmin):
    list_display = ("minutes", "revision", "party", "signer_name", "signed_on")
    list_filter = ("party",)
