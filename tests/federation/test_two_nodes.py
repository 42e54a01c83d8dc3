"""Two real installations, each its own node: `accord serve` for China on SQLite (the demo) and for the Soviet side
on PostgreSQL (on SQLite too when no server is at hand), empty, taking over its side's records; two data
dirs, two ports. They trust each other's key, sync over HTTP (the shared records travel, chain heads are
witnessed), refuse a request from an unknown key and a file with one changed byte, and `accord verify` stays ok
on both."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from accord.federation import envelope
from accord.signing.crypto import b64, raw_public
from tests.federation.nodes import head, su_vendor, two_nodes
from tests.reliability.conftest import Instance, serving

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("federation-two-nodes")]


@pytest.fixture
def nodes(tmp_path: Path, installation_template: Path, empty_node: Instance) -> Iterator[tuple[Instance, Instance]]:
    with two_nodes(tmp_path, installation_template, empty_node) as pair:
        yield pair


def _post_signed_by_a_stranger(url: str, body: bytes) -> tuple[int, dict, str]:
    key = Ed25519PrivateKey.generate()
    node_id = envelope.node_id_of(b64(raw_public(key.public_key())))
    stamp = str(int(time.time()))
    path = "/federation/v1/push"
    request = urllib.request.Request(
        url + path,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accord-Node": node_id,
            "Accord-Timestamp": stamp,
            "Accord-Signature": envelope.sign_text(key, envelope.request_text("POST", path, stamp, body)),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as r:
            return r.status, json.loads(r.read()), node_id
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), node_id


def test_two_nodes_exchange_chain_heads_and_refuse_strangers_and_tampered_files(nodes, tmp_path):
    cn, su = nodes
    assert su.vendor == su_vendor()
    with ExitStack() as stack:
        # The Soviet node starts empty (migrated, no demo) and takes over its side's records from China's file.
        handover = {"ACCORD_FEDERATION_HANDOVER": "1"}
        su_server = stack.enter_context(serving(su, workers=2, extra_env=handover, extra_args=("--no-demo",)))
        cn_server = stack.enter_context(serving(cn, workers=2))
        cn.accord("node", "init", "--party", "CN", "--url", cn_server.url)
        su.accord("node", "init", "--party", "SU", "--url", su_server.url)
        cn_node = json.loads(cn.accord("node", "show", "--json").stdout)
        su_node = json.loads(su.accord("node", "show", "--json").stdout)
        assert cn_node["node_id"] != su_node["node_id"]
        assert (cn.data_dir / "node_key").stat().st_mode & 0o077 == 0

        # China asks the Soviet node which party it acts for; the Soviet operator says it.
        added = cn.accord("peer", "add", "su", "--url", su_server.url, "--key", su_node["public_key"]).stdout
        assert "party SU" in added and su_node["fingerprint"] in added
        su.accord("peer", "add", "cn", "--url", cn_server.url, "--key", cn_node["public_key"], "--party", "CN")

        # Sync both ways: each holds the other's chain head, and China's head the Soviet node acknowledged is
        # witnessed on China's side.
        cn.accord("sync", "su")
        su.accord("sync", "cn")
        cn.accord("sync")

        # What China shares travelled over HTTP: the Protocol and the signed 1960 plan with both signatures.
        def uids(instance: Instance, table: str) -> set[str]:
            return {str(u).replace("-", "") for (u,) in instance.sql(f"SELECT uid FROM {table}")}

        assert uids(su, "agreements_agreement") and uids(su, "agreements_agreement") <= uids(cn, "agreements_agreement")
        assert len(uids(su, "agreements_signature")) >= 2
        assert uids(su, "agreements_signature") <= uids(cn, "agreements_signature")
        cn_head, su_head = head(cn), head(su)
        assert su.sql("SELECT head_entry, head_hash FROM federation_peer WHERE name = 'cn'") == [cn_head]
        assert cn.sql("SELECT head_entry, head_hash FROM federation_peer WHERE name = 'su'") == [su_head]
        assert cn_head in cn.sql("SELECT entry, hash FROM federation_ackedhead")
        assert su_head in su.sql("SELECT entry, hash FROM federation_ackedhead")
        listing = cn.accord("peer", "list").stdout
        assert "su  party SU" in listing and f"its chain head: #{su_head[0]} {su_head[1]}" in listing

        # A key neither trusts gets nothing, and the refusal is kept for the administrators.
        received = su.sql("SELECT count(*) FROM federation_inmessage")
        assert received[0][0] > 0  # China's messages
        status, answer, stranger = _post_signed_by_a_stranger(su_server.url, b"{}")
        assert status == 403 and answer["code"] == "unknown-node"
        assert su.sql("SELECT count(*) FROM federation_inmessage") == received
        refusals = su.sql(f"SELECT reason FROM federation_refusal WHERE sender = '{stranger}'")
        assert len(refusals) == 1 and "not a trusted peer" in refusals[0][0]

        # By file: one changed byte is refused first and changes nothing; the file itself is taken, twice alike.
        outfile = tmp_path / "cn-to-su.json"
        cn.accord("outbox", "export", "su", "-o", str(outfile))
        data = outfile.read_bytes()
        at = data.index(b'"at":') + 6
        tampered = tmp_path / "tampered.json"
        tampered.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
        before = su.sql("SELECT head_entry, head_hash, head_at, in_seq FROM federation_peer WHERE name = 'cn'")
        refused = su.accord("inbox", "import", str(tampered), check=False)
        assert refused.returncode != 0 and "refused, nothing applied" in refused.stderr
        assert su.sql("SELECT head_entry, head_hash, head_at, in_seq FROM federation_peer WHERE name = 'cn'") == before
        for _ in range(2):
            assert "0 applied" in su.accord("inbox", "import", str(outfile)).stdout

        for server in (su_server, cn_server):
            assert "Traceback" not in server.log_text()
        # The witnessed heads are still in each chain: verify is ok on both.
        assert cn.accord("verify").stdout.startswith("ok")
        assert su.accord("verify").stdout.startswith("ok")
