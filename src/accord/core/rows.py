"""Prepared single-row reads and writes for the audited write path.

Every audited update re-reads its row under a lock and writes the changed columns. Through the ORM,
building those two queries costs several times the database work; here the SQL is prepared once per
model and values pass through the same field adapters and converters the ORM uses.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

M = TypeVar("M", bound=models.Model)


@cache
def _select(model: type[models.Model], vendor: str) -> str:
    ops = connection.ops
    table, pk = ops.quote_name(model._meta.db_table), ops.quote_name(model._meta.pk.column)
    columns = ", ".join(ops.quote_name(f.column) for f in model._meta.concrete_fields)
    sql = f"SELECT {columns} FROM {table} WHERE {pk} = %s"
    # SQLite's IMMEDIATE transaction already holds the write lock.
    return sql + " FOR UPDATE" if vendor == "postgresql" else sql


def fetch_for_update(model: type[M], pk: Any) -> M | None:
    """The stored row as a model instance, locked until the end of the transaction; None if it is gone."""
    conn = connections[DEFAULT_DB_ALIAS]  # once: each access through the `connection` proxy costs a lookup
    with conn.cursor() as cur:
        cur.execute(_select(model, conn.vendor), [pk])
        row = cur.fetchone()
    if row is None:
        return None
    fields = model._meta.concrete_fields
    values = []
    for value, field in zip(row, fields, strict=True):
        # The same conversions the ORM applies: the backend's, then the field's own (from_db_value).
        col = field.get_col(model._meta.db_table)
        for convert in [*conn.ops.get_db_converters(col), *col.get_db_converters(conn)]:
            value = convert(value, col, conn)
        values.append(value)
    return model.from_db(conn.alias, [f.attname for f in fields], values)


def write_columns(model: type[models.Model], pk: Any, expected_version: int, values: dict[str, Any]) -> int:
    """UPDATE the given columns (by attname) where the row is still at `expected_version`; rows written."""
    conn = connections[DEFAULT_DB_ALIAS]
    ops = conn.ops
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    assignments = ", ".join(f"{ops.quote_name(by_attname[a].column)} = %s" for a in values)
    params = [by_attname[a].get_db_prep_save(v, conn) for a, v in values.items()]
    sql = (
        f"UPDATE {ops.quote_name(model._meta.db_table)} SET {assignments} "
        f"WHERE {ops.quote_name(model._meta.pk.column)} = %s AND {ops.quote_name('version')} = %s"
    )
    with conn.cursor() as cur:
        cur.execute(sql, [*params, pk, expected_version])
        return cur.rowcount
