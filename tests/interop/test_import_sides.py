"""Importing participations and exchanges meets the services' rule on sides (programmes.services
check_participation_sides / check_exchange_sides, the same functions add_participation and record_exchange call):
a side, sender or receiver outside the agreement refuses the file, naming the row and the column; nothing is
written. A row within the agreement imports."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.directory.services import create_organisation, create_party
from accord.interop.report import ImportRefused
from accord.interop.services import import_file
from accord.programmes.models import Exchange, Participation, Project

pytestmark = pytest.mark.django_db


def csv_bytes(text: str) -> bytes:
    return text.replace("\n", "\r\n").encode()


@pytest.fixture
def outsider(seed):
    gb = create_party(code="GB", name={"en": "United Kingdom"}, languages=["en"])
    return create_organisation(party=gb, owner_party=gb, name={"en": "Royal Society"}, visibility="bilateral")


def ref(seed) -> str:
    return seed.protocol.reference or seed.protocol.title["en"]


def test_a_participation_on_a_side_outside_the_agreement_is_refused(seed, outsider, unchanged):
    check = unchanged(Participation)
    project = Project.objects.filter(agreement=seed.protocol).order_by("id").first()
    data = csv_bytes(
        "agreement,project,organisation,role\n"
        f'"{ref(seed)}",{project.number},{seed.msu.name["en"]},partner\n'
        f'"{ref(seed)}",{project.number},Royal Society,partner\n'
    )
    with pytest.raises(ImportRefused) as refused:
        import_file("participations", data, "p.csv")
    problems = [(p.row, p.column) for p in refused.value.problems]
    assert problems == [(3, "side")]
    check()
    data = csv_bytes(
        f"agreement,project,organisation,side,role\n"
        f'"{ref(seed)}",{project.number},{seed.msu.name["en"]},CN,partner\n'  # a Soviet institute on China's side
    )
    report = import_file("participations", data, "p.csv")
    assert report.created["participation"] + report.updated["participation"] == 1


@pytest.mark.parametrize("sides, column", [("SU,GB", "to_party"), ("GB,CN", "from_party")])
def test_an_exchange_with_a_party_outside_the_agreement_is_refused_on_api_and_cli(
    seed, outsider, unchanged, client, sides, column
):
    check = unchanged(Exchange)
    data = csv_bytes(f'agreement,kind,from_party,to_party\n"{ref(seed)}",delegation_visit,{sides}\n')
    with pytest.raises(ImportRefused) as refused:
        import_file("exchanges", data, "e.csv")
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, column)]
    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.post("/api/v1/imports/exchanges", {"file": SimpleUploadedFile("e.csv", data)})
    assert response.status_code == 422 and column in response.content.decode()
    check()


def test_an_exchange_between_the_parties_imports(seed):
    data = csv_bytes(f'agreement,kind,from_party,to_party\n"{ref(seed)}",delegation_visit,SU,CN\n')
    assert import_file("exchanges", data, "e.csv").created["exchange"] == 1


def test_the_import_asks_the_services_rule_so_a_coordinator_files_only_their_own_side(seed, unchanged):
    """Not the model's rule (both sides are parties): the service's, the sender records an exchange."""
    from accord.core.actor import acting_as, actor_for_user

    check = unchanged(Exchange)
    data = csv_bytes(f'agreement,kind,from_party,to_party\n"{ref(seed)}",delegation_visit,SU,CN\n')
    cn = get_user_model().objects.get(username="cn-coordinator")
    with acting_as(actor_for_user(cn, "test-request")), pytest.raises(ImportRefused) as refused:
        import_file("exchanges", data, "e.csv")
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "from_party")]
    assert "each side records its own side" in refused.value.problems[0].reason
    check()
