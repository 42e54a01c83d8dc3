"""Admin for documents: shown, never written here. Documents are generated or uploaded, and published, through
documents.services on the record pages and the CLI, where their rules are."""

from django.contrib import admin

from accord.core.admin import ReadOnlyAdmin
from accord.documents.models import Document, DocumentFile, DocumentText


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "origin", "issued_on", "agreement")


@admin.register(DocumentText)
class DocumentTextAdmin(ReadOnlyAdmin):
    list_display = ("document", "language", "sha256")


@admin.register(DocumentFile)
class DocumentFileAdmin(ReadOnlyAdmin):
    list_display = ("document", "languages", "layout", "format", "size", "sha256")
