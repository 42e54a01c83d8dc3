"""Setting up a programme in the pages, as a coordinator does it (issue 14): a new agreement with its parties and
texts, its first plan, parties, organisations and people; projects' participating and items' responsible
organisations; exchanges recorded by the sending side and confirmed by the receiving institution. Each: done by
the role that does it, refused to the others, and bad input named on its field with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.agreements.models import Agreement
from accord.core.models import ChangeRecord
from accord.directory.models import Organisation, Party, Person

pytestmark = pytest.mark.django_db


def page(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def agreement_data(seed, **changes):  # type: ignore[no-untyped-def]
    data = {
        "title__zh": "中苏农业科学合作协定",
        "title__ru": "Соглашение о сотрудничестве в области сельскохозяйственных наук",
        "title__en": "Agreement on Agricultural Science",
        "short_title__en": "Agricultural Science (1961)",
        "reference": "CN-SU-1961-7",
        "kind": "agreement",
        "party_1": seed.cn.pk,
        "role_1": "signatory",
        "party_2": seed.su.pk,
        "role_2": "signatory",
        "role_3": "signatory",
        "role_4": "signatory",
        "signed_on": "1961-03-02",
        "entry_into_force_on": "1961-03-02",
        "end_on": "1965-12-31",
        "visibility": "bilateral",
        "authentic_languages": ["zh", "ru"],
        "text_zh": "第一条",
        "text_ru": "Статья 1",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_coordinator_registers_an_agreement_with_its_parties_and_texts(client, users, seed):
    client.force_login(users.cn_coordinator)
    listed = page(client.get("/agreements/"))
    assert 'href="/agreements/new/"' in listed
    form = client.get("/agreements/new/")
    assert form.status_code == 200 and 'name="party_1"' in page(form) and 'name="text_ru"' in page(form)
    response = client.post("/agreements/new/", agreement_data(seed))
    assert response.status_code == 302, page(response)[:3000]
    agreement = Agreement.objects.get(reference="CN-SU-1961-7")
    assert response["Location"] == f"/agreements/{agreement.pk}/"
    assert [(ap.party.code, ap.role) for ap in agreement.agreement_parties.order_by("position")] == [
        ("CN", "signatory"),
        ("SU", "signatory"),
    ]
    assert agreement.title["zh"] == "中苏农业科学合作协定" and agreement.authentic_languages == ["zh", "ru"]
    assert {t.language: t.body for t in agreement.texts.all()} == {"zh": "第一条", "ru": "Статья 1"}
    assert agreement.signed_on == dt.date(1961, 3, 2) and agreement.end_on == dt.date(1965, 12, 31)
    assert ChangeRecord.objects.filter(object_type="agreements.agreement", object_id=str(agreement.pk)).count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"party_2": None}, "party_1"),  # one party only
        ({"role_2": "observer"}, "party_1"),  # one signatory only
        ({"party_2": "CN"}, "party_2"),  # not a party
        ({"end_on": "1960-01-01"}, "end_on"),  # ends before it starts
        ({"authentic_languages": ["zh"]}, "authentic_languages"),  # a Russian text that is not authentic
        ({"title__zh": "", "title__ru": "", "title__en": ""}, "title"),
    ],
)
def test_bad_agreements_are_named_on_their_field_and_nothing_is_written(client, users, seed, changes, field):
    client.force_login(users.cn_coordinator)
    before = (Agreement.objects.count(), ChangeRecord.objects.count())
    response = client.post("/agreements/new/", agreement_data(seed, **changes))
    assert response.status_code in (400, 422), response.status_code
    html = page(response)
    assert f'id="id_{field}_errors"' in html or f"{field}_errors" in html, html[html.find("errorlist") - 500 :][:1500]
    assert "CN-SU-1961-7" in html  # what was typed is kept
    assert (Agreement.objects.count(), ChangeRecord.objects.count()) == before


def test_only_coordinators_of_a_party_to_it_register_an_agreement(client, users, seed):
    mn = Party.objects.create(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    for user in (users.cas_reporter, users.cn_observer):
        client.force_login(user)
        assert 'href="/agreements/new/"' not in page(client.get("/agreements/"))
        assert client.get("/agreements/new/").status_code == 403
        assert client.post("/agreements/new/", agreement_data(seed)).status_code == 403
    # A coordinator may not register an agreement between two other parties.
    client.force_login(users.cn_coordinator)
    response = client.post("/agreements/new/", agreement_data(seed, party_1=seed.su.pk, party_2=mn.pk))
    assert response.status_code == 403
    client.logout()
    assert client.get("/agreements/new/").status_code in (302, 403)
    assert not Agreement.objects.filter(reference="CN-SU-1961-7").exists()
