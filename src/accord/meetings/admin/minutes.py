"""Admin for agreed minutes: a window onto them, not a way round the workflow.

Minutes, revisions and sign-offs are written only by the services (start, amend, sign off), so here they
can be read but not added, changed or deleted.
"""

from __future__ import annotations

from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin, ReadOnlyInline
from accord.meetings.models import Minutes, MinutesRevision, MinutesSignOff


class RevisionInline(ReadOnlyInline):
    model = MinutesRevision
    fields = ("number", "based_on", "party", "author_name", "note", "created_at")
    show_change_link = True


class SignOffInline(ReadOnlyInline):
    model = MinutesSignOff
    fields = ("revision", "party", "signer_name", "signed_on", "body_sha256")


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "status", "current_revision", "finalised_on", "visibility")
    list_filter = ("status", "visibility")
    readonly_fields = (
        *ReadOnlyAdmin.readonly_fields,
        "meeting",
        "status",
        "current_revision",
        "finalised_on",
        "owner_party",
    )
    inlines = [RevisionInline, SignOffInline]


@admin.register(MinutesRevision)
class MinutesRevisionAdmin(ReadOnlyAdmin):
    list_display = ("minutes", "number", "based_on", "party", "author_name", "note", "created_at")
    list_filter = ("party",)
    search_fields = ("note", "author_name")


@admin.register(MinutesSignOff)
class MinutesSignOffAdmin(ReadOnlyAdmin):
    list_display = ("minutes", "revision", "party", "signer_name", "signed_on")
    list_filter = ("party",)
