"""A fresh node taking over from an installation that hosted both sides: it learns the parties from the first
changes it receives (the sender's own party record, and with ACCORD_FEDERATION_HANDOVER its own), nothing else
from a party it does not know; a batch refused after an introduction leaves no party behind, not even in memory."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from django.db import transaction

from accord.core.models import ChangeRecord
from accord.directory.models import Party
from accord.federation import apply as federation_apply
from accord.federation import node as federation_node
from accord.federation.protocol import ChangeRefused, apply_change, outgoing_changes
from tests.federation.content.conftest import wire

pytestmark = pytest.mark.django_db


def _party_body(seed: Any, code: str) -> dict[str, Any]:
    body = copy.deepcopy(next(b for b in wire(outgoing_changes("SU", 0, 1_000_000)) if b["uid"] == str(seed.su.uid)))
    body.update(uid=str(uuid.uuid4()), action="create", base_version=None, version=1, owner=code)
    body["fields"]["code"] = code
    return body


def test_the_senders_own_party_record_introduces_it_and_nothing_else_does(seed, node):
    report = next(b for b in wire(outgoing_changes("SU", 0, 1_000_000)) if b["kind"] == "programmes.progressreport")
    with pytest.raises(ChangeRefused, match="sending party 'GB' is not known here"):
        apply_change(report, "GB", "british-node")
    with pytest.raises(ChangeRefused, match="sending party 'GB' is not known here"):
        apply_change(_party_body(seed, "FR"), "GB", "british-node")  # another party's record introduces no one
    count = ChangeRecord.objects.count()

    apply_change(_party_body(seed, "GB"), "GB", "british-node")
    gb = Party.objects.get(code="GB")
    entry = ChangeRecord.objects.order_by("-id").first()
    assert ChangeRecord.objects.count() == count + 1 and entry.actor_name == "peer:GB:british-node"
    from accord.federation.models import ReceivedRecord

    assert ReceivedRecord.objects.get(object_uid=gb.uid).party_id == gb.pk  # kept by the party it introduced


def test_our_own_party_record_introduces_us_only_while_taking_over(seed, node):
    ours = _party_body(seed, "DD")  # as the Chinese node sends it
    node("DD")  # this node acts for a party it does not hold yet (a fresh installation)
    with pytest.raises(ChangeRefused, match="own party 'DD' is not known here"):
        apply_change(ours, "CN", "chinese-node")
    node("DD", handover=True)
    apply_change(ours, "CN", "chinese-node")
    assert Party.objects.filter(code="DD").exists()
    assert federation_node.local_party_id() == Party.objects.get(code="DD").pk


def test_a_refused_batch_leaves_no_introduced_party_behind_even_in_memory(seed, node):
    theirs, ours = _party_body(seed, "CS"), _party_body(seed, "YU")
    node("YU", handover=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        apply_change(theirs, "CS", "czechoslovak-node")
        apply_change(ours, "CS", "czechoslovak-node")
        assert federation_apply._party("CS") is not None and federation_node.local_party_id() is not None
        raise RuntimeError("a later message of the batch is refused")
    assert not Party.objects.filter(code__in=["YU", "CS"]).exists()
    assert "CS" not in federation_apply._sides and "YU" not in federation_node._ids
    assert federation_apply._party("CS") is None and federation_node.local_party_id() is None
