"""A plan's page at any size: as many rows, queries and bytes for a plan of five times the items, signed or a draft,
for the administrator and a party's coordinator; its history read on demand; its items found by number or word.

The plans are written in bulk by the benchmark's own builder (bench.pages.big_plan: each item its own project, an
organisation responsible on each side, a deliverable; a signed plan with its content as signed stored), in the
test's transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from bench.pages import big_plan
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.programmes.pages import PLAN_ITEMS_PAGE

pytestmark = pytest.mark.django_db

SMALL, LARGE = 120, 600  # both more than two pages of items; the larger five times the smaller
READERS = ("admin", "cn-coordinator")
ROW_TAGS = ("tr", "li", "a", "option", "input")
SLACK = 1.2


@dataclass
class Measure:
    rows: dict[str, int]
    queries: int
    size: int
    html: str


def measure(who: str, url: str) -> Measure:
    client = Client()
    client.force_login(get_user_model().objects.get(username=who))
    client.get(url)  # the process-wide caches warm, as a running server has them
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (who, url, response.status_code)
    html = response.content.decode()
    rows = {tag: len(re.findall(rf"<{tag}[\s>]", html)) for tag in ROW_TAGS}
    return Measure(rows, len(ctx.captured_queries), len(response.content), html)


def pages(plan: int) -> dict[str, str]:
    return {
        "first": f"/plans/{plan}/",
        "second": f"/plans/{plan}/?page=2",
        "found": f"/plans/{plan}/?q=stage",  # a word of every item's objectives: a page of them
        "history": f"/plans/{plan}/history/",
    }


@pytest.mark.parametrize("signed", [True, False], ids=["signed", "draft"])
def test_a_plan_page_shows_as_many_rows_with_as_many_queries_for_five_times_the_items(seed, signed):
    small = big_plan(seed.protocol.pk, SMALL, signed=signed, prefix="S", year=2031)
    large = big_plan(seed.protocol.pk, LARGE, signed=signed, prefix="L", year=2032)
    for who in READERS:
        for name, url in pages(small).items():
            a, b = measure(who, url), measure(who, pages(large)[name])
            assert b.queries == a.queries, (who, name, a.queries, b.queries)
            for tag in ROW_TAGS:
                assert b.rows[tag] <= a.rows[tag] * SLACK + 2, (who, name, tag, a.rows, b.rows)
            assert b.size <= a.size * SLACK + 2048, (who, name, a.size, b.size)
        # a page of items, and the plan's total said
        first = measure(who, pages(large)["first"])
        items = re.findall(r'<tr id="item-\d+"', first.html)
        assert len(items) == PLAN_ITEMS_PAGE, (who, len(items))
        assert f'data-testid="items-count">({LARGE})<' in first.html
        assert f"Page 1 of {-(-LARGE // PLAN_ITEMS_PAGE)}" in first.html


def test_a_plans_history_is_read_when_asked_for_not_with_its_page(client, users, seed):
    plan = seed.plan_1960
    client.force_login(users.admin)
    page = client.get(f"/plans/{plan.pk}/").content.decode()
    history = page[page.index('id="history-h"') :]
    assert f'hx-get="/plans/{plan.pk}/history/"' in history and 'class="change"' not in history
    assert f'href="/plans/{plan.pk}/history/"' in history  # without JS: a page of its own
    alone = client.get(f"/plans/{plan.pk}/history/", headers={"HX-Request": "true"}).content.decode()
    whole = client.get(f"/plans/{plan.pk}/history/").content.decode()
    assert 'class="change"' in alone and "<html" not in alone
    assert "<html" in whole and alone.strip() in whole
    # a project's page (a few parts) still shows its history with it
    project = seed.protocol.projects.order_by("id").first()
    assert 'hx-get="/projects/' not in client.get(f"/projects/{project.pk}/").content.decode()


def test_a_hidden_plans_history_is_not_found(client, users, seed):
    from accord.programmes.models import Plan

    plan = seed.plan_1960
    Plan.objects.filter(pk=plan.pk).update(visibility="internal", owner_party=seed.su)
    client.force_login(users.cn_coordinator)
    assert client.get(f"/plans/{plan.pk}/history/").status_code == 404
    assert client.get(f"/plans/{plan.pk}/").status_code == 404


def test_a_plans_items_are_found_by_number_or_word_with_the_counts(client, users, seed):
    plan = big_plan(seed.protocol.pk, SMALL, signed=False, prefix="F", year=2033)
    client.force_login(users.cn_coordinator)
    by_number = client.get(f"/plans/{plan}/", {"q": "f42"}).content.decode()
    assert re.findall(r'data-testid="item-([^"]+)"', by_number) == ["F42"]
    assert f"1 of {SMALL} items found." in by_number and f'data-testid="items-count">({SMALL})<' in by_number
    by_word = client.get(f"/plans/{plan}/", {"q": "stage 4"}).content.decode()  # stage 4, 40..49
    assert sorted(re.findall(r'data-testid="item-([^"]+)"', by_word)) == sorted(
        ["F4", *(f"F{n}" for n in range(40, 50))]
    )
    assert f"11 of {SMALL} items found." in by_word
    none = client.get(f"/plans/{plan}/", {"q": "no such item"}).content.decode()
    assert f"0 of {SMALL} items found." in none and "No items yet." in none
    # the whole plan stays at hand: its items as a list (every one) and their export
    assert f'href="/plan-items/?plan={plan}"' in none and 'data-testid="items-export"' in none
