"""Domain operations on documents and their language versions."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet

from accord.core import services as records
from accord.core.errors import ValidationFailed
from accord.core.localized import normalize_tag
from accord.documents import fonts, renderers
from accord.documents.content import Content
from accord.documents.html_output import write_html
from accord.documents.models import Document, DocumentFile, DocumentText
from accord.documents.pdf_output import engine_signature
from accord.documents.renderers import Options


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


# --- documents generated from the records --------------------------------------------------------------


@dataclass
class Generated:
    """What generate_document stored: the Document, its language texts, and the rendering (when a format was asked)."""

    document: Document
    texts: list[DocumentText]
    rendering: DocumentFile | None
    data: bytes | None
    content: Content

    def language_findings(self) -> list[Any]:
        """Where the document's stored language versions disagree (numbers, dates, names): a check on the
        generated wording, since the records behind every language are the same."""
        from accord.fidelity import check_versions, directory_from_database

        texts = {t.language: t.body for t in self.document.texts.all()}
        if len(texts) < 2:
            return []
        findings = check_versions(texts, context_date=self.document.issued_on, directory=directory_from_database())
        return [f for f in findings if f.severity == "error"]


def generate_document(
    kind: str,
    ref: Any,
    language: str | None,
    fmt: str | None = None,
    *,
    layout: str = "parallel",
    with_english: bool = False,
) -> Generated:
    """Generate the document of `kind` for the record `ref` and store it.

    Creates the Document (origin: generated) on first use and updates it after: one text per language
    (its plain text, hashed), and, when `fmt` is given, the rendering in that format (bytes under
    MEDIA_ROOT, hashed). Unchanged texts and renderings are left as they are, so regenerating from
    unchanged records writes nothing. Everything is checked and rendered before anything is written: a
    refused language or a missing font leaves no trace.

    Building and laying out (seconds for a long PDF) happen before the transaction that stores the
    result: on SQLite a writing transaction holds the database's one write lock, and every other writer
    would queue behind the layout.
    """
    options = Options(layout=layout, with_english=with_english)
    spec, record, content = renderers.build(kind, ref, language, options)
    links = spec.links(record)
    data, source = _render(_generated(spec, links).first(), content, fmt) if fmt else (None, "")
    with transaction.atomic():
        document = _generated_document(spec, record, content, links)
        texts = [_store_text(document, lang, content.text_of(lang)) for lang in content.languages]
        stored = _store_file(document, content, fmt, data, source) if fmt and data is not None else None
    return Generated(document, texts, stored, data, content)


def _generated(spec: renderers.DocumentKind, links: dict[str, Any]) -> QuerySet[Document]:
    """The generated document of this kind for this record (one at most; the first if ever more)."""
    identity = {name: links[name] for name in spec.identity}
    return Document.objects.filter(kind=spec.name, origin=Document.Origin.GENERATED, **identity).order_by("id")


def _render(existing: Document | None, content: Content, fmt: str) -> tuple[bytes, str]:
    """The bytes of `content` in `fmt`, and the hash of their source (PDF only: the HTML, engine and fonts).

    A PDF stored earlier from the very same source is read back instead of being laid out again; its
    bytes are checked against their recorded hash first.
    """
    renderers.check_format(fmt)
    if fmt != "pdf":
        return renderers.write(content, fmt), ""
    html = write_html(content)
    fonts.require_fonts(content.languages)
    source = hashlib.sha256(html + engine_signature().encode()).hexdigest()
    if existing is not None:
        same = existing.files.filter(
            languages="+".join(content.languages), layout=content.layout, format=fmt, source_sha256=source
        ).first()
        if same is not None and default_storage.exists(same.file.name):
            with default_storage.open(same.file.name, "rb") as fh:
                data = fh.read()
            if hashlib.sha256(data).hexdigest() == same.sha256:
                return data, source
    return renderers.write(content, fmt, html=html), source


def _generated_document(spec: renderers.DocumentKind, record: Any, content: Content, links: dict[str, Any]) -> Document:
    existing = _generated(spec, links).select_for_update().first()
    if existing is None:
        return records.create(
            Document,
            related=links["agreement"],
            kind=spec.name,
            origin=Document.Origin.GENERATED,
            title=dict(content.titles),
            is_illustrative=bool(getattr(record, "is_illustrative", False)),
            **links,
        )
    title = {**existing.title, **content.titles}
    changes = {
        name: value
        for name, value in {**links, "title": title}.items()
        if name not in spec.identity and getattr(existing, name) != value
    }
    if changes:
        records.update(existing, expected_version=existing.version, related=links["agreement"], **changes)
    return existing


def _store_text(document: Document, language: str, body: str) -> DocumentText:
    current = document.texts.filter(language=normalize_tag(language)).first()
    if current is None:
        return add_text(document, language, body)
    if current.body != body:
        records.update(current, expected_version=current.version, related=document, body=body)
    return current


def _store_file(document: Document, content: Content, fmt: str, data: bytes, source: str) -> DocumentFile:
    digest = hashlib.sha256(data).hexdigest()
    name = f"documents/{document.uid}/{digest[:20]}.{fmt}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    languages = "+".join(content.languages)
    current = DocumentFile.objects.filter(
        document=document, languages=languages, layout=content.layout, format=fmt
    ).first()
    if current is None:
        return records.create(
            DocumentFile,
            related=document,
            document=document,
            languages=languages,
            layout=content.layout,
            format=fmt,
            file=name,
            sha256=digest,
            size=len(data),
            source_sha256=source,
            visibility=document.visibility,
            owner_party=document.owner_party,
            is_illustrative=document.is_illustrative,
        )
    changes = {"file": name, "sha256": digest, "size": len(data), "source_sha256": source}
    if any(getattr(current, field) != value for field, value in changes.items()):
        records.update(current, expected_version=current.version, related=document, **changes)
    return current
