# The ratings and qualities readers start with (see comments/insight_defaults.py).

from django.db import migrations

from comments.insight_defaults import ensure_default_insight_choices


def create_defaults(apps, schema_editor):
    ensure_default_insight_choices(
        apps.get_model("comments", "Rating"), apps.get_model("comments", "Quality")
    )


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the rows: staff may have reworded them and insights point at them.
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
