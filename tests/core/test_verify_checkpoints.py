"""`accord verify` from a checkpoint, and the chain walked in ranges (in processes where it can be)."""

import pickle

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DataError, connection, transaction

from accord.core import verify as module
from accord.core.audit import entry_hash, entry_payload, record_change, snapshot
from accord.core.models import ChangeRecord, VerifyCheckpoint
from accord.core.verify import verify
from accord.directory.models import Person
from accord.directory.services import create_person, update_person

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def head() -> ChangeRecord:
    return ChangeRecord.objects.order_by("-id").first()


def test_a_clean_run_leaves_a_signed_checkpoint_at_the_head(capsys):
    call_command("verify")
    point = VerifyCheckpoint.objects.get()
    assert (point.through, point.head) == (head().pk, head().hash)
    assert point.entries == ChangeRecord.objects.count()
    assert len(point.signature) == 64
    assert "after the checkpoint" not in capsys.readouterr().out  # the first run starts from the beginning


def test_the_next_run_checks_only_what_came_after(capsys):
    call_command("verify")
    through = head().pk
    person = create_person(name={"en": "New since"})
    update_person(person, expected_version=person.version, name={"en": "New since, renamed"})
    walked = []
    real = module._walk_range

    def spy(lo, hi):
        walked.append((lo, hi))
        return real(lo, hi)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(module, "_walk_range", spy)
        report = verify(since_checkpoint=True)
    assert report.ok, report.problems
    assert report.since == through and report.checked == 2 and report.rows == 1
    assert report.entries == ChangeRecord.objects.count()
    # Nothing before the checkpoint was read (on PostgreSQL the new entries' ids may skip ahead: sequences are
    # not rolled back with the tests before, so the range starts at or after the checkpoint).
    assert len(walked) == 1 and walked[0][0] >= through and walked[0][1] == head().pk, walked
    capsys.readouterr()
    call_command("verify", "--since-checkpoint")
    assert f"2 checked after the checkpoint at change record #{through}" in capsys.readouterr().out
    assert VerifyCheckpoint.objects.order_by("-through").first().through == head().pk


def test_a_new_entry_that_does_not_follow_its_object_is_named_incrementally():
    person = create_person(name={"en": "Before the checkpoint"})
    call_command("verify")
    # A row changed behind Accord's back after the checkpoint, then changed through Accord: the entry's
    # `before` is the changed row, not what the object's entry before the checkpoint left.
    raw("UPDATE directory_person SET orcid = %s WHERE id = %s", ["0000-0002-1825-0097", person.pk])
    person.refresh_from_db()
    update_person(person, expected_version=person.version, name={"en": "After"})
    problems = [str(p) for p in verify(since_checkpoint=True).problems]
    assert len(problems) == 1 and f"directory.person {person.pk}'s orcid before the change" in problems[0]


def test_a_row_changed_after_the_checkpoint_is_named_incrementally():
    person = create_person(name={"en": "Touched"})
    call_command("verify")
    update_person(person, expected_version=person.version, name={"en": "Touched again"})
    raw("UPDATE directory_person SET orcid = %s WHERE id = %s", ["0000-0002-1825-0097", person.pk])
    with pytest.raises(CommandError, match=f"directory.person {person.pk}: differs from change record #{head().pk}"):
        call_command("verify")


def rewrite_from(rec: ChangeRecord, **changes) -> None:
    """Edit an entry and rehash it and every entry after it: a chain consistent in itself, rewritten."""
    ChangeRecord.objects.filter(pk=rec.pk).update(**changes)
    prev = rec.prev_hash
    for r in ChangeRecord.objects.filter(pk__gte=rec.pk).order_by("id"):
        digest = entry_hash(prev, entry_payload(r))
        ChangeRecord.objects.filter(pk=r.pk).update(prev_hash=prev, hash=digest)
        prev = digest


def test_a_chain_rewritten_before_the_checkpoint_is_named_not_trusted():
    call_command("verify")
    point = VerifyCheckpoint.objects.get()
    rewrite_from(ChangeRecord.objects.order_by("id")[3], actor_name="someone else")
    problems = [str(p) for p in verify(since_checkpoint=True).problems]
    assert problems[0].startswith(f"verify checkpoint through change record #{point.through}: its head ")
    assert "no longer matches" in problems[0] and "(the chain was rewritten)" in problems[0]
    with pytest.raises(CommandError, match="the chain was rewritten"):
        call_command("verify")
    assert VerifyCheckpoint.objects.count() == 1  # no new checkpoint over a rewritten chain


def test_an_edit_before_the_checkpoint_is_found_by_full():
    call_command("verify")
    rec = ChangeRecord.objects.order_by("id")[5]
    raw("UPDATE core_changerecord SET actor_name = %s WHERE id = %s", ["someone else", rec.pk])
    # The checkpoint's head still matches: an incremental run trusts what it vouched for...
    assert verify(since_checkpoint=True).ok
    # ...and --full starts over.
    with pytest.raises(CommandError, match=f"change record #{rec.pk}: its content does not match its hash"):
        call_command("verify", "--full")


