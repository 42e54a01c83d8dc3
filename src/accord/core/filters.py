"""Filters: the parameters a list of one kind of record takes, shared by its page, its API list and its export.

Each domain app declares one `Filters` class per record kind in its `filters.py` (NetBox's FilterSet, in plain
code): the parameters (name, type, choices) and how each narrows a queryset. Every channel binds that class to
what it was given — the page's and the API's query string, the export's query string, `accord export
--filter name=value` — and so narrows alike and refuses alike, naming the parameter. Filters narrow what the
reader may already see: visibility is applied before them (core.visibility.visible), and a record that is not
readable is not a choice.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db.models import Model, QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accord.core.errors import ValidationFailed
from accord.core.models import Visibility
from accord.core.visibility import visible

NOT_A_CHOICE = "“%(value)s” is not one of the choices"
ID_MAX_DIGITS = 18  # an id past this is past the databases' integers: no record has it


@dataclass(frozen=True, kw_only=True)
class Param(ABC):
    """One GET parameter: its name (and older names still accepted), its label on the page, how it narrows.
    A kind of parameter (Choice, Ref) says how a value is read and described."""

    name: str
    label: Any  # lazily translated
    lookup: str | Callable[[QuerySet[Any], Any], QuerySet[Any]]  # `lookup=value`, or a function of both
    aliases: tuple[str, ...] = ()

    @abstractmethod
    def clean(self, raw: str, user: Any, *, everything: bool, known: Mapping[str, Any] | None = None) -> Any:
        """The value `raw` stands for, or ValueError saying why it is refused. `known`: records by id that the
        caller has already read among those the reader may see (a page's options), so none is read twice."""

    def narrow(self, queryset: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if callable(self.lookup):
            return self.lookup(queryset, value)
        return queryset.filter(**{self.lookup: value.pk if isinstance(value, Model) else value})

    @abstractmethod
    def describe(self) -> str:
        """What a value must be, for the API schema and the CLI's errors."""


@dataclass(frozen=True, kw_only=True)
class Choice(Param):
    """One of a fixed set of values (a TextChoices' choices)."""

    choices: Iterable[tuple[Any, Any]]

    def values(self) -> list[str]:
        return [str(v) for v, _ in self.choices]

    def clean(self, raw: str, user: Any, *, everything: bool, known: Mapping[str, Any] | None = None) -> Any:
        if raw not in self.values():
            raise ValueError(f"{NOT_A_CHOICE % {'value': raw}}: {', '.join(self.values())}")
        return raw

    def describe(self) -> str:
        return f"one of: {', '.join(self.values())}"


@dataclass(frozen=True, kw_only=True)
class Ref(Param):
    """A record, by id (or by `code`, e.g. a party's), among those the reader may see."""

    queryset: Callable[[], QuerySet[Any]]  # the records, in the order a page offers them
    code: str = ""  # a field also accepted in place of the id, case-insensitively
    option_label: Callable[[Any], str] = str
    bounded: bool = True  # a page offers the first few (web.listing.OPTIONS_MAX); False: all (a few hundred parties)

    def readable(self, user: Any, *, everything: bool = False) -> QuerySet[Any]:
        records = self.queryset()
        return records if everything else visible(records, user)

    @property
    def what(self) -> str:
        return str(self.queryset().model._meta.verbose_name)

    def clean(self, raw: str, user: Any, *, everything: bool, known: Mapping[str, Any] | None = None) -> Any:
        if known and raw in known:
            return known[raw]
        records = self.readable(user, everything=everything)
        if raw.isascii() and raw.isdigit() and len(raw) <= ID_MAX_DIGITS:
            found = records.filter(pk=int(raw)).first()
        elif self.code:
            found = records.filter(**{f"{self.code}__iexact": raw}).first()
        else:
            raise ValueError(f"{NOT_A_CHOICE % {'value': raw}}: give the {self.what}'s id")
        if found is None:
            key = f"id or {self.code}" if self.code else "id"
            raise ValueError(f"{NOT_A_CHOICE % {'value': raw}}: no {self.what} with that {key} that you may see")
        return found

    def describe(self) -> str:
        return f"the id of a {self.what}" + (f" (or its {self.code})" if self.code else "")


class Filters:
    """The filters of one kind of record, bound to the values a channel was given.

    Subclasses list their `params`. `everything`: the reader is the system (the CLI), not `user`. `strict`: a
    name that is no filter of this kind is refused (an export or the CLI, where a misspelt filter would silently
    give every record); pages and API lists leave other parameters (search, sort, paging) to their own code.
    `known`: by parameter, records already read by id (a page's options), so a chosen one is not read again.
    """

    params: ClassVar[tuple[Param, ...]] = ()

    def __init__(
        self,
        data: Mapping[str, Any],
        user: Any = None,
        *,
        everything: bool = False,
        strict: bool = False,
        known: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.user = user
        self.raw: dict[str, str] = {}  # what was asked, by each parameter's own name
        self.values: dict[str, Any] = {}  # the cleaned values (a record for a Ref) of those that are valid
        self.errors: dict[str, str] = {}
        if strict:
            accepted = self.accepted_names()
            for name in data:
                if name not in accepted:
                    self.errors[name] = f"not a filter of this kind of record; one of: {', '.join(self.names())}"
        for param in self.params:
            raw = next((str(data.get(n) or "").strip() for n in (param.name, *param.aliases) if data.get(n)), "")
            if not raw:
                continue
            self.raw[param.name] = raw
            try:
                found = (known or {}).get(param.name)
                self.values[param.name] = param.clean(raw, user, everything=everything, known=found)
            except ValueError as exc:
                self.errors[param.name] = str(exc)

    @classmethod
    def names(cls) -> list[str]:
        return [p.name for p in cls.params]

    @classmethod
    def accepted_names(cls) -> set[str]:
        return {n for p in cls.params for n in (p.name, *p.aliases)}

    @classmethod
    def param(cls, name: str) -> Param | None:
        return next((p for p in cls.params if p.name == name), None)

    def narrow(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """`queryset` narrowed by every valid value (a page shows the refused ones beside the list)."""
        for param in self.params:
            if param.name in self.values:
                queryset = param.narrow(queryset, self.values[param.name])
        return queryset

    def check(self) -> None:
        """Refuse, naming each parameter, if any value was refused: the API's 422 and the CLI's one line."""
        if self.errors:
            raise ValidationFailed({name: [message] for name, message in self.errors.items()})

    def apply(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        self.check()
        return self.narrow(queryset)

    def query(self) -> dict[str, str]:
        """The valid values by canonical name: the same filters as a link (e.g. to the export)."""
        return {name: self.raw[name] for name in self.values}

    @classmethod
    def openapi_parameters(cls) -> list[dict[str, Any]]:
        """The parameters as OpenAPI query parameters, for the list operations that take them (in English)."""
        with translation.override("en"):
            return [_openapi_parameter(p) for p in cls.params]


def _openapi_parameter(param: Param) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    if isinstance(param, Choice):
        schema["enum"] = param.values()
    also = f" (also accepted as: {', '.join(param.aliases)})" if param.aliases else ""
    return {
        "in": "query",
        "name": param.name,
        "required": False,
        "schema": schema,
        "description": f"{param.label}: {param.describe()}{also}",
    }


def parse_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """`name=value` strings (the CLI's --filter) as a mapping; a pair without `=` is refused, naming it."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValidationFailed({"filter": [f"“{pair}” is not name=value"]})
        out[name.strip()] = value.strip()
    return out


# `?visibility=`: every record kind a party owns has it.
VISIBILITY = Choice(name="visibility", label=_("Visibility"), lookup="visibility", choices=Visibility.choices)
