"""The dashboard: figures from the records, visibility by role, constant queries, well-formed SVG, overdue lists."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from accord.agreements.services import create_agreement
from accord.jobs.runner import run_pending
from accord.programmes import services as programmes
from accord.programmes.choices import ExchangeKind, Modality, QuantityUnit
from accord.programmes.models import Project
from accord.web.dashboard import selectors
from accord.web.dashboard.selectors import Scope

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
FAR = dt.date(2000, 1, 1)  # "today" for figures computed outside a request: long after the records
SVG = "{http://www.w3.org/2000/svg}"


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


@pytest.fixture
def small(seed: Any) -> SimpleNamespace:
    """A small agreement of CN and SU, counted by hand:

    project  modality    field  sides (organisations)     latest report    status
    S-1      joint       1.1    CN (CAS), SU (MSU)        delayed (after on track)
    S-2      assistance  2.2    CN (CAS), SU (Academy)    completed
    S-3      exchange    —      SU (MSU)                  none             not started

    exchanges: CN→SU data transfer 1959 (sent, confirmed), SU→CN samples 1959 (sent, not confirmed),
    CN→SU trainees 1960 (3 persons); a deliverable of S-1 due 1959-06-30, never delivered.
    """
    cn, su = seed.cn, seed.su
    agreement = create_agreement(
        parties=[cn, su], title={"en": "Small test agreement", "zh": "小测试协定"}, signed_on=dt.date(1958, 6, 1)
    )
    plan = programmes.create_plan(
        agreement=agreement,
        title={"en": "Small plan 1959"},
        period_start=dt.date(1959, 1, 1),
        period_end=dt.date(1959, 12, 31),
    )

    def project(number: str, modality: str, field: str, parts: list[tuple[Any, Any]], **extra: Any) -> Project:
        return programmes.create_project(
            agreement=agreement,
            number=number,
            title={"en": f"Small project {number}"},
            field=field,
            modality=modality,
            start_on=dt.date(1959, 1, 1),
            participations=[(org, side, "partner") for org, side in parts],
            **extra,
        )

    s1 = project("S-1", Modality.JOINT, "1.1", [(seed.cas, cn), (seed.msu, su)])
    s2 = project(
        "S-2",
        Modality.ASSISTANCE,
        "2.2",
        [(seed.cas, cn), (seed.ussr_academy, su)],
        provider_party=su,
        recipient_party=cn,
    )
    s3 = project("S-3", Modality.EXCHANGE, "", [(seed.msu, su)])
    item1 = programmes.add_plan_item(plan, s1)
    item2 = programmes.add_plan_item(plan, s2)
    programmes.add_plan_item(plan, s3)
    for period_end, status, percent in ((dt.date(1959, 3, 31), "on_track", 20), (dt.date(1959, 6, 30), "delayed", 30)):
        programmes.record_progress(
            item1,
            reporting_organisation=seed.cas,
            period_start=dt.date(1959, 1, 1),
            period_end=period_end,
            status=status,
            percent=percent,
        )
    programmes.record_progress(
        item2,
        reporting_organisation=seed.cas,
        period_start=dt.date(1959, 1, 1),
        period_end=dt.date(1959, 12, 31),
        status="completed",
        percent=100,
    )
    deliverable = programmes.add_deliverable(
        item1, title={"en": "Overdue survey report"}, responsible_party=cn, due_on=dt.date(1959, 6, 30)
    )
    data = programmes.record_exchange(
        agreement=agreement,
        project=s1,
        kind=ExchangeKind.DATA_TRANSFER,
        from_party=cn,
        to_party=su,
        sent_on=dt.date(1959, 4, 1),
        quantity=12,
        unit=QuantityUnit.DOCUMENTS,
    )
    programmes.confirm_receipt(data, received_on=dt.date(1959, 5, 1), expected_version=data.version)
    programmes.record_exchange(
        agreement=agreement,
        project=s1,
        kind=ExchangeKind.SAMPLE_SHIPMENT,
        from_party=su,
        to_party=cn,
        sent_on=dt.date(1959, 7, 1),
        quantity=40,
        unit=QuantityUnit.SAMPLES,
    )
    programmes.record_exchange(
        agreement=agreement,
        project=s2,
        kind=ExchangeKind.TRAINEE,
        from_party=cn,
        to_party=su,
        start_on=dt.date(1960, 9, 1),
        quantity=3,
        unit=QuantityUnit.PERSONS,
    )
    return SimpleNamespace(agreement=agreement, plan=plan, s1=s1, s2=s2, s3=s3, deliverable=deliverable)


# --- figures equal hand-counted values ---------------------------------------------------------------------


def test_portfolio_figures_equal_the_hand_count(small, seed):
    admin = user("admin")
    scope = Scope(today=FAR, agreement_id=small.agreement.pk)
    figures = selectors.portfolio(admin, scope)
    assert figures == {
        "total": 3,
        "by_status": {"delayed": 1, "completed": 1, "not_started": 1},
        "by_field": {"1.1": 1, "2.2": 1, "": 1},
        "by_modality": {"joint": 1, "assistance": 1, "exchange": 1},
    }
    assert selectors.projects_by_side(admin, scope) == {seed.cn.pk: 2, seed.su.pk: 3}


def test_status_is_as_of_the_end_of_the_chosen_year(small):
    # As of 1959-05-31 only S-1's first report (on track) had ended: S-2's covers the whole year.
    scope = Scope(today=dt.date(1959, 5, 31), agreement_id=small.agreement.pk, year=1959)
    assert selectors.portfolio(user("admin"), scope)["by_status"] == {"on_track": 1, "not_started": 2}


def test_reciprocity_counts_each_direction_year_and_kind(small, seed):
    rows = selectors.reciprocity(user("admin"), Scope(today=FAR, agreement_id=small.agreement.pk))
    got = {(r["year"], r["kind"], r["from_party_id"], r["to_party_id"]): r for r in rows}
    cn, su = seed.cn.pk, seed.su.pk
    assert set(got) == {
        (1959, "data_transfer", cn, su),
        (1959, "sample_shipment", su, cn),
        (1960, "trainee", cn, su),
    }
    data = got[(1959, "data_transfer", cn, su)]
    assert (data["count"], data["quantity"], data["sent"], data["received"]) == (1, 12, 1, 1)
    samples = got[(1959, "sample_shipment", su, cn)]
    assert (samples["count"], samples["quantity"], samples["sent"], samples["received"]) == (1, 40, 1, 0)
    trainees = got[(1960, "trainee", cn, su)]
    assert (trainees["count"], trainees["quantity"], trainees["sent"]) == (1, 3, 0)
    # A year narrows to the exchanges that started (or were sent) in it.
    only_1960 = selectors.reciprocity(user("admin"), Scope(today=FAR, agreement_id=small.agreement.pk, year=1960))
    assert [(r["year"], r["kind"]) for r in only_1960] == [(1960, "trainee")]


def test_network_links_organisations_by_shared_projects(small, seed):
    found = selectors.network(user("admin"), Scope(today=FAR, agreement_id=small.agreement.pk))
    # CAS: S-1, S-2; MSU: S-1, S-3; Academy: S-2.
    assert [(n["id"], n["projects"]) for n in found["nodes"]] == sorted(
        [(seed.cas.pk, 2), (seed.msu.pk, 2), (seed.ussr_academy.pk, 1)], key=lambda t: (-t[1], t[0])
    )
    pair = sorted
    assert found["edges"] == sorted(
        [(*pair([seed.cas.pk, seed.msu.pk]), 1), (*pair([seed.cas.pk, seed.ussr_academy.pk]), 1)]
    )


def test_timeline_and_overdue_lists(small, seed):
    admin = user("admin")
    scope = Scope(today=FAR, agreement_id=small.agreement.pk)
    assert [(p["id"], p["status"]) for p in selectors.plan_timeline(admin, scope)] == [(small.plan.pk, "draft")]
    total, rows = selectors.overdue_deliverables(admin, scope)
    assert total == 1 and rows[0]["id"] == small.deliverable.pk
    total, rows = selectors.receipts_overdue(admin, scope)
    assert total == 1 and rows[0]["kind"] == "sample_shipment"  # the confirmed data transfer is not listed
    # Delivered: no longer overdue.
    programmes.mark_delivered(
        small.deliverable, delivered_on=dt.date(1959, 8, 1), expected_version=small.deliverable.version
    )
    assert selectors.overdue_deliverables(admin, scope)[0] == 0


def test_plan_items_without_a_recent_report_are_listed(seed):
    admin = user("admin")
    scope = Scope(today=dt.date(1960, 6, 30))  # the signed 1960 plan runs; its items have no report yet
    total, rows = selectors.stale_plan_items(admin, scope)
    items = seed.plan_1960.items.count()
    assert total == items and {r["plan_id"] for r in rows} == {seed.plan_1960.pk}
    item = seed.plan_1960.items.order_by("position").first()
    organisation = item.project.participations.first().organisation
    programmes.record_progress(
        item,
        reporting_organisation=organisation,
        period_start=dt.date(1960, 4, 1),
        period_end=dt.date(1960, 5, 31),
        status="on_track",
        percent=40,
    )
    assert selectors.stale_plan_items(admin, scope)[0] == items - 1


def test_the_page_shows_the_overdue_deliverable_with_a_link(client, small):
    client.force_login(user("admin"))
    page = client.get(URL, {"agreement": small.agreement.pk}).content.decode()
    assert "Overdue survey report" in page
    # The overdue deliverable links to its plan item's page, where deliverables are listed.
    assert reverse("programmes:plan-items-detail", args=[small.deliverable.plan_item_id]) in page
    assert 'data-testid="project-total">3 projects<' in page


# --- visibility by role ------------------------------------------------------------------------------------


def total_on_page(client: Any) -> int:
    page = client.get(URL).content.decode()
    return int(re.search(r'data-testid="project-total">(\d+) project', page).group(1))


def test_an_internal_project_counts_only_for_its_party_and_the_administrator(client, seed):
    def totals() -> dict[str, int]:
        out = {}
        client.logout()
        out["public"] = total_on_page(client)
        for name in ("cn-coordinator", "su-coordinator", "admin"):
            client.force_login(user(name))
            out[name] = total_on_page(client)
        return out

    before = totals()
    programmes.create_project(
        agreement=seed.protocol,
        number="SU-internal",
        title={"en": "Internal Soviet study"},
        owner_party=seed.su,
        visibility="internal",
        participations=[(seed.msu, seed.su, "coordinator")],
    )
    assert totals() == before  # served late while the figures are counted again (test_freshness)
    run_pending()
    after = totals()
    assert after["public"] == before["public"]
    assert after["cn-coordinator"] == before["cn-coordinator"]
    assert after["su-coordinator"] == before["su-coordinator"] + 1
    assert after["admin"] == before["admin"] + 1
    # The network and sides follow the same rule: MSU's participation is not counted for CN.
    scope = Scope(today=FAR, agreement_id=seed.protocol.pk)
    assert (
        selectors.projects_by_side(user("cn-coordinator"), scope)[seed.su.pk]
        == selectors.projects_by_side(user("admin"), scope)[seed.su.pk] - 1
    )


def test_the_public_sees_figures_of_public_records_only(client, small, seed):
    # The small agreement's records are bilateral (the default): invisible to the public, counted for CN.
    scope = Scope(today=FAR, agreement_id=small.agreement.pk)
    assert selectors.portfolio(None, scope)["total"] == 0
    assert selectors.reciprocity(None, scope) == []
    assert selectors.overdue_deliverables(None, scope)[0] == 0
    assert selectors.network(None, scope) == {"nodes": [], "edges": []}
    assert selectors.portfolio(user("cn-coordinator"), scope)["total"] == 3
    assert selectors.overdue_deliverables(user("cn-coordinator"), scope)[0] == 1
    # And the agreement is not offered to the public as a filter (choosing it is an error).
    response = client.get(URL, {"agreement": small.agreement.pk})
    assert response.status_code == 400 and "Small test agreement" not in response.content.decode()


# --- queries, markup, filters ------------------------------------------------------------------------------

MAX_QUERIES = 20


def count_queries(client: Any, django_assert_max_num_queries: Any) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with django_assert_max_num_queries(MAX_QUERIES), CaptureQueriesContext(connection) as ctx:
        assert client.get(URL).status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def no_cache(settings: Any) -> None:
    """Count the queries that compute the figures, not a cache hit."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def test_the_query_count_does_not_grow_with_the_records(client, seed, no_cache, django_assert_max_num_queries):
    client.force_login(user("cn-coordinator"))
    before = count_queries(client, django_assert_max_num_queries)
    for n in range(5):
        project = programmes.create_project(
            agreement=seed.protocol,
            number=f"Q-{n}",
            title={"en": f"Query test {n}"},
            participations=[(seed.cas, seed.cn, "coordinator"), (seed.msu, seed.su, "partner")],
        )
        programmes.record_exchange(
            agreement=seed.protocol,
            project=project,
            kind=ExchangeKind.SAMPLE_SHIPMENT,
            from_party=seed.cn,
            to_party=seed.su,
            sent_on=dt.date(1959, 5, n + 1),
        )
    assert count_queries(client, django_assert_max_num_queries) == before


