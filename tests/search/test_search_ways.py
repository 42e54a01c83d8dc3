"""Which way a query is served (core.search.record_by_record): by the index for a rare query, record by record
for a common one, read off a sample spread over the records. That both ways find the same records is asserted by
every test of tests/search/test_search.py, which runs each way."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from accord.core import search
from accord.core.models import SearchEntry
from accord.core.pages.listing import COUNT_CAP
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db

KIND = "tests.kind"  # entries of no real model: the choice reads the index alone


def entries(n: int, body: Any, grams: Any = lambda i: "") -> None:
    SearchEntry.objects.bulk_create(
        SearchEntry(model=KIND, object_id=i, body=body(i), grams=grams(i)) for i in range(1, n + 1)
    )


def test_a_common_term_is_read_record_by_record_and_a_rare_one_from_the_index() -> None:
    entries(
        4000,
        lambda i: f"joint research {i}" + (" lanthanide" if i % 500 == 0 else ""),
        lambda i: "ab\ue000 c\ue000\ue000",
    )
    assert search.record_by_record("default", KIND, ["research"], [])  # in every record: the first 1,001 will do
    assert search.record_by_record("default", KIND, ["joint", "research"], ["ab\ue000"])  # every term, every record
    assert not search.record_by_record("default", KIND, ["lanthanide"], [])  # 8 of 4,000: the index has them at once
    assert not search.record_by_record("default", KIND, ["nowhere"], [])
    assert not search.record_by_record("default", KIND, ["research"], ["zz\ue000"])  # one term in none: none match
    assert not search.record_by_record("default", "tests.empty", ["research"], [])  # a kind with no entries


def test_the_share_is_read_across_the_records_not_at_one_end() -> None:
    # The term is in the newer half only: a sample of the oldest would say none, of the newest all.
    entries(4000, lambda i: "meteorology" if i > 2000 else "geology")
    share, span = search._share("default", KIND, ["meteorology"], [])
    assert span == 4000
    assert 0.3 < share < 0.7
    share, _span = search._share("default", KIND, ["ology"], [])
    assert share == 1.0


def test_the_choice_weighs_the_records_a_page_reads_at_most() -> None:
    # A page counts up to COUNT_CAP and one more (core.pages.listing.paginate): reading record by record stops there.
    assert search.WANTED == COUNT_CAP + 1
    assert set(search.GATHER_PER_PROBE) >= {"sqlite", "postgresql"}


def test_a_page_and_its_count_are_the_same_either_way(seed: Any) -> None:
    # Ordered as the projects' list page orders them and counted as it counts, for a gram in most titles.
    projects = Project.objects.order_by("agreement_id", "id")
    pages = []
    for forced in (False, True):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(search, "record_by_record", lambda *args, forced=forced: forced)
            found = search.search(projects, "a")
            counted = found.order_by().values("pk")[: COUNT_CAP + 1].count()
            pages.append((list(found.values_list("id", flat=True)[:50]), counted))
    assert pages[0] == pages[1]
    assert pages[0][1] > 0


def test_a_rebuild_keeps_the_records_entries_alone_and_tells_the_planner_their_number() -> None:
    # On PostgreSQL a rebuild ends with ANALYZE: with the figures from before it, the planner took 100,000 entries
    # for 1,273 and filtered every entry for a common word.
    entries(300, lambda i: f"entry {i}")
    search.rebuild_index()
    if connection.vendor != "postgresql":
        assert SearchEntry.objects.filter(model=KIND).count() == 0  # rebuilt from the records: no stray kind kept
        return
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'search_entry'")
        (estimated,) = cur.fetchone()
    assert estimated == SearchEntry.objects.count()
