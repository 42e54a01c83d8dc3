import pytest

from accord.core.bulk import Change, RecordsInvalid, create_many, update_many
from accord.core.errors import StaleVersion
from accord.core.models import ChangeRecord
from accord.core.verify import verify
from accord.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db


def people(n, prefix="Bulk"):
    return [Person(name={"en": f"{prefix} {i}"}, external_id=f"test:{prefix}:{i}") for i in range(n)]


def test_create_many_writes_every_record_and_a_chain_that_verifies():
    before = ChangeRecord.objects.count()
    made = create_many(Person, people(2500))
    assert all(p.pk for p in made)
    assert Person.objects.filter(external_id__startswith="test:Bulk:").count() == 2500
    entries = ChangeRecord.objects.filter(object_type="directory.person").order_by("-id")[:2500]
    assert ChangeRecord.objects.count() == before + 2500
    assert {e.object_id for e in entries} == {str(p.pk) for p in made}
    assert entries[0].actor_name == "tester" and entries[0].after["external_id"] == "test:Bulk:2499"
    report = verify()
    assert report.ok, report.problems[:3]


def test_every_bad_record_is_reported_and_nothing_is_written(seed):
    batch = people(5)
    batch[1].orcid = "0000-0002-1825-0098"  # wrong check digit
    batch[3].external_id = batch[0].external_id  # repeated inside the batch
    count = ChangeRecord.objects.count()
    with pytest.raises(RecordsInvalid) as caught:
        create_many(Person, batch)
    assert set(caught.value.errors) == {1, 3}
    assert "check digit" in caught.value.errors[1]["orcid"][0]
    assert "record #0" in caught.value.errors[3]["external_id"][0]
    assert ChangeRecord.objects.count() == count and not Person.objects.filter(external_id__startswith="test:").exists()


def test_a_key_already_stored_is_refused():
    create_many(Person, people(1, "Once"))
    with pytest.raises(RecordsInvalid) as caught:
        create_many(Person, people(1, "Once"))
    assert "already exists" in caught.value.errors[0]["external_id"][0]


def test_update_many_writes_only_what_differs_and_bumps_versions():
    made = create_many(Person, people(3, "Upd"))
    written = update_many(
        [
            Change(made[0], {"name": {"en": "Renamed"}}),
            Change(made[1], {"name": dict(made[1].name)}),  # the same: left alone
        ]
    )
    assert [p.pk for p in written] == [made[0].pk]
    assert Person.objects.get(pk=made[0].pk).version == 2
    assert Person.objects.get(pk=made[1].pk).version == 1
    last = ChangeRecord.objects.latest("id")
    assert (
        last.action == "update" and last.before["name"] == {"en": "Upd 0"} and last.after["name"] == {"en": "Renamed"}
    )
    assert verify().ok


def test_update_many_refuses_a_stale_record():
    made = create_many(Person, people(1, "Stale"))
    update_many([Change(made[0], {"name": {"en": "First"}})])
    with pytest.raises(StaleVersion):
        update_many([Change(made[0], {"name": {"en": "Second"}}, expected_version=1)])


def test_multi_column_unique_keys_are_checked_against_stored_rows_and_in_the_batch(seed):
    from accord.programmes.models import Project

    stored = Project.objects.filter(agreement=seed.protocol).first()
    assert stored is not None
    clash = Project(agreement=seed.protocol, number=stored.number, title={"en": "Clash"})
    fresh = [Project(agreement=seed.protocol, number="B-1", title={"en": f"New {i}"}) for i in range(2)]
    with pytest.raises(RecordsInvalid) as caught:
        create_many(Project, [clash, *fresh])
    assert set(caught.value.errors) == {0, 2}
    assert "already exists" in caught.value.errors[0]["number"][0]
    assert "same batch" in caught.value.errors[2]["number"][0]


def test_the_planned_snapshot_equals_audit_snapshot(seed):
    from accord.core.audit import _snapshot_each as snapshot
    from accord.core.bulk import _snapshot_fn
    from accord.programmes.models import Exchange, Participation, Project

    for model in (Person, Organisation, Project, Participation, Exchange):
        for obj in model.objects.all()[:50]:
            assert _snapshot_fn(model)(obj) == snapshot(obj)


def test_planned_validation_reports_what_full_clean_reports(seed):
    from django.core.exceptions import ValidationError

    from accord.core.validation import _full_clean_fn

    bad = [
        Person(name={"en": "x"}, orcid="0000-0002-1825-0098"),
        Person(name={}, external_id="x" * 201),
        Person(name={"en": "ok"}, orcid="0000-0002-1825-0097"),
    ]
    check = _full_clean_fn(Person, frozenset({"uid", "party"}))
    for p in bad:
        try:
            p.full_clean(exclude={"uid", "party"}, validate_unique=False, validate_constraints=False)
            expected = None
        except ValidationError as exc:
            expected = exc.message_dict
        try:
            check(p)
            got = None
        except ValidationError as exc:
            got = exc.message_dict
        assert got == expected


def test_conditional_unique_keys_are_checked_inside_the_batch_too():
    twins = [Person(name={"en": f"Twin {i}"}, orcid="0000-0002-1825-0097") for i in range(2)]
    with pytest.raises(RecordsInvalid) as caught:
        create_many(Person, twins)
    assert "same batch" in caught.value.errors[1]["orcid"][0] and 0 not in caught.value.errors
    create_many(Person, [Person(name={"en": "No ORCID"}), Person(name={"en": "No ORCID either"})])  # "" may repeat


# --- the import path's shortcuts give what Django's own steps give -------------------------------------


def _state(obj):
    return (obj._state.adding, obj._state.db, dict(obj._state.fields_cache))


