"""The search index folds accents (NIÑEZ is found by ninez): the stored texts are normalised again, the same way
the queries now are. Texts the index gained (people's positions, organisations' former names) come with the next
`accord search-index rebuild` or the next write of each record."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def refold(apps: Any, schema_editor: Any) -> None:
    from accord.core.search import grams, normalise

    conn = schema_editor.connection
    with conn.cursor() as cur:
        cur.execute("SELECT id, body FROM search_entry")
        rows = cur.fetchall()
        for pk, body in rows:
            folded = "\n".join(normalise(line) for line in body.split("\n"))
            if folded != body:
                cur.execute("UPDATE search_entry SET body = %s, grams = %s WHERE id = %s", [folded, grams(folded), pk])


class Migration(migrations.Migration):
    dependencies = [("core", "0006_client_request_id")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
