"""Moving a hosted installation to two nodes, by files only: the demo installation (both sides kept in one, as
`make run` leaves it) becomes the Chinese node, a fresh installation the Soviet node (on PostgreSQL whenever a
server is at hand: tests/federation/nodes.py); one `outbox export` on the Chinese node and one `inbox import` on
the Soviet node carry the Protocol, its plans and the 1960 plan's two signatures across, and none of China's
internal records. Real `accord` processes, no server: a file is the transport a closed network has."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.federation.nodes import HANDOVER, tables_with, two_nodes, uid_text
from tests.reliability.conftest import Instance

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("federation-two-nodes")]

PLAN_1960 = "0aed0b62-42e6-5bb0-899a-9fe24c160c3c"  # the seed's 1960 plan (its global id is the same on every copy)


class _TakingOver(Instance):
    """The Soviet node while it takes over its side's records from the installation that hosted both."""

    @property
    def env(self) -> dict[str, str]:
        return super().env | HANDOVER


def _rows(node: Instance, query: str) -> list[tuple[object, ...]]:
    """`query`'s rows with the global id first, as the dashed text whichever database the node is on."""
    return [(uid_text(uid), *rest) for uid, *rest in node.sql(query)]


def _state(node: Instance, tables: list[str]) -> list[tuple[str, int]]:
    return [(t, node.sql(f"SELECT count(*) FROM {t}")[0][0]) for t in tables]


@pytest.fixture
def nodes(tmp_path: Path, installation_template: Path, empty_node: Instance) -> Iterator[tuple[Instance, Instance]]:
    """China's node the demo, as `make run` has it; the Soviet node a new installation (migrated), taking over."""
    with two_nodes(tmp_path, installation_template, empty_node) as (cn, su):
        yield cn, _TakingOver(su.data_dir, su.database, su.pg)