def test_every_chart_is_well_formed_accessible_svg(client, small):
    client.force_login(user("admin"))
    page = client.get(URL).content.decode()
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.S)
    assert len(svgs) >= 8  # four portfolio charts, one per direction, the timeline, the network
    for markup in svgs:
        root = ET.fromstring(markup)  # raises on malformed XML
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert not any(el.get("style") for el in root.iter())
    assert page.count("<details>") == len(svgs)  # a data table under every chart
    # No inline script (the site's own script files, loaded by src, are the base template's business).
    assert all(" src=" in tag for tag in re.findall(r"<script\b[^>]*>", page))


def test_filters_by_agreement_and_year_without_javascript(client, small, seed):
    client.force_login(user("admin"))
    page = client.get(URL, {"agreement": small.agreement.pk, "year": 1960}).content.decode()
    assert 'data-testid="project-total">3 projects<' in page  # the projects are open-ended
    assert "Trainees" in page and "Samples or materials shipment</th>" not in page
    assert f'<option value="{small.agreement.pk}" selected>' in page
    response = client.get(URL, {"year": "nineteen"})
    assert response.status_code == 400
    assert "Year:" in response.content.decode()


def test_labels_follow_the_interface_language(client, small):
    client.force_login(user("admin"))
    page = client.get(URL, {"agreement": small.agreement.pk}, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "中华人民共和国 (CN)" in page and "小测试协定" in page


def test_figures_are_cached_per_audience_until_a_record_changes(client, seed, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    client.force_login(user("cn-coordinator"))
    first = total_on_page(client)
    with CaptureQueriesContext(connection) as hit:
        assert total_on_page(client) == first
    with CaptureQueriesContext(connection) as miss:
        client.force_login(user("su-coordinator"))  # another audience: computed for it, not served CN's
        client.get(URL)
    assert len(hit.captured_queries) < len(miss.captured_queries) / 2
    client.force_login(user("cn-coordinator"))
    programmes.create_project(
        agreement=seed.protocol,
        number="CACHE-1",
        title={"en": "Counted at once"},
        visibility="public",
        participations=[(seed.cas, seed.cn, "coordinator")],
    )
    # The write moved the chain head: the latest figures are served, saying so, until they are counted again.
    page = client.get(URL).content.decode()
    assert f'data-testid="project-total">{first} projects<' in page and 'data-testid="figures-late"' in page
    run_pending()
    assert total_on_page(client) == first + 1
