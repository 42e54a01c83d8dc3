from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("programmes", "0006_names_i18n"),
    ]

    operations = [
        migrations.AddField(
            model_name="planapproval",
            name="content_sha256",
            field=models.CharField(blank=True, default="", max_length=64, verbose_name="approved content's SHA-256"),
        ),
    ]
