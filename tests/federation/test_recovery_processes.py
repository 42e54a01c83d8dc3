"""Recovery of a sender restored from an older backup, as operators do it: real `accord` processes, files only.

China's node (the demo installation, SQLite) hands over to the Soviet node (PostgreSQL in the PostgreSQL pass),
takes an `accord backup`, makes two changes the Soviet node applies, is put back with `accord restore`, makes a
new change; then files go back and forth until both hold everything, each change once (docs/federation.md,
"Recovery")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.federation.nodes import HANDOVER, carry_by_files, trust_each_other, two_nodes
from tests.reliability.conftest import Instance

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("federation-two-nodes")]

CHINA_ACTS = """
from accord.core import services as records
from accord.core.actor import Actor, acting_as
from accord.core.models import Visibility
from accord.directory.models import Organisation, Party
cn = Party.objects.get(code="CN")
with acting_as(Actor(None, "cli:china-operator", "recovery-test", system=True)):
    made = records.create(Organisation, party=cn, owner_party=cn, visibility=Visibility.BILATERAL, kind="institute",
                          name={"en": "TITLE"})
    THEN
"""
LOST = CHINA_ACTS.replace("TITLE", "Institute of Lost Work").replace(
    "THEN", 'records.update(made, expected_version=1, name={"en": "Institute of Lost Work, renamed"})'
)
NEW = CHINA_ACTS.replace("TITLE", "Institute of Work after the Restore").replace("THEN", "pass")


@pytest.fixture
def nodes(tmp_path: Path, installation_template: Path, empty_node: Instance) -> Iterator[tuple[Instance, Instance]]:
    with two_nodes(tmp_path, installation_template, empty_node) as pair:
        yield pair


def _entries(node: Instance, name: str) -> int:
    (row,) = node.sql(
        "SELECT count(*) FROM core_changerecord c JOIN directory_organisation o "
        "ON c.object_type = 'directory.organisation' AND c.object_uid = o.uid "
        f"WHERE CAST(o.name AS TEXT) LIKE '%{name}%'"
    )
    return int(row[0])


def test_a_restored_sender_gets_its_lost_changes_back_by_files(nodes, tmp_path):
    cn, su = nodes
    su.accord("migrate", "-v0")
    trust_each_other(cn, su)
    carry_by_files(cn, su, "su", tmp_path / "handover.json", **HANDOVER)
    carry_by_files(su, cn, "cn", tmp_path / "ack.json")
    backup = tmp_path / "cn.backup"
    cn.accord("backup", str(backup))
    cn.accord("shell", "-c", LOST)
    assert "2 applied" in carry_by_files(cn, su, "su", tmp_path / "lost.json")
    cn.accord("restore", str(backup), "--force")
    assert _entries(cn, "Lost Work") == 0
    cn.accord("shell", "-c", NEW)
    su_inbox = "SELECT count(*), count(DISTINCT seq), max(seq) FROM federation_inmessage"
    (before,) = su.sql(su_inbox)

    # 1. China's new change, under a number the Soviet node applied: refused, nothing applied.
    cn.accord("outbox", "export", "su", "-o", str(tmp_path / "1.json"))
    refused = su.accord("inbox", "import", str(tmp_path / "1.json"), check=False)
    assert refused.returncode != 0 and "another message under a number already applied" in refused.stderr
    # 2. The Soviet acknowledgement shows China it is behind its own numbering.
    shown = carry_by_files(su, cn, "cn", tmp_path / "2.json")
    assert "this node was restored from an older backup; asking su to return" in shown, shown
    assert "waiting for su to return messages" in cn.accord("peer", "list").stdout
    # 3. China asks (no message); 4. the Soviet node returns China's own, applied again on China's node.
    assert "0 applied" in carry_by_files(cn, su, "su", tmp_path / "3.json")
    returned = carry_by_files(su, cn, "cn", tmp_path / "4.json")
    assert "2 of ours returned and applied again" in returned, returned
    again = cn.accord("inbox", "import", str(tmp_path / "4.json")).stdout
    assert "returned" not in again  # the same file again: nothing
    # 5. China's new change, numbered again after the last the Soviet node holds; 6. acknowledged.
    assert "1 applied" in carry_by_files(cn, su, "su", tmp_path / "5.json")
    carry_by_files(su, cn, "cn", tmp_path / "6.json")

    lost = "SELECT CAST(name AS TEXT), version FROM directory_organisation WHERE CAST(name AS TEXT) LIKE '%Lost Work%'"
    for node in (cn, su):
        ((name, version),) = node.sql(lost)
        assert "Institute of Lost Work, renamed" in name and version == 2
    assert _entries(cn, "Lost Work") == 2 and _entries(su, "Lost Work") == 2
    assert _entries(cn, "after the Restore") == 1 and _entries(su, "after the Restore") == 1
    (after,) = su.sql(su_inbox)
    assert after[0] == after[1] == after[2] == before[2] + 1
    assert cn.sql("SELECT lost_from, last_error FROM federation_peer") == [(None, "")]
    assert cn.sql("SELECT count(*) FROM federation_outmessage WHERE acked_at IS NULL") == [(0,)]
    assert cn.accord("verify").stdout.startswith("ok")
    assert su.accord("verify").stdout.startswith("ok")
