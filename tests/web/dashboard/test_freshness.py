"""After a write the dashboard serves the audience's latest figures at once, saying how late they are, while a
background job counts them again; never figures older than the bound, never another audience's figures."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from accord.jobs.models import Job
from accord.jobs.runner import run_pending
from accord.programmes import services as programmes
from accord.web.dashboard import freshness
from accord.web.dashboard.selectors import Scope, portfolio

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
LATE = 'data-testid="figures-late"'
AUDIENCES = ("public", "cn-coordinator", "su-coordinator", "admin")


@pytest.fixture(autouse=True)
def _own_cache(settings: Any) -> None:
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.ACCORD_DASHBOARD_STALE_SECONDS = 600
    cache.clear()


def user(username: str) -> Any:
    return get_user_model().objects.get(username=username)


def view(client: Any, who: str, **headers: Any) -> SimpleNamespace:
    """The page as `who` sees it: its project total and whether it says the figures are late."""
    client.logout()
    if who != "public":
        client.force_login(user(who))
    response = client.get(URL, **headers)
    assert response.status_code == 200
    page = response.content.decode()
    return SimpleNamespace(
        total=int(re.search(r'data-testid="project-total">(\d+)', page).group(1)), late=LATE in page, page=page
    )


def truth(who: str) -> int:
    """The total counted now, for that viewer, without any cache."""
    return portfolio(None if who == "public" else user(who), Scope(today=timezone.localdate()))["total"]


def refreshes() -> list[Job]:
    return list(Job.objects.filter(kind=freshness.REFRESH_KIND).order_by("id"))


def add_project(seed: Any, number: str, *, party: Any = None) -> None:
    """A public project (every audience counts it), or one internal to `party`."""
    internal = {"owner_party": party, "visibility": "internal"} if party else {"visibility": "public"}
    programmes.create_project(
        agreement=seed.protocol,
        number=number,
        title={"en": f"Freshness {number}"},
        participations=[(seed.cas, seed.cn, "coordinator")]
        if party is None or party == seed.cn
        else [(seed.msu, seed.su, "coordinator")],
        **internal,
    )


def test_after_a_write_the_latest_figures_are_served_late_with_a_note_and_counted_again_once(client, seed):
    first = view(client, "cn-coordinator")
    assert not first.late
    add_project(seed, "SWR-1")

    late = view(client, "cn-coordinator")
    assert (late.total, late.late) == (first.total, True)
    assert "Figures as of " in late.page and "reload in a moment" in late.page
    # One refresh per cached part of the page (the figures and the filter's choices), for this viewer.
    queued = refreshes()
    assert sorted(j.parameters["name"] for j in queued) == ["figures", "filter-options"]
    assert {j.parameters["user"] for j in queued} == {user("cn-coordinator").pk}
    again = view(client, "cn-coordinator")
    assert (again.total, again.late) == (first.total, True)
    assert len(refreshes()) == 2  # already pending: not queued again

    assert run_pending() == 2
    assert {j.status for j in refreshes()} == {"done"}
    fresh = view(client, "cn-coordinator")
    assert (fresh.total, fresh.late) == (first.total + 1, False)
    assert len(refreshes()) == 2  # fresh: nothing queued

    # The finished job let the next write queue the next refresh.
    add_project(seed, "SWR-2")
    assert view(client, "cn-coordinator").late
    assert len(refreshes()) == 4


def test_figures_older_than_the_bound_are_counted_in_the_request(client, seed, monkeypatch):
    first = view(client, "cn-coordinator")
    add_project(seed, "SWR-OLD")
    later = timezone.now() + dt.timedelta(seconds=601)
    monkeypatch.setattr(freshness, "timezone", SimpleNamespace(now=lambda: later))
    page = view(client, "cn-coordinator")
    assert (page.total, page.late) == (first.total + 1, False)
    assert refreshes() == []


def test_without_earlier_figures_the_page_counts_them_in_the_request(client, seed):
    add_project(seed, "SWR-NEW")
    page = view(client, "su-coordinator")
    assert (page.total, page.late) == (truth("su-coordinator"), False)
    assert refreshes() == []


def test_an_audience_is_never_served_another_audiences_figures(client, seed):
    # Internal projects of each party make the four totals differ.
    add_project(seed, "CN-INT", party=seed.cn)
    add_project(seed, "SU-INT-1", party=seed.su)
    add_project(seed, "SU-INT-2", party=seed.su)
    expected = {who: truth(who) for who in AUDIENCES}
    assert len(set(expected.values())) == len(AUDIENCES)

    # Only the administrator has figures; after a write, every other audience is counted for itself.
    assert view(client, "admin").total == expected["admin"]
    add_project(seed, "SWR-ALL")
    for who in ("public", "cn-coordinator", "su-coordinator"):
        page = view(client, who)
        assert (page.total, page.late) == (expected[who] + 1, False)
    late_admin = view(client, "admin")
    assert (late_admin.total, late_admin.late) == (expected["admin"], True)
    run_pending()
    expected = {who: truth(who) for who in AUDIENCES}

    # Every audience has figures; after a write each is served its own, late, and counted again as itself.
    add_project(seed, "SU-INT-3", party=seed.su)
    for who in AUDIENCES:
        page = view(client, who)
        assert (page.total, page.late) == (expected[who], True), who
    assert len(refreshes()) == 2 * (1 + len(AUDIENCES))  # the admin's both parts earlier, then each audience's
    run_pending()
    for who in AUDIENCES:
        page = view(client, who)
        assert (page.total, page.late) == (truth(who), False), who
    assert truth("su-coordinator") == expected["su-coordinator"] + 1
    assert truth("cn-coordinator") == expected["cn-coordinator"]


def test_the_refresh_counts_in_the_language_of_the_viewer(client, seed):
    zh = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
    view(client, "admin", **zh)
    add_project(seed, "SWR-ZH")
    assert view(client, "admin", **zh).late
    run_pending()
    page = view(client, "admin", **zh)
    assert not page.late and "中华人民共和国 (CN)" in page.page


def test_refreshes_are_not_listed_among_anyones_jobs(client, seed):
    view(client, "admin")
    add_project(seed, "SWR-LIST")
    view(client, "admin")
    assert refreshes()
    listing = client.get("/jobs/").content.decode()
    assert "Dashboard figures" not in listing and "No jobs yet." in listing
