"""Domain errors: what went wrong, where (field), and a stable code for the API."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A request the domain refuses. Raised by services; nothing has been written when it escapes."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field}


class ValidationFailed(DomainError):
    """One or more fields are invalid. `errors` maps field name to its messages."""

    code = "validation_failed"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = {k: list(v) for k, v in errors.items()}
        first_field = next(iter(self.errors), None)
        parts = [f"{f}: {'; '.join(msgs)}" if f != "__all__" else "; ".join(msgs) for f, msgs in self.errors.items()]
        super().__init__(" | ".join(parts), field=first_field if first_field != "__all__" else None)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "errors": self.errors}


class TransitionRefused(DomainError):
    code = "transition_refused"


class StaleVersion(DomainError):
    """A change was made against an older version of the record than the one stored."""

    code = "stale_version"

    def __init__(
        self,
        record: str,
        *,
        expected: int,
        current: int,
        changed_by: str | None,
        changed_at: datetime | None,
        fields: Iterable[str],
    ):
        self.record = record
        self.expected = expected
        self.current = current
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.fields = sorted(set(fields))
        # One whole sentence per case, so that each language can order its parts (who, when) as it needs.
        values = {
            "record": record,
            "who": changed_by,
            "when": f"{changed_at:%Y-%m-%d %H:%M:%S %Z}" if changed_at else "",
            "expected": expected,
            "current": current,
        }
        if changed_by and changed_at:
            message = _(
                "%(record)s was changed by %(who)s at %(when)s since you opened version %(expected)s "
                "(now version %(current)s)"
            )
        elif changed_by:
            message = _(
                "%(record)s was changed by %(who)s since you opened version %(expected)s (now version %(current)s)"
            )
        elif changed_at:
            message = _(
                "%(record)s was changed at %(when)s since you opened version %(expected)s (now version %(current)s)"
            )
        else:
            message = _("%(record)s was changed since you opened version %(expected)s (now version %(current)s)")
        message = message % values
        if self.fields:
            message = _("%(message)s; changed: %(fields)s") % {"message": message, "fields": ", ".join(self.fields)}
        super().__init__(_("%(message)s. Reload and apply your change again.") % {"message": message}, field="version")

    def as_dict(self) -> dict[str, Any]:
        return {
            **super().as_dict(),
            "expected_version": self.expected,
            "current_version": self.current,
            "changed_by": self.changed_by,
            "changed_at": self.changed_at.isoformat() if self.changed_at else None,
            "changed_fields": self.fields,
        }


class Forbidden(DomainError):
    """The account may not do this to this record (its role or party does not allow it)."""

    code = "forbidden"


# The HTTP status each refusal answers with, on every channel (API, pages, admin); an invalid request is 422.
HTTP_STATUS = {
    "not_found": 404,
    "stale_version": 409,
    "stale_revision": 409,
    "transition_refused": 409,
    "forbidden": 403,
    "bad_token": 401,
    "throttled": 429,
    "precondition_required": 428,
    "precondition_failed": 412,
}


def http_status(error: DomainError) -> int:
    """By code; a refusal with its own code answers as its kind does (refused or stale: 409, forbidden: 403)."""
    if error.code in HTTP_STATUS:
        return HTTP_STATUS[error.code]
    if isinstance(error, Forbidden):
        return 403
    if isinstance(error, (TransitionRefused, StaleVersion)):
        return 409
    return 422
