"""core.bulk.create_rows: new records as plain tuples give what create_many gives for the same values.

The same chain entries (each snapshot byte for byte the canonical JSON of the stored record's snapshot), the same
stored values (what the rules rewrite, rewritten), and for bad values the same RecordsInvalid errors, nothing written.
"""

import datetime as dt
import decimal

import pytest
from django.db import transaction

from accord.agreements.models import Agreement, AgreementParty
from accord.core import bulk
from accord.core.audit import canonical, snapshot
from accord.core.bulk import RecordsInvalid, build, create_many, create_rows
from accord.core.models import ChangeRecord, SearchEntry
from accord.core.verify import verify
from accord.directory.models import Organisation, Party
from accord.programmes.models import Exchange, Participation, Project
from tests.chain_entries import appended_entries

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _by_columns(monkeypatch):
    """Every model here goes the tuple path: falling back to instances would compare create_many with itself."""

    def refuse(model, *args, **kwargs):
        raise AssertionError(f"{model.__name__} went through create_many")

    monkeypatch.setattr(bulk, "_prepare_as_instances", refuse)


ORG = ["external_id", "party_id", "kind", "name", "identifiers", "aliases", "founded_on", "dissolved_on", "visibility"]
PROJECT = ["external_id", "agreement_id", "number", "title", "start_on", "end_on", "visibility", "field"]
PART = ["external_id", "project_id", "organisation_id", "side_id", "role", "visibility"]


def _orgs(seed, prefix):
    cn, su = seed.cn.pk, seed.su.pk
    return [
        (
            f"{prefix}:1",
            cn,
            "institute",
            {"zh": "中国科学院物理研究所", "en": "Institute of Physics"},
            {},
            [],
            None,
            None,
            "public",
        ),
        (
            f"{prefix}:2",
            su,
            "academy",
            {"ru": "Академия наук СССР"},
            {"pic": "999"},
            ["АН СССР", "Академия"],
            dt.date(1925, 7, 27),
            dt.date(1991, 12, 8),
            "bilateral",
        ),
        (
            f"{prefix}:3",
            cn,
            "university",
            {"en": "Tsinghua", "zh-Hans": "清华大学"},
            {"ror": "03cve4549"},
            [],
            dt.date(1911, 4, 29),
            None,
            "public",
        ),
    ]


