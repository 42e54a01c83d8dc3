from typing import Any

from django.contrib import admin

from accord.core.admin import AuditedModelAdmin
from accord.documents.models import Document, DocumentApproval, DocumentFile, DocumentText


@admin.register(Document)
class DocumentAdmin(AuditedModelAdmin):
    list_display = ("title", "kind", "origin", "status", "issued_on", "agreement")
    # Publishing is the parties' joint act (documents.services.publish_document), never a field to tick here.
    readonly_fields = ("status", "published_at", "content_sha256")


@admin.register(DocumentApproval)
class DocumentApprovalAdmin(admin.ModelAdmin):
    """Approvals are given on the document's page, the API or the CLI; here they are only read."""

    list_display = ("document", "party", "approved_by_name", "approved_at", "content_sha256")

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(DocumentText)
class DocumentTextAdmin(AuditedModelAdmin):
    list_display = ("document", "language", "sha256")


@admin.register(DocumentFile)
class DocumentFileAdmin(AuditedModelAdmin):
    list_display = ("document", "languages", "layout", "format", "size", "sha256")
