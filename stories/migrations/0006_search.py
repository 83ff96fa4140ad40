"""The search index: a PostgreSQL table with a weighted tsvector, or an SQLite FTS5 table.

Neither is a Django model (FTS5 tables cannot be), so makemigrations never sees them. The
`search` app (a floor above `stories`) reads and writes these tables; this migration stays here
because it is already applied on existing databases. It is frozen as it stood when written, and
imports nothing from `search`: the DDL and the first fill are copied in, so later changes to the
search app cannot change what this migration did, and `stories` never imports a floor above it.
A change to the index's schema is a new migration. Other databases get no index.
"""

import re

from django.db import migrations

from core.sanitizer import html_to_text

BATCH = 2000
SENTINELS = re.compile("[\x00\x02\x03]")

PG_TABLE = "stories_storysearch"
PG_HEAD = """
    setweight(to_tsvector('english'::regconfig, title), 'A')
    || setweight(to_tsvector('english'::regconfig, subtitle), 'B')
    || setweight(to_tsvector('english'::regconfig, tags), 'B')
    || setweight(to_tsvector('english'::regconfig, creator), 'C')
"""
# No foreign key to stories_story: `manage.py flush` (every transactional test) truncates the
# tables Django knows, and PostgreSQL refuses to truncate a table that another one references.
# The post_delete receiver removes rows instead, and searches join published stories, so a
# leftover row is never shown.
#
# `document` (everything, weighted) is what the GIN index matches; `head` (all but the body, a
# few hundred bytes) is what ranks. A small toast_tuple_target moves the texts and `document`
# out of line while `head` (storage MAIN) stays in the row, so ranking every match reads a
# narrow table and never a story's whole text.
#
# Without statistics on `document` the planner takes every query for a selective one and uses
# the GIN index. With them it picks a sequential scan for a common word, which must unpack
# every story's document: seconds instead of milliseconds.
PG_CREATE = [
    f"""
    CREATE TABLE {PG_TABLE} (
        story_id bigint PRIMARY KEY,
        title text NOT NULL DEFAULT '',
        subtitle text NOT NULL DEFAULT '',
        body_text text NOT NULL DEFAULT '',
        tags text NOT NULL DEFAULT '',
        creator text NOT NULL DEFAULT '',
        head tsvector GENERATED ALWAYS AS ({PG_HEAD}) STORED,
        document tsvector GENERATED ALWAYS AS (
            {PG_HEAD}
            || setweight(to_tsvector('english'::regconfig, body_text), 'D')
        ) STORED
    ) WITH (toast_tuple_target = 128)
    """,
    f"ALTER TABLE {PG_TABLE} ALTER COLUMN head SET STORAGE MAIN",
    f"ALTER TABLE {PG_TABLE} ALTER COLUMN document SET STATISTICS 0",
]
# Built after the first fill: a GIN index built in one go is smaller than one grown row by row.
PG_AFTER_FILL = [
    f"CREATE INDEX IF NOT EXISTS {PG_TABLE}_document ON {PG_TABLE} USING gin (document)",
    f"ANALYZE {PG_TABLE}",
]

SQLITE_TABLE = "stories_storysearch_fts"
# The rowid is the story's id. remove_diacritics 2 folds accents on any letter.
SQLITE_CREATE = [
    f"""
    CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5(
        title, subtitle, body_text, tags, creator,
        tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
]
SQLITE_AFTER_FILL = [f"INSERT INTO {SQLITE_TABLE}({SQLITE_TABLE}) VALUES ('optimize')"]

SCHEMA = {
    "postgresql": (
        PG_TABLE,
        "story_id, title, subtitle, body_text, tags, creator",
        PG_CREATE,
        PG_AFTER_FILL,
    ),
    "sqlite": (
        SQLITE_TABLE,
        "rowid, title, subtitle, body_text, tags, creator",
        SQLITE_CREATE,
        SQLITE_AFTER_FILL,
    ),
}


def plain(text):
    return SENTINELS.sub("", text or "")


def creator_text(*names):
    seen = []
    for name in names:
        name = " ".join((name or "").split())
        if name and name not in seen:
            seen.append(name)
    return plain(" ".join(seen))


def index_rows(published, tagged_items, story_type_id):
    last = 0
    while True:
        batch = list(
            published.filter(id__gt=last)
            .order_by("id")
            .values_list(
                "id",
                "title",
                "subtitle",
                "body",
                "creator__display_name",
                "creator__username",
                "creator__first_name",
                "creator__last_name",
            )[:BATCH]
        )
        if not batch:
            return
        tags = {}
        for story_id, name in tagged_items.filter(
            content_type_id=story_type_id, object_id__in=[row[0] for row in batch]
        ).values_list("object_id", "tag__name"):
            tags.setdefault(story_id, []).append(name)
        for story_id, title, subtitle, body, display, username, first, last_name in batch:
            yield (
                story_id,
                plain(title),
                plain(subtitle),
                plain(html_to_text(body)),
                plain(" ".join(sorted(tags.get(story_id, [])))),
                creator_text(display, username, f"{first} {last_name}".strip()),
            )
        last = batch[-1][0]


def create_and_fill(apps, schema_editor):
    db = schema_editor.connection
    if db.vendor not in SCHEMA:
        return
    table, columns, create, after_fill = SCHEMA[db.vendor]
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
    insert = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s)"
    with db.cursor() as cursor:
        for statement in create:
            cursor.execute(statement)
        batch = []
        for row in index_rows(published, tagged_items, story_type_id or 0):
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(insert, batch)
                batch = []
        if batch:
            cursor.executemany(insert, batch)
        for statement in after_fill:
            cursor.execute(statement)


def drop(apps, schema_editor):
    db = schema_editor.connection
    if db.vendor in SCHEMA:
        with db.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {SCHEMA[db.vendor][0]}")


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0005_discovery"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_and_fill, drop)]
