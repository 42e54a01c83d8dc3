"""Query counts that do not grow with the rows shown; the public portal; sign-in throttling."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.core.pages.records import record_types
from accord.core.visibility import visible
from accord.programmes.models import Project
from accord.programmes.services import add_plan_item, add_responsibility, create_plan, update_project

pytestmark = pytest.mark.django_db


def _count(client, url, params=None):
    client.get(url, params or {})  # warm the process-wide caches (content types) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _another(kind, seed):
    """A second record for the kinds the seed has only one of, so a page of many rows can be counted."""
    from accord.agreements.services import create_agreement
    from accord.meetings.models import Meeting
    from accord.meetings.services import create_meeting
    from accord.meetings.services.reviews import create_review

    if kind == "agreements":
        create_agreement(parties=[seed.cn, seed.su], title={"en": "Another agreement", "zh": "另一协定"})
    elif kind == "meetings":
        create_meeting(
            agreement=seed.protocol,
            kind=Meeting.Kind.DELEGATIONS,
            title={"en": "Another meeting"},
            start_on=dt.date(1961, 2, 1),
            end_on=dt.date(1961, 2, 3),
        )
    elif kind == "reviews":
        create_review(seed.plan_1960, dt.date(1961, 2, 1))


@pytest.mark.parametrize("rt", record_types(), ids=lambda rt: rt.kind)
def test_list_queries_do_not_grow_with_the_rows(client, users, seed, rt):
    client.force_login(users.cn_coordinator)
    url = reverse(rt.url_name("list"))
    if visible(rt.model._default_manager.all(), users.cn_coordinator).count() < 2:
        _another(rt.kind, seed)
    rows = visible(rt.model._default_manager.all(), users.cn_coordinator).count()
    assert rows >= 2, f"{rt.kind}: a second record is needed to count a page of several rows"
    one, many = _count(client, url, {"per": 1}), _count(client, url, {"per": 100})
    assert one == many <= 12, (rt.kind, one, many)


@pytest.mark.parametrize("rt", record_types(), ids=lambda rt: rt.kind)
def test_detail_pages_use_a_bounded_number_of_queries(client, users, rt, django_assert_max_num_queries):
    client.force_login(users.cn_coordinator)
    record = visible(rt.model._default_manager.order_by("pk"), users.cn_coordinator).first()
    assert record is not None, f"the seed has no {rt.kind}"
    # A signed plan's page also reads the content stored at signature and the changes made since (two more).
    # History names the records its entries refer to: one query more per kind of record referred to.
    # What each page shows beside its record: a plan its approvals, signatures, items and steps; a meeting its
    # delegations, members, attendees, agenda, minutes and the forms to add each; an agreement its set-up steps.
    budget = {"plans": 30, "meetings": 31, "agreements": 27}.get(rt.kind, 26)
    with django_assert_max_num_queries(budget):
        assert client.get(reverse(rt.url_name("detail"), args=[record.pk])).status_code == 200


def test_plan_detail_queries_do_not_grow_with_its_items(client, users, seed):
    plan = create_plan(
        agreement=seed.protocol,
        title={"en": "1961"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    projects = list(seed.protocol.projects.order_by("id")[:6])
    item = add_plan_item(plan, projects[0])
    add_responsibility(item, seed.cas)
    client.force_login(users.cn_coordinator)
    url = reverse("programmes:plans-detail", args=[plan.pk])
    before = _count(client, url)
    for project in projects[1:]:
        more = add_plan_item(plan, project)
        add_responsibility(more, seed.cas)
        add_responsibility(more, seed.msu)
    assert _count(client, url) == before


def test_project_detail_queries_do_not_grow_with_participants(client, users, seed):
    from accord.programmes.services import add_participation

    project = (
        seed.protocol.projects.exclude(participations__organisation__in=[seed.tsinghua, seed.ussr_academy])
        .order_by("id")
        .first()
    )
    client.force_login(users.admin)
    url = reverse("programmes:projects-detail", args=[project.pk])
    before = _count(client, url)
    add_participation(project, seed.tsinghua)
    add_participation(project, seed.ussr_academy)
    assert _count(client, url) == before


def test_the_public_sees_only_published_records_in_lists_search_and_home(client, seed):
    hidden = Project.objects.filter(agreement=seed.protocol).order_by("id").first()
    update_project(hidden, expected_version=hidden.version, visibility="bilateral", title={"en": "Zyx secret topic"})
    # The title itself, not "Zyx": three letters can turn up by chance in a page's random CSRF token.
    assert "Zyx secret topic" not in client.get(reverse("programmes:projects-list"), {"q": "zyx"}).content.decode()
    assert "Zyx secret topic" not in client.get(reverse("web:search"), {"q": "zyx"}).content.decode()
    assert "Zyx secret topic" not in client.get(reverse("web:home")).content.decode()
    assert client.get(reverse("programmes:projects-detail", args=[hidden.pk])).status_code == 404
    listed = client.get(reverse("programmes:projects-list"), {"per": 100}).context["listing"]
    assert listed.total == 121 and all(p.visibility == "public" for p in listed.rows)
    # and the filter cannot be used to ask for them
    assert client.get(reverse("programmes:projects-list"), {"visibility": "bilateral"}).context["listing"].total == 0


def test_search_finds_chinese_and_project_numbers(client, seed):
    page = client.get(reverse("programmes:projects-list"), {"q": "半导体"}).content.decode()
    assert "Semiconductor materials and devices" in page
    listing = client.get(reverse("programmes:projects-list"), {"q": "7"}).context["listing"]
    assert [p.number for p in listing.rows] == ["7"]
    listing = client.get(reverse("programmes:projects-list"), {"sort": "-number", "per": 10}).context["listing"]
    assert listing.rows[0].number == "122"


def test_filters_narrow_and_reject_unknown_values(client, seed):
    response = client.get(reverse("programmes:plans-list"), {"status": "signed"})
    assert {p.status for p in response.context["listing"].rows} == {"signed"}
    response = client.get(reverse("programmes:plans-list"), {"status": "nonsense"})
    assert "is not one of the choices" in response.content.decode()


def test_filters_with_htmx_return_only_the_table(client, seed):
    response = client.get(reverse("programmes:projects-list"), {"q": "半导体"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="records"' in html


def test_sign_in_is_throttled_after_five_failures(client, seed):
    url = reverse("web:login")
    for _ in range(5):
        response = client.post(url, {"username": "cn-observer", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(url, {"username": "cn-observer", "password": "accord-demo-cn-observer"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_right_password_works_and_signs_out(client, seed):
    response = client.post(reverse("web:login"), {"username": "cn-observer", "password": "accord-demo-cn-observer"})
    assert response.status_code == 302 and client.session.get("_auth_user_id")
    assert client.post(reverse("web:logout")).status_code == 302
    assert not client.session.get("_auth_user_id")


def test_a_missing_page_is_the_sites_own_translated_page(client, seed, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no page here" in html and 'class="skip"' in html  # inside the site's own frame
