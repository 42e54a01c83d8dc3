"""Federation content: what travels to a peer, and how a change that arrives is applied (or refused)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from accord.core.models import ChangeRecord, Visibility
from accord.core.visibility import effective_visibility
from accord.federation import kinds as k
from accord.federation.models import Conflict, ReceivedRecord
from accord.federation.protocol import ChangeRefused, apply_change, outgoing_changes
from tests.federation.content.conftest import remove, state, wire

pytestmark = pytest.mark.django_db


def _sent(peer: str = "SU") -> list[dict[str, Any]]:
    return wire(outgoing_changes(peer, 0, 1_000_000))


def _keys(bodies: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(b["kind"], b["uid"]) for b in bodies}


def test_the_seed_protocol_and_its_1960_plan_travel_to_the_soviet_node(seed, node):
    bodies = _sent()
    keys = _keys(bodies)
    assert ("agreements.agreement", str(seed.protocol.uid)) in keys
    assert ("programmes.plan", str(seed.plan_1960.uid)) in keys
    assert ("directory.party", str(seed.su.uid)) in keys and ("directory.party", str(seed.cn.uid)) in keys
    plan_type = ContentType.objects.get_for_model(seed.plan_1960)
    from accord.agreements.models import Signature

    signatures = Signature.objects.filter(target_type=plan_type, target_id=seed.plan_1960.pk)
    assert signatures.count() == 2
    assert {("agreements.signature", str(s.uid)) for s in signatures} <= keys
    # Oldest first, each naming our entry, references as global ids (never our row ids).
    assert [b["entry"] for b in bodies] == sorted(b["entry"] for b in bodies)
    plan_body = next(b for b in bodies if b["uid"] == str(seed.plan_1960.uid))
    assert plan_body["fields"]["agreement"] == str(seed.protocol.uid)
    assert "id" not in plan_body["fields"] and "agreement_id" not in plan_body["fields"]
    key_bodies = [b for b in bodies if b["kind"] == "signing.signingkey"]
    assert key_bodies and all("encrypted_private_key" not in b["fields"] for b in key_bodies)


@pytest.fixture
def internal_records(seed):
    """Each side's internal records, and parts of them, made through the services."""
    from accord.core import services as records
    from accord.directory.models import Organisation, OrganisationName
    from accord.programmes.models import ProgressReport

    made = []
    org = records.create(
        Organisation,
        party=seed.cn,
        owner_party=seed.cn,
        visibility=Visibility.INTERNAL,
        kind="institute",
        name={"zh": "内部研究所", "en": "An internal institute"},
    )
    made.append(org)
    made.append(
        records.create(OrganisationName, organisation=org, name={"en": "Its former name"}, valid_to="1958-12-31")
    )
    report = ProgressReport.objects.exclude(visibility=Visibility.INTERNAL).first()
    columns = [c for c in k.travelling_columns(ProgressReport) if c not in ("external_id",)]
    for party in (seed.cn, seed.su):  # ours, and the peer's own internal ones held here (a hosted installation)
        fields = {c: getattr(report, c) for c in columns}
        fields.update(visibility=Visibility.INTERNAL, owner_party_id=party.pk, evidence=f"internal to {party.code}")
        internal = records.create(ProgressReport, **fields)
        made.append(records.update(internal, expected_version=1, evidence="still internal"))
    return made


def test_no_internal_record_is_ever_in_the_outgoing_set(seed, node, internal_records):
    sent = _keys(_sent())
    internal = set()
    for label, model in k.kinds().items():
        for row in model._default_manager.all():
            parts = hasattr(row, "visibility") or k.visibility_parents(model) or label.endswith("organisationname")
            if parts and _effective(row) == Visibility.INTERNAL:
                internal.add((label, str(row.uid)))
    assert {(r._meta.label_lower, str(r.uid)) for r in internal_records} <= internal
    assert not internal & sent
    # And at the level of each entry: no body carries a state that was internal when it was written.
    entries = ChangeRecord.objects.filter(id__in=[b["entry"] for b in _sent()])
    assert not [e.pk for e in entries if (e.after or e.before or {}).get("visibility") == Visibility.INTERNAL]


