import pytest

from accord.core.actor import Actor, acting_as
from accord.core.errors import StaleVersion, ValidationFailed
from accord.core.models import ChangeRecord
from accord.directory.models import Person
from accord.directory.services import create_person, update_person
from accord.programmes.services import update_project

pytestmark = pytest.mark.django_db


def test_update_bumps_the_version():
    person = create_person(name={"en": "Guo Moruo"})
    update_person(person, expected_version=1, orcid="0000-0002-1825-0097")
    assert person.version == 2
    assert Person.objects.get(pk=person.pk).version == 2


def test_a_change_against_an_old_version_is_refused_naming_who_when_and_what():
    person = create_person(name={"en": "Guo Moruo"})
    opened_by_b = Person.objects.get(pk=person.pk)  # B opens the record at version 1
    with acting_as(Actor(None, "coordinator-a", "req-a", system=True)):
        update_person(person, expected_version=1, name={"en": "Guo Moruo", "zh": "郭沫若"})
    entries = ChangeRecord.objects.count()
    with pytest.raises(StaleVersion) as err:
        update_person(opened_by_b, expected_version=opened_by_b.version, orcid="0000-0002-1825-0097")
    exc = err.value
    assert exc.code == "stale_version"
    assert exc.changed_by == "coordinator-a"
    assert exc.fields == ["name"]
    assert (exc.expected, exc.current) == (1, 2)
    assert "coordinator-a" in exc.message and "name" in exc.message
    # nothing changed: the stored row and the audit chain are as A left them
    stored = Person.objects.get(pk=person.pk)
    assert stored.orcid == "" and stored.version == 2
    assert ChangeRecord.objects.count() == entries


def test_stale_refusal_lists_every_field_changed_since(seed):
    project = seed.protocol.projects.get(number="1")
    v = project.version
    update_project(project, expected_version=v, title={"en": "Renamed"})
    update_project(project, expected_version=v + 1, field="1.3")
    with pytest.raises(StaleVersion) as err:
        update_project(project, expected_version=v, end_on="1962-12-31")
    assert err.value.fields == ["field", "title"]


def test_managed_fields_cannot_be_set_through_a_change():
    person = create_person(name={"en": "Guo Moruo"})
    with pytest.raises(ValidationFailed) as err:
        update_person(person, expected_version=1, version=99)
    assert "version" in err.value.errors
    with pytest.raises(ValidationFailed):
        update_person(person, expected_version=1, no_such_field=1)
    assert Person.objects.get(pk=person.pk).version == 1


def test_invalid_change_is_refused_and_leaves_the_row_unchanged():
    person = create_person(name={"en": "Guo Moruo"})
    with pytest.raises(ValidationFailed) as err:
        update_person(person, expected_version=1, orcid="0000-0002-1825-0098")  # wrong check digit
    assert err.value.field == "orcid"
    stored = Person.objects.get(pk=person.pk)
    assert stored.orcid == "" and stored.version == 1
