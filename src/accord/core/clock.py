"""The date Accord works as of: today, or the installation's own date (ACCORD_TODAY).

A programme recorded from the past (the demo lives in February 1960) measures how late a deliverable is
against its own date, not against the day it is read: "3 days overdue" on 1960-02-26, not "24,447". The
pages that count from this date say which date it is (`fixed_date`), so the figures never pass for today's.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone


def fixed_date() -> dt.date | None:
    """The installation's own date, if it is set (ACCORD_TODAY); None: the calendar's."""
    given = getattr(settings, "ACCORD_TODAY", "") or ""
    if not given:
        return None
    if isinstance(given, dt.date):
        return given
    try:
        return dt.date.fromisoformat(str(given))
    except ValueError:
        raise ImproperlyConfigured(f"ACCORD_TODAY must be a date such as 1960-02-26, not {given!r}") from None


def today() -> dt.date:
    """The date Accord works as of: ACCORD_TODAY if set, else today in the installation's time zone."""
    return fixed_date() or timezone.localdate()
