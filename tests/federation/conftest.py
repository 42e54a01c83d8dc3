"""Our node, and a peer played by the test: its own key, signing the batches and messages it sends us.

`accord.federation.protocol`'s two functions are replaced by fakes (the content half has its own tests, in
content/): what travels is a list the test fills, and applying a change creates a person through the
directory's service, so "nothing applied" is checked in the database.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from accord.directory.models import Person
from accord.directory.services import create_person
from accord.federation import envelope, protocol, services
from accord.signing.crypto import b64, raw_public
from tests.federation.nodes import empty_node_template
from tests.reliability.conftest import Instance


class FakePeer:
    """The other party's node as the test plays it."""

    def __init__(self, recipient: str, party: str = "SU") -> None:
        self.key = Ed25519PrivateKey.generate()
        self.public_key = b64(raw_public(self.key.public_key()))
        self.node_id = envelope.node_id_of(self.public_key)
        self.recipient = recipient
        self.party = party
        self.head = {"entry": 41, "hash": "a" * 64}

    def message(self, seq: int, body: dict[str, Any] | None = None) -> dict[str, Any]:
        body = body if body is not None else {"entry": 100 + seq, "name": f"person {seq}"}
        return envelope.make_message(self.key, self.node_id, self.recipient, seq, self.head, body)

    def batch(self, messages: list[dict[str, Any]], *, ack: dict[str, Any] | None = None) -> bytes:
        ack = ack if ack is not None else {"seq": 0, "head": None}
        return envelope.canonical(envelope.make_batch(self.key, self.node_id, self.recipient, self.head, ack, messages))

    def of(self, *seqs: int) -> bytes:
        return self.batch([self.message(s) for s in seqs])


@pytest.fixture
def node(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return services.init_node("CN", "http://cn.example")


@pytest.fixture
def su(node) -> FakePeer:
    peer = FakePeer(node.node_id)
    services.add_peer("su", "", peer.public_key, "SU")
    return peer


@pytest.fixture
def applied(monkeypatch) -> list[tuple[dict[str, Any], str, str]]:
    """What apply_change received, in order; each change creates a person named as its body says (refused when
    its body says so, after writing: the refusal must roll that back)."""
    seen: list[tuple[dict[str, Any], str, str]] = []

    def apply_change(body: dict[str, Any], sender_party: str, peer_name: str) -> None:
        create_person(name={"en": body["name"]})
        seen.append((body, sender_party, peer_name))
        if body.get("refuse"):
            raise protocol.ChangeRefused(body["refuse"])

    def apply_changes(bodies: list[dict[str, Any]], sender_party: str, peer_name: str) -> None:
        for index, body in enumerate(bodies):
            try:
                apply_change(body, sender_party, peer_name)
            except protocol.ChangeRefused as exc:
                exc.index = index
                raise

    monkeypatch.setattr(protocol, "apply_change", apply_change)
    monkeypatch.setattr(protocol, "apply_changes", apply_changes)
    return seen


@pytest.fixture
def outgoing(monkeypatch) -> list[dict[str, Any]]:
    """The changes our chain offers the peer: the test appends bodies (with increasing "entry")."""
    changes: list[dict[str, Any]] = []

    def outgoing_changes(peer_party: str, after_entry: int, limit: int) -> list[dict[str, Any]]:
        return [c for c in changes if c["entry"] > after_entry][:limit]

    monkeypatch.setattr(protocol, "outgoing_changes", outgoing_changes)
    return changes


def people(*names: str) -> list[str]:
    """Which of these people exist (in the database)."""
    return [n for n in names if Person.objects.filter(name__en=n).exists()]


@pytest.fixture(scope="session")
def empty_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Instance]:
    """The two-node modules' Soviet node before its first start, built once per test process (nodes.py)."""
    with empty_node_template(tmp_path_factory.mktemp("federation")) as template:
        yield template
