"""Columns of a tabular file: how one cell is read into a field value, and how a field value is written back.

A column is declared once (in specs.py) and serves import, export and templates, so the three never drift.
References to other records are resolved by natural key through a Lookup that caches per import.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import TextChoices
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from accord.core.localized import LocalizedText, normalize_tag
from accord.core.validators import validate_country_code

if TYPE_CHECKING:
    from accord.interop.lookup import Lookup

Label = str | Promise
# Languages every export and template carries a column for; other tags present in a file are read too.
LANGUAGES = ("en", "zh", "ru")
LIST_SEPARATOR = ";"


class CellError(Exception):
    """A cell that cannot be read; the message says why, in the user's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Column:
    """One column (or, for localized text, one column per language) of a kind's table."""

    localized = False

    def __init__(
        self,
        key: str,
        label: Label,
        *,
        field: str | None = "",
        required: bool = False,
        help: Label = "",
        path: str | None = None,
    ):
        self.key = key
        self.label = label
        # The model field the column writes: by default its key; None for columns that only help find others.
        self.field: str | None = key if field == "" else field
        self.required = required
        self.help = help
        # Where the exported value is read from (an ORM path); by default the field.
        self.path = path or self.field or key

    # --- export ---
    def export_paths(self) -> list[str]:
        return [self.path]

    def export(self, values: Sequence[Any]) -> Any:
        """The exported cell from the values read at export_paths (a date, number or text)."""
        value = values[0]
        return "" if value is None else value

    # --- import ---
    def parse(self, raw: Any, lookup: Lookup, row: dict[str, Any]) -> Any:
        """The field value of a non-empty cell (text; a list of texts from JSON); CellError if it is wrong."""
        return raw

    def empty(self) -> Any:
        return ""

    def merge(self, stored: Any, parsed: Any) -> Any:
        """The field's new value, given what is stored (on create: the field's default)."""
        return parsed

    def describe(self) -> str:
        return ""


class Text(Column):
    pass


class OptionalText(Column):
    """Text stored as NULL when empty (external ids: NULLs never collide)."""

    def empty(self) -> Any:
        return None


class Integer(Column):
    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        try:
            return int(raw.replace(" ", ""))
        except ValueError:
            raise CellError(_("“%(value)s” is not a whole number") % {"value": raw}) from None

    def empty(self) -> Any:
        return None

    def describe(self) -> str:
        return _("a whole number")


class Number(Column):
    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        try:
            value = Decimal(raw.replace(" ", "").replace(",", "."))
        except InvalidOperation:
            raise CellError(_("“%(value)s” is not a number") % {"value": raw}) from None
        if not value.is_finite():
            raise CellError(_("“%(value)s” is not a number") % {"value": raw})
        return value

    def empty(self) -> Any:
        return None

    def describe(self) -> str:
        return _("a number, e.g. 2 or 1.5")


