# The ratings and qualities readers start with (see insights/defaults.py). comments.0002 made them
# while the models lived in the comments app; a database that ran it has them already, perhaps
# reworded or retired by staff since, and must not get a renamed default back. So they are only
# made where there are none at all: a new database.

from django.db import migrations

from insights.defaults import ensure_default_insight_choices


def create_defaults(apps, schema_editor):
    Rating = apps.get_model("insights", "Rating")
    Quality = apps.get_model("insights", "Quality")
    if Rating.objects.exists() or Quality.objects.exists():
        return
    ensure_default_insight_choices(Rating, Quality)


class Migration(migrations.Migration):

    dependencies = [
        ("insights", "0001_initial"),
    ]

    operations = [
        # Reversing keeps the rows: staff may have reworded them and insights point at them.
        migrations.RunPython(create_defaults, migrations.RunPython.noop),
    ]
