"""The prefixes behind type-ahead suggestions (search.suggest), filled from what is public now.

On PostgreSQL `term` sorts by code point (COLLATE "C"): suggestions compare it as a range, and
under a language's collation a range of strings is not the strings with a prefix. SQLite's
default (BINARY) already sorts so. The fill is frozen here (titles of published stories by
active accounts, names of active accounts with such a story, tags on one, folded and cut from
each word that is not a stop word), so later changes to search.suggest cannot change it.
"""

import re
import unicodedata

from django.db import migrations, models

TERM_LENGTH = 64
MAX_STARTS = 12
WORD = re.compile(r"[^\W_]+")
STOP_WORDS = frozenset(
    """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
    """.split()
)


def fold(text):
    decomposed = unicodedata.normalize("NFKD", (text or "").lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(*texts):
    found = []
    for text in texts:
        words = WORD.findall(fold(text))
        for i, word in enumerate(words[:MAX_STARTS]):
            if i and word in STOP_WORDS:
                continue
            term = " ".join(words[i:])[:TERM_LENGTH].rstrip()
            if term not in found:
                found.append(term)
    return found


def c_collation(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            'ALTER TABLE search_suggestion ALTER COLUMN term TYPE varchar(64) COLLATE "C"'
        )


def fill(apps, schema_editor):
    db = schema_editor.connection.alias
    Suggestion = apps.get_model("search", "Suggestion")
    Story = apps.get_model("stories", "Story")
    User = apps.get_model("creators", "User")
    Tag = apps.get_model("taggit", "Tag")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    ContentType = apps.get_model("contenttypes", "ContentType")
    published = Story.objects.using(db).filter(status="published", creator__is_active=True)

    def rows(kind, object_id, rank, texts):
        return [
            Suggestion(kind=kind, object_id=object_id, term=t, head2=t[:2], head3=t[:3], rank=rank)
            for t in terms(*texts)
        ]

    batch = []
    for story_id, title, published_at in published.values_list("id", "title", "published_at"):
        rank = int(published_at.timestamp()) if published_at else 0
        batch += rows("s", story_id, rank, [title])
        if len(batch) >= 5000:
            Suggestion.objects.using(db).bulk_create(batch)
            batch = []
    counts = {}
    for creator_id in published.values_list("creator_id", flat=True):
        counts[creator_id] = counts.get(creator_id, 0) + 1
    people = User.objects.using(db).filter(id__in=list(counts), is_active=True)
    for user_id, display, username, first, last in people.values_list(
        "id", "display_name", "username", "first_name", "last_name"
    ):
        batch += rows("c", user_id, counts[user_id], [display, f"{first} {last}", username])
    story_type = ContentType.objects.using(db).filter(app_label="stories", model="story").first()
    if story_type is not None:
        tagged = {}
        items = TaggedItem.objects.using(db).filter(
            content_type=story_type, object_id__in=published.values("id")
        )
        for tag_id in items.values_list("tag_id", flat=True):
            tagged[tag_id] = tagged.get(tag_id, 0) + 1
        for tag_id, name in Tag.objects.using(db).filter(id__in=list(tagged)).values_list(
            "id", "name"
        ):
            batch += rows("t", tag_id, tagged[tag_id], [name])
    Suggestion.objects.using(db).bulk_create(batch, batch_size=5000)


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0004_postgresql_published_at'),
        ('stories', '0011_import'),
        ('creators', '0005_unread_notifications'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='Suggestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('s', 'story'), ('c', 'creator'), ('t', 'tag')], max_length=1)),
                ('object_id', models.BigIntegerField()),
                ('term', models.CharField(max_length=64)),
                ('head2', models.CharField(max_length=2)),
                ('head3', models.CharField(max_length=3)),
                ('rank', models.BigIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['kind', 'head2', '-rank', '-object_id'], name='search_sugg_head2'), models.Index(fields=['kind', 'head3', '-rank', '-object_id'], name='search_sugg_head3'), models.Index(fields=['kind', 'term', 'rank', 'object_id'], name='search_sugg_term'), models.Index(fields=['kind', 'object_id'], name='search_sugg_object')],
            },
        ),
        migrations.RunPython(c_collation, migrations.RunPython.noop),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
