"""Recovery of a *sender* restored from an older backup (docs/federation.md, "Recovery").

China's node is this test database, with the real content half (what travels, how it is applied); the Soviet
node is played by the test (`SovietNode`): it keeps, as the real one does in InMessage.envelope, every message of
China's it applied, refuses another message under a number it applied, and returns China's lost messages when
asked. The Soviet side's own half (keeping the envelopes, answering return_from) is tested with the real services
at the end, China then played by the test.

The restore is a savepoint: taken as the backup, rolled back to as the restore, so that every row of China's
database (records, audit chain, peer row, outbox) is exactly as the backup held it.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from accord.core import services as records
from accord.core.models import ChangeRecord, Visibility
from accord.core.verify import verify
from accord.directory.models import Organisation
from accord.federation import envelope, services
from accord.federation.models import InMessage, Peer
from tests.federation.conftest import FakePeer

pytestmark = pytest.mark.django_db


class SovietNode(FakePeer):
    """The peer, as far as China's node can tell: China's messages it applied (exactly as signed), its
    acknowledgement, China's head it holds, and what China asked it to return."""

    def __init__(self, recipient: str) -> None:
        super().__init__(recipient, "SU")
        self.applied: dict[int, dict[str, Any]] = {}
        self.cn_head: dict[str, Any] | None = None
        self.return_from: int | None = None

    def take(self, data: bytes) -> list[int]:
        """Import China's file as the real node does: all or nothing, in order; the numbers applied."""
        batch = envelope.check_batch(envelope.parse_json(data, strict=True))
        self.return_from = batch["ack"].get("return_from")
        done = []
        for m in batch["messages"]:
            known = self.applied.get(m["seq"])
            if known is not None:
                if envelope.canonical(known) != envelope.canonical(m):
                    raise AssertionError(f"refused: message {m['seq']}: another message under a number already applied")
                continue
            assert m["seq"] == len(self.applied) + 1, "in order"
            self.applied[m["seq"]] = m
            done.append(m["seq"])
        self.cn_head = batch["head"]
        return done

    def file(self, *, returned: list[dict[str, Any]] | None = None) -> bytes:
        """Its file for China: no messages of its own, its acknowledgement, and (when asked) China's own back."""
        if returned is None and self.return_from is not None:
            returned = [self.applied[s] for s in sorted(self.applied) if s >= self.return_from]
        ack = {"seq": len(self.applied), "head": self.cn_head}
        batch = envelope.make_batch(self.key, self.node_id, self.recipient, self.head, ack, [], returned=returned)
        return envelope.canonical(batch) + b"\n"


