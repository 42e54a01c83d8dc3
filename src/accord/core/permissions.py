"""What an account may change: one rule table for the pages, the API, the CLI's web twin and the exports.

Reading is core.visibility's business. Changing follows the parties' own rule: each side owns its side.
- administrators may do everything;
- a party's coordinator changes the records their party owns, and the shared records (no owner) of
  agreements their party is a party to; proposes and agrees plans of those agreements; signs for their
  party only if designated;
- an institution's reporter records progress on the plan items of projects their institution takes
  part in (or is responsible for), and edits only the reports their institution made;
- a party's coordinator approves a document's text for their party only, and publishes a document of an
  agreement their party is a party to (documents.services checks that every approval is in);
- observers and the public change nothing.

Services check the acting account themselves (`require_actor`, `require_actor_create`), so every channel
(page, API, admin, CLI, import, job) inherits the same rule; adapters ask `can` only to decide what to offer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.core.actor import current_actor
from accord.core.errors import Forbidden
from accord.core.visibility import Principal, _domain, agreement_path, can_read, principal, visible


def agreement_id_of(record: Model) -> int | None:
    """The id of the agreement `record` belongs to, along its model's agreement_path (None if it has none)."""
    path = agreement_path(type(record))
    if path is None:
        return None
    if path == "":
        return record.pk  # an agreement
    obj: Any = record
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


class _Memo:
    """Answers asked once within `asking_for_many` (a page asking what one account may do to fifty records)."""

    def __init__(self, user_id: int | None):
        self.user_id = user_id
        self.parties: dict[int, set[int]] = {}
        self.readable: set[tuple[str, Any]] = set()


_memo: ContextVar[_Memo | None] = ContextVar("accord_permissions_memo", default=None)


@contextmanager
def asking_for_many(user: Any, records: Iterable[Model], *, read_through_visible: bool = False) -> Iterator[None]:
    """Within the block, `can(user, ...)` on `records` asks the database once, not once per record: which of
    them `user` may read (one query per model; none if they were read through `visible(..., user)`), and each
    agreement's parties (once per agreement). Nothing asked can change meanwhile: the block only reads."""
    outer = _memo.get()
    memo = _Memo(principal(user).user_id)
    if outer is not None and outer.user_id == memo.user_id:  # within a page's block: what it knows holds here
        memo.parties, memo.readable = dict(outer.parties), set(outer.readable)
    by_model: dict[type[Model], list[Any]] = {}
    for record in records:
        by_model.setdefault(type(record), []).append(record.pk)
    for model, pks in by_model.items():
        if not read_through_visible:
            pks = list(visible(model._default_manager.filter(pk__in=pks), user).values_list("pk", flat=True))
        memo.readable.update((model._meta.label_lower, pk) for pk in pks)
    token = _memo.set(memo)
    try:
        yield
    finally:
        _memo.reset(token)


def _may_read(user: Any, record: Model) -> bool:
    memo = _memo.get()
    known = memo is not None and memo.user_id == principal(user).user_id
    if known and (record._meta.label_lower, record.pk) in memo.readable:  # type: ignore[union-attr]
        return True
    return can_read(user, record)


def parties_of_agreement(agreement_id: int | None) -> set[int]:
    if agreement_id is None:
        return set()
    memo = _memo.get()
    if memo is not None and agreement_id in memo.parties:
        return memo.parties[agreement_id]
    links = _domain.agreement_parties().objects.filter(agreement_id=agreement_id)
    found = set(links.values_list("party_id", flat=True))
    if memo is not None:
        memo.parties[agreement_id] = found
    return found


def _coordinates_record(who: Principal, record: Model) -> bool:
    owner = getattr(record, "owner_party_id", None)
    if owner is not None:
        return owner in who.coordinates
    return bool(who.coordinates & parties_of_agreement(agreement_id_of(record)))


def _reports_on(who: Principal, item: Any) -> bool:
    """A reporter's institution takes part in the item's project or is responsible for the item (the item's
    model says which organisations report on it: reported_by(organisation_ids))."""
    if not who.reports_for or not hasattr(item, "reported_by"):
        return False
    return bool(item.reported_by(who.reports_for))


