"""Lists and the plan page at scale: counts stop at a cap, filter selects are bounded, a plan's items come
a page at a time; each keeps paging, filtering and its query count right (the caps are made small here)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.agreements.models import Agreement
from accord.agreements.services import create_agreement
from accord.core.pages import listing
from accord.core.visibility import visible
from accord.programmes import pages as programme_pages
from accord.programmes.models import Project
from accord.programmes.services import add_plan_item, add_responsibility, create_plan, record_progress

pytestmark = pytest.mark.django_db


def _queries(client, url, params):
    client.get(url, params)  # warm the process-wide caches first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_a_list_longer_than_the_cap_says_more_than_and_still_pages(client, seed, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 6)
    url = reverse("programmes:projects-list")
    public = list(visible(Project.objects.all(), None).order_by("agreement_id", "id").values_list("id", flat=True))
    assert len(public) == 122
    response = client.get(url, {"per": 10})
    listed = response.context["listing"]
    html = response.content.decode()
    assert listed.total is None and "More than 6 records" in html
    assert [p.pk for p in listed.rows] == public[:10]
    assert 'rel="next"' in html and 'rel="prev"' not in html
    assert "Page 1<" in html and "Page 1 of" not in html  # the number of pages is not known
    page3 = client.get(url, {"per": 10, "page": 3}).context["listing"]
    assert [p.pk for p in page3.rows] == public[20:30] and page3.page.has_previous and page3.page.has_next
    last = client.get(url, {"per": 10, "page": 13}).context["listing"]
    assert [p.pk for p in last.rows] == public[120:] and not last.page.has_next
    # a page past the end (an old link) shows the last page, now with the exact count
    for number in ("99", "9" * 30):
        past = client.get(url, {"per": 10, "page": number}).context["listing"]
        assert past.page.number == 13 and past.total == 122 and [p.pk for p in past.rows] == public[120:]
    assert client.get(url, {"per": 10, "page": "x"}).context["listing"].page.number == 1
    # under the cap the count is exact, as before
    narrowed = client.get(url, {"q": "半导体"})
    assert narrowed.context["listing"].total == 6 and "6 records" in narrowed.content.decode()


def test_a_capped_list_and_search_use_as_many_queries_for_one_row_as_for_a_hundred(client, users, seed, monkeypatch):
    monkeypatch.setattr(listing, "COUNT_CAP", 5)
    client.force_login(users.cn_coordinator)
    url = reverse("programmes:projects-list")
    for params in ({}, {"q": "part"}, {"sort": "modality", "page": 2}):
        assert _queries(client, url, {**params, "per": 1}) == _queries(client, url, {**params, "per": 100}), params


def test_a_filter_select_is_bounded_and_keeps_the_chosen_record(client, users, seed, monkeypatch):
    monkeypatch.setattr(listing, "OPTIONS_MAX", 1)
    other = create_agreement(parties=[seed.cn, seed.su], title={"en": "A later agreement"})
    readable = visible(Agreement.objects.all(), users.admin).count()
    assert readable >= 2
    client.force_login(users.admin)
    url = reverse("programmes:projects-list")
    response = client.get(url)
    agreement_filter = next(f for f in response.context["listing"].filters if f["name"] == "agreement")
    assert len(agreement_filter["options"]) == 1 and agreement_filter["more"]
    assert '<option value="" disabled>…</option>' in response.content.decode()
    # the chosen agreement is among the options (selected) even when it is not among the first ones
    first = agreement_filter["options"][0][0]
    chosen = str(seed.protocol.pk) if first != str(seed.protocol.pk) else str(other.pk)
    response = client.get(url, {"agreement": chosen})
    agreement_filter = next(f for f in response.context["listing"].filters if f["name"] == "agreement")
    assert chosen in [v for v, _ in agreement_filter["options"]] and agreement_filter["value"] == chosen
    assert f'<option value="{chosen}" selected>' in response.content.decode()
    assert all(p.agreement_id == int(chosen) for p in response.context["listing"].rows)
    # an id nobody may pick (no such record) is refused as before
    response = client.get(url, {"agreement": "999999"})
    assert "is not one of the choices" in response.content.decode()
    # as many queries whichever agreement is chosen
    assert _queries(client, url, {"agreement": first}) + 1 >= _queries(client, url, {"agreement": chosen})


def test_a_hidden_record_is_not_a_filter_choice(client, users, seed, monkeypatch):
    monkeypatch.setattr(listing, "OPTIONS_MAX", 1)
    hidden = create_agreement(parties=[seed.su, seed.cn], title={"en": "Not ours"})
    Agreement.objects.filter(pk=hidden.pk).update(visibility="internal", owner_party=seed.su)  # the other side's own
    client.force_login(users.cn_coordinator)
    response = client.get(reverse("programmes:projects-list"), {"agreement": hidden.pk})
    assert "is not one of the choices" in response.content.decode()
    assert "Not ours" not in response.content.decode()


@pytest.fixture
def big_plan(seed):
    plan = create_plan(
        agreement=seed.protocol,
        title={"en": "1961"},
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 12, 31),
    )
    items = []
    for project in seed.protocol.projects.order_by("id")[:5]:
        item = add_plan_item(plan, project)
        add_responsibility(item, seed.cas)
        items.append(item)
    return plan, items


def test_a_plans_items_come_a_page_at_a_time_with_the_plans_total(client, users, seed, big_plan, monkeypatch):
    monkeypatch.setattr(programme_pages, "PLAN_ITEMS_PAGE", 2)
    plan, items = big_plan
    reporter = items[2].project.participations.get(side=seed.cn).organisation
    record_progress(
        items[2],
        reporting_organisation=reporter,
        status="on_track",
        percent=40,
        period_start=dt.date(1961, 1, 1),
        period_end=dt.date(1961, 6, 30),
    )
    client.force_login(users.cn_coordinator)
    url = reverse("programmes:plans-detail", args=[plan.pk])
    first = client.get(url)
    assert [i.pk for i in first.context["items"]] == [i.pk for i in items[:2]]
    html = first.content.decode()
    assert 'Plan items <span class="count" data-testid="items-count">(5)</span>' in html and "Page 1 of 3" in html
    assert 'rel="next"' in html and f'data-testid="edit-item-{items[0].pk}"' in html  # editing still offered
    second = client.get(url, {"page": 2})
    shown = second.context["items"]
    assert [i.pk for i in shown] == [i.pk for i in items[2:4]]
    assert shown[0].latest_report is not None and shown[0].latest_report.percent == 40  # the page's own reports
    assert shown[1].latest_report is None
    assert [i.pk for i in client.get(url, {"page": 3}).context["items"]] == [items[4].pk]
    assert [i.pk for i in client.get(url, {"page": 9}).context["items"]] == [items[4].pk]  # past the end: the last
    # a page costs as many queries as the first, and as a plan with one page
    assert _queries(client, url, {"page": 2}) == _queries(client, url, {})


def test_the_choice_filter_says_what_get_display_says_in_each_language(seed):
    from django.utils import translation

    from accord.core.templatetags.accord_web import choice

    project = Project.objects.exclude(field="").order_by("id").first()
    for language in ("en", "zh-hans", "ru"):
        with translation.override(language):
            assert choice(project, "field") == project.get_field_display()
            assert choice(project, "modality") == project.get_modality_display()


@pytest.mark.parametrize("q", ["semiconductor", "半导体", "part 1", "no such words here", "se"])
def test_a_search_finds_the_same_records_whether_its_matches_are_many_or_few(seed, monkeypatch, q):
    from accord.core import search

    projects = Project.objects.order_by("id")
    monkeypatch.setattr(search, "record_by_record", lambda *args, **kwargs: False)  # the index's list of matches
    as_list = list(search.search(projects, q, reads=1001).values_list("id", flat=True))
    monkeypatch.setattr(search, "record_by_record", lambda *args, **kwargs: True)  # each record's entry in turn
    per_record = list(search.search(projects, q, reads=1001).values_list("id", flat=True))
    assert as_list == per_record
    assert as_list or q == "no such words here"


def test_a_records_latest_history_is_core_audit_history_newest_first(seed, big_plan):
    from accord.core.audit import history
    from accord.core.pages.history import _latest

    plan, _items = big_plan
    for record in (plan, seed.plan_1960, seed.protocol):
        for limit in (1, 3, 50):
            expected = [r.pk for r in history(record).order_by("-id")[:limit]]
            assert [r.pk for r in _latest(record, limit)] == expected, (record, limit)