def _effective(row: Any) -> str:
    if hasattr(row, "visibility"):
        return effective_visibility(row)
    names = [*k.visibility_parents(type(row))]
    if type(row)._meta.label_lower == "directory.organisationname":
        names.append("organisation")
    levels = [_effective(getattr(row, name)) for name in names if getattr(row, name)]
    return min(levels, key=[Visibility.INTERNAL, Visibility.BILATERAL, Visibility.PUBLIC].index, default="public")


def test_a_record_made_internal_stops_travelling_and_its_later_changes_never_leave(seed, node):
    from accord.core import services as records

    seed.plan_1959.refresh_from_db()
    records.update(
        seed.plan_1959,
        expected_version=seed.plan_1959.version,
        visibility=Visibility.INTERNAL,
        owner_party=seed.cn,
    )
    sent = _sent()
    assert ("programmes.plan", str(seed.plan_1959.uid)) not in _keys(sent)
    items = {str(u) for u in seed.plan_1959.items.values_list("uid", flat=True)}
    assert items and not items & {b["uid"] for b in sent}


def test_changes_that_came_from_the_peer_are_not_echoed_back(seed, node):
    bodies = _sent()
    org = next(b for b in bodies if b["kind"] == "directory.organisation" and b["owner"] == "SU")
    org = copy.deepcopy(org)
    org.update(action="update", base_version=org["version"], version=org["version"] + 1, entry=10**9)
    current = k.kinds()["directory.organisation"].objects.get(uid=org["uid"])
    org["base_version"], org["version"] = current.version, current.version + 1
    org["fields"]["aliases"] = [*org["fields"]["aliases"], "ГКНТ"]
    before = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first()
    apply_change(org, "SU", "soviet-node")
    current.refresh_from_db()
    assert "ГКНТ" in current.aliases
    assert ReceivedRecord.objects.get(object_uid=current.uid).peer_name == "soviet-node"
    later = outgoing_changes("SU", before, 1000)
    assert not [b for b in later if b["uid"] == org["uid"]]  # their own change does not go back to them
    assert [b for b in outgoing_changes("XX", before, 1000)] == []  # an unknown party gets nothing


def test_round_trip_through_json_rebuilds_every_record_field_by_field(seed, node):
    bodies = _sent()
    uids: dict[str, set[str]] = {}
    for b in bodies:
        uids.setdefault(b["kind"], set()).add(b["uid"])
    expected = state(uids)
    gone = remove(bodies)
    assert ("programmes.plan", str(seed.plan_1960.uid)) in gone  # the signed plan itself, with its signatures
    assert sum(1 for key in gone if key[0] == "programmes.progressreport") > 50
    node("SU", handover=True)  # this database now plays the Soviet node, taking over from the hosted one
    for body in bodies:
        apply_change(body, "CN", "chinese-node")
    assert state(uids) == expected
    # Records of either side arrived; the signatures verify on this side too.
    from accord.agreements.models import Signature
    from accord.signing.services import check_signature

    signed = Signature.objects.filter(uid__in=uids["agreements.signature"]).exclude(signature="")
    plan = k.kinds()["programmes.plan"].objects.get(uid=seed.plan_1960.uid)
    assert {s.party.code for s in signed if s.target_id == plan.pk} == {"CN", "SU"}
    for s in signed:
        assert check_signature(s).ok, check_signature(s).reason
    # The Chinese commission is kept by the other side here: its page says so and offers no edit.
    from django.contrib.auth import get_user_model
    from django.test import Client

    admin = Client()
    admin.force_login(get_user_model().objects.filter(is_superuser=True).first())
    commission = k.kinds()["directory.organisation"].objects.get(uid=seed.cn_commission.uid)
    page = admin.get(f"/organisations/{commission.pk}/").content.decode()
    assert 'data-testid="kept-by"' in page and "chinese-node" in page
    assert 'data-testid="edit"' not in page


def test_a_tampered_signature_is_refused_when_its_seal_arrives(seed, node):
    bodies = _sent()
    remove(bodies)
    node("SU", handover=True)
    signature = next(b for b in bodies if b["kind"] == "agreements.signature" and b["fields"]["signature"])
    forged = dict(signature["fields"], signed_at={"ru": "Пекин"})  # the attestation covers where it was signed
    signature["fields"] = forged
    with pytest.raises(ChangeRefused, match="does not verify"):
        for body in bodies:
            apply_change(body, "CN", "chinese-node")


