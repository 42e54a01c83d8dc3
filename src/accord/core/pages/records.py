"""The record pages' registry: for each kind of record, how it is listed, shown, edited and created.

Each domain app declares its kinds in its `pages.py` (a `RecordType` per kind, registered when the app is
ready) and routes them in its `urls.py` with `record_urls`; the views here are generic (one list view, one
detail view, one edit view) and what differs between kinds is data there and the app's templates
(`<app>/<kind>/detail.html`, `<app>/<kind>/row.html`). An app above may add to a lower app's page (signing
shows a plan's signatures) through `extend_detail`, so no page imports upward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import URLPattern, path, reverse

from accord.core.filters import Filters
from accord.core.pages.listing import Column


@dataclass(frozen=True)
class EditSpec:
    """Which fields a page form edits, and the service that applies the change."""

    fields: tuple[str, ...]
    update: Callable[..., Model]  # update(record, expected_version=..., **changes)


@dataclass(frozen=True)
class TypedRef:
    """A reference too many to offer as a list (a project among thousands): typed by its number, within the
    parent's agreement."""

    field: str  # the model's foreign key ("project")
    to_field: str  # what is typed ("number")
    label: Any
    unknown: Any  # the message for a value that names nothing


@dataclass(frozen=True)
class CreateSpec:
    """A new record made under a parent (a project under an agreement, an item in a plan)."""

    parent_param: str  # GET/POST parameter naming the parent's id
    parent_model: type[Model]
    fields: tuple[str, ...]
    create: Callable[..., Model]  # create(parent, **fields)
    typed: TypedRef | None = None


@dataclass(frozen=True)
class NewSpec:
    """A new record made on its own, under no parent (an agreement, a party, an organisation, a person).

    `offered(user)` says whether the "New" link and page are offered (the service has the last word); `form`
    is a `core.pages.forms.NewRecordForm` (the kind's own when the model's fields are not enough: an
    agreement's parties and texts); `create(**form.changes(None))` calls the service."""

    fields: tuple[str, ...]
    create: Callable[..., Model]
    offered: Callable[[Any], bool]
    form: Any = None  # a NewRecordForm subclass; None: NewRecordForm itself


Related = Callable[[Any, Any, Any], dict[str, Any]]  # (record, user, GET parameters) -> context


@dataclass(frozen=True)
class RecordType:
    kind: str  # the URL segment, e.g. "projects"
    model: type[Model]
    label: Any
    label_plural: Any
    list_queryset: Callable[[], QuerySet[Any]]
    columns: list[Column]
    filters: type[Filters] = Filters  # the kind's filters (<app>/filters.py), shared with its API list and export
    search: tuple[str, ...] = ()
    search_exact: tuple[str, ...] = ()
    default_sort: str = ""
    detail_queryset: Callable[[], QuerySet[Any]] | None = None
    related: Related | None = None
    edit: EditSpec | None = None
    create: CreateSpec | NewSpec | None = None
    # The filter naming the composite these records are parts of ("plan"): filtered to one, the list counts
    # the parts the reader may not see and says so.
    part_of: str = ""
    # What a list's rows count for the reader (a plan's items they may see, and those withheld): (rows, user) -> rows.
    for_reader: Callable[[QuerySet[Any], Any], QuerySet[Any]] | None = None
    # Why the record is closed to edits on its page, or None/False if it is not (a signed plan and its items: changed
    # by an amendment). Ask the owning service's rule (programmes.services.frozen_reason), not a copy of it: the page
    # then offers no Edit or New where the service would refuse, and answers a forced edit with the same reason.
    frozen: Callable[[Any], str | bool | None] = field(default=lambda record: None)
    # The row an inline edit swaps back into the page it was opened on: (record, user) -> (template, context).
    inline_row: Callable[[Any, Any], tuple[str, dict[str, Any]]] | None = None
    # The history is read when the reader asks for it (htmx, when scrolled to; a link without JS), not with the
    # page: a plan's history is about its thousands of items, and its diffs cost more than the rest of the page.
    history_on_demand: bool = False

    def list_for(self, user: Any) -> QuerySet[Any]:
        rows = self.list_queryset()
        return self.for_reader(rows, user) if self.for_reader else rows

    @property
    def app(self) -> str:
        """The owning app: its URL namespace and its templates' folder."""
        return self.model._meta.app_label

    @property
    def row_template(self) -> str:
        return f"{self.app}/{self.kind}/row.html"

    @property
    def detail_template(self) -> str:
        return f"{self.app}/{self.kind}/detail.html"

    def url_name(self, page: str) -> str:
        return f"{self.app}:{self.kind}-{page}"

    def detail_qs(self) -> QuerySet[Any]:
        return self.detail_queryset() if self.detail_queryset else self.list_queryset()

    def detail_context(self, record: Any, user: Any, params: Any) -> dict[str, Any]:
        """What the detail page shows beside the record: the owning app's, then what apps above add."""
        context = self.related(record, user, params) if self.related else {}
        for extend in [*_extensions.get(self.kind, []), *_extensions.get("*", [])]:
            context.update(extend(record, user, params, context))
        return context


