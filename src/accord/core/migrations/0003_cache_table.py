"""The database cache's table (settings.CACHES), made by migrate rather than only by `accord serve`.

The dashboard and sign-in throttling use the cache; an installation served by another WSGI server, a
benchmark or a worker that only ran `migrate` would otherwise fail on its first cache access.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_append_change_function")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
