"""The pages that show agreements newest first (the home page's latest, the lists' agreement filter, the agreement
list) read them through the index on (signed_on, id), not by sorting every agreement: a national catalogue has
tens of thousands (at 61,340 agreements the sort was 14-16 ms of each of these pages on SQLite; see bench/README.md,
"pages"). Checked by the database's own query plan, on both databases."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

# agreement_newest_idx: PostgreSQL's for `DESC NULLS LAST` (the home page's latest; migration agreements 0005).
INDEX = re.compile(r"agreement_(signed|newest)_idx")
ORDERED = re.compile(r'ORDER BY [^()]*"signed_on"')  # by signing date, either way


def _ordered_agreement_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [
        q["sql"]
        for q in ctx.captured_queries
        if '"agreements_agreement"' in q["sql"] and ORDERED.search(q["sql"]) and "LIMIT" in q["sql"]
    ]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A test database holds a few agreements: the planner would rightly read the table and sort; with both
            # off it takes the index if there is one (without it, the plan keeps a Sort and the test fails).
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return str(cursor.fetchall())


@pytest.mark.parametrize(
    "url, reader",
    [
        ("/", None),
        ("/", "admin"),
        ("/", "cn_coordinator"),
        *((url, reader) for url in ("/agreements/", "/projects/", "/plans/") for reader in ("admin", "cn_coordinator")),
    ],
)
def test_agreements_by_signing_date_come_from_the_index(users, url, reader):
    client = Client()
    if reader is not None:
        client.force_login(getattr(users, reader))
    queries = _ordered_agreement_queries(client, url)
    assert queries, f"{url} asked for no agreements by signing date"
    for sql in queries:
        plan = _plan(sql)
        assert INDEX.search(plan), (sql, plan)
