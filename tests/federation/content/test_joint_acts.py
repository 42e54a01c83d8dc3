"""Joint acts across two nodes: an approval records the content it agrees to (a plan is agreed only on approvals of
the same content hash), a signatory's key made on the other node arrives without its private half and still checks
that party's signature, and verify-bundle trusts a key received from a peer for that peer's party only."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from accord.core import services as records
from accord.core.errors import TransitionRefused
from accord.core.models import ChangeRecord
from accord.federation.models import ReceivedRecord
from accord.federation.protocol import ChangeRefused, apply_change, outgoing_changes
from accord.programmes import services
from accord.programmes.choices import PlanStatus
from accord.programmes.models import PlanApproval
from accord.signing.bundle import installation_keys
from accord.signing.content import content_sha256
from accord.signing.models import SigningKey
from tests.federation.content.conftest import wire
from tests.programmes.test_services import agree, new_plan, walk

pytestmark = pytest.mark.django_db

D = dt.date


def _proposed(seed):
    plan = new_plan(seed, visibility="bilateral")
    services.add_plan_item(plan, seed.protocol.projects.get(number="5"))
    return walk(plan, PlanStatus.PROPOSED)


def test_an_approval_records_the_content_it_agrees_to(seed):
    plan = agree(seed, new_plan(seed))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED
    hashes = set(PlanApproval.objects.filter(plan=plan).values_list("content_sha256", flat=True))
    assert hashes == {content_sha256(plan)} and len(hashes.pop()) == 64


def test_agreeing_is_refused_when_the_other_party_approved_other_content(seed):
    plan = _proposed(seed)
    # The Soviet approval as it arrived from its node, of content that is not what this node holds.
    records.create(
        PlanApproval, plan=plan, party=seed.su, owner_party=seed.su, plan_version=plan.version, content_sha256="0" * 64
    )
    with pytest.raises(TransitionRefused, match="SU agreed to other content") as refused:
        services.approve_plan(plan, party=seed.cn, expected_version=plan.version, approved_on=D(1961, 1, 20))
    assert refused.value.code == "approval_content_differs"
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED
    assert not PlanApproval.objects.filter(plan=plan, party=seed.cn).exists()
    # The same content: agreed.
    PlanApproval.objects.filter(plan=plan, party=seed.su).update(content_sha256=content_sha256(plan))
    services.approve_plan(plan, party=seed.cn, expected_version=plan.version, approved_on=D(1961, 1, 20))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AGREED


def test_the_approval_travels_with_its_content_hash_and_a_plan_arriving_agreed_on_other_content_is_refused(seed, node):
    plan = _proposed(seed)
    services.approve_plan(plan, party=seed.cn, expected_version=plan.version, approved_on=D(1961, 1, 20))
    sent = wire(outgoing_changes("SU", 0, 1_000_000))
    approval = next(b for b in sent if b["kind"] == "programmes.planapproval" and b["fields"]["plan"] == str(plan.uid))
    assert approval["fields"]["content_sha256"] == content_sha256(plan)

    # The Soviet node says the plan is agreed, its own approval being of other content than ours.
    plan.refresh_from_db()
    records.create(
        PlanApproval, plan=plan, party=seed.su, owner_party=seed.su, plan_version=plan.version, content_sha256="f" * 64
    )
    body = copy.deepcopy(next(b for b in sent if b["uid"] == str(plan.uid)))
    body.update(action="update", base_version=plan.version, version=plan.version + 1, entry=10**9)
    body["fields"]["status"] = "agreed"
    count = ChangeRecord.objects.count()
    with pytest.raises(ChangeRefused, match=r"the approval of SU on version \d+ is of other content"):
        apply_change(body, "SU", "soviet-node")
    assert ChangeRecord.objects.count() == count
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PROPOSED


def test_a_signing_key_from_the_other_node_travels_without_its_private_half(seed, node):
    bodies = [b for b in wire(outgoing_changes("SU", 0, 1_000_000)) if b["kind"] == "signing.signingkey"]
    assert bodies
    for body in bodies:
        fields = body["fields"]
        assert fields["public_key"]
        assert not {"encrypted_private_key", "nonce", "kdf_salt", "kdf_params", "cipher", "kdf"} & set(fields)


def test_verify_bundle_trusts_a_key_received_from_a_peer_for_that_peers_party_only(seed, node):
    wu_heng = SigningKey.objects.get(person=seed.wu_heng, revoked_on=None)
    aleksenko = SigningKey.objects.get(person=seed.aleksenko, revoked_on=None)
    # Aleksenko's key as the Soviet node sent it: its public half only, received from peer su.
    SigningKey.objects.filter(pk=aleksenko.pk).update(encrypted_private_key="", nonce="", kdf_salt="")
    ReceivedRecord.objects.create(
        object_type="signing.signingkey",
        object_uid=aleksenko.uid,
        party=seed.su,
        peer_name="su",
        received_at=dt.datetime.now(dt.UTC),
        remote_entry=7,
        version=aleksenko.version,
    )
    trusted = installation_keys()
    assert trusted.why("CN", wu_heng.public_key) == "made by this installation"
    assert trusted.why("SU", aleksenko.public_key) == "received from peer su (the node of SU), for SU only"
    # Neither vouches for a signature made for the other party.
    assert trusted.why("CN", aleksenko.public_key) == ""
    assert trusted.why("SU", wu_heng.public_key) == ""


def test_on_a_node_the_next_plan_copies_only_this_sides_responsibilities(seed, node):
    from accord.programmes.models import PlanItemResponsibility

    previous = seed.plan_1960
    sides = set(PlanItemResponsibility.objects.filter(plan_item__plan=previous).values_list("side__code", flat=True))
    assert sides == {"CN", "SU"}
    plan = services.draft_next_plan(
        previous, title={"en": "1961"}, period_start=D(1961, 1, 1), period_end=D(1961, 12, 31)
    )
    copied = PlanItemResponsibility.objects.filter(plan_item__plan=plan)
    assert copied.exists() and set(copied.values_list("side__code", flat=True)) == {"CN"}
    # Nothing the Soviet node would refuse: the new plan's responsibilities this node sends are its own.
    items = {str(u) for u in plan.items.values_list("uid", flat=True)}
    sent = [
        b
        for b in wire(outgoing_changes("SU", 0, 1_000_000))
        if b["kind"] == "programmes.planitemresponsibility" and b["fields"]["plan_item"] in items
    ]
    assert sent and {b["owner"] for b in sent} == {"CN"}
