"""What every API router shares: authentication, errors as JSON with a stable code, visibility, cursor pages,
ETags on reads and If-Match on writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger
from ninja.pagination import CursorPagination, paginate
from ninja.parser import Parser
from ninja.security import HttpBearer, SessionAuth

from accord.core.actor import authenticate_token, become
from accord.core.errors import HTTP_STATUS, DomainError, Forbidden, http_status
from accord.core.filters import Filters
from accord.core.models import PartyOwned
from accord.core.refs import find
from accord.core.visibility import visible

STATUS = HTTP_STATUS  # the status each refusal answers with, on every channel (core.errors)
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


# --- authentication -----------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """`Authorization: Bearer acc_…`: a personal API token; read-only tokens may not write."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_token(token)  # BadToken (401) says why
        if request.method not in SAFE_METHODS and api_token.scope != "read-write":
            raise Forbidden("this API token may only read; issue a read-write token to make changes")
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        become(api_token.user)  # changes made with the token are the token owner's
        return api_token.user


class SessionUser(SessionAuth):
    """The browser's signed-in session (CSRF-checked on writes, as Django checks its forms)."""


def anonymous_reads(request: HttpRequest) -> Any:
    """Anyone may read what is public; writing needs a token or a session."""
    return request.user if request.method in SAFE_METHODS else None


AUTH: list[Callable[..., Any]] = [TokenAuth(), SessionUser(), anonymous_reads]


class Error(Schema):
    code: str
    message: str
    field: str | None = None


NUL_REFUSED = "must not contain the NUL character (\\u0000)"


class NulCharacter(ValueError):
    """A NUL character in a request: PostgreSQL text cannot hold one (the write would fail), and no field of
    Accord's means one, so it is refused on both databases alike, naming where it was."""

    def __init__(self, where: str):
        self.where = where
        super().__init__(f"{where}: {NUL_REFUSED}")


def _nul_at(value: Any, path: tuple[str, ...]) -> str | None:
    """The dotted path of the first string (or key) in a parsed JSON value holding a NUL, or None."""
    if isinstance(value, str):
        return ".".join(path) or "body" if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = _nul_at(key, (*path, "<key>")) or _nul_at(item, (*path, str(key)))
            if where:
                return where
    elif isinstance(value, list):
        for index, item in enumerate(value):
            where = _nul_at(item, (*path, str(index)))
            if where:
                return where
    return None


class TooDeep(ValueError):
    """A JSON body nested deeper than the parser goes (no operation reads more than a few levels)."""

    def __init__(self) -> None:
        super().__init__("the JSON body is nested too deeply to be read; no operation takes more than a few levels")


