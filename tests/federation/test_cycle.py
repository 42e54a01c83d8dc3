"""The seed's cycle between two real nodes, each side acting on its own node only: China's node (`accord serve` on
SQLite, the demo installation: the Protocol, its parties and the 1960 plan as China registered them) and the Soviet
node (`accord serve` on PostgreSQL whenever a server is at hand, empty at the start). Each side's accounts exist
only on its node, and every act goes through that node's API with the account's token (or its operator's CLI):

China drafts the next plan from the signed 1960 plan and proposes it; the Soviet side sees it and proposes a
change (an item's objectives, which sends the plan back to draft) and proposes it again; both approve the same
content; Wu Heng signs on China's node with his key there, Aleksenko on the Soviet node with a key made there (its
private half never leaves that node); the Soviet side records a sample shipment that China confirms received;
China starts the minutes and both delegations sign them off. At the end both nodes hold the same signed plan
(`export-signed` gives the same payload hash on each, and `verify-bundle` on each says both signatures hold),
each side's internal records are on its own node only, and `accord verify` is ok on both.

Run twice: over HTTP (`accord sync`) and by files only (`outbox export` / `inbox import`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.federation.nodes import (
    HANDOVER,
    HttpApi,
    add_account,
    carry_by_files,
    internal_uids,
    su_vendor,
    trust_each_other,
    two_nodes,
    uid_text,
)
from tests.processes import fresh_installation
from tests.reliability.conftest import Instance, server_errors, serving

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("federation-two-nodes")]

PLAN_1960 = "0aed0b62-42e6-5bb0-899a-9fe24c160c3c"
SU_PASSPHRASE = "aleksenko-own-node-passphrase"
MOSCOW = {"en": "Moscow", "zh": "莫斯科", "ru": "Москва"}


@pytest.fixture(scope="module")
def china(tmp_path_factory: pytest.TempPathFactory, installation_template: Path) -> Path:
    """China's node as both transports start it, made once: the demo installation without the Soviet accounts
    (each side's accounts on its own node only; `accord demo --remove-accounts` costs a process 8 s of CPU)."""
    base = Instance(fresh_installation(installation_template, tmp_path_factory.mktemp("cycle") / "cn"))
    base.accord("demo", "--remove-accounts")
    return base.data_dir


@pytest.fixture
def nodes(tmp_path: Path, china: Path, empty_node: Instance) -> Iterator[tuple[Instance, Instance]]:
    with two_nodes(tmp_path, china, empty_node) as pair:
        yield pair


def _one(instance: Instance, query: str) -> str:
    rows = instance.sql(query)
    assert len(rows) == 1, (query, rows)
    return uid_text(rows[0][0])


@pytest.mark.parametrize("transport", ["http", "files"])
def test_the_seed_cycle_between_two_nodes(nodes, tmp_path, transport):
    cn, su = nodes
    assert su.vendor == su_vendor()
    with ExitStack() as stack:
        quiet = {"ACCORD_FEDERATION_SYNC_SECONDS": "off"}  # the test carries the messages, not the worker's schedule
        su_server = stack.enter_context(serving(su, workers=2, extra_env=quiet, extra_args=("--no-demo",)))
        cn_server = stack.enter_context(serving(cn, workers=2, extra_env=quiet))
        http = transport == "http"
        trust_each_other(cn, su, cn_server.url if http else "", su_server.url if http else "")
        files = iter(range(1000))

        def carry(to: str, **su_env: str) -> None:
            """What waits for `to` ("su" or "cn"): over HTTP China's `accord sync` pushes its own and pulls the
            Soviet side's; by files, the sender exports and the other imports."""
            if http and su_env:
                su.accord("sync", "cn", env=su_env)  # pulled and applied by the Soviet operator's process
            elif http:
                cn.accord("sync", "su")
            elif to == "su":
                carry_by_files(cn, su, "su", tmp_path / f"cn-{next(files)}.json", **su_env)
            else:
                carry_by_files(su, cn, "cn", tmp_path / f"su-{next(files)}.json")

        # The Soviet node takes over what the installation that hosted both sides kept for it, once.
        carry("su", **HANDOVER)
        agreement = _one(cn, "SELECT uid FROM agreements_agreement")
        assert _one(su, "SELECT uid FROM agreements_agreement") == agreement

        cn_api = HttpApi(cn_server.url, add_account(cn, "cn-secretary", "CN", "coordinator", may_sign=True))
        su_api = HttpApi(su_server.url, add_account(su, "su-coordinator", "SU", "coordinator", may_sign=True))
        assert not cn.sql("SELECT id FROM auth_user WHERE username LIKE 'su-%' OR username LIKE 'msu-%'")
        assert su.sql("SELECT username FROM auth_user") == [("su-coordinator",)]

        # China drafts the 1961 plan from the signed 1960 plan (unfinished items carried over) and proposes it.
        title = {"en": "1961 cooperation plan", "zh": "1961年合作计划", "ru": "План сотрудничества на 1961 год"}
        plan = cn_api.post(
            f"/plans/{PLAN_1960}/next", {"period_start": "1961-01-01", "period_end": "1961-12-31", "title": title}
        )
        plan_uid = str(plan["uid"])
        for proposal in cn_api.all("/plan-items", plan=plan["id"], carry_over="proposed"):
            cn_api.post(
                f"/plan-items/{proposal['uid']}/carry-over", status=200, if_match_of=f"/plan-items/{proposal['uid']}"
            )
        items = cn_api.all("/plan-items", plan=plan["id"])
        assert items
        cn_api.post(f"/plans/{plan_uid}/propose", status=200, if_match_of=f"/plans/{plan_uid}")
        carry("su")

        # The Soviet side sees it, and proposes a change: an item's objectives (the plan goes back to draft).
        assert su_api.get(f"/plans/{plan_uid}")["status"] == "proposed"
        item = items[0]["uid"]
        changed = {**items[0]["objectives"], "ru": "Совместные исследования, уточнённые советской стороной"}
        su_api.patch(f"/plan-items/{item}", {"objectives": changed})
        assert su_api.get(f"/plans/{plan_uid}")["status"] == "draft"
        su_api.post(f"/plans/{plan_uid}/propose", status=200, if_match_of=f"/plans/{plan_uid}")
        carry("cn")
        assert cn_api.get(f"/plan-items/{item}")["objectives"]["ru"] == changed["ru"]
        assert cn_api.get(f"/plans/{plan_uid}")["status"] == "proposed"

        # Both approve the same content, each on its own node.
        cn_api.post(
            f"/plans/{plan_uid}/approve",
            {"party": "CN", "approved_on": "1961-01-10"},
            200,
            if_match_of=f"/plans/{plan_uid}",
        )
        carry("su")
        su_api.post(
            f"/plans/{plan_uid}/approve",
            {"party": "SU", "approved_on": "1961-01-11"},
            200,
            if_match_of=f"/plans/{plan_uid}",
        )
        carry("cn")
        for api in (cn_api, su_api):
            assert api.get(f"/plans/{plan_uid}")["status"] == "agreed"
        approvals = "SELECT a.content_sha256 FROM programmes_planapproval a JOIN programmes_plan p ON p.id = a.plan_id "
        approvals += "WHERE p.uid = '{}' ORDER BY a.content_sha256"
        for node in (cn, su):
            plan_key = plan_uid.replace("-", "") if node.database is None else plan_uid
            hashes = node.sql(approvals.format(plan_key))
            assert len(hashes) == 2 and hashes[0] == hashes[1] and len(hashes[0][0]) == 64

        # Each signs on its own node: Wu Heng with his key on China's node; Aleksenko with a key the Soviet
        # operator makes on the Soviet node (the one the hosted installation kept for him is revoked there).
        wu_heng = _one(cn, "SELECT uid FROM directory_person WHERE CAST(name AS TEXT) LIKE '%Wu Heng%'")
        aleksenko = _one(su, "SELECT uid FROM directory_person WHERE CAST(name AS TEXT) LIKE '%Aleksenko%'")
        su.accord("signing-key", "revoke", aleksenko)
        passphrase = tmp_path / "passphrase"
        passphrase.write_text(SU_PASSPHRASE + "\n")
        su.accord("signing-key", "create", aleksenko, "--passphrase-file", str(passphrase))
        su_key = su.sql("SELECT public_key FROM signing_signingkey WHERE revoked_on IS NULL")
        assert len(su_key) == 2  # Wu Heng's (received, public only) and Aleksenko's new one
        cn_api.post(
            f"/plans/{plan_uid}/sign",
            {
                "party": "CN",
                "signatory_id": wu_heng,
                "passphrase": "wu-heng-demo-passphrase",
                "signed_on": "1961-01-20",
                "signed_at": MOSCOW,
            },
            201,
            if_match_of=f"/plans/{plan_uid}",
        )
        carry("su")
        su_api.post(
            f"/plans/{plan_uid}/sign",
            {
                "party": "SU",
                "signatory_id": aleksenko,
                "passphrase": SU_PASSPHRASE,
                "signed_on": "1961-01-20",
                "signed_at": MOSCOW,
            },
            201,
            if_match_of=f"/plans/{plan_uid}",
        )
        carry("cn")
        for api in (cn_api, su_api):
            assert api.get(f"/plans/{plan_uid}")["status"] == "signed"
        # The Soviet key's private half is on the Soviet node only; China holds its public half.
        new_key = "SELECT public_key, encrypted_private_key FROM signing_signingkey k JOIN directory_person p "
        new_key += "ON p.id = k.person_id WHERE CAST(p.name AS TEXT) LIKE '%Aleksenko%' AND k.revoked_on IS NULL"
        (su_row,) = su.sql(new_key)
        assert cn.sql(new_key) == [(su_row[0], "")] and su_row[1]

        # The Soviet side ships samples; China confirms them received.
        shipment = su_api.post(
            "/exchanges",
            {
                "agreement_id": agreement,
                "kind": "sample_shipment",
                "from_party_id": "SU",
                "to_party_id": "CN",
                "description": {"en": "Soil samples for 1961"},
                "quantity": 12,
                "unit": "samples",
                "sent_on": "1961-02-01",
            },
        )
        carry("cn")
        cn_api.post(
            f"/exchanges/{shipment['uid']}/confirm-receipt",
            {"received_on": "1961-02-20", "reference": "MTA 61/3"},
            200,
            if_match_of=f"/exchanges/{shipment['uid']}",
        )
        carry("su")
        received = su_api.get(f"/exchanges/{shipment['uid']}")
        assert received["received_on"] == "1961-02-20"

        # The minutes of the meeting: China's delegation drafts them, both sign off.
        meeting = cn_api.post(
            "/meetings",
            {
                "agreement_id": agreement,
                "kind": "delegations",
                "title": {"en": "Meeting on the 1961 plan"},
                "place": MOSCOW,
                "end_on": "1961-01-20",
            },
        )
        cn_api.post(
            "/minutes", {"meeting_id": meeting["uid"], "party": "CN", "body": {"zh": "会议纪要。", "ru": "Протокол."}}
        )
        minutes = cn_api.get("/minutes", meeting=meeting["id"])["results"][0]
        carry("su")
        su_api.post(f"/minutes/{minutes['uid']}/sign-offs", {"party": "SU", "revision": 1, "signed_on": "1961-01-20"})
        carry("cn")
        cn_api.post(f"/minutes/{minutes['uid']}/sign-offs", {"party": "CN", "revision": 1, "signed_on": "1961-01-20"})
        carry("su")
        for api in (cn_api, su_api):
            assert api.get(f"/minutes/{minutes['uid']}")["status"] == "final"

        # Each side's internal records: one each, made on its own node.
        for api, party in ((cn_api, "CN"), (su_api, "SU")):
            api.post(
                "/exchanges",
                {
                    "agreement_id": agreement,
                    "kind": "delegation_visit",
                    "from_party_id": party,
                    "to_party_id": "SU" if party == "CN" else "CN",
                    "description": {"en": f"{party}'s own preparations"},
                    "visibility": "internal",
                },
            )
        carry("su")
        carry("cn")

        for server in (cn_server, su_server):
            assert not server_errors(server.log_text())

    # Both hold the same signed plan: the same payload, and each node finds both signatures of the other's bundle
    # hold, each key trusted for its own party only (the peer's as received from it).
    bundles = {}
    for node in (cn, su):
        bundles[node.data_dir.name] = tmp_path / f"{node.data_dir.name}-1961.json"
        node.accord("export-signed", plan_uid, "-o", str(bundles[node.data_dir.name]))
    hashes = {name: json.loads(path.read_bytes())["payload_sha256"] for name, path in bundles.items()}
    assert hashes["cn"] == hashes["su"]
    on_cn = cn.accord("verify-bundle", str(bundles["su"])).stdout
    on_su = su.accord("verify-bundle", str(bundles["cn"])).stdout
    for checked in (on_cn, on_su):
        assert "ok: 2 signatures hold" in checked and hashes["cn"] in checked
    assert "received from peer su (the node of SU), for SU only" in on_cn
    assert "received from peer cn (the node of CN), for CN only" in on_su
    # Internal records only where they were made.
    kept_cn, kept_su = internal_uids(cn), internal_uids(su)
    assert any(kept_cn.values()) and any(kept_su.values())
    for table in set(kept_cn) | set(kept_su):
        assert not kept_cn.get(table, set()) & kept_su.get(table, set()), table
    assert len(kept_su["programmes_exchange"]) == 1  # the Soviet side's own, nothing of China's
    for node in (cn, su):
        assert node.accord("verify").stdout.startswith("ok")
