"""Agreements read in order of signing without sorting them all (issue 18: a page's time must not grow with the
records it does not show; at 61,340 agreements the sort was 14-16 ms of the home page and of every list page).

`agreement_signed_idx` (signed_on, id) serves the lists' order (oldest first) and, read backwards, newest first on
SQLite (where NULL sorts lowest, so undated agreements come last either way) and PostgreSQL's plain `DESC` (the lists'
agreement filter). The home page's latest agreements put the undated last on PostgreSQL too (`DESC NULLS LAST`),
which reads `agreement_newest_idx` there; SQLite does not need it (nor could it: its indexes take no NULLS LAST).
"""

from django.db import migrations, models

NEWEST = (
    "CREATE INDEX IF NOT EXISTS agreement_newest_idx "
    "ON agreements_agreement (signed_on DESC NULLS LAST, id DESC)"
)


def newest_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NEWEST)


def no_newest_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS agreement_newest_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0004_names_i18n"),
        ("directory", "0004_names_i18n"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="agreement",
            index=models.Index(fields=["signed_on", "id"], name="agreement_signed_idx"),
        ),
        migrations.RunPython(newest_index, no_newest_index),
    ]
