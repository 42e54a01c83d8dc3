"""Which way a query is served (core.search.record_by_record): from the index's list of matches, or record by
record for a common query when the caller stops early; chosen from a sample spread over the records, read through
the caller's filters. That both ways find the same records is asserted by every test of
tests/search/test_search.py, which runs each way."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from accord.core import search
from accord.core.models import SearchEntry
from accord.core.pages.listing import COUNT_CAP, index_served
from accord.directory.models import Organisation, Person
from accord.programmes.models import Project

pytestmark = pytest.mark.django_db

KIND = "tests.kind"  # entries of no real model: the choice reads the index alone
FIRST = 10**6  # the entries' ids and object ids, past the seed's


def entries(n: int, body: Any, grams: Any = lambda i: "", ids: Any = None) -> None:
    SearchEntry.objects.bulk_create(
        SearchEntry(id=FIRST + i, model=KIND, object_id=FIRST + i, body=body(i), grams=grams(i))
        for i in (ids if ids is not None else range(n))
    )


def chooses(terms: list[str], short: tuple[str, ...] = (), reads: int = COUNT_CAP + 1, records: Any = None) -> bool:
    queryset = records if records is not None else SearchEntry.objects.all()
    return search.record_by_record(queryset, KIND, terms, short, reads)


def test_a_common_term_is_read_record_by_record_and_a_rare_one_from_the_index() -> None:
    entries(4000, lambda i: f"joint research {i}" + (" lanthanide" if i % 500 == 0 else ""), lambda i: "ab\ue000")
    assert chooses(["research"])  # in every record: the first 1,001 will do
    assert chooses(["joint", "research"], ("ab\ue000",))  # every term, every record
    assert not chooses(["lanthanide"])  # 8 of 4,000: the index lists them at once
    assert not chooses(["nowhere"])
    assert not chooses(["research"], ("zz\ue000",))  # one term in none: none match
    empty = search.record_by_record(SearchEntry.objects.all(), "tests.empty", ["research"], [], COUNT_CAP + 1)
    assert not empty  # a kind with no entries


def test_the_choice_weighs_what_the_caller_reads_against_what_the_index_gathers() -> None:
    # One in ten: fifty matches take ~500 records, fewer than the index's 500 matches weigh on either database; a
    # count to 1,001 would read all 5,000, more than they weigh.
    entries(5000, lambda i: "geophysics" if i % 10 == 0 else "botany")
    assert chooses(["geophysics"], reads=50)
    assert not chooses(["geophysics"], reads=COUNT_CAP + 1)


def test_records_the_caller_passes_over_count_against_reading_them_one_by_one() -> None:
    # A caller that keeps a record in a hundred (a member's visibility, a list's filter) reads them all to find
    # fifty, and the index is cheaper; one that keeps every record stops after ~500.
    entries(5000, lambda i: "hydrology" if i % 10 == 0 else "zoology")
    assert chooses(["hydrology"], reads=50, records=SearchEntry.objects.all())
    kept = SearchEntry.objects.filter(id__in=[FIRST + i for i in range(0, 5000, 100)])
    assert not chooses(["hydrology"], reads=50, records=kept)
    assert not chooses(["hydrology"], reads=50, records=SearchEntry.objects.filter(model="none such"))


def test_the_sample_is_read_across_the_records_and_each_entry_counts_once() -> None:
    # The term is in the newer half only: a sample of the oldest would say none, of the newest all.
    entries(4000, lambda i: "meteorology" if i >= 2000 else "geology")
    found = search.sample(SearchEntry.objects.all(), KIND, ["meteorology"], [])
    assert found is not None and 0.4 < found.share < 0.6
    assert 3600 < found.entries <= 4000
    whole = search.sample(SearchEntry.objects.all(), KIND, ["ology"], [])
    assert whole is not None and whole.share == 1.0


def test_a_lone_match_far_from_the_others_is_not_taken_for_many() -> None:
    # Ids 0-999 and one at a million that matches: the runs past the thousand all land on it.
    entries(0, lambda i: "crystallography" if i == 10**6 else "chemistry", ids=[*range(1000), 10**6])
    found = search.sample(SearchEntry.objects.all(), KIND, ["crystallography"], [])
    assert found is not None and found.share < 0.01
    assert found.entries < 10**6 / 50  # of the order of the records there are, not the span of their ids
    assert not chooses(["crystallography"])


def test_list_pages_give_what_they_read_and_only_in_an_order_an_index_serves(
    admin_client: Any, monkeypatch: Any, seed: Any
) -> None:
    asked: list[Any] = []

    def spy(queryset: Any, label: str, subs: list[str], short: list[str], reads: int) -> bool:
        asked.append((label, subs, reads))
        return True

    monkeypatch.setattr(search, "record_by_record", spy)
    url = reverse("programmes:projects-list")
    page = admin_client.get(url, {"q": "semiconductor"})
    assert page.status_code == 200
    assert asked == [("programmes.project", ["semiconductor"], COUNT_CAP + 1)]
    assert [p.pk for p in page.context["listing"].rows] == list(
        Project.objects.filter(pk__in=search.search_ids(Project, "semiconductor"))
        .order_by("agreement_id", "id")
        .values_list("pk", flat=True)[:50]
    )
    asked.clear()
    admin_client.get(url, {"q": "semiconductor", "page": 30, "per": 50})  # past the count's cap: its own end
    assert asked == [("programmes.project", ["semiconductor"], 30 * 50 + 1)]
    asked.clear()
    admin_client.get(url, {"q": "semiconductor", "sort": "visibility"})  # no index leads with it: the index's list
    assert asked == []


def test_an_order_is_served_when_one_index_holds_it_and_the_tie_break_after_it() -> None:
    assert index_served(Project, ("agreement_id", "id"))  # the list's default: (agreement, id)
    assert index_served(Project, ("agreement",))  # then by primary key, as lists break ties
    assert index_served(Project, ("-modality", "agreement_id"))  # (modality, agreement, id)
    assert index_served(Project, ("pk",)) and index_served(Person, ("id",)) and index_served(Project, ())
    assert index_served(Project, ("uid", "title"))  # a unique field: no ties past it
    assert not index_served(Project, ("field",))  # (field, agreement, id): not in id order within a field
    assert not index_served(Person, ("party",))  # a foreign key's own index: its rows in no id order
    assert not index_served(Project, ("visibility",))
    assert not index_served(Person, ("party__code",))  # a related record's field
    assert not index_served(Organisation, ("no_such_field",))
