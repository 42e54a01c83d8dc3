"""The kinds of generated document, and `render(kind, ref, language, fmt)` over them.

A kind says which record it is generated from, which languages that record can be written in, how to
build the content (the blocks every format is written from), and how the stored Document links to the
record. Adding a kind is one `DocumentKind(...)` in `KINDS`; formats come for free. See docs/documents.md.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import models

from accord.core.errors import ValidationFailed
from accord.core.visibility import Audience, effective_visibility, stricter
from accord.documents.agreed_minutes import build_minutes, minutes_languages
from accord.documents.communique import build_communique, communique_languages
from accord.documents.content import Content
from accord.documents.plan_text import LAYOUTS, build_plan_text, choose_languages
from accord.documents.review_report import build_review_report, review_languages, review_meeting
from accord.documents.wording import clean_language, primary
from accord.meetings.models import Meeting, Minutes, Review
from accord.programmes.models import Plan

FORMATS = ("html", "pdf", "docx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Options:
    """How to lay out a document: the layout of a multilingual text, and whether to add English.

    `audience`: who the document is for; by default the readers of the stored document (a public plan's
    text: the public), so a text never carries a part some of its readers may not see.
    """

    layout: str = "parallel"
    with_english: bool = False
    audience: Audience | None = None


@dataclass(frozen=True)
class DocumentKind:
    """A kind of document generated from one kind of record.

    name       the Document.Kind value ("communique")
    model      the record REF names (Meeting)
    languages  record, requested language, options -> the languages (primary tags) to write, or raise
               ValidationFailed naming the language when the record cannot be written in it
    build      record, languages, options -> Content
    links      record -> the Document's fields: agreement, meeting/plan, issued_on, visibility
    identity   which of those fields find the stored Document of a record again (the others may change:
               a review report's meeting is set once an agenda item discusses the review)
    """

    name: str
    model: type[models.Model]
    languages: Callable[[Any, str | None, Options], list[str]]
    build: Callable[[Any, list[str], Options], Content]
    links: Callable[[Any], dict[str, Any]]
    description: str = ""
    layouts: tuple[str, ...] = field(default=())
    identity: tuple[str, ...] = ("agreement", "meeting", "plan")


def _single_language(
    available: Callable[[Any], list[str]], what: str
) -> Callable[[Any, str | None, Options], list[str]]:
    """A kind written in one language at a time, out of those `available` for the record."""

    def choose(record: Any, language: str | None, options: Options) -> list[str]:
        offered = available(record)
        if not language:
            raise ValidationFailed({"language": [f"name the language of the {what}: {', '.join(offered)}"]})
        try:
            tag = primary(clean_language(language))
        except ValueError as exc:
            raise ValidationFailed({"language": [str(exc)]}) from None
        if tag not in offered:
            raise ValidationFailed(
                {"language": [f"no {what} in {language!r} for “{record}”; it can be written in {', '.join(offered)}"]}
            )
        return [tag]

    return choose


def _meeting_links(meeting: Meeting) -> dict[str, Any]:
    return {
        "agreement": meeting.agreement,
        "meeting": meeting,
        "plan": None,
        "issued_on": meeting.end_on,
        "visibility": meeting.visibility,
    }


def _plan_links(plan: Plan) -> dict[str, Any]:
    return {
        "agreement": plan.agreement,
        "meeting": None,
        "plan": plan,
        "issued_on": plan.signed_on,
        "visibility": plan.visibility,
    }


def _review_links(review: Review) -> dict[str, Any]:
    return {
        "agreement": review.plan.agreement,
        "meeting": review_meeting(review),
        "plan": review.plan,
        "issued_on": review.as_of,
        "visibility": review.visibility,
    }


def _minutes_links(minutes: Minutes) -> dict[str, Any]:
    meeting = minutes.meeting
    return {
        "agreement": meeting.agreement,
        "meeting": meeting,
        "plan": None,
        "issued_on": minutes.finalised_on or meeting.end_on,
        "visibility": minutes.visibility,
    }


KINDS: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    KINDS[kind.name] = kind
    return kind


register(
    DocumentKind(
        name="communique",
        model=Meeting,
        languages=_single_language(communique_languages, "communiqué"),
        build=lambda meeting, langs, options: build_communique(meeting, langs[0]),
        links=_meeting_links,
        description="the communiqué of a meeting (REF: a meeting)",
    )
)
register(
    DocumentKind(
        name="plan_text",
        model=Plan,
        languages=lambda plan, language, options: choose_languages(plan, language, with_english=options.with_english),
        build=lambda plan, langs, options: build_plan_text(plan, langs, options.layout, audience=options.audience),
        links=_plan_links,
        description="the text of a plan in its authentic languages (REF: a plan)",
        layouts=LAYOUTS,
    )
)
register(
    DocumentKind(
        name="review_report",
        model=Review,
        languages=_single_language(review_languages, "review report"),
        build=lambda review, langs, options: build_review_report(review, langs[0], audience=options.audience),
        links=_review_links,
        description="the report of a plan's implementation review: figures, chart, lists, statements (REF: a review)",
        # A plan has one review per date, and the date (issued_on) never changes.
        identity=("agreement", "plan", "issued_on"),
    )
)
register(
    DocumentKind(
        name="minutes",
        model=Minutes,
        languages=_single_language(minutes_languages, "minutes"),
        build=lambda minutes, langs, options: build_minutes(minutes, langs[0]),
        links=_minutes_links,
        description="the minutes of a meeting: the current revision and the sign-offs (REF: the minutes)",
        identity=("agreement", "meeting"),  # one minutes per meeting; issued_on moves when they become final
    )
)


def get_kind(name: str) -> DocumentKind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise ValidationFailed({"kind": [f"unknown document kind {name!r}; known kinds: {known}"]}) from None


def resolve(kind: DocumentKind, ref: Any) -> Any:
    """The record a REF names: an instance, a numeric id, or a global id (uid)."""
    if isinstance(ref, kind.model):
        return ref
    text = str(ref).strip()
    manager = kind.model._default_manager
    record = None
    if text.isdigit():
        record = manager.filter(pk=int(text)).first()
    else:
        try:
            record = manager.filter(uid=uuid.UUID(text)).first()
        except ValueError:
            record = None
    if record is None:
        name = kind.model._meta.verbose_name
        raise ValidationFailed({"ref": [f"no {name} with id or uid {text!r}"]})
    return record


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValidationFailed({"format": [f"unknown format {fmt!r}; use {', '.join(FORMATS)}"]})
    return fmt


@dataclass
class Rendered:
    """One rendering: the bytes, and the content they were written from (for the stored texts)."""

    kind: DocumentKind
    record: Any
    content: Content
    fmt: str
    data: bytes
    options: Options

    @property
    def languages(self) -> list[str]:
        return self.content.languages


def build(
    kind: str, ref: Any, language: str | None, options: Options | None = None
) -> tuple[DocumentKind, Any, Content]:
    """Check the request and build the content (no format yet)."""
    options = options or Options()
    spec = get_kind(kind)
    if spec.layouts and options.layout not in spec.layouts:
        raise ValidationFailed({"layout": [f"unknown layout {options.layout!r}; use {' or '.join(spec.layouts)}"]})
    record = resolve(spec, ref)
    languages = spec.languages(record, language, options)
    if options.audience is None:
        options = replace(options, audience=readers_of(spec, record))
    return spec, record, spec.build(record, languages, options)


def readers_of(spec: DocumentKind, record: Any) -> Audience:
    """Who reads the document `spec` makes of `record`: as its visibility says, under its agreement."""
    links = spec.links(record)
    # Not wider than the record itself may be read: a draft review's report is for the parties only.
    visibility = stricter(links["visibility"], effective_visibility(record))
    owner = getattr(record, "owner_party_id", None)
    return Audience.of(visibility, parties=links["agreement"].party_ids(), owner=owner)


def write(content: Content, fmt: str, *, html: bytes | None = None) -> bytes:
    """The content in one format (`html`: its HTML, when already written). PDF refuses what no font can print."""
    from accord.documents.docx_output import write_docx
    from accord.documents.html_output import write_html
    from accord.documents.pdf_output import write_pdf

    check_format(fmt)
    if fmt == "docx":
        return write_docx(content)
    if fmt == "pdf":
        return write_pdf(content, html=html)
    return html if html is not None else write_html(content)


def render_document(
    kind: str, ref: Any, language: str | None, fmt: str = "html", *, options: Options | None = None
) -> Rendered:
    check_format(fmt)
    options = options or Options()
    spec, record, content = build(kind, ref, language, options)
    return Rendered(spec, record, content, fmt, write(content, fmt), options)


def render(
    kind: str,
    ref: Any,
    language: str | None,
    fmt: str = "html",
    *,
    layout: str = "parallel",
    with_english: bool = False,
) -> bytes:
    """The document of `kind` for the record `ref` in `language`, as html, pdf or docx bytes.

    Reads only; nothing is stored (see services.generate_document for that).
    """
    return render_document(kind, ref, language, fmt, options=Options(layout, with_english)).data
