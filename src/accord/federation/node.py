"""The party this node acts for, and the actor a peer's changes are applied as.

Until the transport half (node identity) is merged, the node's party is the setting ACCORD_NODE_PARTY (a party
code); unset, the installation is hosted: it keeps every side and nothing is read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from accord.core.actor import Actor
from accord.core.visibility import Principal

ACTOR_PREFIX = "peer:"  # no account name holds a colon, so no user's change is taken for a peer's


def local_party_code() -> str | None:
    return getattr(settings, "ACCORD_NODE_PARTY", "") or None


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
        _ids[code] = found
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

    def __post_init__(self) -> None:
        sides = frozenset({self.party_id})
        # core.visibility.principal() reads this cached principal: the node's rights are exactly its party's.
        self._accord_principal = Principal(is_authenticated=True, parties=sides, coordinates=sides, signs_for=sides)

    def get_username(self) -> str:
        return f"{peer_actor_prefix(self.party_code)}{self.peer_name}"

    def __str__(self) -> str:
        return self.get_username()


def peer_actor(node: PeerNode, entry: Any) -> Actor:
    """The actor a received change is recorded as: the peer, its party and the sender's entry id."""
    return Actor(None, node.get_username()[:200], f"peer-{node.party_code}-{entry}"[:64], user=node)
