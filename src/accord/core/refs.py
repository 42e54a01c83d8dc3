"""Finding a record by the reference people and programs use: its number or its global id (uuid)."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from accord.core.errors import DomainError

M = TypeVar("M", bound=Model)


class NotFound(DomainError):
    code = "not_found"


def unique_or_none(queryset: QuerySet[M]) -> M | None:
    """The record a unique lookup finds, or None. Without first()'s ORDER BY: on a hot path (every API
    request's token and record) compiling the ordering costs more than the query itself."""
    return next(iter(queryset.order_by()[:1]), None)


def find(queryset: QuerySet[M], ref: str | int, what: str) -> M:
    """The record whose id or uid is `ref` within `queryset`; NotFound (naming `what`) otherwise."""
    text = str(ref).strip()
    lookup: dict[str, Any]
    try:
        lookup = {"uid": uuid.UUID(text)} if "-" in text or len(text) == 32 else {"pk": int(text)}
    except ValueError:
        raise NotFound(f"{what} {text!r}: give its number or its global id (uuid)", field="ref") from None
    record = unique_or_none(queryset.filter(**lookup))
    if record is None:
        raise NotFound(f"no {what} {text!r}", field="ref")
    return record