def test_a_checkpoint_written_behind_accords_back_is_named():
    call_command("verify")
    point = VerifyCheckpoint.objects.get()
    VerifyCheckpoint.objects.filter(pk=point.pk).update(entries=point.entries + 1)
    problems = [str(p) for p in verify(since_checkpoint=True).problems]
    assert problems == [
        f"verify checkpoint through change record #{point.through}: its signature does not hold "
        "(written behind Accord's back)"
    ]


def test_full_starts_over(capsys):
    call_command("verify")
    create_person(name={"en": "One more"})
    capsys.readouterr()
    call_command("verify", "--full")
    out = capsys.readouterr().out
    assert out.startswith(f"ok: {ChangeRecord.objects.count()} change records chained")
    assert "after the checkpoint" not in out


# --- ranges ----------------------------------------------------------------------------------------------


def test_every_entry_takes_the_fast_path_on_clean_data(seed, monkeypatch):
    # The slow readings are for entries whose text does not give their hash; none may need them here.
    def slow(*args):
        raise AssertionError("an entry took the slow path")

    monkeypatch.setattr(module, "_hash_matches", slow)
    monkeypatch.setattr(module, "_snapshot_as_orm_reads_it", slow)  # nor may a row's reading (times, dates, uids)
    assert verify().ok


@pytest.mark.parametrize("parts", [2, 7, 50])
def test_a_chain_cut_into_ranges_verifies_as_one(seed, parts):
    whole, cut = verify(parts=1), verify(parts=parts)
    assert cut.ok and (cut.entries, cut.rows) == (whole.entries, whole.rows)


