from itertools import pairwise

import pytest
from django.db import connections, transaction

from accord.core.actor import Actor, acting_as
from accord.core.audit import GENESIS, entry_hash, entry_payload, history, record_change, snapshot
from accord.core.models import ChangeRecord
from accord.directory.models import Person
from accord.directory.services import create_person, update_person
from accord.programmes.services import add_plan_item, create_plan

pytestmark = pytest.mark.django_db


def last_record() -> ChangeRecord:
    return ChangeRecord.objects.order_by("-id").first()


def test_create_writes_exactly_one_entry_with_actor_request_and_after():
    before = ChangeRecord.objects.count()
    with acting_as(Actor(None, "cli:clerk", "job-42", system=True)):
        person = create_person(name={"en": "Nie Rongzhen"})
    assert ChangeRecord.objects.count() == before + 1
    rec = last_record()
    assert (rec.action, rec.object_type, rec.object_id) == ("create", "directory.person", str(person.pk))
    assert (rec.actor_name, rec.request_id) == ("cli:clerk", "job-42")
    assert rec.before is None
    assert rec.after == snapshot(person)
    assert rec.object_uid == person.uid and rec.object_version == 1


def test_update_records_before_and_after_and_links_the_chain():
    person = create_person(name={"en": "Nie Rongzhen"})
    first = last_record()
    update_person(person, expected_version=1, name={"en": "Nie Rongzhen", "zh": "聂荣臻"})
    rec = last_record()
    assert rec.action == "update"
    assert rec.before["name"] == {"en": "Nie Rongzhen"}
    assert rec.after["name"] == {"en": "Nie Rongzhen", "zh": "聂荣臻"}
    assert rec.changed_fields() == ["name"]
    assert rec.prev_hash == first.hash
    assert rec.hash == entry_hash(rec.prev_hash, entry_payload(rec))


def test_chain_starts_at_genesis_and_every_entry_links_to_the_one_before():
    records = list(ChangeRecord.objects.order_by("id"))
    assert records[0].prev_hash == GENESIS
    for prev, rec in pairwise(records):
        assert rec.prev_hash == prev.hash


def test_child_changes_show_in_the_parents_history(seed):
    plan = create_plan(
        agreement=seed.protocol, title={"en": "1961 plan"}, period_start="1961-01-01", period_end="1961-12-31"
    )
    item = add_plan_item(plan, seed.protocol.projects.first())
    entries = list(history(plan))
    assert [e.object_type for e in entries] == ["programmes.plan", "programmes.planitem"]
    assert entries[1].object_id == str(item.pk)


def test_audited_write_outside_a_transaction_is_refused(monkeypatch):
    # pytest-django runs each test inside a transaction; pretend we are outside one.
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    with pytest.raises(RuntimeError, match="inside transaction"):
        record_change(Person(name={"en": "x"}), "create", before=None, after={})


def test_a_failed_write_leaves_no_entry_behind():
    before = ChangeRecord.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        create_person(name={"en": "Rolled back"})
        raise RuntimeError("the caller fails after the write")
    assert ChangeRecord.objects.count() == before
    assert not Person.objects.filter(name__en="Rolled back").exists()


@pytest.mark.parametrize("n", [1, 3])
def test_the_one_writer_hashes_the_canonical_payload_of_what_it_stores(n):
    """append() composes the payload from parts: it must equal canonical(payload_of(...)) of the stored entry."""
    import uuid

    from accord.core.audit import Entry, append, canonical

    odd = [
        (None, None, {"id": 1, "name": {"zh": "武衡", "en": 'Wu "H"\n'}}, "Wu Heng"),
        (uuid.uuid4(), 3, {"a": 1.5, "b": [1, None, True]}, "Ünïcode ≠ ascii \u2028"),
        (uuid.uuid4(), 7, {"x": {"y": [{"z": "\x01\t"}]}}, "tab\tand \\ backslash"),
    ][:n]
    with acting_as(Actor(None, 'clerk "α" 100%', "req-\u2028")), transaction.atomic():
        last = append(
            [
                Entry(
                    "update",
                    "directory.person",
                    str(i),
                    uid,
                    version,
                    repr_,
                    "directory.party",
                    "9",
                    None,
                    canonical(snap),
                )
                for i, (uid, version, snap, repr_) in enumerate(odd)
            ]
        )
    records = list(ChangeRecord.objects.order_by("-id")[:n])[::-1]
    assert records[-1].hash == last
    for rec, (uid, version, snap, repr_) in zip(records, odd, strict=True):
        assert rec.hash == entry_hash(rec.prev_hash, entry_payload(rec))
        assert (rec.object_uid, rec.object_version, rec.object_repr, rec.after) == (uid, version, repr_, snap)
    for prev, rec in pairwise(records):
        assert rec.prev_hash == prev.hash


def test_record_change_and_a_batch_write_the_same_entry_bytes():
    """A single change (record_change) and a batch (create_many) append through the same writer."""
    from accord.core.bulk import create_many

    with acting_as(Actor(None, "cli:clerk", "job-1", system=True)):  # as the CLI acts
        one = create_person(name={"en": "Single"})
        many = create_many(Person, [Person(name={"en": "Batch"})])
    a, b = ChangeRecord.objects.order_by("-id")[:2][::-1]
    assert (a.object_id, b.object_id) == (str(one.pk), str(many[0].pk))
    for rec in (a, b):
        assert rec.hash == entry_hash(rec.prev_hash, entry_payload(rec))
    assert b.prev_hash == a.hash
    assert set(a.after) == set(b.after) and a.after["name"] == {"en": "Single"}
