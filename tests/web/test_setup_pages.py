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


# --- parties, organisations, people ---------------------------------------------------------------------


def test_a_coordinator_adds_a_party_an_organisation_and_a_person_of_their_side(client, users, seed):
    client.force_login(users.cn_coordinator)
    assert 'href="/parties/new/"' in page(client.get("/parties/"))
    response = client.post("/parties/new/", {"code": "mn", "kind": "state", "name__en": "Mongolia", "languages": "mn"})
    assert response.status_code == 302, page(response)[:2000]
    mn = Party.objects.get(code="MN")
    assert mn.languages == ["mn"] and page(client.get(response["Location"])).count("Mongolia") >= 1

    assert 'href="/organisations/new/"' in page(client.get("/organisations/"))
    form = page(client.get("/organisations/new/"))
    assert f'<option value="{seed.cn.pk}"' in form and f'<option value="{seed.su.pk}"' not in form  # own side only
    response = client.post(
        "/organisations/new/",
        {
            "name__zh": "中国农业科学院",
            "name__en": "Chinese Academy of Agricultural Sciences",
            "name_from": "1957-03-01",
            "party": seed.cn.pk,
            "kind": "academy",
            "visibility": "public",
        },
    )
    assert response.status_code == 302, page(response)[:2000]
    caas = Organisation.objects.get(name__en="Chinese Academy of Agricultural Sciences")
    assert [(n.name["zh"], n.valid_from) for n in caas.names.all()] == [("中国农业科学院", dt.date(1957, 3, 1))]

    response = client.post(
        "/people/new/", {"name__zh": "丁颖", "name__ru": "Дин Ин", "name__en": "Ding Ying", "party": seed.cn.pk}
    )
    assert response.status_code == 302, page(response)[:2000]
    assert Person.objects.get(name__en="Ding Ying").name == {"zh": "丁颖", "ru": "Дин Ин", "en": "Ding Ying"}


def test_the_other_side_and_other_roles_may_not_add_to_a_partys_directory(client, users, seed):
    before = ChangeRecord.objects.count()
    org = {"name__en": "Forged institute", "party": seed.cn.pk, "kind": "institute", "visibility": "public"}
    person = {"name__en": "Forged person", "party": seed.cn.pk}
    client.force_login(users.su_coordinator)
    assert client.post("/organisations/new/", org).status_code in (400, 403)  # CN is not offered to SU
    assert client.post("/people/new/", person).status_code in (400, 403)
    for user in (users.cas_reporter, users.cn_observer):
        client.force_login(user)
        assert client.get("/organisations/new/").status_code == 403
        assert client.post("/organisations/new/", org).status_code == 403
        assert client.post("/people/new/", person).status_code == 403
        assert (
            client.post(
                "/parties/new/", {"code": "MN", "kind": "state", "name__en": "M", "languages": "mn"}
            ).status_code
            == 403
        )
    assert ChangeRecord.objects.count() == before
    assert not Organisation.objects.filter(name__en="Forged institute").exists()


def test_bad_directory_input_is_named_and_kept(client, users, seed):
    client.force_login(users.cn_coordinator)
    before = ChangeRecord.objects.count()
    response = client.post("/parties/new/", {"code": "XX", "kind": "state", "name__en": "Nowhere", "languages": "mn"})
    assert response.status_code == 422 and 'id="id_code_errors"' in page(response) and "Nowhere" in page(response)
    response = client.post("/people/new/", {"name__en": "Nobody's", "orcid": "0000-0000-0000-000X"})
    assert response.status_code == 400 and 'id="id_party_errors"' in page(response) and "Nobody" in page(response)
    response = client.post(
        "/organisations/new/",
        {
            "name__en": "Late",
            "party": seed.cn.pk,
            "kind": "institute",
            "visibility": "public",
            "founded_on": "1961-13-01",
        },
    )
    assert response.status_code == 400 and 'id="id_founded_on_errors"' in page(response)
    assert ChangeRecord.objects.count() == before


# --- the first plan, participants, responsible organisations, exchanges ------------------------------------


@pytest.fixture
def agreement(seed):  # type: ignore[no-untyped-def]
    from accord.agreements.services import create_agreement

    return create_agreement(
        parties=[seed.cn, seed.su],
        title={"zh": "农业协定", "ru": "Соглашение о сельском хозяйстве"},
        signed_on=dt.date(1961, 3, 2),
        authentic_languages=["zh", "ru"],
    )


def step_url(slug: str, record, name: str) -> str:  # type: ignore[no-untyped-def]
    return f"/workflow/{slug}/{record.pk}/{name}/"