def test_a_node_may_not_change_the_other_sides_records(seed, node):
    bodies = _sent()
    cn_org = copy.deepcopy(next(b for b in bodies if b["uid"] == str(seed.cn_commission.uid)))
    seed.cn_commission.refresh_from_db()
    cn_org.update(action="update", base_version=seed.cn_commission.version, version=seed.cn_commission.version + 1)
    cn_org["fields"]["aliases"] = ["forged"]
    count = ChangeRecord.objects.count()
    with pytest.raises(ChangeRefused, match="on CN's side"):
        apply_change(cn_org, "SU", "soviet-node")
    # Moving one of ours to their side is refused too.
    cn_org["fields"]["party"] = str(seed.su.uid)
    with pytest.raises(ChangeRefused, match="CN"):
        apply_change(cn_org, "SU", "soviet-node")
    # Creating a record on our side, or deleting one, as well.
    new = copy.deepcopy(cn_org)
    new.update(action="create", uid="0190c0de-0000-7000-8000-000000000001", base_version=None, version=1)
    new["fields"].update(party=str(seed.cn.uid), external_id=None)
    with pytest.raises(ChangeRefused, match="on CN's side"):
        apply_change(new, "SU", "soviet-node")
    gone = {**cn_org, "action": "delete"}
    gone.pop("fields")
    with pytest.raises(ChangeRefused, match="only its own"):
        apply_change(gone, "SU", "soviet-node")
    assert ChangeRecord.objects.count() == count
    seed.cn_commission.refresh_from_db()
    assert seed.cn_commission.aliases != ["forged"]


def test_the_receiving_side_confirms_receipt_of_the_senders_exchange(seed, node):
    from accord.programmes.models import Exchange

    shipment = (
        Exchange.objects.filter(to_party=seed.su, from_party=seed.cn, received_on__isnull=True)
        .exclude(sent_on=None)
        .exclude(visibility=Visibility.INTERNAL)
        .first()
    )
    if shipment is None:
        pytest.skip("the seed has no exchange awaiting receipt")
    body = next(b for b in _sent() if b["uid"] == str(shipment.uid))
    body = copy.deepcopy(body)
    body.update(action="update", base_version=shipment.version, version=shipment.version + 1, entry=10**9)
    body["fields"].update(received_on="1960-02-20", received_reference="SU-PERMIT-60/12")
    apply_change(body, "SU", "soviet-node")
    shipment.refresh_from_db()
    assert str(shipment.received_on) == "1960-02-20"
    body["fields"]["quantity"] = 999  # anything else on the sender's record is the sender's
    body.update(base_version=shipment.version, version=shipment.version + 1)
    with pytest.raises(ChangeRefused, match="side"):
        apply_change(body, "SU", "soviet-node")


def test_a_change_on_a_stale_base_is_recorded_as_a_conflict_not_applied(seed, node, client):
    from django.contrib.auth import get_user_model

    from accord.core import services as records

    agreement = seed.protocol
    body = copy.deepcopy(next(b for b in _sent() if b["uid"] == str(agreement.uid)))
    agreement.refresh_from_db()
    base = agreement.version
    records.update(agreement, expected_version=base, reference="CN-1958-ours")  # ours moved on meanwhile
    body.update(action="update", base_version=base, version=base + 1, entry=10**9)
    body["fields"]["reference"] = "SU-1958-theirs"
    apply_change(body, "SU", "soviet-node")  # not refused: the conflict is kept, the transport goes on
    agreement.refresh_from_db()
    assert agreement.reference == "CN-1958-ours"
    conflict = Conflict.objects.get(object_uid=agreement.uid)
    assert (conflict.status, conflict.from_party, conflict.ours_version, conflict.theirs_version) == (
        "open",
        seed.su,
        base + 1,
        base + 1,
    )
    # It travels to the other side like any bilateral record, so they see it too.
    assert ("federation.conflict", str(conflict.uid)) in _keys(_sent())
    # A CN coordinator decides it in the pages: take theirs.
    client.force_login(get_user_model().objects.get(username="cn-coordinator"))
    page = client.get("/federation/conflicts/")
    assert page.status_code == 200 and "Take theirs" in page.content.decode()
    r = client.post(f"/federation/conflicts/{conflict.pk}/decide/", {"decision": "take", "version": conflict.version})
    assert r.status_code == 302
    agreement.refresh_from_db()
    conflict.refresh_from_db()
    assert agreement.reference == "SU-1958-theirs" and conflict.status == "took_theirs"
    assert agreement.version > base + 1


