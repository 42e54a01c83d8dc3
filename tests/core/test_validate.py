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
