"""Uniqueness and field checks of the generic services, as every aggregate relies on them."""

import hashlib

import pytest

from accord.core import services as records
from accord.core.errors import ValidationFailed
from accord.directory.services import create_person, update_person
from accord.documents.models import DocumentText
from accord.meetings.models import DelegationMember
from accord.meetings.services import add_delegation_member
from accord.programmes.services import create_project, update_project

pytestmark = pytest.mark.django_db


def test_unique_constraints_name_their_last_field(seed):
    with pytest.raises(ValidationFailed) as err:
        create_project(agreement=seed.protocol, number="17", title={"en": "Duplicate number"})
    assert err.value.field == "number" and "already exists" in err.value.message


def test_conditional_unique_applies_only_when_its_condition_holds():
    create_person(name={"en": "A"})
    create_person(name={"en": "B"})  # two people without ORCID iD are fine
    create_person(name={"en": "C"}, orcid="0000-0002-1825-0097")
    with pytest.raises(ValidationFailed) as err:
        create_person(name={"en": "D"}, orcid="0000-0002-1825-0097")
    assert err.value.field == "orcid"


def test_an_update_checks_uniqueness_of_what_it_changes(seed):
    p18 = seed.protocol.projects.get(number="18")
    with pytest.raises(ValidationFailed) as err:
        update_project(p18, expected_version=p18.version, number="19")
    assert err.value.field == "number"
    renamed = update_project(p18, expected_version=p18.version, number="18a", title={"en": "Renamed"})
    assert renamed.number == "18a"
    person = create_person(name={"en": "E"}, orcid="0000-0001-5109-3700")
    update_person(person, expected_version=1, name={"en": "E."})  # unchanged orcid is not re-checked against itself


def test_a_second_head_of_delegation_is_refused_by_the_constraint(seed):
    delegation = seed.meeting.delegations.get(party=seed.cn)
    add_delegation_member(delegation, seed.liu_xiao, role=DelegationMember.Role.HEAD)
    with pytest.raises(ValidationFailed):
        add_delegation_member(delegation, seed.petukhov, role=DelegationMember.Role.HEAD)


def test_an_update_writes_derived_columns_too(seed):
    text = seed.press_report.texts.get(language="en")
    records.update(text, expected_version=text.version, body="Corrected text.")
    stored = DocumentText.objects.get(pk=text.pk)
    assert stored.sha256 == hashlib.sha256(b"Corrected text.").hexdigest()


# --- one engine: a record is judged the same through the services (one record) and the bulk path (a batch) --

BAD_PEOPLE = [
    # (fields, the field named, a word of its message)
    ({"name": {"en": "No ORCID"}, "orcid": None}, "orcid", "null"),
    ({"name": {"en": "Bad ORCID"}, "orcid": "0000-0002-1825-0098"}, "orcid", "check digit"),
    ({"name": {"en": "Long id"}, "external_id": "x" * 201}, "external_id", "at most"),
    ({"name": {"en": "No party"}, "party_id": 999_999}, "party", "not a valid choice"),
    ({"name": {"en": "Twice"}, "orcid": "0000-0002-1825-0097"}, "orcid", "already exists"),
]


@pytest.mark.parametrize(("fields", "field", "word"), BAD_PEOPLE, ids=[b[1] + ":" + b[2] for b in BAD_PEOPLE])
def test_a_bad_record_gets_the_same_errors_through_the_service_and_the_bulk_path(fields, field, word):
    from accord.core.bulk import RecordsInvalid, create_many
    from accord.core.models import ChangeRecord
    from accord.directory.models import Person

    create_person(name={"en": "Holder"}, orcid="0000-0002-1825-0097")
    count = ChangeRecord.objects.count()
    with pytest.raises(ValidationFailed) as one:
        create_person(**fields)
    with pytest.raises(RecordsInvalid) as batch:
        create_many(Person, [Person(name={"en": "Fine"}), Person(**fields)])
    assert one.value.field == field and word in "; ".join(one.value.errors[field])
    assert batch.value.code == one.value.code == "validation_failed"
    assert batch.value.errors == {1: one.value.errors}  # the same fields, the same messages
    assert ChangeRecord.objects.count() == count  # neither wrote anything


def test_an_update_to_none_in_a_not_null_column_is_refused_on_both_paths():
    from accord.core.bulk import Change, RecordsInvalid, update_many

    person = create_person(name={"en": "Kept"}, orcid="0000-0001-5109-3700")
    with pytest.raises(ValidationFailed) as one:
        update_person(person, expected_version=1, orcid=None)
    with pytest.raises(RecordsInvalid) as batch:
        update_many([Change(person, {"orcid": None})])
    assert one.value.errors == batch.value.errors[0] == {"orcid": ["This field cannot be null."]}