class AccordParser(Parser):
    """Ninja's parser, refusing NUL characters in bodies and query parameters (see NulCharacter)."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = super().parse_body(request)
        except RecursionError:
            raise TooDeep() from None  # ninja turns it into a 400; http_error below says why
        where = _nul_at(data, ())
        if where:
            raise NulCharacter(where)  # ninja turns it into a 400; http_error below answers 422 with the field
        return data

    def parse_querydict(self, data: Any, list_fields: list[str], request: HttpRequest) -> Any:
        parsed = super().parse_querydict(data, list_fields, request)
        where = _nul_at(parsed, ())
        if where:
            raise NinjaValidationError(
                [{"loc": ("query", where), "msg": NulCharacter(where).args[0].split(": ", 1)[1]}]
            )
        return parsed


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        response = api.create_response(request, exc.as_dict(), status=http_status(exc))
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:  # core.throttle.Throttled: when asking again may succeed
            response["Retry-After"] = str(retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def bad_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        first = exc.errors[0] if exc.errors else {}
        loc = tuple(first.get("loc", ()))
        if len(loc) > 2 and loc[0] == "body":
            loc = loc[2:]  # ("body", "payload", "name"): the field is the body's "name", not the argument's
        where = ".".join(str(p) for p in loc if p not in ("query", "path", "body"))
        message = f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg", "invalid request"))
        return api.create_response(
            request, {"code": "invalid_request", "message": message, "field": where or None}, status=422
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if isinstance(exc.__cause__, NulCharacter):
            where = exc.__cause__.where
            body = {"code": "invalid_request", "message": str(exc.__cause__), "field": where}
            return api.create_response(request, body, status=422)
        if isinstance(exc.__cause__, TooDeep):
            body = {"code": "malformed_request", "message": str(exc.__cause__), "field": "body"}
            return api.create_response(request, body, status=400)
        # Ninja's own refusals (a body that is not JSON, a failed CSRF check) in the same shape as ours.
        codes = {400: "malformed_request", 403: "forbidden", 405: "method_not_allowed", 429: "throttled"}
        return api.create_response(
            request,
            {"code": codes.get(exc.status_code, "http_error"), "message": str(exc), "field": None},
            status=exc.status_code,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            {
                "code": "unauthenticated",
                "message": "Sign in, or send an API token as 'Authorization: Bearer <token>', to make changes.",
                "field": None,
            },
            status=401,
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"code": "not_found", "message": str(exc) or "not found"}, status=404)


# Answers any operation may give, whatever its own declaration: a body that cannot be parsed, or a Host header the
# installation does not serve (Django's ALLOWED_HOSTS, checked before any view, reads too), is refused (400);
# a token that is malformed, unknown, revoked or expired is refused (401) even on a read; a read-only token may
# not write (403); a malformed parameter or body is refused (422). Documented on every operation, so clients
# and schema checkers expect them.
COMMON_RESPONSES = {
    "400": "Malformed request: the Host header names a host this installation does not serve, or the body is not "
    "JSON (or not the multipart form) the operation reads",
    "401": "Unauthenticated: the API token is malformed, unknown, revoked or expired, or a change needs one",
    "403": "Forbidden: the account or token may not do this",
    "422": "Invalid request: a parameter or the body is malformed",
}


def document_common_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add COMMON_RESPONSES (with the Error body) to every operation of an OpenAPI schema that lacks them."""
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    schema.setdefault("components", {}).setdefault("schemas", {}).setdefault("Error", Error.model_json_schema())
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, description in COMMON_RESPONSES.items():
                if status == "403" and method in ("get", "head", "options"):
                    continue  # reads are filtered by visibility, never refused
                responses = operation["responses"]
                if status not in responses and int(status) not in responses:  # ninja keys them by int
                    responses[status] = {"description": description, "content": error}
    return schema


