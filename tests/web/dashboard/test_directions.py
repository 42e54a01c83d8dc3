"""The dashboard's exchange directions: only the busiest are drawn, the rest are counted; figures per visibility."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from accord.agreements.services import create_agreement
from accord.core.visibility import visible
from accord.directory.services import create_party
from accord.programmes import services as programmes
from accord.programmes.choices import ExchangeKind, QuantityUnit
from accord.programmes.models import Exchange
from accord.web.dashboard import selectors, views
from accord.web.dashboard.selectors import Scope

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
FAR = dt.date(2000, 1, 1)


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


@pytest.fixture
def three(seed: Any) -> SimpleNamespace:
    """An agreement of CN, SU and a third party, with exchanges in three directions of different volume:
    CN→SU 3, SU→CN 2 (one of them internal to SU), CN→PL 1; all trainees in March 1959."""
    pl = create_party(code="PL", name={"en": "Poland"}, languages=["pl"])
    agreement = create_agreement(
        parties=[seed.cn, seed.su, pl], title={"en": "Three-sided agreement"}, signed_on=dt.date(1958, 6, 1)
    )

    def send(src: Any, dst: Any, day: int, **extra: Any) -> None:
        programmes.record_exchange(
            agreement=agreement,
            kind=ExchangeKind.TRAINEE,
            from_party=src,
            to_party=dst,
            start_on=dt.date(1959, 3, day),
            quantity=2,
            unit=QuantityUnit.PERSONS,
            **extra,
        )

    for day in (1, 2, 3):
        send(seed.cn, seed.su, day)
    send(seed.su, seed.cn, 4)
    send(seed.su, seed.cn, 5, visibility="internal", owner_party=seed.su)  # SU's own: not CN's to read
    send(seed.cn, pl, 6)
    return SimpleNamespace(agreement=agreement, pl=pl)


def truth(username: str | None, agreement_id: int) -> Counter[tuple[int, int]]:
    """Exchanges per direction that the viewer may read, counted from the records one by one."""
    who = user(username) if username else None
    rows = visible(Exchange.objects.filter(agreement_id=agreement_id), who)
    return Counter((e.from_party_id, e.to_party_id) for e in rows)


@pytest.mark.parametrize("username", ["admin", "cn-coordinator", "su-coordinator", None])
def test_directions_equal_the_records_each_viewer_may_read(three, username):
    scope = Scope(today=FAR, agreement_id=three.agreement.pk)
    who = user(username) if username else None
    found = selectors.exchange_directions(who, scope)
    expected = truth(username, three.agreement.pk)
    assert {(a, b): n for a, b, n in found} == dict(expected)
    # The busiest first (ties by party ids), so the page draws the biggest.
    assert found == sorted(found, key=lambda t: (-t[2], t[0], t[1]))
    # Restricted to some directions, reciprocity gives exactly those rows of the full figures.
    top = [(a, b) for a, b, _n in found[:2]]
    full = selectors.reciprocity(who, scope)
    assert selectors.reciprocity(who, scope, top) == [r for r in full if (r["from_party_id"], r["to_party_id"]) in top]
    assert selectors.reciprocity(who, scope, []) == []


def test_the_cn_coordinator_does_not_count_sus_internal_exchange(three, seed):
    scope = Scope(today=FAR, agreement_id=three.agreement.pk)
    cn, su = seed.cn.pk, seed.su.pk
    assert selectors.exchange_directions(user("admin"), scope) == [(cn, su, 3), (su, cn, 2), (cn, three.pl.pk, 1)]
    assert (su, cn, 1) in selectors.exchange_directions(user("cn-coordinator"), scope)


def test_only_the_busiest_directions_get_a_chart_and_the_rest_are_counted(three, seed, monkeypatch):
    monkeypatch.setattr(views, "DRAWN_DIRECTIONS", 1)
    scope = Scope(today=FAR, agreement_id=three.agreement.pk)
    parties = selectors.parties()
    found = views.reciprocity_charts(user("admin"), scope, parties)
    assert [c.key for c in found["exchanges"]] == ["exchanges-1"]
    title = found["exchanges"][0].title
    assert title.index("(CN)") < title.index("(SU)")  # the busiest: CN→SU
    # The chart's table adds up to the direction's exchanges (3 trainees in 1959).
    assert found["exchanges"][0].table.rows == [["1959", "3"]]
    # The summary covers the drawn direction; the two others are counted, with their 3 exchanges.
    assert [(line["from"][-4:], line["to"][-4:], line["count"]) for line in found["reciprocity"]] == [
        ("(CN)", "(SU)", 3)
    ]
    assert (found["more_directions"], found["more_exchanges"]) == (2, 3)


def test_the_page_draws_the_busiest_directions_and_says_how_many_more(client, three, monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    monkeypatch.setattr(views, "DRAWN_DIRECTIONS", 2)
    client.force_login(user("admin"))
    page = client.get(URL, {"agreement": three.agreement.pk}).content.decode()
    drawn = re.findall(r'<figcaption id="(exchanges-\d+)-caption">([^<]*)</figcaption>', page)
    assert [key for key, _title in drawn] == ["exchanges-1", "exchanges-2"]
    assert "(PL)" not in " ".join(title for _key, title in drawn)
    note = re.search(r'data-testid="more-directions">([^<]*)<', page)
    assert note is not None and "1 more direction" in note.group(1) and note.group(1).rstrip(".").endswith("1")
    # Everything drawn: no note.
    monkeypatch.setattr(views, "DRAWN_DIRECTIONS", 12)
    page = client.get(URL, {"agreement": three.agreement.pk}).content.decode()
    assert 'data-testid="more-directions"' not in page
    assert len(re.findall(r'<figcaption id="exchanges-\d+-caption">', page)) == 3


# --- the filter's <select>, written without a template per option --------------------------------------------


@pytest.mark.parametrize("value", [None, "", "2", "<b>"])
def test_the_quick_select_renders_what_djangos_select_does(value):
    from django import forms

    choices = [("", "All"), ("1", "Protocol & annex"), ("2", 'The "second" <agreement>')]
    ours = views.QuickSelect(choices=choices).render("agreement", value, attrs={"id": "id_agreement"})
    theirs = forms.Select(choices=choices).render("agreement", value, attrs={"id": "id_agreement"})
    assert re.sub(r">\s+<", "><", str(theirs)).strip() == str(ours)


def test_a_cache_hit_serves_the_rendered_figures_without_computing_or_drawing(client, three, monkeypatch, settings):
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    client.force_login(user("admin"))
    first = client.get(URL, {"agreement": three.agreement.pk})
    assert "dashboard/_chart.html" in [t.name for t in first.templates]

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("computed on a cache hit")

    monkeypatch.setattr(views, "figures", fail)
    second = client.get(URL, {"agreement": three.agreement.pk})
    # Only the page around the figures is rendered: not a chart, not the sections.
    assert not {"dashboard/_chart.html", "dashboard/_figures.html"} & {t.name for t in second.templates}

    def figures_of(response: Any) -> str:
        page = response.content.decode()
        return page[page.index('<section aria-labelledby="portfolio">') :]

    assert figures_of(second) == figures_of(first)
