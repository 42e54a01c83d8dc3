"""A choice among many people or organisations: the first few in the select, the rest found by a search box."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import unquote, urlencode

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from accord.core.actor import Actor, acting_as
from accord.core.pages.lookup import LOOKUP_MAX
from accord.directory.services import create_person
from accord.meetings import services
from accord.meetings.models import Delegation

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowded(seed: Any) -> Any:
    """A meeting under the seed's protocol, and more Chinese people than a select offers."""
    with acting_as(Actor(None, "lookup", "test", system=True)):
        for i in range(LOOKUP_MAX + 10):
            create_person(name={"en": f"Researcher Number{i:03d}", "zh": f"研究员{i:03d}"}, party=seed.cn)
        meeting = services.create_meeting(
            agreement=seed.protocol,
            title={"en": "Session of many people"},
            start_on=dt.date(1961, 3, 1),
            end_on=dt.date(1961, 3, 10),
        )
    return meeting


def _head_select(page: str) -> tuple[str, str]:
    """The delegation head's select, and the address its search box asks."""
    select = re.search(r'<select name="delegation-head".*?</select>', page, re.S)
    box = re.search(r'data-testid="lookup-delegation-head"', page)
    assert select is not None and box is not None
    search = re.search(r'<input type="search"[^>]*hx-get="([^"]+)"[^>]*data-testid="lookup-delegation-head"', page)
    assert search is not None
    return select.group(0), unquote(search.group(1)).replace("&amp;", "&")


def _ask(client: Client, address: str, typed: str) -> Any:
    # The test client drops a path's query string when given data: the token travels in the address.
    return client.get(f"{address}&{urlencode({'q': typed})}")


def _login(client: Client, name: str) -> None:
    client.force_login(get_user_model().objects.get(username=name))


def test_a_select_of_people_offers_the_first_few_and_the_search_finds_the_rest(client, seed, crowded):
    _login(client, "cn-coordinator")
    page = client.get(f"/meetings/{crowded.pk}/").content.decode()
    select, address = _head_select(page)
    offered = re.findall(r'<option value="(\d+)"', select)
    assert len(offered) == LOOKUP_MAX and "type in the box to find more" in select
    # The last one made is not among the first offered: the search box finds it, in either script.
    for typed in ("Number059", "研究员059"):
        found = _ask(client, address, typed)
        assert found.status_code == 200
        options = re.findall(r'<option value="(\d+)">([^<]*)</option>', found.content.decode())
        assert [label for _pk, label in options] == ["Researcher Number059"], (typed, options)
    latest = options[0][0]
    assert latest not in offered
    # Chosen from the search, it is accepted by the form (checked against all the field's records).
    response = client.post(
        f"/meetings/{crowded.pk}/delegations/",
        {"delegation-party": seed.cn.pk, "delegation-head": latest},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code in (200, 204), response.content.decode()[:500]
    head = Delegation.objects.get(meeting=crowded, party=seed.cn).members.get()
    assert str(head.person_id) == latest
    # Shown again, the chosen head is among the options of the page's forms that name it.
    assert _ask(client, address, "").status_code == 200


def test_the_search_answers_only_the_account_it_was_drawn_for(client, seed, crowded):
    _login(client, "cn-coordinator")
    _select, address = _head_select(client.get(f"/meetings/{crowded.pk}/").content.decode())
    other = Client()
    _login(other, "su-coordinator")
    assert _ask(other, address, "Number").status_code == 400
    assert _ask(Client(), address, "Number").status_code == 400
    assert _ask(client, address.replace("t=", "t=x"), "Number").status_code == 400
    # Nothing found is said, not an empty select.
    assert "Nothing matches." in _ask(client, address, "Zzyzx").content.decode()