def test_each_snapshot_is_the_stored_records_canonical_snapshot_byte_for_byte(seed, monkeypatch):
    entries = appended_entries(monkeypatch)
    org_ids = create_rows(
        Organisation,
        ORG,
        _orgs(seed, "rows-org"),
        related="party_id",
        describe=lambda v: v[3].get("en", "x"),
    )
    project_rows = [
        (
            "rows-p:1",
            seed.protocol.pk,
            " R-7 ",
            {"zh": "高能物理", "ru": "Физика высоких энергий"},
            dt.date(1958, 1, 1),
            dt.date(1962, 12, 31),
            "public",
            "",
        ),
        ("rows-p:2", seed.protocol.pk, "R-8", {"en": "Semiconductors"}, None, None, "bilateral", "2.2"),
    ]
    project_ids = create_rows(Project, PROJECT, project_rows, related="agreement_id")
    part_rows = [
        ("rows-part:1", project_ids[0], org_ids[0], seed.cn.pk, "coordinator", "public"),
        ("rows-part:2", project_ids[0], org_ids[1], seed.su.pk, "partner", "public"),
        ("rows-part:3", project_ids[1], org_ids[2], seed.cn.pk, "associated", "bilateral"),
    ]
    part_ids = create_rows(Participation, PART, part_rows, related="project_id")
    exchange_rows = [
        (seed.protocol.pk, "expert_secondment", seed.cn.pk, seed.su.pk, decimal.Decimal("2.5"), {"ru": "Эксперты"}),
        (seed.protocol.pk, "expert_secondment", seed.su.pk, seed.cn.pk, 3, {}),
    ]
    exchange_ids = create_rows(
        Exchange, ["agreement_id", "kind", "from_party_id", "to_party_id", "quantity", "description"], exchange_rows
    )
    made = [(Organisation, org_ids), (Project, project_ids), (Participation, part_ids), (Exchange, exchange_ids)]
    assert len(entries) == sum(len(ids) for _, ids in made)
    by_object = {(e.object_type, e.object_id): e for e in entries}
    for model, ids in made:
        for pk in ids:
            stored = model.objects.get(pk=pk)
            e = by_object[(model._meta.label_lower, str(pk))]
            assert e.after == canonical(snapshot(stored))  # the hashed text: dates, datetimes, decimals, JSON, ids
            assert e.object_uid == stored.uid and e.object_version == 1 and e.before is None
            assert e.object_repr == (str(stored)[:300] if model is not Organisation else e.object_repr)
    # What the rules rewrite is rewritten: a number trimmed, each side owning its participations, the sender its
    # exchanges, a decimal as the field keeps it.
    assert Project.objects.get(pk=project_ids[0]).number == "R-7"
    assert Participation.objects.get(pk=part_ids[1]).owner_party_id == seed.su.pk
    assert Exchange.objects.get(pk=exchange_ids[0]).owner_party_id == seed.cn.pk
    assert Exchange.objects.get(pk=exchange_ids[1]).quantity == decimal.Decimal("3.00")
    related = {e.object_id: (e.related_type, e.related_id) for e in entries if e.object_type == "programmes.project"}
    assert related[str(project_ids[0])] == ("agreements.agreement", str(seed.protocol.pk))
    assert ChangeRecord.objects.get(
        object_type="programmes.participation", object_id=str(part_ids[0])
    ).related_id == str(project_ids[0])
    # The search index holds the new records as index_changed writes them.
    index = dict(
        SearchEntry.objects.filter(model="directory.organisation", object_id__in=org_ids).values_list(
            "object_id", "body"
        )
    )
    assert "中国科学院物理研究所" in index[org_ids[0]] and "академия наук ссср" in index[org_ids[1]]
    assert "атомные" not in index[org_ids[1]] and "ан ссср" in index[org_ids[1]]
    report = verify()
    assert report.ok, report.problems[:3]


def test_the_same_values_give_the_same_stored_records_as_create_many(seed):
    """Through both paths, the same values stored (what the rules rewrite, rewritten alike)."""
    rows = _orgs(seed, "same")
    rows.append(("same:4", seed.cn.pk, "other", {"EN": "  Padded name  ", "ru": ""}, {}, [], None, None, "public"))
    by_rows = create_rows(Organisation, ORG, [("rows-" + r[0], *r[1:]) for r in rows])
    by_objs = create_many(
        Organisation, build(Organisation, [dict(zip(ORG, ("objs-" + r[0], *r[1:]), strict=True)) for r in rows])
    )
    skip = {"id", "uid", "external_id", "created_at", "updated_at"}
    for pk, obj in zip(by_rows, by_objs, strict=True):
        a = snapshot(Organisation.objects.get(pk=pk))
        b = snapshot(Organisation.objects.get(pk=obj.pk))
        assert {k: v for k, v in a.items() if k not in skip} == {k: v for k, v in b.items() if k not in skip}
    assert Organisation.objects.get(pk=by_rows[3]).name == {"en": "Padded name"}


def _errors_both_ways(model, columns, rows):
    """(create_many's outcome, create_rows' outcome) for the same records: the RecordsInvalid errors, or the kind of
    failure (a rule that reads a missing related record fails alike both ways); each time nothing written."""
    count = ChangeRecord.objects.count(), model.objects.count()
    found = []
    for path in ("objs", "rows"):
        try:
            with transaction.atomic():
                if path == "objs":
                    create_many(model, build(model, [dict(zip(columns, r, strict=True)) for r in rows]))
                else:
                    create_rows(model, columns, rows)
            found.append(None)
        except RecordsInvalid as exc:
            found.append(exc.errors)
        except Exception as exc:  # the same kind of failure both ways is what is compared
            found.append(type(exc))
        assert (ChangeRecord.objects.count(), model.objects.count()) == count
    assert found[0] is not None
    return found


