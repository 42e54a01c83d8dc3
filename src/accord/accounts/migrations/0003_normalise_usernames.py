"""Account names are stored normalised (NFKC + casefold, accounts.signin.normalise_username). Existing accounts
are renamed to that form; two accounts whose names differ only in case or width stop the migration with both
names, for an administrator to rename one first (nothing is changed then)."""

import unicodedata

from django.db import migrations


def _normalise(name):
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold()).strip()


def forwards(apps, schema_editor):
    User = apps.get_model("auth", "User")
    seen = {}
    renames = []
    for pk, name in User.objects.values_list("pk", "username").order_by("pk"):
        canonical = _normalise(name)
        if canonical in seen:
            raise RuntimeError(
                f"accounts {seen[canonical][1]!r} and {name!r} are the same name once normalised ({canonical!r}): "
                "rename one of them (accord shell or the admin of the previous version), then migrate again"
            )
        seen[canonical] = (pk, name)
        if canonical != name:
            renames.append((pk, canonical))
    for pk, canonical in renames:
        User.objects.filter(pk=pk).update(username=canonical)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_security_log_and_throttle"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