def test_a_break_in_any_range_is_named_as_a_single_walk_names_it(seed):
    ids = list(ChangeRecord.objects.order_by("id").values_list("id", flat=True))
    parts = 7
    bounds = module._ranges(ids[0] - 1, ids[-1], parts)
    # The first entry of each range (where it joins the one before), one inside each, and the last.
    targets = sorted({min(i for i in ids if i > lo) for lo, _ in bounds} | {(lo + hi) // 2 + 1 for lo, hi in bounds})
    targets = [t for t in targets if t in ids] + [ids[-1]]
    for pk in targets:
        original = ChangeRecord.objects.get(pk=pk).actor_name
        raw("UPDATE core_changerecord SET actor_name = %s WHERE id = %s", ["someone else", pk])
        whole, cut = verify(parts=1), verify(parts=parts)
        assert [str(p) for p in cut.problems] == [str(p) for p in whole.problems]
        assert str(cut.problems[0]) == f"change record #{pk}: its content does not match its hash (edited)"
        raw("UPDATE core_changerecord SET actor_name = %s WHERE id = %s", [original, pk])


def test_an_entry_removed_at_a_range_boundary_is_named(seed):
    ids = list(ChangeRecord.objects.order_by("id").values_list("id", flat=True))
    lo, _hi = module._ranges(ids[0] - 1, ids[-1], 4)[2]
    first = min(i for i in ids if i > lo)  # the third range's first entry: its link is checked by the join
    after = ids[ids.index(first) + 1]
    raw("DELETE FROM core_changerecord WHERE id = %s", [first])
    problems = [str(p) for p in verify(parts=4).problems]
    assert problems[0] == (
        f"change record #{after}: does not follow the entry before it (an entry was removed or inserted)"
    )


def test_an_object_replayed_across_ranges_is_named(seed):
    # Its creation in an early range, a forged second create in a later one: only the join sees both.
    person = create_person(name={"en": "Twice"})
    created = head()
    assert verify(parts=3).ok
    with transaction.atomic():
        record_change(person, "create", before=None, after=snapshot(person))
    for parts in (1, 3, 20):
        problems = [str(p) for p in verify(parts=parts).problems]
        assert problems[0] == (
            f"change record #{head().pk}: creates directory.person {person.pk}, which change record "
            f"#{created.pk} shows exists already (replayed or forged)"
        ), parts


def test_since_checkpoint_is_asked_for_and_the_default_checks_every_row(capsys):
    # The default run checks every row: a row changed with SQL on a record no change touched since is named.
    call_command("verify")
    create_person(name={"en": "One more"})
    capsys.readouterr()
    call_command("verify", "--since-checkpoint")
    assert "after the checkpoint" in capsys.readouterr().out
    person = Person.objects.order_by("pk").first()
    raw("UPDATE directory_person SET orcid = %s WHERE id = %s", ["0000-0002-1825-0097", person.pk])
    assert verify(since_checkpoint=True).ok  # the incremental run reads only the rows its new entries are about
    with pytest.raises(CommandError, match=f"directory.person {person.pk}"):
        call_command("verify")


def test_ranges_walked_in_worker_processes_join_as_walked_here(seed, monkeypatch):
    # A worker's range comes back pickled (its per-object states as plain tuples): joined, it must name what the
    # range walked in this process names. The tests' database lives in this process's transaction, so the worker
    # is stood in for by the round trip through pickle that multiprocessing makes.
    walk = module._walk_range
    monkeypatch.setattr(module, "_walk_range", lambda lo, hi: pickle.loads(pickle.dumps(walk(lo, hi))))
    person = create_person(name={"en": "Twice"})
    update_person(person, expected_version=person.version, name={"en": "Thrice"})
    assert verify(parts=5).ok
    with transaction.atomic():
        record_change(person, "create", before=None, after=snapshot(person))
    edited = ChangeRecord.objects.order_by("id").values_list("id", flat=True)[3]
    raw("UPDATE core_changerecord SET actor_name = %s WHERE id = %s", ["someone else", edited])
    monkeypatch.undo()
    expected = [str(p) for p in verify(parts=5).problems]
    monkeypatch.setattr(module, "_walk_range", lambda lo, hi: pickle.loads(pickle.dumps(walk(lo, hi))))
    assert [str(p) for p in verify(parts=5).problems] == expected
    assert len(expected) == 2 and f"#{edited}:" in expected[0] and "replayed or forged" in expected[1]


@pytest.mark.parametrize("stored", ["not a time", "2026-13-45 25:61:00"])
def test_an_entry_whose_time_is_not_a_time_is_named_as_edited(seed, stored):
    # The walk reads the time as SQLite stores it (no converter): a text that is no timestamp is an edit it names,
    # not a crash.
    pk = ChangeRecord.objects.order_by("id").values_list("id", flat=True)[5]
    if connection.vendor != "sqlite":  # a timestamp column holds only times: nothing to read
        with pytest.raises(DataError), transaction.atomic():
            raw("UPDATE core_changerecord SET at = %s WHERE id = %s", [stored, pk])
        return
    raw("UPDATE core_changerecord SET at = %s WHERE id = %s", [stored, pk])
    problems = [str(p) for p in verify().problems]
    assert problems[0] == f"change record #{pk}: its content does not match its hash (edited)"


def test_rows_checked_in_ranges_name_what_one_pass_names(seed, monkeypatch):
    # With workers, each large table is checked in ranges of ids (in processes of their own outside a test's
    # transaction): a row changed, one written and one deleted behind Accord's back, in different ranges, are
    # named as one pass over the tables names them, in the same order.
    people = [create_person(name={"en": f"Person {n}"}) for n in range(12)]
    raw("UPDATE directory_person SET name = %s WHERE id = %s", ['{"en": "Changed"}', people[2].pk])
    raw("DELETE FROM directory_person WHERE id = %s", [people[7].pk])
    Person._base_manager.bulk_create([Person(name={"en": "Never recorded"})])  # no service, no change record
    one_pass = [str(p) for p in verify(workers=1).problems]
    monkeypatch.setattr(module, "PARALLEL_FROM", 3)
    tasks = module._row_ranges(2)
    assert sum(label == "directory.person" for label, _, _ in tasks) > 2  # several ranges
    assert [str(p) for p in verify(workers=2).problems] == one_pass
    assert len(one_pass) == 3, one_pass
    assert "changed behind Accord's back" in one_pass[0] and "written behind Accord's back" in one_pass[1]
    assert "deleted behind Accord's back" in one_pass[2]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("created_at", "1960-13-45 25:61:00"),  # a time that is none
        ("uid", "not-a-uid-not-a-uid-not-a-uid-xx"),  # 32 characters, as SQLite's uids
        ("orcid", "0000-0002-1825-0097"),  # a value of the column's type: named on either database
    ],
)
def test_a_touched_row_holding_what_its_type_cannot_is_named_incrementally_not_a_crash(column, value):
    # The incremental run reads the rows its new entries are about as the full run reads every row: a column
    # edited behind Accord's back into what its type cannot hold (SQLite keeps any text; PostgreSQL's types refuse
    # it) is named, as a full run names it, not a traceback.
    person = create_person(name={"en": "Touched"})
    call_command("verify")
    update_person(person, expected_version=person.version, name={"en": "Touched again"})
    if column != "orcid" and connection.vendor != "sqlite":
        with pytest.raises(DataError), transaction.atomic():
            raw(f"UPDATE directory_person SET {column} = %s WHERE id = %s", [value, person.pk])
        return
    raw(f"UPDATE directory_person SET {column} = %s WHERE id = %s", [value, person.pk])
    incremental = [str(p) for p in verify(since_checkpoint=True).problems]
    assert incremental == [str(p) for p in verify().problems]
    expected = (
        f"directory.person {person.pk}: differs from change record #{head().pk} in orcid"
        if column == "orcid"
        else f"directory.person {person.pk}: cannot be read: a column holds what its type cannot"
    )
    assert len(incremental) == 1 and incremental[0].startswith(expected), incremental
