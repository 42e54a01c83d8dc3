"""Domain operations on documents and their language versions."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from accord.core import services as records
from accord.core.errors import ValidationFailed
from accord.documents.models import Document, DocumentText


@transaction.atomic
def create_document(*, texts: Mapping[str, str], **fields: Any) -> Document:
    """A document with one text per language (at least one)."""
    if not texts:
        raise ValidationFailed({"texts": ["a document needs its text in at least one language"]})
    document = records.create(Document, related=fields.get("agreement"), **fields)
    for language, body in texts.items():
        add_text(document, language, body)
    return document


def add_text(document: Document, language: str, body: str) -> DocumentText:
    if not body.strip():
        raise ValidationFailed({"body": [f"the {language} text is empty"]})
    text = DocumentText(document=document, language=language, body=body)
    records.validate(text, exclude=["sha256"])  # also refuses a second text in the same language
    return records.create(
        DocumentText,
        related=document,
        document=document,
        language=text.language,
        body=body,
        sha256=text.sha256,
        visibility=document.visibility,
        owner_party=document.owner_party,
        is_illustrative=document.is_illustrative,
    )