def test_keep_ours_is_applied_over_the_version_the_other_side_holds(seed, node):
    """The other side of a conflict: its node receives the decision (kept ours) and then our write over its version."""
    from accord.core import services as records
    from accord.federation.conflicts import keep_ours

    agreement = seed.protocol
    agreement.refresh_from_db()
    base = agreement.version
    body = copy.deepcopy(next(b for b in _sent() if b["uid"] == str(agreement.uid)))
    records.update(agreement, expected_version=base, reference="ours")
    body.update(action="update", base_version=base, version=base + 1, entry=10**9)
    body["fields"]["reference"] = "theirs"
    apply_change(body, "SU", "soviet-node")
    conflict = Conflict.objects.get(object_uid=agreement.uid)
    keep_ours(conflict, expected_version=conflict.version)
    agreement.refresh_from_db()
    assert agreement.reference == "ours" and agreement.version == base + 2
    conflict.refresh_from_db()
    assert conflict.status == "kept_ours"


def test_bad_input_is_refused_with_a_clear_reason_and_nothing_applied(seed, node):
    bodies = _sent()
    good = copy.deepcopy(next(b for b in bodies if b["kind"] == "programmes.progressreport"))
    count = ChangeRecord.objects.count()
    cases: list[tuple[Any, str]] = [
        ("not an object", "not a JSON object"),
        ({**good, "kind": "accounts.membership"}, "unknown kind"),
        ({**good, "kind": "nosuch.thing"}, "unknown kind"),
        ({**good, "uid": "17"}, "not a global id"),
        ({**good, "action": "merge"}, "unknown action"),
        ({**good, "version": "two"}, "'version' must be a whole number"),
        ({**good, "fields": []}, "'fields' must be an object"),
        ({**good, "fields": {**good["fields"], "colour": "red"}}, "unknown: colour"),
        ({**good, "fields": {x: v for x, v in good["fields"].items() if x != "percent"}}, "missing: percent"),
    ]
    cases.append(({**good, "fields": {**good["fields"], "period_start": "the 31st of Feb"}}, "not valid here"))
    orphan = copy.deepcopy(good)
    orphan.update(uid="0190c0de-0000-7000-8000-0000000000aa", action="create", base_version=None, version=1)
    orphan["fields"]["plan_item"] = "0190c0de-0000-7000-8000-0000000000bb"
    cases.append((orphan, "does not hold (a change it depends on has not arrived)"))
    for body, reason in cases:
        with pytest.raises(ChangeRefused, match=reason.replace("(", r"\(").replace(")", r"\)")):
            apply_change(body, "SU", "soviet-node")
    with pytest.raises(ChangeRefused, match="not known here"):
        apply_change(good, "ZZ", "x")
    with pytest.raises(ChangeRefused, match="own party"):
        apply_change(good, "CN", "x")
    assert ChangeRecord.objects.count() == count


def test_a_plan_arriving_agreed_without_both_approvals_of_its_version_is_refused(seed, node):
    from accord.programmes.models import PlanApproval

    plan = seed.plan_1960
    plan.refresh_from_db()
    body = copy.deepcopy(next(b for b in _sent() if b["uid"] == str(plan.uid)))
    assert not PlanApproval.objects.filter(plan=plan, plan_version=plan.version).exists()
    body.update(action="update", base_version=plan.version, version=plan.version + 1, entry=10**9)
    body["fields"]["status"] = "agreed"
    count = ChangeRecord.objects.count()
    with pytest.raises(ChangeRefused, match=r"the approval of CN, SU on version \d+ is not here"):
        apply_change(body, "SU", "soviet-node")
    assert ChangeRecord.objects.count() == count
