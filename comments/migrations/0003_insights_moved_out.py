# Rating, Quality and Insight moved to the insights app (insights.0001 took them over in its
# state, with their tables): here they leave the comments app's state. No table is dropped.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        # Only once the insights app owns the models may they leave this one.
        ('insights', '0001_initial'),
        ('comments', '0002_default_ratings_and_qualities'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's picture of which app owns them changes.
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='insight',
                    name='qualities',
                ),
                migrations.RemoveField(
                    model_name='insight',
                    name='rating',
                ),
                migrations.RemoveField(
                    model_name='insight',
                    name='reader',
                ),
                migrations.RemoveField(
                    model_name='insight',
                    name='story',
                ),
                migrations.DeleteModel(
                    name='Quality',
                ),
                migrations.DeleteModel(
                    name='Rating',
                ),
                migrations.DeleteModel(
                    name='Insight',
                ),
            ],
        ),
    ]
