"""What an account may change: one rule table for the pages, the API, the CLI's web twin and the exports.

Reading is core.visibility's business. Changing follows the parties' own rule: each side owns its side.
- administrators may do everything;
- a party's coordinator changes the records their party owns, and the shared records (no owner) of
  agreements their party is a party to; proposes and agrees plans of those agreements; signs for their
  party only if designated;
- an institution's reporter records progress on the plan items of projects their institution takes
  part in (or is responsible for), edits only the reports their institution made, and confirms receipt of
  what was sent to their institution (as the receiving party's coordinator may);
- a directory record (organisation, person, their names and positions) is on its party's side: that
  party's coordinators add and change it; any coordinator may add a party (a new partner's side);
- a party's coordinator approves a document's text for their party only, and publishes a document of an
  agreement their party is a party to (documents.services checks that every approval is in);
- observers and the public change nothing;
- on a federation node (an installation acting for one party), the other side's records are kept by the other
  side's node: nobody here changes them (administrators included), acts for another party, or adds a record on
  its side; they arrive from that node (accord.federation), whose actor is held to its own party's rights. The
  one act on them that is ours is the receiving side's confirmation of receipt.

Services check the acting account themselves (`require_actor`, `require_actor_create`), so every channel
(page, API, admin, CLI, import, job) inherits the same rule; adapters ask `can` only to decide what to offer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
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


def owning_party_id(record: Model) -> int | None:
    """The party whose side `record` is on: its `owner_party`, else the party its model declares along
    `party_path` (a directory record outside any agreement: an organisation's or a person's party; "" for a
    party itself). None for shared records."""
    owner = getattr(record, "owner_party_id", None)
    path = getattr(type(record), "party_path", None)
    if owner is not None or path is None:
        return owner
    if path == "":
        return record.pk
    obj: Any = record
    *steps, last = path.split("__")
    for step in steps:
        obj = getattr(obj, step)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id", None)


# The party this installation acts for as a federation node, registered by the federation app (core imports no
# app above it); None: hosted, every side is kept here.
_node_party: list[Callable[[], int | None]] = []


def register_node_party(resolve: Callable[[], int | None]) -> None:
    """Name the function that gives the id of the party this node acts for (None when hosted)."""
    _node_party[:] = [resolve]


def node_party_id() -> int | None:
    return _node_party[0]() if _node_party else None


def kept_elsewhere(record: Model) -> bool:
    """Is `record` on another party's side than this node's (kept by that party's node, read-only here)?"""
    node = node_party_id()
    if node is None:
        return False
    owner = owning_party_id(record)
    return owner is not None and owner != node


def node_side_checked() -> bool:
    """Whether check_node_side() checks anything now: an `accord` command on a node."""
    actor = current_actor()
    return actor.system and actor.channel == "cli" and node_party_id() is not None


def check_node_side(records: Iterable[Model], *, changed: Iterable[str] | None = None) -> None:
    """On a node, the command line keeps to its party's side like every account: no record kept by another side
    is added, changed or deleted by an `accord` command (the writes of core.services and core.bulk call this).
    The receiving side's receipt on a record sent to it (the model's `receipt_fields`, and nothing else) is ours.
    Other trusted actors (the demo, migrations, jobs) and a hosted installation are not held to it."""
    if not node_side_checked():
        return
    node = node_party_id()
    names = set(changed) if changed is not None else None
    for record in records:
        owner = owning_party_id(record)
        if owner is None or owner == node:
            continue
        receipt = set(getattr(type(record), "receipt_fields", ()))
        if names is not None and names <= receipt and getattr(record, "to_party_id", None) == node:
            continue  # confirming receipt of what was sent to us
        raise Forbidden(
            _("“%(record)s” is kept by another side's node: on this node, commands change only this side's records.")
            % {"record": record}
        )


def _refused_on_node(user: Any, action: str, record: Model, party_id: Any) -> bool:
    """A node's own users act for its party only: the other side's records and acts are that side's node's."""
    node = node_party_id()
    if node is None or getattr(user, "is_peer_node", False):
        return False
    if party_id is not None and party_id != node:
        return True
    if action == "confirm_receipt":  # ours to confirm when it was sent to us, whoever keeps the record
        return False
    return kept_elsewhere(record)


def _coordinates_record(who: Principal, record: Model) -> bool:
    owner = owning_party_id(record)
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
    party_id = getattr(party, "pk", party)
    if _refused_on_node(user, action, record, party_id):
        return False
    if who.is_admin:
        return True
    if not _may_read(user, record):
        return False
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
    if action == "confirm_receipt":
        # The receiving side confirms: its coordinator, or the reporter of the receiving institution.
        receiver = getattr(record, "receiving_organisation_id", None)
        return getattr(record, "to_party_id", None) in who.coordinates or (
            receiver is not None and receiver in who.reports_for
        )
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


def may_create(
    user: Any, *, party: Any = None, agreement: Any = None, parties: Iterable[Any] | None = None, anywhere: bool = False
) -> bool:
    """May `user` add a record on `party`'s side, a shared record under `agreement`, a record binding `parties`
    (a new agreement: a coordinator of one of them), or (`anywhere`) a record of no side yet (a new party: any
    coordinator)?"""
    who = principal(user)
    if not who.is_authenticated:
        return False
    node = node_party_id()
    other_side = node is not None and party is not None and getattr(party, "pk", party) != node
    if other_side and not getattr(user, "is_peer_node", False):
        return False  # the other side's records are added on its own node
    if who.is_admin:
        return True
    if party is not None and getattr(party, "pk", party) in who.coordinates:
        return True
    if parties is not None and who.coordinates & {getattr(p, "pk", p) for p in parties}:
        return True
    if anywhere and who.coordinates:
        return True
    return agreement is not None and bool(who.coordinates & parties_of_agreement(getattr(agreement, "pk", agreement)))


def require_create(
    user: Any,
    what: str,
    *,
    party: Any = None,
    agreement: Any = None,
    parties: Iterable[Any] | None = None,
    anywhere: bool = False,
) -> None:
    if not may_create(user, party=party, agreement=agreement, parties=parties, anywhere=anywhere):
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


def require_actor_create(
    what: str,
    *,
    party: Any = None,
    agreement: Any = None,
    parties: Iterable[Any] | None = None,
    anywhere: bool = False,
) -> None:
    """`require_create` for the current actor."""
    user = acting_user()
    if user is not None:
        require_create(user, what, party=party, agreement=agreement, parties=parties, anywhere=anywhere)