def test_the_first_plan_is_started_on_the_agreements_page(client, users, agreement):
    from accord.programmes.models import Plan

    url = step_url("agreements", agreement, "first-plan")
    client.force_login(users.cn_observer)
    assert url not in page(client.get(f"/agreements/{agreement.pk}/"))
    assert client.post(url, {}).status_code == 403
    client.force_login(users.cn_coordinator)
    assert url in page(client.get(f"/agreements/{agreement.pk}/"))
    form = page(client.get(url))
    assert 'value="1961-03-02"' in form and 'value="1961-12-31"' in form  # the first year of the agreement
    data = {"title_zh": "1961年计划", "title_ru": "План на 1961 год", "kind": "annual", "visibility": "bilateral"}
    before = ChangeRecord.objects.count()
    bad = client.post(url, {**data, "period_start": "1960-01-01", "period_end": "1960-12-31"})  # before it was signed
    assert bad.status_code == 400 and 'data-field="period_start"' in page(bad) and "1961年计划" in page(bad)
    bad = client.post(
        url, {**data, "title_zh": "", "title_ru": "", "period_start": "1961-03-02", "period_end": "1961-12-31"}
    )
    assert bad.status_code == 400 and 'data-field="title_zh"' in page(bad)
    assert ChangeRecord.objects.count() == before and not agreement.plans.exists()
    response = client.post(url, {**data, "period_start": "1961-03-02", "period_end": "1961-12-31"})
    assert response.status_code == 302
    plan = Plan.objects.get(agreement=agreement)
    assert response["Location"] == f"/plans/{plan.pk}/"
    assert (plan.status, plan.title["zh"], plan.period_end) == ("draft", "1961年计划", dt.date(1961, 12, 31))
    assert url not in page(client.get(f"/agreements/{agreement.pk}/"))  # the next one is drafted from this one


def test_participants_and_responsible_organisations_per_side(client, users, seed, agreement):
    from accord.programmes.models import Participation, PlanItemResponsibility
    from accord.programmes.services import add_plan_item, create_plan, create_project, reporting_organisations

    project = create_project(agreement=agreement, number="A-1", title={"zh": "水稻育种"}, modality="joint")
    plan = create_plan(
        agreement=agreement, title={"zh": "计划"}, period_start=dt.date(1961, 3, 2), period_end=dt.date(1961, 12, 31)
    )
    item = add_plan_item(plan, project, objectives={"zh": "育种"})
    assert not reporting_organisations(users.msu_reporter, item).exists()  # nobody reports on a new project yet

    url = step_url("projects", project, "participation")
    client.force_login(users.cn_coordinator)
    form = page(client.get(url))
    assert f'value="{seed.cas.pk}"' in form and f'value="{seed.msu.pk}"' not in form  # own side only
    assert client.post(url, {"organisation": seed.cas.pk, "role": "coordinator"}).status_code == 302
    # The other side's organisation, forged: refused by the service, nothing written.
    before = ChangeRecord.objects.count()
    assert client.post(url, {"organisation": seed.msu.pk, "role": "partner"}).status_code in (400, 403)
    assert ChangeRecord.objects.count() == before
    client.force_login(users.su_coordinator)
    assert client.post(url, {"organisation": seed.msu.pk, "role": "partner"}).status_code == 302
    assert {
        (p.organisation_id, p.side.code, p.owner_party.code) for p in Participation.objects.filter(project=project)
    } == {
        (seed.cas.pk, "CN", "CN"),
        (seed.msu.pk, "SU", "SU"),
    }
    client.force_login(users.cas_reporter)
    assert client.post(url, {"organisation": seed.cas.pk, "role": "partner"}).status_code == 403

    url = step_url("items", item, "responsibility")
    client.force_login(users.su_coordinator)
    assert url in page(client.get(f"/plan-items/{item.pk}/"))
    assert url not in page(client.get(f"/plans/{plan.pk}/"))  # on the item's page, not in every row of the plan
    assert client.post(url, {"organisation": seed.msu.pk}).status_code == 302
    resp = PlanItemResponsibility.objects.get(plan_item=item)
    assert (resp.organisation_id, resp.side.code) == (seed.msu.pk, "SU")
    assert list(reporting_organisations(users.msu_reporter, item)) == [seed.msu]
    client.force_login(users.cn_observer)
    assert client.post(url, {"organisation": seed.cas.pk}).status_code == 403


