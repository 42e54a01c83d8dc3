"""The pages of documents: their texts, stored files and publication."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from accord.core.pages.listing import Column
from accord.core.pages.records import RecordType, register
from accord.core.visibility import visible
from accord.documents.filters import DocumentFilters
from accord.documents.models import Document
from accord.documents.services import publication_state


def _document_related(document: Document, user: Any, params: Any) -> dict[str, Any]:
    return {
        "publication": publication_state(document),
        "texts": list(visible(document.texts.all(), user).order_by("language")),
        "files": list(visible(document.files.all(), user).order_by("languages", "format")),
        "languages": document.agreement.authentic_languages,
    }


DOCUMENTS = RecordType(
    kind="documents",
    model=Document,
    label=_("Document"),
    label_plural=_("Documents"),
    list_queryset=lambda: Document.objects.select_related("agreement"),
    detail_queryset=lambda: Document.objects.select_related("agreement", "meeting", "plan"),
    columns=[
        Column(_("Title"), "title", ("id",)),
        Column(_("Kind"), "kind", ("kind",)),
        Column(_("Origin"), "origin", ("origin",)),
        Column(_("Issued"), "issued", ("issued_on",)),
        Column(_("Status"), "status", ("status",)),
    ],
    filters=DocumentFilters,
    search=("title",),
    default_sort="-issued",
    related=_document_related,
)

register(DOCUMENTS)
