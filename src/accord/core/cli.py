"""Helpers shared by Accord's management commands: finding records by id or uid, parsing dates."""

from __future__ import annotations

import datetime as dt
from typing import TypeVar

from django.core.management.base import CommandError
from django.db.models import Model

from accord.core.refs import NotFound, find

M = TypeVar("M", bound=Model)


def get_record(model: type[M], ref: str, what: str | None = None) -> M:
    """The record whose numeric id or global uid is `ref`; a one-line CommandError otherwise."""
    try:
        return find(model._default_manager.all(), ref, what or str(model._meta.verbose_name))
    except NotFound as exc:
        raise CommandError(exc.message) from None


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None