def test_no_responsible_organisation_is_added_to_a_signed_plan(client, users, seed):
    item = seed.plan_1960.items.first()
    url = step_url("items", item, "responsibility")
    client.force_login(users.cn_coordinator)
    assert url not in page(client.get(f"/plan-items/{item.pk}/"))
    before = ChangeRecord.objects.count()
    response = client.post(url, {"organisation": seed.cas.pk})
    assert response.status_code == 409 and "amend it" in page(response)
    assert ChangeRecord.objects.count() == before


def exchange_data(seed, **changes):  # type: ignore[no-untyped-def]
    data = {
        "kind": "sample_shipment",
        "from_party": seed.cn.pk,
        "to_party": seed.su.pk,
        "sending_organisation": seed.cas.pk,
        "receiving_organisation": seed.msu.pk,
        "start_on": "1961-04-01",
        "quantity": "12",
        "unit": "samples",
        "sent_on": "1961-04-02",
        "sent_reference": "CAS-61/4",
        "description_zh": "水稻种子",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_an_exchange_is_recorded_by_the_sending_side_and_confirmed_by_the_receiving_institution(
    client, users, seed, agreement
):
    from accord.programmes.models import Exchange
    from accord.programmes.services import create_project

    project = create_project(agreement=agreement, number="A-2", title={"zh": "土壤"}, modality="joint")
    url = step_url("projects", project, "exchange")
    client.force_login(users.cn_coordinator)
    assert url in page(client.get(f"/projects/{project.pk}/"))
    before = ChangeRecord.objects.count()
    bad = client.post(url, exchange_data(seed, receiving_organisation=seed.cas.pk))  # not of the receiving side
    assert bad.status_code == 400 and 'data-field="receiving_organisation"' in page(bad) and "CAS-61/4" in page(bad)
    bad = client.post(url, exchange_data(seed, quantity="-1"))
    assert bad.status_code == 400 and 'data-field="quantity"' in page(bad)
    assert ChangeRecord.objects.count() == before
    response = client.post(url, {**exchange_data(seed), "people": [seed.wu_heng.pk]})
    assert response.status_code == 302, page(response)[:3000]
    exchange = Exchange.objects.get(project=project)
    assert (exchange.from_party, exchange.to_party, exchange.owner_party) == (seed.cn, seed.su, seed.cn)
    assert exchange.description == {"zh": "水稻种子"} and [p.person for p in exchange.people.all()] == [seed.wu_heng]
    # The receiving side may not record as the sender.
    client.force_login(users.su_coordinator)
    assert client.post(url, exchange_data(seed)).status_code == 403
    for user in (users.cas_reporter, users.cn_observer):
        client.force_login(user)
        assert client.post(url, exchange_data(seed)).status_code == 403
    assert Exchange.objects.filter(project=project).count() == 1

    receipt = step_url("exchanges", exchange, "confirm-receipt")
    # The sending institution's reporter (another party's) may not confirm.
    client.force_login(users.cas_reporter)
    assert client.post(receipt, {"received_on": "1961-04-20", "version": exchange.version}).status_code == 403
    # The receiving institution's reporter may: the step is offered on the exchange's page and in their workflow.
    client.force_login(users.msu_reporter)
    assert receipt in page(client.get(f"/exchanges/{exchange.pk}/"))
    assert receipt in page(client.get("/workflow/"))
    response = client.post(receipt, {"received_on": "1961-04-20", "reference": "MTA-61-9", "version": exchange.version})
    assert response.status_code == 302
    exchange.refresh_from_db()
    assert (exchange.received_on, exchange.received_reference) == (dt.date(1961, 4, 20), "MTA-61-9")


def test_an_exchange_recorded_from_a_plan_item(client, users, seed):
    from accord.programmes.models import Exchange

    item = seed.plan_1960.items.filter(project__participations__organisation=seed.cas).first()
    url = step_url("items", item, "exchange")
    client.force_login(users.su_coordinator)
    data = exchange_data(
        seed,
        kind="expert_secondment",
        from_party=seed.su.pk,
        to_party=seed.cn.pk,
        sending_organisation=seed.msu.pk,
        receiving_organisation=seed.cas.pk,
        unit="persons",
        quantity="2",
        sent_on=None,
        sent_reference=None,
    )
    assert url in page(client.get(f"/plan-items/{item.pk}/"))  # also on a signed plan's item: what was done
    response = client.post(url, data)
    assert response.status_code == 302, page(response)[:3000]
    exchange = Exchange.objects.get(pk=response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert (exchange.plan_item, exchange.project, exchange.from_party) == (item, item.project, seed.su)


# --- organisations' names and successions, people's positions -------------------------------------------


def test_an_organisation_is_renamed_and_its_successions_recorded(client, users, seed):
    from accord.directory.models import OrganisationSuccession

    academy = seed.cas
    url = step_url("organisations", academy, "rename")
    client.force_login(users.su_coordinator)  # the other side's
    assert url not in page(client.get(f"/organisations/{academy.pk}/"))
    assert client.post(url, {"name_zh": "X", "valid_from": "1962-01-01"}).status_code == 403
    client.force_login(users.cn_coordinator)
    assert url in page(client.get(f"/organisations/{academy.pk}/"))
    before = ChangeRecord.objects.count()
    bad = client.post(url, {"name_zh": "", "name_en": "", "valid_from": "1962-01-01"})
    assert bad.status_code == 400 and 'data-field="name_zh"' in page(bad)
    assert ChangeRecord.objects.count() == before
    old_name = dict(academy.name)
    response = client.post(
        url, {"name_zh": "中国科学院（新）", "name_en": "Academia Sinica", "valid_from": "1962-01-01"}
    )
    assert response.status_code == 302
    academy.refresh_from_db()
    assert academy.name == {"zh": "中国科学院（新）", "en": "Academia Sinica"}
    assert academy.name_on(dt.date(1961, 6, 1)) == old_name
    assert academy.name_on(dt.date(1962, 6, 1)) == academy.name
    # A later name must be later than the last one: refused on its field.
    bad = client.post(url, {"name_en": "Earlier", "valid_from": "1961-01-01"})
    assert bad.status_code == 400 and 'data-field="valid_from"' in page(bad)

    url = step_url("organisations", academy, "succession")
    data = {"direction": "predecessor", "other": seed.cn_commission.pk, "kind": "merged", "on": "1962-01-01"}
    assert client.post(url, data).status_code == 302
    link = OrganisationSuccession.objects.get(successor=academy)
    assert (link.predecessor, link.kind) == (seed.cn_commission, "merged")
    assert client.post(url, data).status_code == 400  # recorded once
    client.force_login(users.cas_reporter)
    assert client.post(url, {**data, "other": seed.tsinghua.pk}).status_code == 403


def test_a_position_is_added_to_a_person(client, users, seed):
    from accord.directory.models import Position

    url = step_url("people", seed.wu_heng, "position")
    data = {"organisation": seed.cas.pk, "title_zh": "副院长", "title_en": "Vice President", "start_on": "1961-01-01"}
    client.force_login(users.su_coordinator)
    assert client.post(url, data).status_code == 403
    client.force_login(users.cn_coordinator)
    assert url in page(client.get(f"/people/{seed.wu_heng.pk}/"))
    bad = client.post(url, {**data, "end_on": "1960-01-01"})
    assert bad.status_code == 400 and 'data-field="end_on"' in page(bad) and "副院长" in page(bad)
    assert client.post(url, data).status_code == 302
    position = Position.objects.get(person=seed.wu_heng, organisation=seed.cas)
    assert position.title == {"zh": "副院长", "en": "Vice President"} and position.start_on == dt.date(1961, 1, 1)


def test_a_party_and_a_language_version_are_added_to_an_agreement(client, users, seed, agreement):
    mn = Party.objects.create(code="MN", name={"en": "Mongolia"}, languages=["mn"])
    party_url = step_url("agreements", agreement, "add-party")
    text_url = step_url("agreements", agreement, "add-text")
    client.force_login(users.cas_reporter)
    assert client.post(party_url, {"party": mn.pk, "role": "observer"}).status_code == 403
    client.force_login(users.cn_coordinator)
    detail = page(client.get(f"/agreements/{agreement.pk}/"))
    assert party_url in detail and text_url in detail
    assert client.post(party_url, {"party": mn.pk, "role": "observer"}).status_code == 302
    assert agreement.agreement_parties.get(party=mn).role == "observer"
    before = ChangeRecord.objects.count()
    bad = client.post(text_url, {"language": "zh", "body": "", "is_authentic": "on"})
    assert bad.status_code == 400 and 'data-field="body"' in page(bad)
    bad = client.post(text_url, {"language": "en", "body": "Article 1", "is_authentic": "on"})  # not authentic
    assert bad.status_code == 400 and 'data-field="language"' in page(bad) and "Article 1" in page(bad)
    assert ChangeRecord.objects.count() == before
    assert client.post(text_url, {"language": "zh", "body": "第一条", "is_authentic": "on"}).status_code == 302
    assert client.post(text_url, {"language": "en", "body": "Article 1"}).status_code == 302  # a translation
    assert {(t.language, t.is_authentic) for t in agreement.texts.all()} == {("zh", True), ("en", False)}
