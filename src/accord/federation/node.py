"""The party this node acts for, and the actor a peer's changes are applied as.

The node's party is the one `accord node init --party` recorded (its key in the data dir, its row here); without a
node, the setting ACCORD_NODE_PARTY (tests); neither: the installation is hosted, it keeps every side and nothing
is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from accord.core.actor import Actor
from accord.core.visibility import Principal

ACTOR_PREFIX = "peer:"  # no account name holds a colon, so no user's change is taken for a peer's


_node_party: dict[tuple[str, float], str | None] = {}


def local_party_code() -> str | None:
    """Asked by every permission check: a hosted installation pays one stat of the key file; a node reads its row
    once per key file (a node made while a server runs is seen by that server once the file is there)."""
    from accord.federation.envelope import KEY_FILE

    key = settings.DATA_DIR / KEY_FILE
    try:
        stamp = (str(key), key.stat().st_mtime)
    except OSError:
        return getattr(settings, "ACCORD_NODE_PARTY", "") or None
    if stamp not in _node_party:
        from accord.federation.models import Node

        _node_party[stamp] = Node.objects.values_list("party", flat=True).first()
    return _node_party[stamp] or getattr(settings, "ACCORD_NODE_PARTY", "") or None


def local_party() -> Any:
    """The Party this node acts for, or None (hosted)."""
    from accord.directory.models import Party

    code = local_party_code()
    return Party.objects.filter(code=code).first() if code else None


_ids: dict[str, int] = {}  # a party's id never changes: asked once per code (permissions ask on every check)


def local_party_id() -> int | None:
    code = local_party_code()
    if not code:
        return None
    if code not in _ids:
        from accord.directory.models import Party

        found = Party.objects.filter(code=code).values_list("pk", flat=True).first()
        if found is None:
            return None  # not known yet (a fresh node before its party arrives): nothing is read-only meanwhile
        # Kept once committed: our party introduced by a batch that is then refused is rolled back with it.
        transaction.on_commit(lambda: _ids.setdefault(code, found))
        return found
    return _ids[code]


def peer_actor_prefix(party_code: str) -> str:
    return f"{ACTOR_PREFIX}{party_code}:"


@dataclass
class PeerNode:
    """The account-like stand-in for a peer node: a coordinator and signatory of its own party, nothing more."""

    party_id: int
    party_code: str
    peer_name: str
    is_peer_node: bool = True
    is_authenticated: bool = True
    is_active: bool = True
    is_staff: bool = False
    is_superuser: bool = False
    pk: None = None
    id: None = None
    # Recovery: our own party's changes, lost by a restore from an older backup, returned by the peer of this
    # party code (the node then acts for our own party: party_id and party_code are ours).
    returned_by: str = ""

    def __post_init__(self) -> None:
        sides = frozenset({self.party_id})
        # core.visibility.principal() reads this cached principal: the node's rights are exactly its party's.
        self._accord_principal = Principal(is_authenticated=True, parties=sides, coordinates=sides, signs_for=sides)

    def get_username(self) -> str:
        if self.returned_by:  # starts as that peer's changes do: never sent back to it (federation.changes)
            return f"{peer_actor_prefix(self.returned_by)}{self.peer_name} (returned {self.party_code}'s own)"
        return f"{peer_actor_prefix(self.party_code)}{self.peer_name}"

    def __str__(self) -> str:
        return self.get_username()


def peer_actor(node: PeerNode, entry: Any) -> Actor:
    """The actor a received change is recorded as: the peer, its party and the sender's entry id."""
    kind = f"returned-{node.returned_by}" if node.returned_by else f"peer-{node.party_code}"
    return Actor(None, node.get_username()[:200], f"{kind}-{entry}"[:64], user=node)
