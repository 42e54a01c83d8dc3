"""PostgreSQL: the chain's head read under the chain's lock, in one round trip; the appender is Python's.

accord.core.audit.append is the one writer of the chain (single entries and batches alike): it calls
accord_chain_head(lock) and hashes and inserts the entries itself, so the entry's columns, its hashed
payload and the lock's key are defined there only. A volatile PL/pgSQL function takes a fresh snapshot
per statement under READ COMMITTED, so the head read after the lock is the latest committed one (a plain
statement would read from a snapshot taken before it waited for the lock). It replaces 0002's
accord_append_change, which inserted in SQL and so restated the columns, the payload's hash and the lock.
"""

import importlib

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accord_chain_head(lock bigint) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head text;
BEGIN
    PERFORM pg_advisory_xact_lock(lock);
    SELECT hash INTO head FROM core_changerecord ORDER BY id DESC LIMIT 1;
    RETURN head;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS accord_chain_head(bigint);"
_0002 = importlib.import_module("accord.core.migrations.0002_append_change_function")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)
        schema_editor.execute(_0002.DROP)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)
        schema_editor.execute(_0002.CREATE)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_cache_table")]
    operations = [migrations.RunPython(create, drop)]
