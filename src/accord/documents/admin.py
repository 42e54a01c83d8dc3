from django.contrib import admin

from accord.core.admin import AuditedModelAdmin
from accord.documents.models import Document, DocumentFile, DocumentText


@admin.register(Document)
class DocumentAdmin(AuditedModelAdmin):
    list_display = ("title", "kind", "origin", "issued_on", "agreement")


@admin.register(DocumentText)
class DocumentTextAdmin(AuditedModelAdmin):
    list_display = ("document", "language", "sha256")


@admin.register(DocumentFile)
class DocumentFileAdmin(AuditedModelAdmin):
    list_display = ("document", "languages", "layout", "format", "size", "sha256")