class OwnCopiesSwagger(Swagger):
    """Swagger UI from the copies Accord serves itself, never from a CDN. django-ninja takes its CDN page unless it
    is an installed app; it is not one, so that commands need not import it at start (settings.NINJA_FILES)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        from django.shortcuts import render

        self.settings["url"] = self.get_openapi_url(api, kwargs)
        auths = api.auth if isinstance(api.auth, (list, tuple)) else ()
        csrf = any(getattr(auth, "csrf", False) for auth in auths)  # sessions post with the CSRF token
        context = {"swagger_settings": json.dumps(self.settings, indent=1), "api": api, "add_csrf": csrf}
        return render(request, self.template, context)


class AccordAPI(NinjaAPI):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("parser", AccordParser())
        kwargs.setdefault("docs", OwnCopiesSwagger())
        super().__init__(**kwargs)

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        return document_common_responses(super().get_openapi_schema(*args, **kwargs))


# The most records one page of a list gives, whatever `?limit=` or `?page_size=` asks for (a larger number is
# cut to it; follow `next` for the rest). One place, for every list of the API.
LIST_LIMIT_CAP = 500
LIST_PAGE_SIZE = 50


class AccordCursorPagination(CursorPagination):
    """Ninja's cursor pages, refusing a cursor a client crafted or garbled (422 naming `cursor`), not answering 500.

    `?limit=N` (or its older spelling `?page_size=N`) asks for N records a page, honoured up to LIST_LIMIT_CAP.

    A cursor is base64 of "p=<position>&r=<reverse>&o=<offset>": the position must be a value of the ordering
    column (an id: an integer the database can hold), the offset a small non-negative integer. Ninja reads the
    position unchecked into the query (`invalid literal for int()`) and lets pydantic's error escape."""

    class Input(Schema):
        limit: int | None = Field(
            None,
            ge=1,
            description=f"how many records a page gives (at most {LIST_LIMIT_CAP}; default {LIST_PAGE_SIZE})",
        )
        page_size: int | None = Field(None, description="the same as limit (the older name)")
        cursor: str | None = None

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("page_size", LIST_PAGE_SIZE)
        kwargs["max_page_size"] = min(kwargs.get("max_page_size", LIST_LIMIT_CAP), LIST_LIMIT_CAP)
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any) -> Any:
        self._checked_cursor(queryset.model, pagination.cursor)
        if pagination.limit is not None:
            pagination.page_size = pagination.limit
        return super().paginate_queryset(queryset, pagination, request, **params)

    def _checked_cursor(self, model: type[Model], encoded: str | None) -> None:
        from pydantic import ValidationError as PydanticValidationError

        def refuse(why: str) -> NinjaValidationError:
            return NinjaValidationError([{"loc": ("query", "cursor"), "msg": f"{why}; use a cursor this API gave"}])

        try:
            cursor = self.Cursor.from_encoded_param(encoded)
        except NinjaValidationError:
            raise refuse("is not a cursor (not base64 text)") from None
        except PydanticValidationError as exc:
            first: dict[str, Any] = dict(exc.errors()[0]) if exc.errors() else {}
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise refuse(f"is not a cursor ({where}: {first.get('msg', 'invalid')})") from None
        if cursor.p is None:
            return
        field: Any = model._meta.get_field(self._order_attribute)
        try:
            position = field.to_python(cursor.p)
        except Exception:  # a field's to_python raises ValidationError, ValueError or TypeError
            raise refuse("names no position in this list") from None
        if isinstance(position, int) and not -(2**63) <= position < 2**63:
            raise refuse("names no position in this list")


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
    filters: type[Filters] | None = None,
    annotate: Callable[[QuerySet[Any], HttpRequest], QuerySet[Any]] | None = None,
) -> None:
    """GET "" (a cursor-paginated list, oldest first) and GET "/{ref}" (one record by id or uid, with ETag).

    `filters`: the kind's Filters (<app>/filters.py), the same its page and its export take; a refused value is
    a 422 naming the parameter. `annotate`: what the list adds to each row (a plan's withheld items)."""
    what = str(model._meta.verbose_name)

    page_schema: Any = list[schema]  # type: ignore[valid-type]

    @router.get(
        "",
        response=page_schema,
        operation_id=f"list_{name}",
        summary=f"List {model._meta.verbose_name_plural}",
        openapi_extra={"parameters": filters.openapi_parameters()} if filters else None,
    )
    @paginate(AccordCursorPagination, ordering=("id",))
    def list_records(request: HttpRequest) -> QuerySet[Any]:
        queryset = readable(model, request).select_related(*related).prefetch_related(*prefetch)
        if filters is not None:
            queryset = filters(request.GET, request.user).apply(queryset)
        return annotate(queryset, request) if annotate else queryset

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


# --- writes -------------------------------------------------------------------------------------------


class PreconditionRequired(DomainError):
    code = "precondition_required"


class PreconditionFailed(DomainError):
    code = "precondition_failed"


