"""The vocabulary of one-letter typos (search.spelling), filled from the index as it stands.

The fill is frozen here (words of titles, subtitles, tags and writers, 4-40 letters, folded)
and reads the index's raw table, so later changes to search.spelling cannot change it.
"""

import re
import unicodedata

from django.db import migrations, models

TABLES = {"postgresql": "stories_storysearch", "sqlite": "stories_storysearch_fts"}
WORD = re.compile(r"[^\W\d_]+")


def fold(word):
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fill(apps, schema_editor):
    db = schema_editor.connection
    if db.vendor not in TABLES:
        return
    Spelling = apps.get_model("search", "Spelling")
    words = set()
    with db.cursor() as cursor:
        cursor.execute(f"SELECT title, subtitle, tags, creator FROM {TABLES[db.vendor]}")
        for row in cursor.fetchall():
            for text in row:
                for word in WORD.findall(text or ""):
                    word = fold(word)
                    if 4 <= len(word) <= 40:
                        words.add(word)
    rows = [
        Spelling(variant=variant, word=word)
        for word in sorted(words)
        for variant in sorted({word} | {word[:i] + word[i + 1 :] for i in range(len(word))})
    ]
    Spelling.objects.using(db.alias).bulk_create(rows, ignore_conflicts=True, batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_postgresql_head_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='Spelling',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('variant', models.CharField(max_length=40)),
                ('word', models.CharField(max_length=40)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('variant', 'word'), name='search_spelling_unique')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
