"""The search index table, and the database's own text index over it.

SQLite: an FTS5 table with the trigram tokenizer (external content: it indexes search_entry's rows and
keeps no copy), kept in step by triggers. PostgreSQL: pg_trgm GIN indexes on the text, and a GIN index on
the grams as an array for queries of one or two characters.
"""

from typing import Any

from django.db import migrations, models

SQLITE = [
    "CREATE VIRTUAL TABLE search_entry_fts USING fts5("
    "body, grams, content='search_entry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_entry_ai AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(rowid, body, grams) VALUES (new.id, new.body, new.grams); END",
    "CREATE TRIGGER search_entry_ad AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, body, grams) "
    "VALUES ('delete', old.id, old.body, old.grams); END",
    "CREATE TRIGGER search_entry_au AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_entry_fts(search_entry_fts, rowid, body, grams) "
    "VALUES ('delete', old.id, old.body, old.grams); "
    "INSERT INTO search_entry_fts(rowid, body, grams) VALUES (new.id, new.body, new.grams); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_entry_au",
    "DROP TRIGGER IF EXISTS search_entry_ad",
    "DROP TRIGGER IF EXISTS search_entry_ai",
    "DROP TABLE IF EXISTS search_entry_fts",
]
POSTGRESQL = [
    # Trusted extension since PostgreSQL 13: the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX search_entry_body_trgm ON search_entry USING gin (body gin_trgm_ops)",
    "CREATE INDEX search_entry_grams_gin ON search_entry USING gin (string_to_array(grams, ' '))",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_entry_grams_gin",
    "DROP INDEX IF EXISTS search_entry_body_trgm",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [("core", "0004_oneof_chain_head")]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("model", models.CharField(max_length=64)),
                ("object_id", models.BigIntegerField()),
                ("body", models.TextField()),
                ("grams", models.TextField()),
            ],
            options={"db_table": "search_entry"},
        ),
        migrations.AddConstraint(
            model_name="searchentry",
            constraint=models.UniqueConstraint(fields=("model", "object_id"), name="search_entry_unique_object"),
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRESQL_REVERSE}),
        ),
    ]
