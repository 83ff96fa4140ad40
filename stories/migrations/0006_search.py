"""The search index: a PostgreSQL table with a weighted tsvector, or an SQLite FTS5 table.

Neither is a Django model (FTS5 tables cannot be), so makemigrations never sees them; the DDL
lives in stories.search, shared with rebuild_search_index. Other databases get no index.
"""

from django.db import migrations

from stories import search


def create_and_fill(apps, schema_editor):
    db = schema_editor.connection
    if not search.create_index(db):
        return
    Story = apps.get_model("stories", "Story")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    ContentType = apps.get_model("contenttypes", "ContentType")
    story_type_id = (
        ContentType.objects.using(db.alias)
        .filter(app_label="stories", model="story")
        .values_list("id", flat=True)
        .first()
    )
    # Story.objects.published() as it stands at this migration (historical models have no
    # custom querysets).
    published = Story.objects.using(db.alias).filter(status="published", creator__is_active=True)
    tagged_items = TaggedItem.objects.using(db.alias)
    if story_type_id is None:  # a fresh database: no story has ever been saved
        tagged_items = tagged_items.none()
    search.fill_index(db, published, tagged_items, story_type_id or 0)


def drop(apps, schema_editor):
    search.drop_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0005_discovery"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_and_fill, drop)]
