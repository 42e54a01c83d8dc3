"""Helpers shared by Accord's management commands: finding records by id or uid, parsing dates."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeVar

from django.core.management.base import CommandError
from django.db.models import Model

M = TypeVar("M", bound=Model)


def get_record(model: type[M], ref: str, what: str | None = None) -> M:
    """The record whose numeric id or global uid is `ref`; a one-line CommandError otherwise."""
    what = what or str(model._meta.verbose_name)
    manager: Any = model._default_manager
    lookup: dict[str, Any]
    try:
        lookup = {"uid": uuid.UUID(ref)} if "-" in ref or len(ref) == 32 else {"pk": int(ref)}
    except ValueError:
        raise CommandError(f"{what} {ref!r}: give its number or its global id (uuid)") from None
    try:
        return manager.get(**lookup)
    except model.DoesNotExist:  # type: ignore[attr-defined]
        raise CommandError(f"no {what} {ref!r}") from None


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None
