"""Strip, from every stored text, the characters that XML — and so DOCX, XLSX and the HTML a PDF is printed
from — cannot carry: C0 control characters other than tab, line feed and carriage return, U+FFFE, U+FFFF and
lone surrogates.

Validation refuses them from now on (core.validation, on every channel); text stored before that rule is
cleaned here by *removing* those characters (nothing else in the text changes). An audited record changed this
way gets a new version and an audit entry by the actor "migration" (request "migration:strip-control-characters")
showing the text before and after, so `accord verify` still holds. The audit chain's own entries are not touched.
Reversing this migration does nothing: the removed characters are not restored (the audit entries keep them).

It lives here, with the documents that could not be generated while such text was stored, and after every app
whose records feed them.
"""

from django.db import migrations

from accord.core.text import strip_stored_text


def forwards(apps, schema_editor):
    strip_stored_text(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_client_request_id"),
        ("accounts", "0003_normalise_usernames"),
        ("directory", "0003_gaps_verbose_names"),
        ("agreements", "0003_gaps_verbose_names"),
        ("programmes", "0005_gaps_verbose_names"),
        ("meetings", "0001_initial"),
        ("signing", "0002_signed_content"),
        ("documents", "0002_initial"),
        ("interop", "0001_import_mapping"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
