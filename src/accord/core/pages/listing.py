"""One place for what every record list does: visibility, filters, search, sorting and pagination.

Everything arrives as GET parameters, so a filtered list is a link that can be shared and works
without JavaScript; htmx asks for the same URL and gets only the table back.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model, Q, QuerySet, UniqueConstraint, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.http import HttpRequest

from accord.core.filters import Choice, Filters, Param, Ref
from accord.core.search import search as indexed_search
from accord.core.search import searchable_models
from accord.core.visibility import party_languages, visible

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 50
SEARCH_MAX = 200
# Lists count their rows up to this many and then say "more than": an exact count of 100,000 rows (or of a
# search's matches) costs more than the page itself, and nobody pages that far.
COUNT_CAP = 1000
# A select of records (agreements, plans, parties) lists at most this many: thousands of options are slow
# to render and no use to pick from; a list filtered to any record is still a link (from its own page).
OPTIONS_MAX = 100


@dataclass(frozen=True)
class Column:
    label: Any  # lazily translated
    sort: str = ""  # the key in the URL (?sort=key or -key); empty: not sortable
    order_by: tuple[str, ...] = ()  # what the key sorts by


@dataclass
class PageOf:
    """One page of rows, with what the page links need. `total` is None when there are more than COUNT_CAP
    rows: the page then knows only whether a next one exists (it fetched one row more than it shows)."""

    rows: list[Any]
    number: int
    per_page: int
    total: int | None
    has_next: bool = False
    count_cap: int = COUNT_CAP

    @property
    def num_pages(self) -> int | None:
        return None if self.total is None else max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def page_number(number: Any) -> int:
    """A page number as asked (1-based; anything else is page 1), bounded: an offset past the database's integers
    is an error."""
    try:
        return min(max(1, int(number)), 10**6)
    except (TypeError, ValueError):
        return 1


def index_served(model: type[Model], order: Iterable[Any]) -> bool:
    """Whether the database can read `model`'s rows in `order` and then by primary key (how lists break ties) from
    one index, and so stop early: those keys, up to the first unique one, lead a declared index or unique
    constraint (a foreign key's own index leaves its rows in no id order on PostgreSQL)."""
    keys: list[str] = []
    for key in order:
        if not isinstance(key, str):
            return False  # an expression (Lower("name")): not judged here
        name = key.removeprefix("-")
        try:
            field = model._meta.pk if name == "pk" else model._meta.get_field(name)  # a name or a column (agreement_id)
        except FieldDoesNotExist:
            return False  # a related record's field (party__code)
        assert field is not None
        keys.append(field.name)
        if getattr(field, "primary_key", False) or getattr(field, "unique", False):
            break  # no ties past it
    else:
        keys.append(model._meta.pk.name)
    if len(keys) == 1:
        return True  # the primary key, or a unique field: its own index
    leads = [list(index.fields) for index in model._meta.indexes]
    leads += [list(c.fields) for c in model._meta.constraints if isinstance(c, UniqueConstraint)]
    return any([name.removeprefix("-") for name in lead[: len(keys)]] == keys for lead in leads)


def paginate(
    queryset: QuerySet[Any], number: Any, per_page: int, cap: int | None = COUNT_CAP, *, total: int | None = None
) -> PageOf:
    """The `number`th page (1-based; anything else is page 1) of an ordered queryset, in two statements:
    a count that stops at `cap` + 1 rows (None: an exact count), and the page's rows. A page past the end
    shows the last one. `total`: the exact count, when the caller has it already (no count is run)."""
    wanted = page_number(number)
    # values("pk"): the count leaves out the page's annotations (a plan's item count), which only cost time here
    if total is not None:
        counted, cap = total, None
    else:
        counted = queryset.count() if cap is None else queryset.order_by().values("pk")[: cap + 1].count()
    if cap is None or counted <= cap:
        page = PageOf([], wanted, per_page, counted, count_cap=counted if cap is None else cap)
        page.number = min(wanted, page.num_pages or 1)
        start = (page.number - 1) * per_page
        page.rows = list(queryset[start : start + per_page])
        page.has_next = page.number < (page.num_pages or 1)
        return page
    start = (wanted - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows:  # past the end (an old link): count exactly, this once, and show the last page
        return paginate(queryset, wanted, per_page, cap=None)
    return PageOf(rows[:per_page], wanted, per_page, None, has_next=len(rows) > per_page, count_cap=cap)


@dataclass
class Listing:
    rows: list[Model]
    page: PageOf
    total: int | None  # None: more than COUNT_CAP
    query: str
    sort: str
    filters: list[dict[str, Any]]
    columns: list[Column]
    per_page: int
    errors: list[str] = field(default_factory=list)
    export_query: dict[str, str] = field(default_factory=dict)  # the valid filters, for "export what I see"
    withheld: int = 0  # parts of the composite the list is filtered to that the reader may not see


def search_condition(text: str, localized: Iterable[str], exact: Iterable[str], languages: Iterable[str]) -> Q:
    """Match `text` in any language of the localized fields, or exactly in the given plain fields.

    A plain icontains on each language key (JSON key lookups work alike on SQLite and PostgreSQL, and
    SQLite stores non-ASCII as escapes, so searching the whole JSON text would miss Chinese). This scans
    rows; the scale work will put a proper full-text index behind the same function.
    """
    condition = Q()
    for name in localized:
        for tag in languages:
            condition |= Q(**{f"{name}__{tag}__icontains": text})
    for name in exact:
        condition |= Q(**{f"{name}__iexact": text})
    return condition


def text_search(
    queryset: QuerySet[Any], text: str, localized: Iterable[str], exact: Iterable[str], *, reads: int | None = None
) -> QuerySet[Any]:
    """Narrow `queryset` to `text`.

    A value that is exactly a record's number or code (project "7") finds that record alone, as a
    reader typing a number expects. Otherwise: the full-text index (core.search) for the kinds it covers
    (projects, organisations, agreements, people), else a scan of the localized fields. `reads`: as
    core.search.search takes it (how many matches the caller reads at most, in an order an index serves).
    """
    exact = tuple(exact)
    if exact:
        condition = Q()
        for name in exact:
            # LOWER on both sides (not iexact's LIKE): an index on LOWER(number) serves it, so asking costs a
            # lookup, not a scan of every visible project; the same function on both sides matches alike.
            condition |= Q(Exact(Lower(name), Lower(Value(text))))
        exact_hits = queryset.filter(condition)
        if exact_hits.exists():
            return exact_hits
    if queryset.model in searchable_models():
        return indexed_search(queryset, text, reads=reads)
    return queryset.filter(search_condition(text, localized, (), search_languages()))


def search_languages() -> list[str]:
    """Every language any party writes in, plus English: the keys a search looks under."""
    return sorted({"en", *party_languages()})


def record_options(param: Ref, user: Any) -> tuple[list[Any], bool]:
    """The records a page offers for `param`: the first OPTIONS_MAX the user may read (all, if not bounded), in
    one statement, and whether some were left out."""
    records = param.readable(user)
    if not param.bounded:
        return list(records), False
    found = list(records[: OPTIONS_MAX + 1])
    return found[:OPTIONS_MAX], len(found) > OPTIONS_MAX


def filter_options(param: Param, offered: list[Any], chosen: Any) -> list[tuple[str, str]]:
    """The parameter's options as (value, label) strings; a chosen record not among those offered is added
    (it was found, among the records the user may read, when the filter was checked)."""
    if isinstance(param, Choice):
        return [(str(v), str(label)) for v, label in param.choices]
    assert isinstance(param, Ref)
    options = [(str(r.pk), param.option_label(r)) for r in offered]
    if chosen is not None and str(chosen.pk) not in {v for v, _ in options}:
        options.append((str(chosen.pk), param.option_label(chosen)))
    return options


def build_listing(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    columns: list[Column],
    filters: type[Filters],
    search: tuple[str, ...],
    search_exact: tuple[str, ...],
    default_sort: str,
) -> Listing:
    user = request.user
    # The kind's filters, as its API list and its export read them; refused values are named above the list.
    # The records a select offers are read first: a chosen one among them is not read again to be checked.
    offered = {p.name: record_options(p, user) for p in filters.params if isinstance(p, Ref)}
    known = {name: {str(r.pk): r for r in records} for name, (records, _more) in offered.items()}
    bound = filters(request.GET, user, known=known)
    qs = bound.narrow(visible(queryset, user))
    errors = [f"{p.label} ({p.name}): {bound.errors[p.name]}" for p in filters.params if p.name in bound.errors]
    chosen: list[dict[str, Any]] = []
    for param in filters.params:
        value = bound.values.get(param.name)
        records, more = offered.get(param.name, ([], False))
        options = filter_options(param, records, value)
        shown = "" if value is None else str(value.pk) if isinstance(param, Ref) else str(value)
        chosen.append({"name": param.name, "label": param.label, "options": options, "value": shown, "more": more})
    sorts = {c.sort: c.order_by for c in columns if c.sort}
    sort = request.GET.get("sort", default_sort)
    key = sort.removeprefix("-")
    if key not in sorts:
        sort, key = default_sort, default_sort.removeprefix("-")
    order = sorts.get(key, ("pk",))
    if sort.startswith("-"):
        order = tuple(o[1:] if o.startswith("-") else f"-{o}" for o in order)
    try:
        per_page = int(request.GET.get("per", DEFAULT_PAGE_SIZE))
    except ValueError:
        per_page = DEFAULT_PAGE_SIZE
    if per_page not in PAGE_SIZES and per_page != 1:  # 1: the query-count tests
        per_page = DEFAULT_PAGE_SIZE
    text = request.GET.get("q", "").strip()[:SEARCH_MAX]
    if text and (search or search_exact):
        # In an order an index serves, the page stops at its count's cap or its own end: a common term may then
        # be served record by record (core.search).
        reads = max(COUNT_CAP + 1, page_number(request.GET.get("page")) * per_page + 1)
        qs = text_search(qs, text, search, search_exact, reads=reads if index_served(qs.model, order) else None)
    qs = qs.order_by(*order, "pk" if not sort.startswith("-") else "-pk")
    page = paginate(qs, request.GET.get("page"), per_page, cap=COUNT_CAP)
    return Listing(
        rows=page.rows,
        page=page,
        total=page.total,
        query=text,
        sort=sort,
        filters=chosen,
        columns=columns,
        per_page=per_page,
        errors=errors,
        export_query=bound.query(),
    )
