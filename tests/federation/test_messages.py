"""Receiving a peer's messages: in order, all or nothing; tampered, replayed, unknown and out-of-order input
refused with nothing applied (in the database), the reason kept for administrators."""

from __future__ import annotations

import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accord.accounts.models import SecurityEvent
from accord.federation import envelope, services
from accord.federation.models import HeldMessage, InMessage, Node, OutMessage, Peer, Refusal
from tests.federation.conftest import FakePeer, people

pytestmark = pytest.mark.django_db


# --- the node and its peers ----------------------------------------------------------------------------------


def test_node_init_keeps_the_key_in_the_data_dir_and_show_prints_it(settings, tmp_path, capsys):
    settings.DATA_DIR = tmp_path
    assert services.this_node() is None  # hosted mode until a node is made
    call_command("node", "init", "--party", "cn", "--url", "http://127.0.0.1:8001/")
    key_file = tmp_path / envelope.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    capsys.readouterr()
    call_command("node", "show", "--json")
    shown = json.loads(capsys.readouterr().out)
    assert set(shown) == {"party", "node_id", "public_key", "fingerprint", "url"}
    node = Node.objects.get()
    assert shown["party"] == "CN" and shown["url"] == "http://127.0.0.1:8001"
    assert shown["node_id"] == node.node_id == envelope.node_id_of(shown["public_key"])
    assert envelope.load_key(tmp_path).public_key() is not None
    with pytest.raises(CommandError, match="already a node"):
        call_command("node", "init", "--party", "CN")


