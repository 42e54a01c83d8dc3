"""Documents: communiqués, minutes, plan texts, review reports, and sources such as press reports."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accord.agreements.models import Agreement
from accord.core.localized import LocalizedTextField, normalize_tag
from accord.core.models import AccordModel, PartyOwned, Visibility
from accord.directory.models import Party
from accord.meetings.models import Meeting
from accord.programmes.models import Plan


def content_digest(text_hashes: Mapping[str, str]) -> str:
    """One SHA-256 over a document's texts (language -> the text's SHA-256): what an approval is of."""
    lines = "".join(f"{language} {digest}\n" for language, digest in sorted(text_hashes.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


class Document(PartyOwned):
    """A document in one or more languages, generated from the records or uploaded.

    A new document is a draft, seen only by the party that made it (or, made by the system, by the parties
    of its agreement). Publishing is a joint act: every party whose approval it needs approves the current
    text (DocumentApproval, tied to `content_sha256`), then it is published and becomes public.
    """

    agreement_path = "agreement"  # core.visibility: how it reaches its agreement

    class Kind(models.TextChoices):
        COMMUNIQUE = "communique", _("Communiqué")
        MINUTES = "minutes", _("Minutes")
        PLAN_TEXT = "plan_text", _("Plan text")
        REVIEW_REPORT = "review_report", _("Review report")
        PRESS_REPORT = "press_report", _("Press report")
        OTHER = "other", _("Other")

    class Origin(models.TextChoices):
        GENERATED = "generated", _("Generated from the records")
        UPLOADED = "uploaded", _("Uploaded")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    origin = models.CharField(_("origin"), max_length=16, choices=Origin.choices, default=Origin.UPLOADED)
    title = LocalizedTextField(_("title"))
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="documents")
    meeting = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="documents")
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=300, blank=True, help_text=_("Where an uploaded text comes from.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # content_digest() of the texts as they are now: an approval counts only while it names this value.
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = pgettext_lazy("record kind", "document")
        verbose_name_plural = pgettext_lazy("record kind", "documents")
        ordering = ["-issued_on", "id"]

    def __str__(self) -> str:
        return str(self.title)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.meeting is not None and self.agreement_id and self.meeting.agreement_id != self.agreement_id:
            errors["meeting"] = ["must be a meeting under the document's agreement"]
        if self.plan is not None and self.agreement_id and self.plan.agreement_id != self.agreement_id:
            errors["plan"] = ["must be a plan under the document's agreement"]
        if errors:
            raise ValidationError(errors)
        if self.status == self.Status.DRAFT and self.visibility == Visibility.PUBLIC:
            raise ValidationError({"visibility": ["a draft is not public; it becomes public when it is published"]})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class DocumentText(PartyOwned):
    """One language version of a document, with the SHA-256 of its text."""

    page_parent = "document"  # core.pages: shown on its document's page
    agreement_path = "document__agreement"  # core.visibility: how it reaches its agreement

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="texts")
    visibility_parents = ("document",)
    language = models.CharField(_("language"), max_length=35)
    body = models.TextField(_("text"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("document text")
        verbose_name_plural = _("document texts")
        ordering = ["document", "language"]
        constraints = [models.UniqueConstraint(fields=["document", "language"], name="documenttext_unique_language")]

    def __str__(self) -> str:
        return f"{self.document} [{self.language}]"

    def clean(self) -> None:
        super().clean()
        try:
            self.language = normalize_tag(self.language)
        except ValueError as exc:
            raise ValidationError({"language": [str(exc)]}) from None
        self.sha256 = hashlib.sha256(self.body.encode()).hexdigest()


class DocumentFile(PartyOwned):
    """One rendering of a generated document (HTML, PDF or DOCX) in one set of languages and layout.

    The bytes are kept under MEDIA_ROOT, named by their SHA-256, so a rendering that changes gets a new
    file and the audit trail's earlier entries still point at the file they described.
    """

    page_parent = "document"  # core.pages: shown on its document's page
    agreement_path = "document__agreement"  # core.visibility: how it reaches its agreement

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="files")
    visibility_parents = ("document",)
    languages = models.CharField(_("languages"), max_length=100, help_text=_("e.g. zh+ru, in the order written"))
    layout = models.CharField(_("layout"), max_length=16, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    file = models.FileField(_("file"), upload_to="documents/", max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    # What the bytes were made from (for a PDF: the HTML, the engine's version, the fonts): while it is
    # unchanged the stored file is served again instead of laying out hundreds of pages anew.
    source_sha256 = models.CharField(_("source SHA-256"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("document file")
        verbose_name_plural = _("document files")
        ordering = ["document", "languages", "format"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "languages", "layout", "format"], name="documentfile_unique_rendering"
            )
        ]

    def __str__(self) -> str:
        layout = f", {self.layout}" if self.layout else ""
        return f"{self.document} [{self.languages}{layout}] {self.format.upper()}"


class DocumentApproval(AccordModel):
    """A party's approval of one text of a document (all its language versions, by their hashes).

    A change to any text changes the document's content hash, so an earlier approval no longer counts:
    the new text needs approving again. Approvals are never changed or removed.
    """

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="approvals")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_name = models.CharField(_("approved by"), max_length=200)  # frozen, as in the audit chain
    approved_at = models.DateTimeField(_("approved at"))
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)

    agreement_path = "document__agreement"  # core.visibility: how it reaches its agreement

    class Meta:
        verbose_name = _("document approval")
        verbose_name_plural = _("document approvals")
        ordering = ["document", "approved_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "party", "content_sha256"], name="documentapproval_once_per_text"
            )
        ]

    def __str__(self) -> str:
        return _("%(party)s approved %(document)s") % {"party": self.party, "document": self.document}