def expected_version(request: HttpRequest, record: Any) -> int:
    """The version the client last saw, from If-Match (the ETag it was given, or a bare version number).

    Every change must name it, so two clients editing the same record cannot overwrite each other.
    """
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise PreconditionRequired(
            f"send If-Match with the record's ETag (now {etag_of(record)}) so a concurrent change is not overwritten",
            field="If-Match",
        )
    tag = header.removeprefix("W/").strip('"')
    uid, sep, version = tag.rpartition(":")
    if sep and uid != str(record.uid):
        raise PreconditionFailed(f"If-Match names another record ({uid})", field="If-Match")
    try:
        return int(version)
    except ValueError:
        raise PreconditionFailed(f"If-Match {header!r} is not an ETag of this API", field="If-Match") from None


def resolve_refs(request: HttpRequest, data: dict[str, Any], refs: dict[str, type[Model]]) -> dict[str, Any]:
    """Replace `<name>_id` values by the records they name (by id, uid, or a code where the kind has one), found
    among those the caller may read."""
    out = dict(data)
    for name, model in refs.items():
        key = f"{name}_id"
        if key not in out:
            continue
        value = out.pop(key)
        if value is None:
            out[name] = None
            continue
        records = readable(model, request)
        try:
            out[name] = find(records, value, str(model._meta.verbose_name))
        except DomainError:
            # A kind with a code (a party's CN) is named by it too, as its filters take it.
            by_code = _by_code(records, value)
            if by_code is None:
                raise DomainError(f"no {model._meta.verbose_name} {value} that you may see", field=key) from None
            out[name] = by_code
    return out


def _by_code(records: QuerySet[Any], value: Any) -> Any:
    if not isinstance(value, str) or not any(f.name == "code" for f in records.model._meta.concrete_fields):
        return None
    return records.filter(code__iexact=value.strip()).first()


def respond_with(response: HttpResponse, record: Any) -> Any:
    response["ETag"] = etag_of(record)
    return record


# --- what the apps' write endpoints share ---------------------------------------------------------------


ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def errors(*codes: int) -> dict[int, Any]:
    """The refusals an operation documents, each with the Error body."""
    return {c: Error for c in codes}


def list_endpoint(
    router: Router,
    path: str,
    schema: type[Schema],
    *,
    name: str,
    summary: str,
    records: Callable[[HttpRequest, str], QuerySet[Any]],
    filters: type[Filters] | None = None,
) -> None:
    """GET `path` (with `{ref}` of the parent): a cursor-paginated list of a record's parts, oldest first."""
    page_schema: Any = list[schema]  # type: ignore[valid-type]
    extra: dict[str, Any] = {"responses": {404: {"description": "No such record that you may see", "content": ERROR}}}
    if filters:
        extra["parameters"] = filters.openapi_parameters()

    @router.get(path, response=page_schema, operation_id=f"list_{name}", summary=summary, openapi_extra=extra)
    @paginate(AccordCursorPagination, ordering=("id",))
    def list_parts(request: HttpRequest, ref: str) -> QuerySet[Any]:
        queryset = records(request, ref)
        return filters(request.GET, request.user).apply(queryset) if filters is not None else queryset


def patch_endpoint(
    router: Router,
    model: type[Model],
    schema: type[Schema],
    out: type[Schema],
    update: Callable[..., Any],
    *,
    refs: dict[str, type[Model]] | None = None,
    path: str = "/{ref}",
) -> None:
    """PATCH `path`: change the fields given (If-Match names the version seen) through the service `update`."""
    what = str(model._meta.verbose_name)

    def patch(request: HttpRequest, ref: str, payload: Any, response: HttpResponse) -> Any:
        record = find(readable(model, request), ref, what)
        version = expected_version(request, record)
        changes = resolve_refs(request, payload.dict(exclude_unset=True), refs or {})
        return respond_with(response, update(record, expected_version=version, **changes))

    # The module's annotations are strings: name the body's schema itself, or ninja cannot find it.
    patch.__annotations__ = {"request": HttpRequest, "ref": str, "payload": schema, "response": HttpResponse}
    router.patch(
        path,
        response={200: out, **errors(401, 403, 404, 409, 412, 422, 428)},
        summary=f"Change a {what}",
        operation_id=f"change_{model._meta.model_name}",
    )(patch)