@pytest.fixture
def cn(seed, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.ACCORD_NODE_PARTY = "CN"
    return services.init_node("CN")


@pytest.fixture
def su(cn) -> SovietNode:
    peer = SovietNode(cn.node_id)
    services.add_peer("su", "", peer.public_key, "SU")
    return peer


def peer() -> Peer:
    return Peer.objects.get(name="su")


def export() -> bytes:
    data, _n = services.export_outbox(peer())
    return data


def take(data: bytes) -> services.Received:
    return services.receive_batch(data, channel="file")


def institute(seed: Any, name: str) -> Organisation:
    return records.create(
        Organisation, party=seed.cn, owner_party=seed.cn, visibility=Visibility.BILATERAL, kind="institute",
        name={"en": name},
    )  # fmt: skip


def bodies(data: bytes) -> list[dict[str, Any]]:
    return [m["body"] for m in envelope.parse_json(data, strict=True)["messages"]]


@pytest.fixture
def restored(seed, cn, su):
    """China's node sent the seed and two changes of its own (an institute made, then renamed) that the Soviet
    node applied; then China was restored from the backup taken before those two; then it made a new change.
    Returns (the lost institute's uid, the new one's uid, M, N)."""
    su.take(export())
    take(su.file())  # acknowledged
    m = peer().out_seq
    backup = transaction.savepoint()
    lost = institute(seed, "Institute of Lost Work")
    records.update(lost, expected_version=1, name={"en": "Institute of Lost Work, renamed"})
    sent = export()
    assert [b["uid"] for b in bodies(sent)] == [str(lost.uid), str(lost.uid)]
    assert su.take(sent) == [m + 1, m + 2]
    transaction.savepoint_rollback(backup)  # the restore: every row as the backup held it
    assert not Organisation.objects.filter(uid=lost.uid).exists() and peer().out_seq == m
    new = institute(seed, "Institute of Work after the Restore")
    return lost.uid, new.uid, m, m + 2


def test_a_restored_sender_gets_its_lost_changes_back_by_files_and_nothing_twice(seed, cn, su, restored):
    lost_uid, new_uid, m, n = restored
    # Round 1, China → Soviet: its new change under M+1, a number the Soviet node applied: refused, nothing applied.
    first = export()
    with pytest.raises(AssertionError, match="another message under a number already applied"):
        su.take(first)
    # Round 2, Soviet → China: its acknowledgement says N, more than China numbered: China asks, sends nothing new.
    take(su.file())
    p = peer()
    assert (p.lost_from, p.lost_through) == (m + 1, n)
    assert p.last_error == (
        f"su holds our messages through {n}, we numbered through {m + 1}: this node was restored from an older "
        f"backup; asking su to return {m + 1}–{n}"
    )
    assert verify().ok  # the head of our lost history it acknowledged is not taken as witnessed
    # Round 3, China → Soviet: the ask (ack.return_from), no message.
    ask = envelope.parse_json(export(), strict=True)
    assert ask["ack"]["return_from"] == m + 1 and ask["messages"] == []
    su.take(envelope.canonical(ask))
    # Round 4, Soviet → China: China's own messages M+1..N, as China signed them, applied again.
    entries = ChangeRecord.objects.count()
    returned_file = su.file()
    got = take(returned_file)
    assert got.returned == 2 and got.applied == []
    lost = Organisation.objects.get(uid=lost_uid)
    assert lost.name == {"en": "Institute of Lost Work, renamed"} and lost.version == 2
    again = list(ChangeRecord.objects.filter(pk__gt=0).order_by("-pk")[:2])
    assert ChangeRecord.objects.count() == entries + 2
    assert {e.actor_name for e in again} == {"peer:SU:su (returned CN's own)"}
    p = peer()
    assert (p.lost_from, p.lost_through, p.out_seq, p.last_error) == (None, None, n + 1, "")
    outbox = dict(p.outbox.filter(seq__gt=m).values_list("seq", "envelope"))
    assert [outbox[s] for s in (m + 1, n)] == [envelope.canonical(su.applied[s]).decode() for s in (m + 1, n)]
    # The same file again: nothing.
    assert take(returned_file).returned == 0
    assert ChangeRecord.objects.count() == entries + 2 and peer().out_seq == n + 1
    # Round 5, China → Soviet: its new change, numbered again N+1 (the returned ones are not sent again).
    last = export()
    assert [(b["uid"], b["action"]) for b in bodies(last)] == [(str(new_uid), "create")]
    assert "return_from" not in envelope.parse_json(last, strict=True)["ack"]
    assert su.take(last) == [n + 1]
    take(su.file())
    assert peer().outbox.filter(acked_at__isnull=True).count() == 0
    assert services.export_outbox(peer())[1] == 0
    assert verify().ok, verify().problems


def test_one_sync_over_http_recovers(seed, cn, su, restored, monkeypatch):
    """`accord sync` (push, pull, push), the Soviet node answering as its endpoints do."""
    from accord.federation import transport

    lost_uid, new_uid, m, n = restored
    asked = []

    def post(peer_: Peer, path: str, body: bytes) -> bytes:
        if path == transport.PULL_PATH:
            return su.file()
        refused = None
        try:
            su.take(body)
        except AssertionError as exc:
            refused = str(exc)
        asked.append(su.return_from)
        ack = {"seq": len(su.applied), "head": su.cn_head}
        answer = {"protocol": envelope.PROTOCOL, "type": "ack", "from": su.node_id, "to": cn.node_id, "ack": ack,
                  "applied": 0, "duplicates": 0, "held": [], "refused": refused}  # fmt: skip
        return envelope.canonical(envelope.signed(su.key, answer))

    monkeypatch.setattr(transport, "_post", post)
    transport.sync(peer())
    # Refused; the ask (no message); after the pull returned them, the renumbered change (and the push's last
    # round, with nothing left).
    assert asked[:3] == [None, m + 1, None] and set(asked[3:]) <= {None}
    assert Organisation.objects.get(uid=lost_uid).version == 2
    assert [su.applied[s]["body"]["uid"] for s in (n + 1,)] == [str(new_uid)]
    p = peer()
    assert (p.lost_from, p.out_seq, p.last_error) == (None, n + 1, "")
    assert p.outbox.filter(acked_at__isnull=True).count() == 0
    assert verify().ok


def test_a_returned_message_not_signed_by_us_is_refused_and_nothing_applied(seed, cn, su, restored):
    lost_uid, _new, m, n = restored
    take(su.file())  # asks
    forged = [su.message(s, body=su.applied[s]["body"]) for s in (m + 1, n)]
    for m_ in forged:  # as if from China to the Soviet node, but signed by the Soviet key
        m_.update({"from": cn.node_id, "to": su.node_id})
        m_.update(envelope.signed(su.key, m_))
    with pytest.raises(services.Refused, match=f"returned message {m + 1}: its signature does not hold"):
        take(su.file(returned=forged))
    assert not Organisation.objects.filter(uid=lost_uid).exists()
    assert peer().lost_from == m + 1


def test_a_gap_in_the_returned_messages_is_refused_and_nothing_applied(seed, cn, su, restored):
    lost_uid, _new, m, n = restored
    take(su.file())
    for run in ([su.applied[m + 1]], [su.applied[n]]):
        with pytest.raises(services.Refused, match=f"not the run {m + 1}–{n} this node asked for"):
            take(su.file(returned=run))
        assert not Organisation.objects.filter(uid=lost_uid).exists()
    assert peer().lost_from == m + 1


def test_returned_messages_not_asked_for_are_refused(seed, cn, su):
    su.take(export())
    take(su.file())
    other = institute(seed, "Institute")
    message = envelope.make_message(
        services.node_key(), cn.node_id, su.node_id, peer().out_seq + 1, services.current_head(), {"entry": 1}
    )
    with pytest.raises(services.Refused, match="this node did not ask for them"):
        take(su.file(returned=[message]))
    assert Organisation.objects.filter(uid=other.uid).exists()


def test_a_node_that_was_not_restored_never_asks(seed, cn, su):
    su.take(export())
    take(su.file())
    institute(seed, "Institute of Ordinary Work")
    sent = export()
    assert "return_from" not in envelope.parse_json(sent, strict=True)["ack"]
    su.take(sent)
    take(su.file())
    p = peer()
    assert (p.lost_from, p.last_error) == (None, "")
    assert "return_from" not in envelope.parse_json(export(), strict=True)["ack"]


def test_the_federation_page_shows_the_wait(seed, cn, su, restored, client, django_user_model):
    _lost, _new, m, n = restored
    take(su.file())
    admin = django_user_model.objects.create_superuser("fed-admin", "a@example.org", "pw")
    client.force_login(admin)
    text = client.get("/federation/").content.decode()
    assert f"waiting for su to return messages {m + 1}–{n}" in text


# --- the peer's half: keeping what it applied, returning it when asked ---------------------------------------


@pytest.fixture
def su_node(db, settings, tmp_path):
    """This database as the Soviet node; China played by the test."""
    settings.DATA_DIR = tmp_path
    node = services.init_node("SU")
    china = FakePeer(node.node_id, party="CN")
    services.add_peer("cn", "", china.public_key, "CN")
    return china


def test_the_peer_keeps_each_message_applied_and_returns_them_when_asked(su_node, applied):
    china = su_node
    sent = [china.message(s) for s in (1, 2, 3)]
    take(china.batch(sent))
    kept = list(InMessage.objects.order_by("seq").values_list("envelope", flat=True))
    assert kept == [envelope.canonical(m).decode() for m in sent]
    cn_peer = Peer.objects.get(name="cn")
    assert "returned" not in envelope.parse_json(services.export_outbox(cn_peer)[0], strict=True)
    # China, restored with its numbering at 1, asks for 2 onwards.
    take(china.batch([], ack={"seq": 0, "head": None, "return_from": 2}))
    out = envelope.parse_json(services.export_outbox(Peer.objects.get(name="cn"))[0], strict=True)
    assert out["returned"] == sent[1:]
    assert all(envelope.signature_ok(china.public_key, m) for m in out["returned"])
    # China's next batch without the ask: nothing returned any more; nothing was applied twice.
    take(china.batch([], ack={"seq": 0, "head": None}))
    assert "returned" not in envelope.parse_json(services.export_outbox(Peer.objects.get(name="cn"))[0], strict=True)
    assert len(applied) == 3 and InMessage.objects.count() == 3


def test_the_peer_cannot_return_messages_it_applied_before_they_were_kept(su_node, applied):
    china = su_node
    take(china.batch([china.message(s) for s in (1, 2)]))
    InMessage.objects.filter(seq=1).update(envelope="")
    take(china.batch([], ack={"seq": 0, "head": None, "return_from": 1}))
    out = envelope.parse_json(services.export_outbox(Peer.objects.get(name="cn"))[0], strict=True)
    assert "returned" not in out
    assert "did not keep message 1" in Peer.objects.get(name="cn").last_error


def test_old_batches_without_the_new_members_stay_valid_and_new_ones_are_checked():
    head = {"entry": 0, "hash": "0" * 64}
    base = {"protocol": envelope.PROTOCOL, "type": "batch", "from": "a", "to": "b", "at": 1, "head": head,
            "ack": {"seq": 0, "head": None}, "messages": [], "signature": "x"}  # fmt: skip
    envelope.check_batch(dict(base))
    envelope.check_batch({**base, "ack": {"seq": 3, "head": None, "return_from": 2}})
    with pytest.raises(envelope.Malformed, match="return_from is a positive integer"):
        envelope.check_batch({**base, "ack": {"seq": 3, "head": None, "return_from": 0}})
    with pytest.raises(envelope.Malformed, match="returned is a non-empty list"):
        envelope.check_batch({**base, "returned": []})
    with pytest.raises(envelope.Malformed, match="returned messages are not in ascending order"):
        envelope.check_batch({**base, "returned": [{"seq": 2}, {"seq": 1}]})
