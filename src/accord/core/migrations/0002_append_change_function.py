"""PostgreSQL: append an audit entry in one round trip.

The function takes the chain lock, reads the head, computes the entry's hash exactly as
accord.core.audit.entry_hash does (sha256 of previous hash, newline, canonical payload; hex) and inserts.
Each statement in a volatile PL/pgSQL function takes a fresh snapshot under READ COMMITTED (Django's
default), so the head read after the lock is the latest committed one. SQLite needs none of this: its
IMMEDIATE transactions already serialise writers, and its queries cost no round trip.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION accord_append_change(
    payload text, p_at timestamptz, p_actor_id bigint, p_actor_name text, p_request_id text, p_action text,
    p_object_type text, p_object_id text, p_object_uid uuid, p_object_version bigint, p_object_repr text,
    p_related_type text, p_related_id text, p_before jsonb, p_after jsonb
) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    prev text;
    digest text;
BEGIN
    PERFORM pg_advisory_xact_lock(71752329204292);  -- 'ACCORD': one appender at a time
    SELECT hash INTO prev FROM core_changerecord ORDER BY id DESC LIMIT 1;
    prev := COALESCE(prev, repeat('0', 64));
    digest := encode(sha256(convert_to(prev || chr(10) || payload, 'UTF8')), 'hex');
    INSERT INTO core_changerecord (at, actor_id, actor_name, request_id, action, object_type, object_id,
        object_uid, object_version, object_repr, related_type, related_id, before, after, prev_hash, hash)
    VALUES (p_at, p_actor_id, p_actor_name, p_request_id, p_action, p_object_type, p_object_id,
        p_object_uid, p_object_version, p_object_repr, p_related_type, p_related_id, p_before, p_after, prev, digest);
    RETURN prev || ':' || digest;
END
$$;
"""
DROP = "DROP FUNCTION IF EXISTS accord_append_change(text, timestamptz, bigint, text, text, text, text, text, uuid, bigint, text, text, text, jsonb, jsonb);"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