_DMY = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(raw: str) -> dt.date:
    match = _YMD.match(raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = _DMY.match(raw)
        if not match:
            raise CellError(_("“%(value)s” is not a date; write YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY") % {"value": raw})
        day, month, year = (int(g) for g in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not a date of the calendar (no such day)") % {"value": raw}) from None


class Date(Column):
    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        return parse_date(raw[:10] if "T" in raw else raw)

    def empty(self) -> Any:
        return None

    def describe(self) -> str:
        return _("a date: YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY")


class Choice(Column):
    """One of a vocabulary: its code, or its name in any of the interface languages."""

    def __init__(self, key: str, label: Label, choices: type[TextChoices], **kwargs: Any):
        super().__init__(key, label, **kwargs)
        self.choices = choices

    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        found = lookup.choice(self.choices, raw)
        if found is None:
            codes = ", ".join(c for c in self.choices.values if c)
            raise CellError(_("“%(value)s” is not one of: %(codes)s") % {"value": raw, "codes": codes})
        return found

    def describe(self) -> str:
        return _("one of: %(codes)s") % {"codes": ", ".join(f"{c} ({label})" for c, label in self.choices.choices)}


class Localized(Column):
    """Text in several languages: one column per BCP 47 tag, `title[en]`, `title[zh]`, ..."""

    localized = True

    def headers(self) -> list[str]:
        return [f"{self.key}[{tag}]" for tag in LANGUAGES]

    def export_cells(self, value: Any) -> list[str]:
        value = value or {}
        return [value.get(tag, "") for tag in LANGUAGES]

    def parse_languages(self, texts: dict[str, str]) -> dict[str, str]:
        return {tag: text.strip() for tag, text in texts.items()}

    def merge(self, stored: Any, parsed: Any) -> Any:
        """The languages the file has columns for replace the stored ones (empty removes); others stay."""
        merged = dict(stored or {})
        for tag, text in parsed.items():
            if text:
                merged[tag] = text
            else:
                merged.pop(tag, None)
        return LocalizedText(merged)

    def describe(self) -> str:
        return _("text in the column's language (BCP 47 tag in brackets; add a column for another language)")


class TextList(Column):
    """Several values in one cell, separated by semicolons (a list in JSON)."""

    def parse(self, raw: str | list[str], lookup: Lookup, row: dict[str, Any]) -> Any:
        items = raw if isinstance(raw, list) else raw.split(LIST_SEPARATOR)
        return [i.strip() for i in items if i.strip()]

    def empty(self) -> Any:
        return []

    def export(self, values: Sequence[Any]) -> Any:
        return f"{LIST_SEPARATOR} ".join(values[0] or [])

    def describe(self) -> str:
        return _("several values separated by semicolons")


class Languages(TextList):
    def parse(self, raw: str | list[str], lookup: Lookup, row: dict[str, Any]) -> Any:
        tags = []
        for item in super().parse(raw, lookup, row):
            try:
                tags.append(normalize_tag(item))
            except ValueError:
                raise CellError(_("“%(value)s” is not a BCP 47 language tag") % {"value": item}) from None
        return tags

    def describe(self) -> str:
        return _("BCP 47 language tags separated by semicolons, e.g. zh; ru")


class Ror(Column):
    """The ROR id, kept in the organisation's identifiers."""

    def __init__(self, key: str, label: Label, **kwargs: Any):
        super().__init__(key, label, field="identifiers", path="identifiers", **kwargs)

    def export(self, values: Sequence[Any]) -> Any:
        return (values[0] or {}).get("ror", "")

    def merge(self, stored: Any, parsed: Any) -> Any:
        merged = dict(stored or {})
        if parsed:
            merged["ror"] = parsed.rsplit("/", 1)[-1]
        else:
            merged.pop("ror", None)
        return merged


# --- references ---------------------------------------------------------------------------------------


class PartyRef(Column):
    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        party = lookup.party(raw)
        if party is None:
            code = raw.strip().upper()
            near = lookup.nearest_parties(raw)
            hint = "; " + _("nearest: %(near)s") % {"near": ", ".join(near)} if near else ""
            try:
                validate_country_code(code)
            except ValidationError:
                raise CellError(
                    _("“%(value)s” is not an ISO 3166 country code nor a party's code") % {"value": raw} + hint
                ) from None
            if near:
                raise CellError(_("no party with code “%(value)s” in Accord") % {"value": raw} + hint)
            raise CellError(
                _("no party with code “%(value)s” in Accord (%(count)s parties are known; import it first)")
                % {"value": raw, "count": len(lookup.party_codes())}
            )
        return party

    def export_paths(self) -> list[str]:
        return [f"{self.path}__code"]

    def empty(self) -> Any:
        return None

    def describe(self) -> str:
        return _("a party's code, e.g. CN or SU")


class PartyList(TextList):
    def parse(self, raw: str | list[str], lookup: Lookup, row: dict[str, Any]) -> Any:
        as_party = PartyRef(self.key, self.label)
        return [as_party.parse(code, lookup, row) for code in super().parse(raw, lookup, row)]

    def export(self, values: Sequence[Any]) -> Any:
        return values[0] or ""

    def describe(self) -> str:
        return _("the parties' codes separated by semicolons, e.g. CN; SU")


def _first_text(value: Any) -> str:
    if not value:
        return ""
    return LocalizedText(value).get_text("en")


class OrganisationRef(Column):
    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        return lookup.organisation(raw)

    def export_paths(self) -> list[str]:
        return [f"{self.path}__external_id", f"{self.path}__identifiers", f"{self.path}__name"]

    def export(self, values: Sequence[Any]) -> Any:
        external_id, identifiers, name = values
        return external_id or (identifiers or {}).get("ror") or _first_text(name)

    def empty(self) -> Any:
        return None

    def describe(self) -> str:
        return _("an organisation: its external id, ROR id or exact name in any language")


class AgreementRef(Column):
    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        return lookup.agreement(raw)

    def export_paths(self) -> list[str]:
        return [f"{self.path}__external_id", f"{self.path}__reference", f"{self.path}__title"]

    def export(self, values: Sequence[Any]) -> Any:
        external_id, reference, title = values
        return external_id or reference or _first_text(title)

    def empty(self) -> Any:
        return None

    def describe(self) -> str:
        return _("an agreement: its external id, reference or exact title in any language")


class ProjectRef(Column):
    """A project by its number within the row's agreement (or by its external id)."""

    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        return lookup.project(row.get("agreement"), raw)

    def export_paths(self) -> list[str]:
        return [f"{self.path}__number"]

    def empty(self) -> Any:
        return None

    def describe(self) -> str:
        return _("the project's number within the agreement")


class PlanRef(Column):
    """A plan of the row's agreement by its period ("1959", "1959-01-01/1960-06-30", "1960 r2") or global id."""

    def parse(self, raw: str, lookup: Lookup, row: dict[str, Any]) -> Any:
        return lookup.plan(row.get("agreement"), raw)

    def export_paths(self) -> list[str]:
        return [f"{self.path}__period_start", f"{self.path}__period_end", f"{self.path}__revision"]

    def export(self, values: Sequence[Any]) -> Any:
        start, end, revision = values
        return plan_period(start, end, revision)

    def empty(self) -> Any:
        return None

    def describe(self) -> str:
        return _("the plan's period: a year (1959), or from/to (1959-01-01/1960-06-30); “r2” for a revision")


def plan_period(start: dt.date | None, end: dt.date | None, revision: int | None) -> str:
    if start is None or end is None:
        return ""
    if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
        text = str(start.year)
    else:
        text = f"{start.isoformat()}/{end.isoformat()}"
    return f"{text} r{revision}" if revision and revision > 1 else text
