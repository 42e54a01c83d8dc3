"""Validators shared by every app: identifiers, language lists, periods."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import ValidationError

from accord.core.localized import normalize_tag

_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
_ROR = re.compile(r"^0[a-hj-km-np-tv-z0-9]{6}\d{2}$")


def validate_orcid(value: str) -> None:
    """ORCID iD: 16 characters in groups of four, the last an ISO 7064 11,2 check digit."""
    if not _ORCID.match(value or ""):
        raise ValidationError("ORCID iD must look like 0000-0002-1825-0097", code="invalid")
    digits = value.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    expected = "X" if check == 10 else str(check)
    if digits[-1] != expected:
        raise ValidationError(f"ORCID iD {value} has a wrong check digit", code="checksum")


def validate_ror(value: str) -> None:
    """ROR id: the 9-character id, optionally as https://ror.org/<id>."""
    ror = value.rsplit("/", 1)[-1]
    if not _ROR.match(ror):
        raise ValidationError(f"{value!r} is not a ROR id (like 03vek6s52)", code="invalid")


def validate_country_code(value: str) -> None:
    """ISO 3166-1 alpha-2, current or withdrawn (SU, YU, DD, CS ...)."""
    import pycountry  # here, not with the module: every process loads the validators, few check a country

    if pycountry.countries.get(alpha_2=value) is None and pycountry.historic_countries.get(alpha_2=value) is None:
        raise ValidationError(f"{value!r} is not an ISO 3166 country code, current or historical", code="invalid")


def clean_language_list(value: Any, *, required: bool = True) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise ValidationError('Expected a list of BCP 47 language tags, e.g. ["zh", "ru"].', code="invalid")
    out: list[str] = []
    for tag in value:
        try:
            norm = normalize_tag(tag)
        except ValueError as exc:
            raise ValidationError(str(exc), code="invalid_language") from None
        if norm not in out:
            out.append(norm)
    if required and not out:
        raise ValidationError("Give at least one language.", code="required")
    return out


def check_period(
    errors: dict[str, list[str]],
    start: dt.date | None,
    end: dt.date | None,
    end_field: str = "end_on",
    what: str = "start",
) -> None:
    if start and end and end < start:
        errors.setdefault(end_field, []).append(f"must not be before the {what} ({start.isoformat()})")


def raise_if(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)
