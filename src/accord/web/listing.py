"""One place for what every record list does: visibility, filters, search, sorting and pagination.

Everything arrives as GET parameters, so a filtered list is a link that can be shared and works
without JavaScript; htmx asks for the same URL and gets only the table back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest

from accord.core.visibility import visible

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 50
SEARCH_MAX = 200


@dataclass(frozen=True)
class Column:
    label: Any  # lazily translated
    sort: str = ""  # the key in the URL (?sort=key or -key); empty: not sortable
    order_by: tuple[str, ...] = ()  # what the key sorts by


@dataclass(frozen=True)
class Filter:
    """A select of values for one GET parameter, applied as `lookup=value`."""

    name: str
    label: Any
    lookup: str
    options: Callable[[Any], Iterable[tuple[Any, Any]]]  # (value, label) for the user


@dataclass
class Listing:
    rows: list[Model]
    page: Page
    total: int
    query: str
    sort: str
    filters: list[dict[str, Any]]
    columns: list[Column]
    per_page: int
    errors: list[str] = field(default_factory=list)


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


def text_search(queryset: QuerySet[Any], text: str, localized: Iterable[str], exact: Iterable[str]) -> QuerySet[Any]:
    """Narrow `queryset` to `text`.

    A value that is exactly a record's number or code (project "7") finds that record alone, as a
    reader typing a number expects. Otherwise: the full-text index (core.search) for the kinds it covers
    (projects, organisations, agreements, people), else a scan of the localized fields.
    """
    from accord.core.search import search as indexed_search
    from accord.core.search import searchable_models

    exact = tuple(exact)
    if exact:
        condition = Q()
        for name in exact:
            condition |= Q(**{f"{name}__iexact": text})
        exact_hits = queryset.filter(condition)
        if exact_hits.exists():
            return exact_hits
    if queryset.model in searchable_models():
        return indexed_search(queryset, text)
    return queryset.filter(search_condition(text, localized, (), search_languages()))


def search_languages() -> list[str]:
    """Every language any party writes in, plus English: the keys a search looks under."""
    from accord.directory.models import Party

    tags = {"en"}
    for langs in Party.objects.values_list("languages", flat=True):
        tags.update(langs or [])
    return sorted(tags)


def build_listing(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    columns: list[Column],
    filters: list[Filter],
    search: tuple[str, ...],
    search_exact: tuple[str, ...],
    default_sort: str,
) -> Listing:
    user = request.user
    qs = visible(queryset, user)
    errors: list[str] = []
    chosen: list[dict[str, Any]] = []
    for f in filters:
        value = request.GET.get(f.name, "").strip()
        options = [(str(v), str(label)) for v, label in f.options(user)]
        if value and value not in {v for v, _ in options}:
            errors.append(f"{f.label}: “{value}” is not one of the choices")
            value = ""
        if value:
            qs = qs.filter(**{f.lookup: value})
        chosen.append({"name": f.name, "label": f.label, "options": options, "value": value})
    text = request.GET.get("q", "").strip()[:SEARCH_MAX]
    if text and (search or search_exact):
        qs = text_search(qs, text, search, search_exact)
    sorts = {c.sort: c.order_by for c in columns if c.sort}
    sort = request.GET.get("sort", default_sort)
    key = sort.removeprefix("-")
    if key not in sorts:
        sort, key = default_sort, default_sort.removeprefix("-")
    order = sorts.get(key, ("pk",))
    if sort.startswith("-"):
        order = tuple(o[1:] if o.startswith("-") else f"-{o}" for o in order)
    qs = qs.order_by(*order, "pk" if not sort.startswith("-") else "-pk")
    try:
        per_page = int(request.GET.get("per", DEFAULT_PAGE_SIZE))
    except ValueError:
        per_page = DEFAULT_PAGE_SIZE
    if per_page not in PAGE_SIZES and per_page != 1:  # 1: the query-count tests
        per_page = DEFAULT_PAGE_SIZE
    paginator = Paginator(qs, per_page)
    page = paginator.get_page(request.GET.get("page"))
    return Listing(
        rows=list(page.object_list),
        page=page,
        total=paginator.count,
        query=text,
        sort=sort,
        filters=chosen,
        columns=columns,
        per_page=per_page,
        errors=errors,
    )