def _bad_cases(seed, good, columns, cases):
    for name, value in cases:
        yield name, [good(0), (*good(1)[: columns.index(name)], value, *good(1)[columns.index(name) + 1 :]), good(2)]


def test_a_bad_organisation_value_in_each_column_is_refused_as_create_many_refuses_it(seed):
    stored = seed.cas.external_id or "stored-org"
    if not seed.cas.external_id:
        Organisation.objects.filter(pk=seed.cas.pk).update(external_id=stored)

    def good(i):
        return (f"bad-org:{i}", seed.cn.pk, "institute", {"en": f"Org {i}"}, {}, [], None, None, "public")

    cases = [
        ("external_id", "x" * 201),
        ("external_id", "bad-org:0"),  # repeats record #0
        ("external_id", stored),  # already stored
        ("external_id", "tab\x01"),
        ("external_id", "nul\x00"),
        ("party_id", 999_999_999),
        ("party_id", None),
        ("party_id", "abc"),
        ("kind", "nonsense"),
        ("kind", ""),
        ("kind", 5),
        ("name", {}),
        ("name", "not an object"),
        ("name", {"en_GB": "bad tag"}),
        ("name", {"en": 5}),
        ("name", {"en": "bell\x07"}),
        ("identifiers", "not an object"),
        ("identifiers", {"ror": "nope"}),
        ("aliases", [1, 2]),
        ("aliases", "one"),
        ("founded_on", "1911-13-40"),
        ("dissolved_on", dt.date(1800, 1, 1)),  # before founded_on once that is set below
        ("visibility", "internal"),  # internal without an owning party
        ("visibility", "secret"),
    ]
    for name, rows in _bad_cases(seed, good, ORG, cases):
        if name == "dissolved_on":
            rows[1] = (*rows[1][:6], dt.date(1900, 1, 1), *rows[1][7:])
        by_objs, by_rows = _errors_both_ways(Organisation, ORG, rows)
        assert by_rows == by_objs, name
        # Only the bad record, named with its message both ways: a NUL character (which PostgreSQL's driver refuses
        # in a query) is no longer looked up as a unique key once it has failed (core.validation._unfailed).
        assert isinstance(by_rows, dict) and set(by_rows) == {1}, (name, by_rows)
    # Two bad columns in one record, and bad records next to each other: the same messages in the same order.
    rows = [good(0), (*good(1)[:2], "nonsense", {}, *good(1)[4:]), ("bad-org:0", *good(2)[1:])]
    by_objs, by_rows = _errors_both_ways(Organisation, ORG, rows)
    assert by_rows == by_objs and list(by_rows[1]) == list(by_objs[1]) and set(by_rows) == {1, 2}


def test_a_bad_project_value_in_each_column_is_refused_as_create_many_refuses_it(seed):
    stored = Project.objects.filter(agreement=seed.protocol).first()

    def good(i):
        return (f"bad-p:{i}", seed.protocol.pk, f"BP-{i}", {"en": f"P {i}"}, None, None, "public", "")

    cases = [
        ("number", ""),
        ("number", "9" * 33),
        ("number", "BP-0"),  # repeats (agreement, number) of record #0
        ("number", stored.number),  # already stored
        ("title", {}),
        ("start_on", "not a date"),
        ("end_on", dt.date(1900, 1, 1)),  # before start_on, set below
        ("visibility", "internal"),
        ("field", "99.9"),
    ]
    for name, rows in _bad_cases(seed, good, PROJECT, cases):
        if name == "end_on":
            rows[1] = (*rows[1][:4], dt.date(1950, 1, 1), *rows[1][5:])
        by_objs, by_rows = _errors_both_ways(Project, PROJECT, rows)
        assert by_rows == by_objs, name
    # An unknown agreement: create_many's instance fails in Project.clean(), which reads the agreement (a
    # DoesNotExist, not a refusal); by column, clean_rows() does not read it, and the foreign key's message refuses it.
    rows = [good(0), (good(1)[0], 999_999_999, *good(1)[2:]), good(2)]
    by_objs, by_rows = _errors_both_ways(Project, PROJECT, rows)
    assert by_objs is Project.agreement.field.related_model.DoesNotExist
    assert by_rows == {1: {"agreement": ["agreement instance with id 999999999 is not a valid choice."]}}
    # Assistance names its parties; only assistance does (left to clean(), the same messages).
    columns = [*PROJECT, "modality", "provider_party_id"]
    rows = [(*good(0), "joint", None), (*good(1), "assistance", None), (*good(2), "joint", seed.cn.pk)]
    by_objs, by_rows = _errors_both_ways(Project, columns, rows)
    assert by_rows == by_objs and set(by_rows) == {1, 2}


