"""What every API router shares: errors as JSON with a stable code, visibility, cursor pages, ETags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import CursorPagination, paginate

from accord.core.errors import DomainError
from accord.core.models import PartyOwned
from accord.core.refs import find
from accord.core.visibility import visible

# HTTP status for each domain error code; anything else refused by the domain is 422.
STATUS = {"not_found": 404, "stale_version": 409, "stale_revision": 409, "transition_refused": 409}


class Error(Schema):
    code: str
    message: str
    field: str | None = None


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, exc.as_dict(), status=STATUS.get(exc.code, 422))

    @api.exception_handler(NinjaValidationError)
    def bad_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body"))
        message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid request"))
        return api.create_response(
            request, {"code": "invalid_request", "message": message, "field": where or None}, status=422
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"code": "not_found", "message": str(exc) or "not found"}, status=404)


def readable(model: type[Model], request: HttpRequest) -> QuerySet[Any]:
    """The records of `model` this request may read (visibility applies to records a party owns)."""
    queryset = model._default_manager.all()
    return visible(queryset, request.user) if issubclass(model, PartyOwned) else queryset


def etag_of(record: Any) -> str:
    return f'W/"{record.uid}:{record.version}"'


def read_endpoints(
    router: Router,
    model: type[Model],
    schema: type[Schema],
    *,
    name: str,
    related: tuple[str, ...] = (),
    prefetch: tuple[str, ...] = (),
    filters: Callable[[QuerySet[Any], HttpRequest], QuerySet[Any]] | None = None,
) -> None:
    """GET "" (a cursor-paginated list, oldest first) and GET "/{ref}" (one record by id or uid, with ETag)."""
    what = str(model._meta.verbose_name)

    page_schema: Any = list[schema]  # type: ignore[valid-type]

    @router.get(
        "", response=page_schema, operation_id=f"list_{name}", summary=f"List {model._meta.verbose_name_plural}"
    )
    @paginate(CursorPagination, ordering=("id",), page_size=50, max_page_size=500)
    def list_records(request: HttpRequest) -> QuerySet[Any]:
        queryset = readable(model, request).select_related(*related).prefetch_related(*prefetch)
        return filters(queryset, request) if filters else queryset

    @router.get(
        "/{ref}", response={200: schema, 304: None, 404: Error}, operation_id=f"get_{name}", summary=f"One {what}"
    )
    def get_record(request: HttpRequest, ref: str, response: HttpResponse) -> Any:
        record = find(readable(model, request).select_related(*related).prefetch_related(*prefetch), ref, what)
        tag = etag_of(record)
        if request.headers.get("If-None-Match") == tag:
            return Status(304, None)
        response["ETag"] = tag
        return record
