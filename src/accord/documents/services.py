"""Domain operations on documents and their language versions, and their publication.

Publishing is a joint act. A document, generated or uploaded, starts as a draft:
- made by a party's coordinator (or with `party=` from the CLI), it is internal to that party; the
  party's approval of its text shares it with the other parties of the agreement, to approve in turn;
- made by the system (the CLI without --party, an administrator of no party), or a plan text (what the
  parties sign, rendered alike for both), it is bilateral from the start: the parties of the agreement see
  it, the public does not. A document of an internal record stays internal to the record's party.
An approval names the content hash of the texts it approved; a changed text needs approving again. A
communiqué, minutes, review report or plan text is published when every party of the agreement (observers
aside) approved its current text; another document (a press report) when its own party did. Publishing
makes the document, its texts and its files public: the portal, OAI-PMH and anonymous downloads. A published
document never changes: generating it again with a different text makes a new draft beside it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.agreements.models import AgreementParty
from accord.agreements.services import check_owner
from accord.core import services as records
from accord.core.actor import current_actor
from accord.core.errors import Forbidden, TransitionRefused, ValidationFailed
from accord.core.localized import normalize_tag
from accord.core.models import Visibility
from accord.core.permissions import acting_user, parties_of_agreement, require, require_actor_create
from accord.core.visibility import effective_visibility, principal, stricter
from accord.directory.models import Party
from accord.documents import fonts, renderers
from accord.documents.content import Content
from accord.documents.html_output import write_html
from accord.documents.models import Document, DocumentApproval, DocumentFile, DocumentText, content_digest
from accord.documents.pdf_output import engine_signature
from accord.documents.renderers import Options
from accord.meetings.models import Minutes, Review

# Kinds the parties publish together: every party of the agreement approves the text.
JOINT_KINDS = frozenset(
    {Document.Kind.COMMUNIQUE, Document.Kind.MINUTES, Document.Kind.REVIEW_REPORT, Document.Kind.PLAN_TEXT}
)
# A plan text is what the parties sign, rendered the same for both: its draft is theirs together from the start.
SHARED_DRAFT_KINDS = frozenset({Document.Kind.PLAN_TEXT})


def _sha256(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def _acting_user() -> Any | None:
    """The account acting now (a request, an API token, a job someone asked for), or None for the system
    (the CLI, the demo, signing's own renderings): the system acts for the installation's operator."""
    user = acting_user()
    if user is not None and not user.is_authenticated:
        raise Forbidden(_("sign in to change documents"))
    return user


def drafting_party(agreement: Any, party: Party | None = None) -> Party | None:
    """The party a new draft belongs to: `party` if named (the acting account must coordinate it), else the one
    party of `agreement` the acting account coordinates; None (a draft the parties share) for the system, an
    administrator of no party, or an account coordinating several of its sides."""
    user = _acting_user()
    members = parties_of_agreement(agreement.pk)
    if party is not None:
        check_owner(party, agreement, _("a document"), field="party")  # each side drafts its own
        return party
    if user is None:
        return None
    sides = principal(user).coordinates & members
    return Party.objects.get(pk=next(iter(sides))) if len(sides) == 1 else None


def _draft_access(maker: Party | None, record_visibility: str | None, record_owner: Any) -> tuple[Any, str]:
    """(owner party, visibility) of a new draft: the maker's own, else shared by the parties, but never wider
    than an internal record it is made from."""
    if maker is not None:
        return maker, Visibility.INTERNAL
    if record_visibility == Visibility.INTERNAL and record_owner is not None:
        return record_owner, Visibility.INTERNAL
    return None, Visibility.BILATERAL


def _text_hashes(texts: Mapping[str, str]) -> dict[str, str]:
    hashes = {}
    for language, body in texts.items():
        try:
            hashes[normalize_tag(language)] = _sha256(body)
        except ValueError as exc:
            raise ValidationFailed({"language": [str(exc)]}) from None
    return hashes


@transaction.atomic
def create_document(*, texts: Mapping[str, str], party: Party | None = None, **fields: Any) -> Document:
    """A document with one text per language (at least one): a draft of `party` (or of `owner_party`, or of
    the acting coordinator's party; shared by the parties when made by the system), published by
    publish_document once approved."""
    if not texts:
        raise ValidationFailed({"texts": [_("a document needs its text in at least one language")]})
    if fields.get("status", Document.Status.DRAFT) != Document.Status.DRAFT or fields.get("published_at"):
        raise ValidationFailed({"status": [_("a new document is a draft; publish it once the parties approved it")]})
    if fields.get("visibility") == Visibility.PUBLIC:
        raise ValidationFailed({"visibility": [_("a new document is a draft; it becomes public when it is published")]})
    agreement = fields.get("agreement")
    named = fields.pop("owner_party", None)
    require_actor_create(_("a document"), agreement=agreement)  # the agreement's coordinators draft documents
    maker = drafting_party(agreement, party or named) if agreement is not None else party or named
    owner, visibility = _draft_access(maker, fields.pop("visibility", None), None)
    document = records.create(
        Document,
        related=agreement,
        owner_party=owner,
        visibility=visibility,
        content_sha256=content_digest(_text_hashes(texts)),
        **fields,
    )
    for language, body in texts.items():
        _add_text(document, language, body)
    return document


@transaction.atomic
def add_text(document: Document, language: str, body: str) -> DocumentText:
    """Add a language version to a draft; its content hash changes, so earlier approvals no longer count."""
    text = _add_text(document, language, body, check_only=document.is_published)
    if document.is_published:
        raise TransitionRefused(
            _("“%(document)s” is published and never changes; a new text would be a new draft") % {"document": document}
        )
    hashes = dict(document.texts.values_list("language", "sha256"))
    records.update(
        document, expected_version=document.version, related=document.agreement, content_sha256=content_digest(hashes)
    )
    return text


def _add_text(document: Document, language: str, body: str, *, check_only: bool = False) -> DocumentText:
    if not body.strip():
        raise ValidationFailed({"body": [_("the %(language)s text is empty") % {"language": language}]})
    text = DocumentText(document=document, language=language, body=body)
    records.validate(text, exclude=["sha256"])  # also refuses a second text in the same language
    if check_only:
        return text
    return records.create(
        DocumentText,
        related=document,
        document=document,
        language=text.language,
        body=body,
        sha256=text.sha256,
        # visibility and the illustrative flag come from the document (DocumentText.visibility_parents); the
        # owner too, whatever the visibility: a text is its document's maker's
        owner_party=document.owner_party,
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
    party: Party | None = None,
) -> Generated:
    """Generate the document of `kind` for the record `ref` and store it.

    Stores a draft (origin: generated) on first use and updates that draft after: one text per language
    (its plain text, hashed), and, when `fmt` is given, the rendering in that format (bytes under
    MEDIA_ROOT, hashed). The draft is `party`'s, or the acting coordinator's party's, or shared by the
    parties (see the module's docstring); a draft the parties already share is worked on by either side.
    Unchanged texts and renderings are left as they are, so regenerating from unchanged records writes
    nothing; a text that changes needs the parties' approval again. A published document is never
    changed: the same text gives it back (with a rendering added if it had none in that format), a new
    text is a new draft. Everything is checked and rendered before anything is written: a refused
    language or a missing font leaves no trace.

    Building and laying out (seconds for a long PDF) happen before the transaction that stores the
    result: on SQLite a writing transaction holds the database's one write lock, and every other writer
    would queue behind the layout.
    """
    options = Options(layout=layout, with_english=with_english)
    spec, record, content = renderers.build(kind, ref, language, options)
    links = spec.links(record)
    record_visibility = links.pop("visibility", None)
    maker = None if spec.name in SHARED_DRAFT_KINDS else drafting_party(links["agreement"], party)
    owner, visibility = _draft_access(maker, record_visibility, getattr(record, "owner_party", None))
    hashes = {normalize_tag(lang): _sha256(content.text_of(lang)) for lang in content.languages}
    published = _published_with(spec, links, hashes)
    shared = record_visibility != Visibility.INTERNAL
    draft = None if published else _draft(spec, links, owner, visibility, shared=shared)
    data, source = _render(published or draft, content, fmt) if fmt else (None, "")
    with transaction.atomic():
        if published is not None:
            document = published
            texts = list(document.texts.filter(language__in=list(hashes)))
        else:
            document = _generated_document(spec, record, content, links, draft, owner, visibility, hashes)
            texts = [_store_text(document, lang, content.text_of(lang)) for lang in content.languages]
        stored = _store_file(document, content, fmt, data, source) if fmt and data is not None else None
    return Generated(document, texts, stored, data, content)


def _generated(spec: renderers.DocumentKind, links: dict[str, Any]) -> QuerySet[Document]:
    """The generated documents of this kind for this record: drafts and published ones."""
    identity = {name: links[name] for name in spec.identity}
    return Document.objects.filter(kind=spec.name, origin=Document.Origin.GENERATED, **identity).order_by("id")


def _published_with(spec: renderers.DocumentKind, links: dict[str, Any], hashes: dict[str, str]) -> Document | None:
    """The latest published document of this record, if its texts are these very texts."""
    latest = _generated(spec, links).filter(status=Document.Status.PUBLISHED).order_by("-published_at", "-id").first()
    if latest is None:
        return None
    stored = dict(latest.texts.values_list("language", "sha256"))
    return latest if all(stored.get(lang) == digest for lang, digest in hashes.items()) else None


def _draft(
    spec: renderers.DocumentKind, links: dict[str, Any], owner: Any, visibility: str, *, shared: bool
) -> Document | None:
    """The draft to work on: one the parties already share (unless the record is internal), else the maker's own."""
    drafts = _generated(spec, links).filter(status=Document.Status.DRAFT).order_by("-id")
    found = drafts.filter(visibility=Visibility.BILATERAL).first() if shared else None
    return found or drafts.filter(owner_party=owner, visibility=visibility).first()


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


def _generated_document(
    spec: renderers.DocumentKind,
    record: Any,
    content: Content,
    links: dict[str, Any],
    draft: Document | None,
    owner: Any,
    visibility: str,
    hashes: dict[str, str],
) -> Document:
    existing = Document.objects.select_for_update().filter(pk=draft.pk).first() if draft is not None else None
    if existing is None:
        return records.create(
            Document,
            related=links["agreement"],
            kind=spec.name,
            origin=Document.Origin.GENERATED,
            title=dict(content.titles),
            is_illustrative=bool(getattr(record, "is_illustrative", False)),
            owner_party=owner,
            visibility=visibility,
            content_sha256=content_digest(hashes),
            **links,
        )
    title = {**existing.title, **content.titles}
    digest = content_digest({**dict(existing.texts.values_list("language", "sha256")), **hashes})
    changes = {
        name: value
        for name, value in {**links, "title": title, "content_sha256": digest}.items()
        if name not in spec.identity and getattr(existing, name) != value
    }
    if changes:
        records.update(existing, expected_version=existing.version, related=links["agreement"], **changes)
    return existing


def _store_text(document: Document, language: str, body: str) -> DocumentText:
    current = document.texts.filter(language=normalize_tag(language)).first()
    if current is None:
        return _add_text(document, language, body)
    if current.body != body:
        records.update(current, expected_version=current.version, related=document, body=body)
    return current


def _store_file(document: Document, content: Content, fmt: str, data: bytes, source: str) -> DocumentFile:
    """Store the rendering; a published document's stored renderings are kept as they were published."""
    languages = "+".join(content.languages)
    current = DocumentFile.objects.filter(
        document=document, languages=languages, layout=content.layout, format=fmt
    ).first()
    if current is not None and document.is_published:
        return current
    digest = hashlib.sha256(data).hexdigest()
    name = f"documents/{document.uid}/{digest[:20]}.{fmt}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
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
            owner_party=document.owner_party,  # visibility and flag from the document (visibility_parents)
        )
    changes = {"file": name, "sha256": digest, "size": len(data), "source_sha256": source}
    if any(getattr(current, field) != value for field, value in changes.items()):
        records.update(current, expected_version=current.version, related=document, **changes)
    return current


# --- approval and publication ----------------------------------------------------------------------------


def approving_parties(document: Document) -> list[Party]:
    """The parties whose approval publishing `document` needs, in the agreement's order: every party of the
    agreement (observers aside) for a joint kind, else the party that owns it (every party if none does)."""
    sides = (
        AgreementParty.objects.filter(agreement_id=document.agreement_id)
        .exclude(role=AgreementParty.Role.OBSERVER)
        .order_by("position", "id")
        .select_related("party")
    )
    parties = [side.party for side in sides]
    if document.kind not in JOINT_KINDS and document.owner_party_id is not None:
        return [p for p in parties if p.pk == document.owner_party_id]
    return parties


def current_approvals(document: Document) -> list[DocumentApproval]:
    """The approvals of the text as it is now (an approval of an earlier text no longer counts)."""
    return list(
        document.approvals.filter(content_sha256=document.content_sha256).select_related("party").order_by("id")
    )


def missing_approvals(document: Document) -> list[Party]:
    approved = {a.party_id for a in current_approvals(document)}
    return [p for p in approving_parties(document) if p.pk not in approved]


@dataclass
class PublicationState:
    """What a document's page says: draft or published, who approved this text and when, who is awaited."""

    document: Document
    approved: list[DocumentApproval]
    awaiting: list[Party]
    earlier: list[DocumentApproval]  # approvals of an earlier text, shown so nobody thinks they still count

    @property
    def ready(self) -> bool:
        return not self.document.is_published and not self.awaiting


def publication_state(document: Document) -> PublicationState:
    approved = current_approvals(document)
    earlier = list(
        document.approvals.exclude(content_sha256=document.content_sha256).select_related("party").order_by("id")
    )
    awaiting = [] if document.is_published else missing_approvals(document)
    return PublicationState(document, approved, awaiting, earlier)


def _from_internal_record(document: Document) -> bool:
    """Made from a meeting or plan internal to one side: it stays that side's (never shared, never published)."""
    linked = [record for record in (document.meeting, document.plan) if record is not None]
    return any(record.visibility == Visibility.INTERNAL for record in linked)


def published_visibility(document: Document) -> str:
    """Who reads the document once published: the public, unless the meeting or plan it is made from is
    bilateral — its text was written for the parties (documents.renderers.readers_of), so publishing it
    settles it between them and never puts it on the portal."""
    linked = [effective_visibility(record) for record in (document.meeting, document.plan) if record is not None]
    return stricter(Visibility.PUBLIC, *linked) if linked else Visibility.PUBLIC


def _unsettled_source(document: Document) -> str:
    """Why the record a generated document reports on is not settled yet ("" when it is): agreed minutes are
    the final ones, and a review's report waits for the review itself, whose figures and statements stay
    within the parties while it is a draft."""
    if document.origin != Document.Origin.GENERATED:
        return ""
    if document.kind == Document.Kind.MINUTES and document.meeting is not None:
        minutes = Minutes.objects.filter(meeting=document.meeting).first()
        if minutes is not None and minutes.status != Minutes.Status.FINAL:
            return _("the minutes of “%(meeting)s” are not final yet") % {"meeting": document.meeting}
    if document.kind == Document.Kind.REVIEW_REPORT and document.plan is not None and document.issued_on:
        review = Review.objects.filter(plan=document.plan, as_of=document.issued_on).first()
        if review is not None and review.status != Review.Status.PUBLISHED:
            return _("“%(review)s” is still a draft; publish the review first") % {"review": review}
    return ""


def _set_access(document: Document, visibility: str, **changes: Any) -> None:
    """Give the document and its texts and files `visibility` (one audited change each)."""
    records.update(
        document, expected_version=document.version, related=document.agreement, visibility=visibility, **changes
    )
    for part in [*document.texts.all(), *document.files.all()]:
        if part.visibility != visibility:
            records.update(part, expected_version=part.version, related=document, visibility=visibility)


def _locked(document: Document, expected_version: int | None) -> Document:
    current = (
        Document.objects.select_for_update(of=("self",))
        .select_related("agreement", "meeting", "plan")
        .get(pk=document.pk)
    )
    if expected_version is not None and expected_version != current.version:
        records.ensure_version(current, expected_version)
    return current


@transaction.atomic
def approve_document(
    document: Document,
    party: Party,
    *,
    expected_version: int | None = None,
    content_sha256: str | None = None,
    approved_at: dt.datetime | None = None,
) -> DocumentApproval:
    """`party` approves the document's current text (all its language versions, by their hashes).

    Only a coordinator of `party` may (the system, from the CLI, acts for the operator). A draft internal to
    its party is approved by that party first, which shares it with the other parties to approve in turn.
    `content_sha256`, when given, is the text the approver read: a text changed since is refused.
    `approved_at` records an approval given earlier (the demo's 1960 texts); it defaults to now.
    """
    user = _acting_user()
    if user is not None:
        require(user, "approve", document, party=party)
    current = _locked(document, expected_version)
    if current.is_published:
        raise TransitionRefused(
            _("“%(document)s” is already published; a new text would be a new draft") % {"document": current},
            field="status",
        )
    if party.pk not in {p.pk for p in approving_parties(current)}:
        message = _("%(party)s does not approve “%(document)s”: it is not one of its parties")
        raise ValidationFailed({"party": [message % {"party": party.code, "document": current}]})
    if not current.content_sha256 or not current.texts.exists():
        raise TransitionRefused(_("“%(document)s” has no text to approve") % {"document": current}, field="texts")
    if content_sha256 and content_sha256 != current.content_sha256:
        raise TransitionRefused(
            _("the text of “%(document)s” changed since you read it; read it again before approving")
            % {"document": current},
            field="content_sha256",
            code="stale_version",
        )
    owner = current.owner_party
    if current.visibility == Visibility.INTERNAL and owner is not None and owner.pk != party.pk:
        raise TransitionRefused(
            _(
                "“%(document)s” is still a draft of %(party)s: %(party)s approves it first, which shares it with "
                "the other parties"
            )
            % {"document": current, "party": owner.code},
            field="party",
        )
    if current.approvals.filter(party=party, content_sha256=current.content_sha256).exists():
        raise TransitionRefused(
            _("%(party)s has already approved this text of “%(document)s”")
            % {"party": party.code, "document": current},
            field="party",
        )
    approval = records.create(
        DocumentApproval,
        related=current,
        document=current,
        party=party,
        approved_by=user,
        approved_by_name=current_actor().name[:200],
        approved_at=approved_at or timezone.now(),
        content_sha256=current.content_sha256,
    )
    if current.visibility == Visibility.INTERNAL and not _from_internal_record(current):
        _set_access(current, Visibility.BILATERAL)  # the owner stands behind it: the other parties may now see it
    document.refresh_from_db()
    return approval


@transaction.atomic
def publish_document(
    document: Document, *, expected_version: int | None = None, published_at: dt.datetime | None = None
) -> Document:
    """Publish the document: every party whose approval it needs has approved its current text.

    It becomes public with its texts and files (the portal, OAI-PMH, anonymous downloads) and never changes
    again. Any coordinator of a party of the agreement may publish (the system, from the CLI, too).
    `published_at` records a publication made earlier (the demo's 1960 texts); it defaults to now.
    """
    user = _acting_user()
    if user is not None:
        require(user, "publish", document)
    current = _locked(document, expected_version)
    if current.is_published:
        raise TransitionRefused(_("“%(document)s” is already published") % {"document": current}, field="status")
    if _from_internal_record(current):
        raise TransitionRefused(
            _("“%(document)s” is made from a record internal to one side; it is not published") % {"document": current}
        )
    missing = missing_approvals(current)
    if missing:
        raise TransitionRefused(
            _("“%(document)s” is not approved yet by: %(parties)s")
            % {"document": current, "parties": ", ".join(p.code for p in missing)},
            field="status",
        )
    unsettled = _unsettled_source(current)
    if unsettled:
        raise TransitionRefused(
            _("“%(document)s” is not published: %(reason)s") % {"document": current, "reason": unsettled},
            field="status",
        )
    when = published_at or timezone.now()
    _set_access(current, published_visibility(current), status=Document.Status.PUBLISHED, published_at=when)
    document.refresh_from_db()
    return document