_by_kind: dict[str, RecordType] = {}
# The export of a list, by the app that exports (interop): (kind, filter query) -> URL, or "" if not exported.
_export_url: list[Callable[[str, dict[str, str]], str]] = []
_by_model: dict[str, RecordType] = {}
_extensions: dict[str, list[Callable[[Any, Any, Any, dict[str, Any]], dict[str, Any]]]] = {}


def register(*types: RecordType) -> None:
    """Give each kind its pages (called from the owning app's pages.py)."""
    for rt in types:
        _by_kind[rt.kind] = rt
        _by_model[rt.model._meta.label_lower] = rt


def extend_detail(kind: str, extend: Callable[[Any, Any, Any, dict[str, Any]], dict[str, Any]]) -> None:
    """Let an app above add to a kind's detail page: extend(record, user, params, context) -> more context.
    Kind "*": every kind's page (federation: where a record kept by another node came from)."""
    _extensions.setdefault(kind, []).append(extend)


def register_export(url: Callable[[str, dict[str, str]], str]) -> None:
    """Name how a list links to its export (the app that exports registers it)."""
    _export_url[:] = [url]


def export_url(rt: RecordType, query: dict[str, str]) -> str:
    """The export of what the list shows (the same filters: the kind's filters.py), if the kind is exported."""
    if not _export_url or not query.keys() <= set(rt.filters.names()):
        return ""
    return _export_url[0](rt.kind, query)


def frozen_reason(record: Model) -> str | None:
    """Why `record` is closed to edits on its pages (its kind's `frozen` rule), or None."""
    rt = _by_model.get(record._meta.label_lower)
    reason = rt.frozen(record) if rt is not None else None
    return (reason if isinstance(reason, str) else "frozen") if reason else None


def record_types() -> list[RecordType]:
    return list(_by_kind.values())


def record_type(kind: str) -> RecordType:
    try:
        return _by_kind[kind]
    except KeyError:
        raise Http404 from None


def record_urls(*types: RecordType) -> list[URLPattern]:
    """One set of pages per kind of record, at plain paths (/projects/, /projects/7/, /projects/7/edit/)."""
    from accord.core.pages import views  # the views read this registry: imported when the URLs are built

    patterns = []
    for rt in types:
        kind = {"kind": rt.kind}
        patterns += [
            path(f"{rt.kind}/", views.record_list, kind, name=f"{rt.kind}-list"),
            path(f"{rt.kind}/new/", views.record_create, kind, name=f"{rt.kind}-create"),
            path(f"{rt.kind}/<int:pk>/", views.record_detail, kind, name=f"{rt.kind}-detail"),
            path(f"{rt.kind}/<int:pk>/edit/", views.record_edit, kind, name=f"{rt.kind}-edit"),
            path(f"{rt.kind}/<int:pk>/journal/", views.journal_add, kind, name=f"{rt.kind}-journal"),
            path(f"{rt.kind}/<int:pk>/history/", views.record_history, kind, name=f"{rt.kind}-history"),
        ]
    return patterns


def url_of(record: Model) -> str:
    """The page of `record`, or of the record it is part of (the model's `page_parent`); '' if it has none."""
    rt = _by_model.get(record._meta.label_lower)
    if rt is not None:
        return reverse(rt.url_name("detail"), args=[record.pk])
    parent = getattr(record, "page_parent", "")
    if parent:
        return url_of(getattr(record, parent))
    return ""
