"""The import benchmarks' floor (bench.common.stored_floor): what an import stored, written again into copies of the
same tables with the same indexes (and on SQLite the FTS index its triggers feed), then removed."""

from __future__ import annotations

import pytest
from bench.common import FLOOR_PREFIX, _copy_table_schema, floor_rows, table_counts
from django.db import connection

from accord.core.models import ChangeRecord, SearchEntry
from accord.directory.models import Party

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cur:
        found = connection.introspection.get_constraints(cur, table)
    return {",".join(c["columns"]) + (" unique" if c["unique"] else "") for c in found.values() if c["index"]}


def test_copies_have_the_tables_indexes_and_the_search_copy_feeds_its_own_text_index() -> None:
    tables = [Party._meta.db_table, SearchEntry._meta.db_table]
    with connection.cursor() as cur:
        made = _copy_table_schema(cur, tables)
        try:
            for table in tables:
                assert _indexes(FLOOR_PREFIX + table) == _indexes(table)
            cur.execute(
                f"INSERT INTO {FLOOR_PREFIX}search_entry (id, model, object_id, body, grams) "
                "VALUES (1, 'm', 1, 'tokamak plasma', '')"
            )
            if connection.vendor == "sqlite":
                assert made[-1] == FLOOR_PREFIX + "search_entry_fts"
                fts = FLOOR_PREFIX + "search_entry_fts"
                cur.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH 'okam'")
                assert cur.fetchall() == [(1,)]
                cur.execute("SELECT count(*) FROM search_entry_fts WHERE search_entry_fts MATCH 'okam'")
                assert cur.fetchone()[0] == 0  # the original's index was not touched
        finally:
            for copy in reversed(made):
                cur.execute(f'DROP TABLE "{copy}"')


def test_floor_writes_every_stored_row_again_and_leaves_no_copy() -> None:
    before = table_counts()
    stored = {
        name: n
        for name, n in before.items()
        if name in (Party._meta.db_table, ChangeRecord._meta.db_table, SearchEntry._meta.db_table)
    }
    assert all(stored.values())  # the seed has parties, their chain entries and their search rows
    rows = floor_rows(stored)
    by = {row["scenario"]: row for row in rows}
    assert by["floor: records"]["records"] == before[Party._meta.db_table]
    assert by["floor: audit chain"]["records"] == before[ChangeRecord._meta.db_table]
    assert by["floor: search index"]["records"] == before[SearchEntry._meta.db_table]
    assert by["floor: all"]["records"] == sum(stored.values())
    assert all(row["seconds"] > 0 for row in rows)
    assert table_counts() == before  # the copies are gone, the originals unchanged