def test_a_bad_participation_value_in_each_column_is_refused_as_create_many_refuses_it(seed):
    other = Party.objects.create(code="XQ", kind=Party.Kind.INSTITUTION, name={"en": "No party of the protocol"})
    project = Project.objects.filter(agreement=seed.protocol).first()
    orgs = [seed.cas.pk, seed.tsinghua.pk, seed.msu.pk]
    Participation.objects.filter(project=project, organisation_id__in=orgs).delete()
    taken = Participation.objects.filter(project=project).first()

    def good(i):
        return (f"bad-part:{i}", project.pk, orgs[i], seed.cn.pk, "partner", "public")

    cases = [
        ("side_id", other.pk),  # not a party of the project's agreement
        ("side_id", 999_999_999),
        ("project_id", 999_999_999),
        ("organisation_id", None),
        ("organisation_id", orgs[0]),  # repeats (project, organisation) of record #0
        ("role", "chief"),
        ("visibility", "internal"),
    ]
    if taken is not None:
        cases.append(("organisation_id", taken.organisation_id))  # already stored
    cases.append(("project_id", 999_999_999))  # clean() reads the missing project: fails alike both ways
    cases.append(("project_id", "abc"))  # ... and a project id that is no number
    for name, rows in _bad_cases(seed, good, PART, cases):
        by_objs, by_rows = _errors_both_ways(Participation, PART, rows)
        assert by_rows == by_objs, name


def test_create_rows_refuses_a_column_it_does_not_know():
    with pytest.raises(ValueError, match="attname"):
        create_rows(Organisation, ["party"], [(1,)])


def test_equal_objects_of_different_json_keep_their_own_text(seed, monkeypatch):
    """{"n": 1} == {"n": True} in Python: each record's snapshot and stored JSON are still its own."""
    entries = appended_entries(monkeypatch)
    rows = [
        ("equal:1", seed.cn.pk, "other", {"en": "One"}, {"n": 1}, [], None, None, "public"),
        ("equal:2", seed.cn.pk, "other", {"en": "True"}, {"n": True}, [], None, None, "public"),
    ]
    ids = create_rows(Organisation, ORG, rows)
    stored = [Organisation.objects.get(pk=pk) for pk in ids]
    assert [type(o.identifiers["n"]) for o in stored] == [int, bool]
    assert [e.after for e in entries] == [canonical(snapshot(o)) for o in stored]


AGREEMENT = [
    "external_id",
    "kind",
    "title",
    "signed_on",
    "entry_into_force_on",
    "end_on",
    "status",
    "authentic_languages",
    "visibility",
    "owner_party_id",
]


def _agreement(i):
    return (
        f"bad-a:{i}",
        "agreement",
        {"en": f"A {i}"},
        dt.date(1958, 1, 18),
        None,
        None,
        "in_force",
        ["zh"],
        "public",
        None,
    )