def test_node_show_without_a_node_says_hosted(settings, tmp_path, db):
    settings.DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="hosted"):
        call_command("node", "show")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--key", "not-base64"], "key: not an Ed25519 public key"),
        (["--key", "AAAA"], "key: not an Ed25519 public key"),
        (["--key", "{own}", "--party", "SU"], "own key"),
        (["--key", "{other}", "--party", "CN"], "acts for CN itself"),
        (["--key", "{other}"], "give the party"),
    ],
)
def test_peer_add_refuses_bad_input(node, args, message):
    own = node.public_key
    other = FakePeer(node.node_id).public_key
    args = [a.format(own=own, other=other) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("peer", "add", "su", *args)
    assert not Peer.objects.exists()


def test_peer_add_list_remove(node, capsys):
    other = FakePeer(node.node_id)
    call_command("peer", "add", "su", "--key", other.public_key, "--party", "SU", "--url", "http://127.0.0.1:8002")
    with pytest.raises(CommandError, match="already"):
        call_command("peer", "add", "su2", "--key", other.public_key, "--party", "SU")
    capsys.readouterr()
    call_command("peer", "list")
    out = capsys.readouterr().out
    assert "su  party SU  http://127.0.0.1:8002" in out and "0 waiting" in out
    call_command("peer", "remove", "su")
    assert not Peer.objects.exists()
    with pytest.raises(CommandError, match="no peer named su"):
        call_command("peer", "remove", "su")


# --- receiving ---------------------------------------------------------------------------------------------


def test_messages_are_applied_in_order_once(su, applied):
    got = services.receive_batch(su.of(1, 2, 3), channel="file")
    assert got.applied == [1, 2, 3]
    assert [b["name"] for b, party, name in applied] == ["person 1", "person 2", "person 3"]
    assert {(party, name) for _, party, name in applied} == {("SU", "su")}
    peer = Peer.objects.get(name="su")
    assert peer.in_seq == 3 and peer.head_entry == 41 and peer.last_received_at is not None
    assert list(InMessage.objects.values_list("seq", "entry")) == [(1, 101), (2, 102), (3, 103)]
    # The same batch again (a file imported twice, a push repeated): nothing applied twice.
    again = services.receive_batch(su.of(1, 2, 3), channel="file")
    assert again.applied == [] and again.duplicates == 3 and len(applied) == 3
    assert not Refusal.objects.exists()


def test_the_changes_are_recorded_as_coming_from_the_peer(su, applied):
    from accord.core.models import ChangeRecord

    services.receive_batch(su.of(1), channel="file")
    entry = ChangeRecord.objects.order_by("-pk").first()
    assert entry.actor_name == "peer:su" and entry.request_id == "federation:su:1"


def test_a_file_with_one_changed_byte_is_refused_first_and_changes_nothing(su, applied, tmp_path):
    data = su.of(1, 2)
    at = data.index(b"person 2") + 7
    changes = (data[:at] + b"3" + data[at + 1 :], data[:10] + b"X" + data[11:], data.replace(b'"seq":2', b'"seq":3'))
    for changed in changes:
        path = tmp_path / "in.json"
        path.write_bytes(changed)
        with pytest.raises(CommandError, match="refused, nothing applied"):
            call_command("inbox", "import", str(path))
    assert applied == [] and people("person 1", "person 2") == []
    assert Peer.objects.get(name="su").in_seq == 0
    assert Refusal.objects.exists() and Peer.objects.get(name="su").last_error
    path.write_bytes(data)
    call_command("inbox", "import", str(path))
    assert people("person 1", "person 2") == ["person 1", "person 2"]


def test_a_message_signed_by_another_key_inside_a_signed_batch_is_refused(su, applied):
    forger = FakePeer(su.recipient)
    forged = forger.message(2)
    forged["from"] = su.node_id
    with pytest.raises(services.Refused, match="message 2: its signature does not hold"):
        services.receive_batch(su.batch([su.message(1), forged]), channel="file")
    assert applied == [] and people("person 1") == []


def test_unknown_and_removed_keys_get_nothing(su, node, applied):
    stranger = FakePeer(node.node_id)
    with pytest.raises(services.Refused, match="not a trusted peer"):
        services.receive_batch(stranger.of(1), channel="http")
    refusal = Refusal.objects.get()
    assert refusal.peer is None and refusal.sender == stranger.node_id
    assert SecurityEvent.objects.filter(channel="federation", detail__contains="not a trusted peer").exists()
    services.remove_peer("su")
    with pytest.raises(services.Refused, match="not a trusted peer"):
        services.receive_batch(su.of(1), channel="file")
    assert applied == [] and people("person 1") == []


def test_a_batch_for_another_node_is_refused(su, applied):
    su.recipient = "f" * 32
    with pytest.raises(services.Refused, match="addressed to node"):
        services.receive_batch(su.of(1), channel="file")
    assert applied == []


def test_a_replayed_number_with_other_content_is_refused_and_nothing_applied(su, applied):
    services.receive_batch(su.of(1), channel="file")
    replay = su.batch([su.message(1, {"entry": 999, "name": "impostor"}), su.message(2)])
    with pytest.raises(services.Refused, match="message 1: another message under a number already applied"):
        services.receive_batch(replay, channel="http")
    assert people("impostor", "person 2") == [] and Peer.objects.get(name="su").in_seq == 1


def test_a_gap_holds_the_later_messages_until_it_is_filled(su, applied):
    got = services.receive_batch(su.of(3, 4), channel="http")
    assert got.applied == [] and got.held == [3, 4] and got.expected == 1
    assert applied == [] and people("person 3", "person 4") == []
    assert "gap: message 1 is missing" in Refusal.objects.get().reason
    assert "gap" in Peer.objects.get(name="su").last_error
    got = services.receive_batch(su.of(2), channel="http")
    assert got.applied == [] and got.held == [2, 3, 4]
    got = services.receive_batch(su.of(1), channel="http")
    assert got.applied == [1, 2, 3, 4] and not got.held
    assert [b["name"] for b, _, _ in applied] == ["person 1", "person 2", "person 3", "person 4"]
    assert not HeldMessage.objects.exists() and Peer.objects.get(name="su").in_seq == 4


def test_a_refused_change_rolls_the_whole_batch_back(su, applied):
    batch = su.batch([su.message(1), su.message(2, {"entry": 102, "name": "theirs", "refuse": "not SU's record"})])
    with pytest.raises(services.Refused, match="message 2: not SU's record"):
        services.receive_batch(batch, channel="file")
    assert people("person 1", "theirs") == []  # message 1 was applied, then rolled back with the batch
    peer = Peer.objects.get(name="su")
    assert peer.in_seq == 0 and not InMessage.objects.exists()
    assert Refusal.objects.get().seq == 2 and "not SU's record" in peer.last_error


@pytest.mark.parametrize(
    "data",
    [b"", b"[]", b"{not json", b'{"protocol":"accord-federation/1","type":"batch"}', "é".encode("latin-1")],
)
def test_malformed_input_is_refused(su, applied, data):
    with pytest.raises(services.Refused, match="malformed"):
        services.receive_batch(data, channel="http")
    assert applied == []


def test_messages_out_of_order_in_a_batch_are_refused(su, applied):
    obj = json.loads(su.of(1, 2))
    obj["messages"].reverse()
    resigned = envelope.canonical(envelope.signed(su.key, obj))
    with pytest.raises(services.Refused, match="ascending order"):
        services.receive_batch(resigned, channel="file")
    assert applied == []


# --- sending -----------------------------------------------------------------------------------------------


def test_outgoing_changes_become_numbered_signed_messages_once(su, node, outgoing):
    peer = Peer.objects.get(name="su")
    outgoing.extend({"entry": e, "what": f"change {e}"} for e in (5, 9, 12))
    assert services.prepare_outbox(peer) == 3
    assert services.prepare_outbox(peer) == 0
    peer.refresh_from_db()
    assert (peer.out_seq, peer.out_cursor) == (3, 12)
    rows = list(OutMessage.objects.filter(peer=peer).order_by("seq"))
    for seq, row in enumerate(rows, 1):
        message = json.loads(row.envelope)
        assert row.envelope.encode() == envelope.canonical(message)
        assert envelope.signature_ok(node.public_key, message)
        assert (message["seq"], message["from"], message["to"]) == (seq, node.node_id, su.node_id)
        assert message["head"] == services.current_head()
    outgoing.append({"entry": 20, "what": "later"})
    assert services.prepare_outbox(peer) == 1
    assert OutMessage.objects.get(peer=peer, seq=4).envelope.count("later") == 1


def test_outbox_export_writes_one_signed_file_of_what_waits(su, node, outgoing, tmp_path, capsys):
    outgoing.extend({"entry": e} for e in (5, 9))
    path = tmp_path / "out.json"
    call_command("outbox", "export", "su", "-o", str(path))
    data = path.read_bytes()
    batch = envelope.check_batch(envelope.parse_json(data, strict=True))
    assert envelope.signature_ok(node.public_key, batch)
    assert [m["seq"] for m in batch["messages"]] == [1, 2] and batch["to"] == su.node_id
    assert batch["ack"] == {"seq": 0, "head": None} and batch["head"] == services.current_head()
    # The peer acknowledges 1: the next file holds 2 only. It then says it holds none (restored from a backup
    # older than both): both are sent again.
    services.receive_batch(su.batch([], ack={"seq": 1, "head": None}), channel="file")
    call_command("outbox", "export", "su", "-o", str(path))
    assert [m["seq"] for m in json.loads(path.read_bytes())["messages"]] == [2]
    services.receive_batch(su.batch([], ack={"seq": 0, "head": None}), channel="file")
    call_command("outbox", "export", "su", "-o", str(path))
    assert [m["seq"] for m in json.loads(path.read_bytes())["messages"]] == [1, 2]


def test_hosted_mode_sends_nothing_and_refuses_files(db, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    with pytest.raises(CommandError, match="not a node"):
        call_command("sync")
    with pytest.raises(services.Refused, match="not a node"):
        services.receive_batch(FakePeer("0" * 32).of(1), channel="file")
