"""`kill -9` in the middle of a sync over HTTP, on either side, then a restart: nothing lost, nothing applied twice.

China's node (the demo installation) pushes everything it shares to an empty Soviet node, several batches of
messages. First the Soviet server (gunicorn and its workers) is killed while it applies a batch and started again
on the same port; then the sender (`accord sync` on China's node) while the Soviet server works through the next
batches; the next sync finishes the work. At the end the Soviet node has applied every message China sent once,
each change recorded once in its audit chain, holds what a single sync would have given it, and `accord verify` is
ok on both."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.federation.nodes import HANDOVER, trust_each_other, two_nodes, uid_text
from tests.processes import kill_tree
from tests.reliability.conftest import Instance, serving

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("federation-two-nodes")]


@pytest.fixture
def nodes(tmp_path: Path, installation_template: Path, empty_node: Instance) -> Iterator[tuple[Instance, Instance]]:
    with two_nodes(tmp_path, installation_template, empty_node) as pair:
        yield pair


def _applied(su: Instance) -> int:
    rows = su.sql("SELECT in_seq FROM federation_peer WHERE name = 'cn'")
    return int(rows[0][0]) if rows else 0


def _sync_until_applied_beyond(cn: Instance, su: Instance, seen: int, log: Path) -> subprocess.Popen[bytes]:
    """`accord sync su` on China's node, returned once the Soviet node has committed a batch past `seen`."""
    proc = cn.popen("sync", "su", log=log)
    deadline = time.monotonic() + 900
    while _applied(su) <= seen:
        assert proc.poll() is None, log.read_text(errors="replace")
        assert time.monotonic() < deadline, "no batch was applied"
        time.sleep(0.1)
    return proc


def _uids(instance: Instance, table: str) -> set[str]:
    return {uid_text(u) for (u,) in instance.sql(f"SELECT uid FROM {table}")}


def test_either_node_killed_during_a_sync_loses_nothing_and_applies_nothing_twice(nodes, tmp_path):
    cn, su = nodes
    with ExitStack() as stack:
        quiet = {"ACCORD_FEDERATION_SYNC_SECONDS": "off"}  # the test syncs, not the job worker's schedule
        cn_server = stack.enter_context(serving(cn, workers=2, extra_env=quiet))
        su_server = stack.enter_context(serving(su, workers=2, extra_env=quiet | HANDOVER, extra_args=("--no-demo",)))
        trust_each_other(cn, su, cn_server.url, su_server.url)
        cn.accord("outbox", "export", "su", "-o", str(tmp_path / "numbered.json"))  # every change numbered
        total = int(cn.sql("SELECT max(seq) FROM federation_outmessage")[0][0])
        assert total > 1000, total  # three batches of 500 at least

        # The receiving server killed (every process of it) as soon as it committed a batch: it is applying the
        # next one. Started again on the same port.
        sender = _sync_until_applied_beyond(cn, su, 0, tmp_path / "sync-1.log")
        kill_tree(su_server.proc.pid)
        su_server.proc.wait()
        assert sender.wait(timeout=600) != 0  # the sync failed, and said so
        after_receiver = _applied(su)
        assert 0 < after_receiver < total
        port = int(su_server.url.rsplit(":", 1)[1])
        stack.enter_context(serving(su, workers=2, extra_env=quiet | HANDOVER, extra_args=("--no-demo",), port=port))

        # The sender killed as soon as the receiver committed the next batch, while it sends the one after.
        sender = _sync_until_applied_beyond(cn, su, after_receiver, tmp_path / "sync-2.log")
        sender.kill()
        sender.wait()
        assert _applied(su) <= total
        cn.accord("sync", "su", timeout=900)

    assert _applied(su) == total
    assert cn.sql("SELECT count(*) FROM federation_outmessage WHERE acked_at IS NULL") == [(0,)]
    assert su.sql("SELECT count(*) FROM federation_inmessage") == [(total,)]
    # Each change China sent recorded once on the Soviet node. An update or delete is applied alone, under a
    # request id naming China's entry: no id twice. Creates may be applied in groups sharing one request id:
    # no record created twice.
    alone = su.sql(
        "SELECT count(*), count(DISTINCT request_id) FROM core_changerecord"
        " WHERE actor_name LIKE 'peer:CN:%' AND action <> 'create'"
    )
    assert alone[0][0] == alone[0][1]
    created = su.sql(
        "SELECT count(*), count(DISTINCT object_type || ':' || object_id) FROM core_changerecord"
        " WHERE actor_name LIKE 'peer:CN:%' AND action = 'create'"
    )
    assert created[0][0] == created[0][1] > 0
    # Nothing lost: what China shares is there.
    for table in ("agreements_agreement", "programmes_plan", "agreements_signature", "programmes_planitem"):
        assert _uids(su, table) and _uids(su, table) <= _uids(cn, table), table
    for node in (cn, su):
        assert node.accord("verify").stdout.startswith("ok")
