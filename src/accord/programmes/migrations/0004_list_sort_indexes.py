# Indexes that let the record lists read one page in order instead of sorting every visible row.
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0002_external_id"),
        ("directory", "0002_external_id"),
        ("programmes", "0003_external_id"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="exchange",
            index=models.Index(fields=["start_on", "id"], name="exchange_start_idx"),
        ),
        migrations.AddIndex(
            model_name="plan",
            index=models.Index(fields=["period_start", "period_end", "agreement", "revision"], name="plan_period_idx"),
        ),
        migrations.AddIndex(
            model_name="planitem",
            index=models.Index(fields=["plan", "position", "id"], name="planitem_plan_order_idx"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["modality", "agreement", "id"], name="project_modality_order_idx"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["field", "agreement", "id"], name="project_field_order_idx"),
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(django.db.models.functions.text.Lower("number"), name="project_number_lower_idx"),
        ),
    ]