def test_the_demo_installation_becomes_the_chinese_node_and_a_fresh_one_the_soviet_node(
    tmp_path: Path, nodes: tuple[Instance, Instance]
) -> None:
    cn, su = nodes
    cn.accord("node", "init", "--party", "CN")
    su.accord("node", "init", "--party", "SU")
    cn_node = json.loads(cn.accord("node", "show", "--json").stdout)
    su_node = json.loads(su.accord("node", "show", "--json").stdout)
    # No server: the URL is where each would be reached; the file goes by courier.
    cn.accord("peer", "add", "su", "--url", "http://su.invalid", "--key", su_node["public_key"], "--party", "SU")
    su.accord("peer", "add", "cn", "--url", "http://cn.invalid", "--key", cn_node["public_key"], "--party", "CN")

    outfile = tmp_path / "cn-to-su.json"
    assert "for su" in cn.accord("outbox", "export", "su", "-o", str(outfile)).stdout

    # One changed byte (in the body of a message the Soviet node would apply): refused first, nothing changes.
    tables = [*tables_with(su, "visibility"), "core_changerecord", "directory_party", "federation_inmessage"]
    before = _state(su, tables)
    data = outfile.read_bytes()
    at = data.index(b'"Wu Heng') + 2
    tampered = tmp_path / "tampered.json"
    tampered.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
    refused = su.accord("inbox", "import", str(tampered), check=False)
    assert refused.returncode != 0 and "refused, nothing applied" in refused.stderr
    assert _state(su, tables) == before
    assert before[-3:] == [("core_changerecord", 0), ("directory_party", 0), ("federation_inmessage", 0)]

    imported = su.accord("inbox", "import", str(outfile)).stdout
    assert "applied" in imported and " 0 applied," not in imported

    # The Protocol, its plans, and both signatures of the 1960 plan.
    agreements = _rows(su, "SELECT uid FROM agreements_agreement")
    assert agreements == _rows(cn, "SELECT uid FROM agreements_agreement") and len(agreements) == 1
    plans = "SELECT uid, status, version FROM programmes_plan"
    assert sorted(_rows(su, plans)) == sorted(_rows(cn, plans)) and len(su.sql(plans)) == 2
    signatures = (
        "SELECT s.uid, p.code, s.signature FROM agreements_signature s JOIN directory_party p ON p.id = s.party_id "
        "JOIN programmes_plan pl ON pl.id = s.target_id WHERE pl.uid = '{}' ORDER BY p.code"
    ).format(PLAN_1960.replace("-", ""))
    assert [row[1] for row in su.sql(signatures)] == ["CN", "SU"]
    assert _rows(su, signatures) == _rows(cn, signatures)

    # Each node's signed bundle of the 1960 plan carries the same content hash, and verifies on each node.
    hashes = []
    for node in (cn, su):
        bundle = tmp_path / f"{node.data_dir.name}.bundle"
        node.accord("export-signed", PLAN_1960, "-o", str(bundle))
        hashes.append(json.loads(bundle.read_bytes())["payload_sha256"])
        for checker in (cn, su):
            checked = checker.accord("verify-bundle", str(bundle)).stdout
            assert "ok: 2 signatures hold" in checked
    assert hashes[0] == hashes[1]

    # None of China's internal records: not one row the Soviet node holds is internal, and the demo's internal
    # journal entry is not there by its global id either.
    internal = cn.sql("SELECT uid FROM core_journalentry WHERE visibility = 'internal'")
    assert internal
    for (uid,) in internal:
        assert su.sql(f"SELECT count(*) FROM core_journalentry WHERE uid = '{uid}'") == [(0,)]
    for table in tables_with(su, "visibility"):
        assert su.sql(f"SELECT count(*) FROM {table} WHERE visibility = 'internal'") == [(0,)], table

    # The way back: the Soviet node corrects its own exchange and reports progress; one file carries both to the
    # Chinese node, where they are shown kept by the Soviet side, read-only.
    su.accord("shell", "-c", SOVIET_ACTS)
    back = tmp_path / "su-to-cn.json"
    assert "2 message(s) for cn" in su.accord("outbox", "export", "cn", "-o", str(back)).stdout
    assert "2 applied" in cn.accord("inbox", "import", str(back)).stdout
    exchange = "SELECT uid, version, sent_reference FROM programmes_exchange WHERE sent_reference = 'dispatch 60/17'"
    assert _rows(cn, exchange) == _rows(su, exchange) and len(cn.sql(exchange)) == 1
    report = "SELECT r.uid, p.code FROM programmes_progressreport r JOIN directory_party p ON p.id = r.owner_party_id "
    report += "WHERE CAST(r.narrative AS TEXT) LIKE '%60/17%'"
    assert _rows(cn, report) == _rows(su, report) and [code for _uid, code in cn.sql(report)] == ["SU"]
    shown = json.loads(cn.accord("shell", "-c", SHOWN_ON_CN).stdout.strip().splitlines()[-1])
    assert shown == {"kept_by": True, "last_received_from_su": True, "edit": False}

    assert cn.accord("verify").stdout.startswith("ok")
    assert su.accord("verify").stdout.startswith("ok")


# What the Soviet node's own users do after the move (its services, as its pages and API call them).
SOVIET_ACTS = """
import datetime as dt
from accord.core.actor import Actor, acting_as
from accord.programmes.models import Exchange, Participation, Plan
from accord.programmes.services import record_progress, update_exchange
plan = Plan.objects.get(uid="PLAN_1960")
item = plan.items.order_by("position").first()
org = Participation.objects.filter(project=item.project, organisation__party__code="SU").first().organisation
exchange = Exchange.objects.filter(from_party__code="SU").order_by("id").first()
with acting_as(Actor(None, "cli:soviet-operator", "after-the-move", system=True)):
    update_exchange(exchange, expected_version=exchange.version, sent_reference="dispatch 60/17")
    record_progress(item, reporting_organisation=org, period_start=dt.date(1960, 1, 1),
                    period_end=dt.date(1960, 3, 31), status="on_track", percent=30,
                    narrative={"ru": "Образцы отправлены, 60/17"})
""".replace("PLAN_1960", PLAN_1960)

# The Chinese node's page of that exchange, as its administrator sees it.
SHOWN_ON_CN = """
import json
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import override_settings
from accord.programmes.models import Exchange
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # no collectstatic here
override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain}).enable()
exchange = Exchange.objects.get(sent_reference="dispatch 60/17")
client = Client(HTTP_HOST="localhost")
client.force_login(get_user_model().objects.get(username="admin"))
html = client.get(f"/exchanges/{exchange.pk}/").content.decode()
print(json.dumps({"kept_by": 'data-testid="kept-by"' in html, "last_received_from_su": "from node su" in html,
                  "edit": 'data-testid="edit"' in html}))
"""
