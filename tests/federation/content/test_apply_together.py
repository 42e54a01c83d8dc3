"""Changes applied together (apply_changes, as the transport hands over a batch): set-based, with the same result,
the same chain entries and the same refusals as applied one by one."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest

from accord.core.models import ChangeRecord
from accord.federation import apply as applying
from accord.federation import kinds as k
from accord.federation.models import ReceivedRecord
from accord.federation.protocol import ChangeRefused, apply_changes, outgoing_changes
from tests.federation.content.conftest import remove, state, wire

pytestmark = pytest.mark.django_db


@pytest.fixture
def groups(monkeypatch) -> list[tuple[str, int]]:
    """The groups written through core.bulk.create_many: (kind, how many)."""
    seen: list[tuple[str, int]] = []
    real = applying.create_many

    def spy(model: Any, objs: Any, **kwargs: Any) -> Any:
        seen.append((model._meta.label_lower, len(objs)))
        return real(model, objs, **kwargs)

    monkeypatch.setattr(applying, "create_many", spy)
    return seen


def _uids(bodies: list[dict[str, Any]]) -> dict[str, set[str]]:
    uids: dict[str, set[str]] = {}
    for b in bodies:
        uids.setdefault(b["kind"], set()).add(b["uid"])
    return uids


def test_the_seed_applied_in_batches_arrives_as_sent_with_one_entry_per_record(seed, node, groups):
    from accord.core.verify import verify

    bodies = wire(outgoing_changes("SU", 0, 1_000_000))
    uids = _uids(bodies)
    expected = state(uids)
    gone = remove(bodies)
    node("SU", handover=True)
    before = ChangeRecord.objects.order_by("-id").values_list("id", flat=True).first()
    for at in range(0, len(bodies), 500):
        apply_changes(bodies[at : at + 500], "CN", "chinese-node")
    assert state(uids) == expected
    # Set-based: the progress reports (and other runs of creates) went in groups, not one by one.
    reports = sum(n for kind, n in groups if kind == "programmes.progressreport")
    assert reports > 50 and reports > 0.8 * sum(1 for key in gone if key[0] == "programmes.progressreport")
    assert max(n for _kind, n in groups) > 10
    # One chain entry per record made, as the peer's, and the records noted as received from it.
    made = ChangeRecord.objects.filter(id__gt=before, action=ChangeRecord.Action.CREATE)
    for kind, uid in gone:
        assert made.filter(object_type=kind, object_uid=uid).count() == 1, (kind, uid)
    assert set(made.values_list("actor_name", flat=True)) == {"peer:CN:chinese-node"}
    received = ReceivedRecord.objects.filter(object_uid__in=[uid for _kind, uid in gone])
    assert received.count() == len(gone) and {r.party.code for r in received} == {"CN"}
    assert verify().ok


def _reports_to_apply(seed, node) -> list[dict[str, Any]]:
    """The Chinese side's progress reports of the seed as changes this node (SU) does not hold yet; the rest is
    here."""
    bodies = wire(outgoing_changes("SU", 0, 1_000_000))
    reports = [
        b for b in bodies if b["kind"] == "programmes.progressreport" and b["action"] == "create" and b["owner"] == "CN"
    ]
    remove(reports)
    node("SU")
    return reports


def _count(reports: list[dict[str, Any]]) -> int:
    return k.kinds()["programmes.progressreport"].objects.filter(uid__in=[r["uid"] for r in reports]).count()


@pytest.mark.parametrize("how", ["missing reference", "other side", "invalid value"])
def test_a_refused_change_in_a_group_names_itself_and_nothing_of_the_batch_stays(seed, node, how):
    reports = _reports_to_apply(seed, node)
    assert len(reports) > 20
    bad = copy.deepcopy(reports[12])
    if how == "missing reference":
        bad["fields"]["plan_item"] = str(uuid.uuid4())
        reason = "which this node does not hold"
    elif how == "other side":
        bad["fields"]["reporting_organisation"] = str(seed.su_committee.uid)  # a Soviet institution's report
        bad["fields"]["owner_party"] = str(seed.su.uid)
        reason = "on SU's side: the node of CN may change only its own party's records"
    else:
        bad["fields"]["percent"] = 250
        reason = "percent"
    batch = [*reports[:12], bad, *reports[13:]]
    with pytest.raises(ChangeRefused, match=reason) as refused:
        apply_changes(batch, "CN", "chinese-node")
    assert refused.value.index == 12
    assert bad["uid"] in refused.value.reason
    assert _count(reports) == 0  # all or nothing
    apply_changes(reports, "CN", "chinese-node")  # the batch as sent is applied
    assert _count(reports) == len(reports)


def test_a_batch_delivered_again_changes_nothing(seed, node, groups):
    reports = _reports_to_apply(seed, node)
    apply_changes(reports, "CN", "chinese-node")
    entries = ChangeRecord.objects.count()
    apply_changes(reports, "CN", "chinese-node")  # every record here already: each compared with ours, as alone
    assert ChangeRecord.objects.count() == entries and _count(reports) == len(reports)
    assert sum(n for kind, n in groups if kind == "programmes.progressreport") == len(reports)