def test_build_makes_the_instances_the_model_constructor_makes(seed):
    from accord.core.bulk import build
    from accord.core.models import Visibility
    from accord.programmes.models import Participation

    project = seed.protocol.projects.first()
    org = Organisation.objects.filter(party__isnull=False).first()
    rows = [
        {
            "project": project,
            "organisation": org,
            "side": org.party,
            "role": "partner",
            "visibility": Visibility.PUBLIC,
        },
        {"project_id": project.pk, "organisation_id": org.pk, "side_id": org.party_id, "external_id": "x:1"},
        {"project": project, "organisation": org, "side": None},
    ]
    for fields, made in zip(rows, build(Participation, rows), strict=True):
        expected = Participation(**fields)
        assert type(made) is Participation
        mine = {k: v for k, v in made.__dict__.items() if k not in ("_state", "uid")}
        theirs = {k: v for k, v in expected.__dict__.items() if k not in ("_state", "uid")}
        assert mine == theirs and _state(made) == _state(expected)
        assert made.uid != expected.uid and made.uid.version == 7
    with pytest.raises(TypeError):  # a name that is no field: Django's own error
        build(Person, [{"nickname": "x"}])
    with pytest.raises(ValueError):  # a related object of the wrong kind: refused as Django refuses it
        build(Participation, [{"project": org}])


def test_values_by_key_reads_what_values_list_reads(seed):
    from accord.core.bulk import values_by_key

    made = create_many(
        Organisation, [Organisation(party=seed.cn, name={"en": f"Keyed {i}"}, external_id=f"k:{i}") for i in range(20)]
    )
    keys = [f"k:{i}" for i in range(25)]  # five not stored
    columns = ["external_id", "id", "name", "party_id", "founded_on", "uid"]
    got = sorted(values_by_key(Organisation, "external_id", keys, columns, chunk=7))
    expected = sorted(Organisation.objects.filter(external_id__in=keys).values_list(*columns))
    assert got == expected and len(got) == len(made) == 20
    assert type(got[0][2]) is type(expected[0][2])  # the localized name, converted the same way


def test_stored_instances_are_the_instances_from_db_makes(seed):
    from accord.core.bulk import stored_instances

    columns = ["external_id", "id", "name", "party_id"]
    rows = list(Organisation.objects.filter(party__isnull=False).values_list(*columns)[:5])
    for row, made in zip(rows, stored_instances(Organisation, columns, rows, "default"), strict=True):
        in_order = [f.attname for f in Organisation._meta.concrete_fields if f.attname in columns]
        expected = Organisation.from_db("default", in_order, [row[columns.index(a)] for a in in_order])
        assert {k: v for k, v in made.__dict__.items() if k != "_state"} == {
            k: v for k, v in expected.__dict__.items() if k != "_state"
        }
        assert _state(made) == _state(expected) == (False, "default", {})
        assert made.get_deferred_fields() == expected.get_deferred_fields()
        assert made.uid == Organisation.objects.get(pk=made.pk).uid  # a deferred column is read on use


def test_a_choices_member_is_validated_as_its_text(seed):
    from accord.core.models import Visibility
    from accord.core.validation import validate_many

    good = Organisation(party=seed.cn, name={"en": "Enum"}, visibility=Visibility.PUBLIC)
    bad = Organisation(party=seed.cn, name={"en": "Enum"}, visibility=ChangeRecord.Action.CREATE)  # not a visibility
    errors = validate_many([good, bad])
    assert 0 not in errors and "visibility" in errors[1]


def test_unchanged_keys_finds_the_records_holding_the_wanted_values(seed):
    import datetime as dt

    from accord.core.bulk import unchanged_keys

    made = create_many(
        Organisation,
        [
            Organisation(
                party=seed.cn,
                name={"en": f"Same {i}", "zh": f"同 {i}"},
                identifiers={"pic": str(i)},
                founded_on=dt.date(2000, 1, 1 + i),
                external_id=f"u:{i}",
            )
            for i in range(6)
        ],
    )
    columns = ["party__code", "name", "identifiers", "founded_on", "parent"]

    def values(i, **change):
        v = {"party": "CN", "name": {"en": f"Same {i}", "zh": f"同 {i}"}, "pic": {"pic": str(i)}}
        v |= {"founded": dt.date(2000, 1, 1 + i), "parent": None} | change
        return (v["party"], v["name"], v["pic"], v["founded"], v["parent"])

    wanted = {f"u:{i}": values(i) for i in range(6)}
    wanted["u:1"] = values(1, party="RU")  # another related record, by its code
    wanted["u:2"] = values(2, name={"en": "Same 2"})  # a language fewer
    wanted["u:3"] = values(3, founded=dt.date(1999, 1, 4))
    wanted["u:4"] = values(4, parent=made[0].pk)  # a foreign key by its id
    wanted["u:9"] = values(9)  # not stored
    same = unchanged_keys(Organisation, "external_id", wanted, columns, chunk=4)
    assert same == {"u:0": made[0].pk, "u:5": made[5].pk}


def test_unchanged_keys_sees_a_change_made_after_the_import(seed):
    from accord.core.bulk import unchanged_keys

    [org] = create_many(Organisation, [Organisation(party=seed.cn, name={"en": "Kept"}, external_id="u:kept")])
    wanted = {"u:kept": ("CN", "institute", {"en": "Kept"})}
    assert unchanged_keys(Organisation, "external_id", wanted, ["party__code", "kind", "name"]) == {"u:kept": org.pk}
    update_many([Change(org, {"kind": Organisation.Kind.UNIVERSITY})])
    assert unchanged_keys(Organisation, "external_id", wanted, ["party__code", "kind", "name"]) == {}
