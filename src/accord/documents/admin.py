"""Admin for documents: shown, never written here. Documents are generated or uploaded, approved and published
through documents.services on the record pages, the API and the CLI, where their rules are."""

from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin
from accord.documents.models import Document, DocumentApproval, DocumentFile, DocumentText


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "origin", "status", "issued_on", "agreement")


@admin.register(DocumentApproval)
class DocumentApprovalAdmin(ReadOnlyAdmin):
    """Approvals are given on the document's page, the API or the CLI; here they are only read."""

    list_display = ("document", "party", "approved_by_name", "approved_at", "content_sha256")


@admin.register(DocumentText)
class DocumentTextAdmin(ReadOnlyAdmin):
    list_display = ("document", "language", "sha256")


@admin.register(DocumentFile)
class DocumentFileAdmin(ReadOnlyAdmin):
    list_display = ("document", "languages", "layout", "format", "size", "sha256")