def test_a_bad_agreement_value_in_each_column_is_refused_as_create_many_refuses_it(seed):
    """Agreement.clean_rows: each rule of Agreement.clean() it leaves to clean() gives clean()'s message."""
    cases = [
        ("entry_into_force_on", dt.date(1957, 1, 1)),  # before the signature
        ("end_on", dt.date(1957, 1, 1)),  # before the signature (no entry into force)
        ("status", "signed"),  # with no signature date: set below
        ("status", "in_force"),  # likewise
        ("status", "nonsense"),
        ("kind", "treaty"),
        ("title", {}),
        ("authentic_languages", ["xx-!!"]),
        ("authentic_languages", "zh"),
        ("authentic_languages", [1]),
        ("authentic_languages", [["zh"]]),
        ("visibility", "internal"),  # internal without an owning party
        ("owner_party_id", 999_999_999),
        ("external_id", "bad-a:0"),  # repeats record #0
    ]
    for name, rows in _bad_cases(seed, _agreement, AGREEMENT, cases):
        if name == "status":
            rows[1] = (*rows[1][:3], None, *rows[1][4:])
        by_objs, by_rows = _errors_both_ways(Agreement, AGREEMENT, rows)
        assert by_rows == by_objs and set(by_rows) == {1}, (name, by_rows)
    # The end before the entry into force, which is after the signature: the entry into force is the start.
    rows = [_agreement(0), (*_agreement(1)[:4], dt.date(1959, 1, 1), dt.date(1958, 6, 1), *_agreement(1)[6:])]
    by_objs, by_rows = _errors_both_ways(Agreement, AGREEMENT, rows)
    assert by_rows == by_objs == {1: {"end_on": ["must not be before the start of validity (1959-01-01)"]}}


def test_agreement_languages_are_rewritten_as_clean_rewrites_them_and_the_rest_skip_clean(seed, monkeypatch):
    """A language list clean() would rewrite (a tag not canonical, one given twice) goes through clean(), so it is
    stored as create_many stores it; a canonical one is vouched for by the column, without clean()."""
    given = [["zh", "ru"], ["EN", "zh-hans"], ["ru", "ru"], [], ["sr-Latn"]]
    rows = [(*_agreement(i)[:7], languages, *_agreement(i)[8:]) for i, languages in enumerate(given)]
    cleaned = []
    real = Agreement.clean

    def counting(self):
        cleaned.append(self.external_id)
        return real(self)

    monkeypatch.setattr(Agreement, "clean", counting)
    by_rows = create_rows(Agreement, AGREEMENT, [("rows-" + r[0], *r[1:]) for r in rows])
    assert cleaned == ["rows-bad-a:1", "rows-bad-a:2"]
    by_objs = create_many(
        Agreement, build(Agreement, [dict(zip(AGREEMENT, ("objs-" + r[0], *r[1:]), strict=True)) for r in rows])
    )
    stored = [Agreement.objects.get(pk=pk).authentic_languages for pk in by_rows]
    assert stored == [Agreement.objects.get(pk=o.pk).authentic_languages for o in by_objs]
    assert stored == [["zh", "ru"], ["en", "zh-Hans"], ["ru"], [], ["sr-Latn"]]


def test_agreement_parties_by_columns_are_refused_as_create_many_refuses_them(seed):
    columns = ["agreement_id", "party_id", "position", "visibility"]
    agreement = create_rows(Agreement, AGREEMENT[:3], [("links:1", "agreement", {"en": "Links"})])[0]
    good = [(agreement, seed.cn.pk, 1, "public"), (agreement, seed.su.pk, 2, "public")]
    for bad in [
        (agreement, seed.cn.pk, 3, "public"),  # the same party twice
        (agreement, 999_999_999, 3, "public"),
        (agreement, seed.su.pk, -1, "public"),
        (agreement, seed.su.pk, 2, "internal"),
    ]:
        rows = [good[0], bad] if bad[1] != seed.su.pk else [bad]
        by_objs, by_rows = _errors_both_ways(AgreementParty, columns, rows)
        assert by_rows == by_objs, bad
