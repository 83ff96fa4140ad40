# Rating, Quality and Insight move here from the comments app with their rows: their tables
# (comments_rating, comments_quality, comments_insight, comments_insight_qualities) were made by
# comments.0001 and are kept under those names (db_table), so this migration only tells Django's
# state that the models are now the insights app's; it creates nothing in the database.
# comments.0003 then removes them from the comments app's state, also without touching a table.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The tables this migration takes over are made there.
        ('comments', '0002_default_ratings_and_qualities'),
        ('stories', '0006_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay as they are: only Django's picture of which app owns them changes.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='Quality',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=60, unique=True)),
                        ('position', models.PositiveSmallIntegerField(default=0, help_text='Lower comes first.')),
                        ('is_active', models.BooleanField(default=True, help_text='Retired qualities stay on past insights but are not offered.')),
                    ],
                    options={
                        'verbose_name_plural': 'qualities',
                        'db_table': 'comments_quality',
                        'ordering': ['position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Rating',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=60, unique=True)),
                        ('phrase', models.CharField(help_text="Shown under the rating's name.", max_length=200)),
                        ('position', models.PositiveSmallIntegerField(default=0, help_text='Lower comes first.')),
                        ('is_active', models.BooleanField(default=True, help_text='Retired ratings stay on past insights but are not offered.')),
                    ],
                    options={
                        'db_table': 'comments_rating',
                        'ordering': ['position', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Insight',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('reader', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='insights', to=settings.AUTH_USER_MODEL)),
                        ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='insights', to='stories.story')),
                        ('qualities', models.ManyToManyField(blank=True, db_table='comments_insight_qualities', related_name='insights', to='insights.quality')),
                        ('rating', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='insights', to='insights.rating')),
                    ],
                    options={
                        'db_table': 'comments_insight',
                        'ordering': ['-updated_at'],
                        'constraints': [models.UniqueConstraint(fields=('story', 'reader'), name='insight_once_per_reader')],
                    },
                ),
    
            ],
        ),
    ]
