# The default ratings and qualities were made here while reader insights lived in the comments
# app. They moved to the insights app with their models: insights/migrations/0002 makes them now.
# This migration stays, empty, so databases that applied it keep a consistent history.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0001_initial"),
    ]

    operations = []
