"""The seam between the transport (nodes, peers, signed and numbered messages) and the content (changes).

The transport calls these two functions and treats a change's body as opaque JSON: it signs it, numbers it per
peer, carries it by file or HTTP, checks signature, order and replay on arrival, then hands it over here.

- `outgoing_changes(peer_party, after_entry, limit)`: the changes of our own audit chain after entry id
  `after_entry` that the node acting for `peer_party` (a party code) may receive, oldest first, at most `limit`.
  Each is a JSON-able dict with at least `"entry": <our ChangeRecord id>` (the transport's cursor moves to the
  last one it sent). Internal records never appear; only records of agreements whose parties include
  `peer_party` (and the parties and directory records those need).
- `apply_change(body, sender_party, peer_name)`: apply one change received from the node acting for
  `sender_party`, through the domain's services, recorded in our audit chain as coming from that peer. Raises
  `ChangeRefused(reason)` when it must not be applied (a record the sender does not own, a malformed body, a
  change against a stale base: the caller rolls back and holds the peer's later messages). Runs inside the
  caller's transaction.
- `apply_changes(bodies, sender_party, peer_name)`: the same for several changes, in order, all or nothing (the
  transport hands over every message of a batch that is next in order at once); a refusal's `index` names the
  body refused. Runs of creates of one kind are applied set-based (federation.apply).

- `apply_returned(bodies, peer_name, peer_party)`: recovery. Our own party's changes, which this node sent and then
  lost (restored from an older backup), returned by the peer that applied them (the transport checked they are
  signed by our own key): applied again like apply_changes, as our own party's, recorded as returned by that
  peer.

The content half (federation.changes, federation.apply; docs/federation-content.md): a body is
`{"format": "accord-change/1", "entry", "kind", "uid", "action", "base_version", "version", "owner", "fields"}`,
every reference in `fields` a global id. A change to a shared record made on another version than ours is not
refused but recorded as a Conflict (returned normally, so that it is kept and the peer's later messages go on);
both sides see it and it is decided in the pages. The node's own party is `federation.node.local_party()`
(the setting ACCORD_NODE_PARTY until the transport's node identity provides it).
"""

from __future__ import annotations

from typing import Any


class ChangeRefused(Exception):
    """A received change that must not be applied; `reason` is shown to administrators and logged."""

    def __init__(self, reason: str, index: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.index = index  # apply_changes: which of the bodies was refused


def outgoing_changes(peer_party: str, after_entry: int, limit: int) -> list[dict[str, Any]]:
    from accord.federation.changes import outgoing_changes as impl

    return impl(peer_party, after_entry, limit)


def apply_change(body: dict[str, Any], sender_party: str, peer_name: str) -> None:
    from accord.federation.apply import apply_change as impl

    impl(body, sender_party, peer_name)


def apply_changes(bodies: list[dict[str, Any]], sender_party: str, peer_name: str) -> None:
    from accord.federation.apply import apply_changes as impl

    impl(bodies, sender_party, peer_name)


def apply_returned(bodies: list[dict[str, Any]], peer_name: str, peer_party: str) -> None:
    from accord.federation.apply import apply_returned as impl

    impl(bodies, peer_name, peer_party)
