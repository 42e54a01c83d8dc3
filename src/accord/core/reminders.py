"""What falls due, and for whom: the one place the person's page ("what I owe", "what I wait for"), the e-mail
digest and `accord remind` ask.

Each domain app registers its kinds of due thing in its `reminders.py` (loaded in its AppConfig.ready(), as the
workflow steps are): progress reports and deliverables, receipts of exchanges, plans awaiting a party's approval
or signature (programmes), minutes awaiting a sign-off (meetings), documents awaiting an approval (documents).
A kind finds its due things and says who owes each and who waits for it as *holders*: the coordinators of a
party, or the reporters of an organisation. A person holds what their memberships say (core.visibility
.Principal), so the rule "who is reminded of what" is read from the roles, never stored per person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Model

from accord.core import clock
from accord.core.pages.records import url_of
from accord.core.visibility import Principal, principal, visible

# A holder: ("coordinator", party id) or ("reporter", organisation id).
Holder = tuple[str, int]


def coordinators(*party_ids: int | None) -> frozenset[Holder]:
    return frozenset(("coordinator", pk) for pk in party_ids if pk)


def reporters(*organisation_ids: int | None) -> frozenset[Holder]:
    return frozenset(("reporter", pk) for pk in organisation_ids if pk)


def holders_of(who: Principal) -> frozenset[Holder]:
    """What a person holds through their memberships."""
    return coordinators(*who.coordinates) | reporters(*who.reports_for)


@dataclass(frozen=True)
class Scope:
    """Whose due things a kind is asked for (None: everybody's, for the digest) and as of which day."""

    as_of: dt.date
    parties: frozenset[int] | None = None  # the parties the person coordinates
    organisations: frozenset[int] | None = None  # the organisations the person reports for

    @property
    def everybody(self) -> bool:
        return self.parties is None and self.organisations is None


@dataclass(frozen=True)
class Due:
    """One thing that falls due: who owes it, who waits for it, which record it is about.

    `key` names it for good ("progress:<item uid>:<organisation uid>:1960-12-31"): a reminder of it is sent to a
    person once. A thing that changes so that it falls due anew (a new version to approve) gets a new key.
    `text` is one line in the active language (the kind builds it where the language is already chosen).
    """

    key: str
    kind: str
    text: str
    record: Model
    due_on: dt.date | None
    owed_by: frozenset[Holder]
    awaited_by: frozenset[Holder] = field(default=frozenset())
    page: Model | None = None  # where to send the reader when the record has no page of its own

    @property
    def url(self) -> str:
        return url_of(self.record) or (url_of(self.page) if self.page is not None else "")

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < clock.today()


@dataclass(frozen=True)
class DueKind:
    name: str  # "progress", "deliverable", "receipt", "plan-approval", ...
    label: Any  # lazy translated, the heading of its group
    collect: Callable[[Scope], Iterable[Due]]


KINDS: dict[str, DueKind] = {}
READ_CHUNK = 500  # records asked about at once (SQLite limits the parameters of one statement)


def register(kind: DueKind) -> DueKind:
    KINDS[kind.name] = kind
    return kind


def lead_days() -> int:
    """How many days before its due date a thing is shown and sent (ACCORD_REMIND_LEAD_DAYS)."""
    return int(getattr(settings, "ACCORD_REMIND_LEAD_DAYS", 30))


def window_end(scope: Scope) -> dt.date:
    """Things due on or before this day are shown: those overdue, and those falling due within the lead time."""
    return scope.as_of + dt.timedelta(days=lead_days())


def collect(scope: Scope) -> list[Due]:
    """Every due thing in `scope`, kind by kind, earliest due first (undated last)."""
    found: list[Due] = []
    for kind in KINDS.values():
        found.extend(kind.collect(scope))
    return sorted(found, key=lambda d: (d.due_on is None, d.due_on or dt.date.min, d.kind, d.key))


def readable(user: Any, dues: list[Due]) -> list[Due]:
    """The due things whose record `user` may read (a query per kind of record and READ_CHUNK records): nobody
    is reminded of something they may not see (an exchange internal to the other side)."""
    by_model: dict[type[Model], list[Any]] = {}
    for due in dues:
        by_model.setdefault(type(due.record), []).append(due.record.pk)
    seen: set[tuple[type[Model], Any]] = set()
    for model, pks in by_model.items():
        unique = sorted(set(pks))
        for start in range(0, len(unique), READ_CHUNK):
            chunk = model._default_manager.filter(pk__in=unique[start : start + READ_CHUNK])
            seen.update((model, pk) for pk in visible(chunk, user).values_list("pk", flat=True))
    return [d for d in dues if (type(d.record), d.record.pk) in seen]


@dataclass
class Reminders:
    """A person's due things: what they owe, and what they wait for from others."""

    owe: list[Due]
    wait: list[Due]

    def __bool__(self) -> bool:
        return bool(self.owe or self.wait)


def split(user: Any, holds: frozenset[Holder], dues: Iterable[Due]) -> Reminders:
    """What `user`, holding `holds`, owes and waits for among `dues` (what they owe is not also awaited), of the
    records they may read."""
    owe, wait = [], []
    for due in dues:
        if due.owed_by & holds:
            owe.append(due)
        elif due.awaited_by & holds:
            wait.append(due)
    allowed = {id(d) for d in readable(user, owe + wait)}
    return Reminders([d for d in owe if id(d) in allowed], [d for d in wait if id(d) in allowed])


def reminders_for(user: Any, as_of: dt.date | None = None) -> Reminders:
    """What `user` owes and waits for, through their roles, among the records they may read."""
    who = principal(user)
    holds = holders_of(who)
    if not holds:
        return Reminders([], [])
    scope = Scope(as_of or clock.today(), parties=who.coordinates, organisations=who.reports_for)
    return split(user, holds, collect(scope))
