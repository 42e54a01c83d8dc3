import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accord.core.audit import record_change, snapshot
from accord.core.models import ChangeRecord
from accord.core.verify import verify
from accord.directory.services import create_person

pytestmark = pytest.mark.django_db


def raw(sql: str, params: list) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def test_the_seed_verifies_clean(capsys):
    report = verify()
    assert report.ok, report.problems[:3]
    assert report.entries == ChangeRecord.objects.count()
    call_command("verify")
    assert capsys.readouterr().out.startswith("ok:")


def test_a_row_changed_behind_the_applications_back_is_named(seed):
    raw("UPDATE programmes_plan SET period_end = %s WHERE id = %s", ["1960-11-30", seed.plan_1960.pk])
    problems = [str(p) for p in verify().problems]
    last = ChangeRecord.objects.filter(object_type="programmes.plan", object_id=str(seed.plan_1960.pk)).last()
    assert problems[0] == (
        f"programmes.plan {seed.plan_1960.pk}: differs from change record #{last.pk} "
        "in period_end (changed behind Accord's back)"
    )
    # The plan was signed: both parties' signatures no longer match the records either.
    assert len(problems) == 3 and all("does not verify" in p for p in problems[1:])
    with pytest.raises(CommandError, match=f"programmes.plan {seed.plan_1960.pk}"):
        call_command("verify")


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("programmes_plan", "period_end", "1960-13-45"),  # a date that is none
        ("programmes_plan", "uid", "not-a-uid-not-a-uid-not-a-uid-xx"),  # 32 characters, as SQLite's uids
    ],
)
def test_a_row_column_holding_what_its_type_cannot_is_named_not_a_crash(seed, table, column, value):
    # SQLite keeps whatever text it is given: verify must name the row (a tool to find tampering must not be
    # stopped by it). PostgreSQL's column types refuse such a value outright.
    pk = seed.plan_1960.pk
    if connection.vendor != "sqlite":
        with pytest.raises(DatabaseError), transaction.atomic():
            raw(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
        return
    raw(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
    problems = [str(p) for p in verify().problems]
    assert problems[0] == (
        f"programmes.plan {pk}: cannot be read: a column holds what its type cannot (changed behind Accord's back)"
    )
    # The plan is signed: the signatures' check, which reads it through the ORM, is reported as unfinished.
    assert problems[1:] == [
        p for p in problems[1:] if p.startswith("accord.signing.checks.check_signatures: could not finish")
    ]
    assert len(problems) == 2


def test_a_json_column_holding_what_is_no_json_is_refused_by_either_database(seed):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw("UPDATE programmes_plan SET title = %s WHERE id = %s", ["{not json", seed.plan_1960.pk])


def test_a_row_inserted_behind_the_applications_back_is_named(seed):
    raw(
        "INSERT INTO directory_person (uid, version, created_at, updated_at, is_illustrative, name, orcid) "
        "VALUES (%s, 1, %s, %s, %s, %s, '')",
        [
            "0f0f0f0f-0000-7000-8000-000000000001",
            "2026-01-01 00:00:00",
            "2026-01-01 00:00:00",
            False,
            '{"en": "Ghost"}',
        ],
    )
    problems = [str(p) for p in verify().problems]
    assert len(problems) == 1 and "has no change record" in problems[0]


def test_a_row_deleted_behind_the_applications_back_is_named():
    person = create_person(name={"en": "Short-lived"})
    raw("DELETE FROM directory_person WHERE id = %s", [person.pk])
    problems = [str(p) for p in verify().problems]
    assert problems == [
        f"directory.person {person.pk}: is missing, but change record "
        f"#{ChangeRecord.objects.order_by('-id').first().pk} says it exists (deleted behind Accord's back)"
    ]


def test_an_edited_change_record_is_named():
    rec = ChangeRecord.objects.order_by("id")[5]
    raw("UPDATE core_changerecord SET actor_name = %s WHERE id = %s", ["someone else", rec.pk])
    problems = [str(p) for p in verify().problems]
    assert problems[0] == f"change record #{rec.pk}: its content does not match its hash (edited)"


def test_a_removed_change_record_is_named():
    _first, second, third = ChangeRecord.objects.order_by("id")[10:13]
    raw("DELETE FROM core_changerecord WHERE id = %s", [second.pk])
    problems = [str(p) for p in verify().problems]
    assert (
        problems[0]
        == f"change record #{third.pk}: does not follow the entry before it (an entry was removed or inserted)"
    )


def test_values_orjson_writes_otherwise_still_verify_and_their_edits_are_named():
    # verify hashes with orjson first and falls back to the reference JSON: floats and ints past 64 bits
    # are where the two differ, so an entry holding them must take the fallback and still verify.
    person = create_person(name={"en": "Odd numbers"})
    before = snapshot(person)
    odd = '{"en": "Odd numbers", "x": 1e-07, "y": 1180591620717411303424}'
    raw("UPDATE directory_person SET name = %s, version = version + 1 WHERE id = %s", [odd, person.pk])
    person.refresh_from_db()
    _append_update(person, before)
    assert verify().ok
    raw("UPDATE directory_person SET name = %s WHERE id = %s", [odd.replace("1e-07", "2e-07"), person.pk])
    problems = [str(p) for p in verify().problems]
    assert problems == [
        f"directory.person {person.pk}: differs from change record "
        f"#{ChangeRecord.objects.order_by('-id').first().pk} in name (changed behind Accord's back)"
    ]


def _append_update(obj, before: dict) -> None:
    """An update entry for obj's stored row as it is now, claiming `before` as the state it changed."""
    with transaction.atomic():
        record_change(obj, "update", before=before, after=snapshot(obj))


def _bump_version(person) -> None:
    raw("UPDATE directory_person SET version = version + 1 WHERE id = %s", [person.pk])
    person.refresh_from_db()


def test_an_update_whose_before_lacks_a_column_follows_its_entry(seed):
    # As after a migration added a column: only the columns both entries know are compared.
    person = create_person(name={"en": "Migrated"})
    before = snapshot(person)
    del before["orcid"]
    _bump_version(person)
    _append_update(person, before)
    assert verify().ok


def test_an_update_whose_before_differs_from_the_last_state_is_named(seed):
    person = create_person(name={"en": "Forged"})
    created = ChangeRecord.objects.order_by("-id").first()
    before = {**snapshot(person), "orcid": "0000-0002-1825-0097"}
    _bump_version(person)
    _append_update(person, before)
    problems = [str(p) for p in verify().problems]
    assert problems == [
        f"change record #{created.pk + 1}: gives directory.person {person.pk}'s orcid before the change "
        f"otherwise than change record #{created.pk} left them (changed behind Accord's back, or forged)"
    ]


def test_the_fast_reading_agrees_with_the_orm_on_every_row_and_entry(seed, monkeypatch):
    # verify reads driver tuples and converts the typed columns itself; a disagreement with the ORM's
    # reading is re-read the ORM's way. On clean data (every field type the seed uses) none may occur,
    # or verify would quietly be as slow as before.
    from accord.core import verify as module

    rereads: list[object] = []
    monkeypatch.setattr(module, "_snapshot_as_orm_reads_it", lambda *a: rereads.append(a))
    monkeypatch.setattr(module, "_entry_as_orm_reads_it", lambda *a: rereads.append(a))
    report = verify()
    assert report.ok and report.rows > 100 and report.entries > 100
    assert rereads == []


def test_a_fast_reading_that_disagrees_is_settled_by_the_orm_not_reported(seed, monkeypatch):
    from accord.core import verify as module

    real_reader, real_entries = module._snapshot_reader, module._entries

    def wrong_names(f, conn):  # a reader that gets the people's names wrong
        return (
            (lambda v: {"en": "wrong"})
            if f.model._meta.label_lower == "directory.person" and f.name == "name"
            else real_reader(f, conn)
        )

    def wrong_actor(*bounds):  # and entries whose actor reads wrong
        for pk, values, prev, stored in real_entries(*bounds):
            yield pk, {**values, "actor_name": "wrong"}, prev, stored

    monkeypatch.setattr(module, "_snapshot_reader", wrong_names)
    monkeypatch.setattr(module, "_entries", wrong_actor)
    assert verify().ok
    # ...while a real change behind Accord's back is still named.
    raw("UPDATE programmes_plan SET period_end = %s WHERE id = %s", ["1960-11-30", seed.plan_1960.pk])
    assert "in period_end (changed behind Accord's back)" in str(verify().problems[0])