def can(user: Any, action: str, record: Model, *, party: Any = None) -> bool:
    """May `user` do `action` ("view", "change", "delete", "report", "propose", "agree", "sign",
    "confirm_receipt", "review", "sign_off", "approve", "publish") to `record`? `party` names the side for
    sign/agree/sign_off/approve."""
    who = principal(user)
    if action == "view":
        return can_read(user, record)
    if not who.is_authenticated:
        return False
    if who.is_admin:
        return True
    if not _may_read(user, record):
        return False
    party_id = getattr(party, "pk", party)
    if action in ("change", "delete"):
        if getattr(record, "reporting_organisation_id", None) in who.reports_for:  # a report their institution made
            return True
        return _coordinates_record(who, record)
    if action == "report":  # record progress on a plan item
        return _coordinates_record(who, record) or _reports_on(who, record)
    if action in ("propose", "review", "publish"):
        return bool(who.coordinates & parties_of_agreement(agreement_id_of(record)))
    if action in ("agree", "sign_off", "approve"):
        sides = who.coordinates & parties_of_agreement(agreement_id_of(record))
        return bool(sides) if party_id is None else party_id in sides
    if action == "sign":
        sides = who.signs_for & parties_of_agreement(agreement_id_of(record))
        return bool(sides) if party_id is None else party_id in sides
    if action == "confirm_receipt":  # the receiving side confirms
        return getattr(record, "to_party_id", None) in who.coordinates
    return False


# What each action is called in a refusal ("You may not <action> “<record>”."), in the reader's language.
ACTION_LABELS = {
    "view": gettext_lazy("see"),
    "change": gettext_lazy("change"),
    "delete": gettext_lazy("delete"),
    "report": gettext_lazy("record progress on"),
    "propose": gettext_lazy("propose"),
    "agree": gettext_lazy("agree to"),
    "sign": gettext_lazy("sign"),
    "confirm_receipt": gettext_lazy("confirm receipt of"),
    "review": gettext_lazy("review"),
    "sign_off": gettext_lazy("sign off"),
    "approve": gettext_lazy("approve"),
    "publish": gettext_lazy("publish"),
}


def require(user: Any, action: str, record: Model, *, party: Any = None) -> None:
    """Raise Forbidden (code "forbidden", HTTP 403) unless `can(...)`."""
    if not can(user, action, record, party=party):
        label = ACTION_LABELS.get(action, action.replace("_", " "))
        raise Forbidden(_("You may not %(action)s “%(record)s”.") % {"action": label, "record": record})


def may_create(user: Any, *, party: Any = None, agreement: Any = None) -> bool:
    """May `user` add a record on `party`'s side, or a shared record under `agreement`?"""
    who = principal(user)
    if not who.is_authenticated:
        return False
    if who.is_admin:
        return True
    if party is not None and getattr(party, "pk", party) in who.coordinates:
        return True
    return agreement is not None and bool(who.coordinates & parties_of_agreement(getattr(agreement, "pk", agreement)))


def require_create(user: Any, what: str, *, party: Any = None, agreement: Any = None) -> None:
    if not may_create(user, party=party, agreement=agreement):
        raise Forbidden(_("You may not add %(what)s here.") % {"what": what})


# --- the acting account, for services ---------------------------------------------------------------------


def acting_user() -> Any:
    """The account the current actor acts as: None for a trusted system actor (CLI, demo, migrations,
    unrequested jobs), which keeps full rights; AnonymousUser when nobody is signed in."""
    actor = current_actor()
    if actor.system:
        return None
    if actor.user is not None:
        return actor.user
    user = get_user_model()._default_manager.filter(pk=actor.user_id).first() if actor.user_id else None
    return user if user is not None else AnonymousUser()


def actor_can(action: str, record: Model, *, party: Any = None) -> bool:
    """`can` for the current actor; a system actor may do everything."""
    user = acting_user()
    return user is None or can(user, action, record, party=party)


def require_actor(action: str, record: Model, *, party: Any = None) -> None:
    """`require` for the current actor: services call it, so every channel meets the same rule."""
    user = acting_user()
    if user is not None:
        require(user, action, record, party=party)


def require_actor_create(what: str, *, party: Any = None, agreement: Any = None) -> None:
    """`require_create` for the current actor."""
    user = acting_user()
    if user is not None:
        require_create(user, what, party=party, agreement=agreement)


def require_actor_admin(what: Any) -> None:
    """Only an administrator (or a system actor) may do `what`: a record no party's coordinator owns alone (a
    party itself: a state or an organisation acting as a side)."""
    user = acting_user()
    if user is None:
        return
    if not principal(user).is_admin:
        raise Forbidden(_("Only an administrator may %(what)s.") % {"what": what})
