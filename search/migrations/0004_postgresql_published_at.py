"""PostgreSQL's index keeps each story's publication date, so a search orders without a join.

A page of results is ranked, ties broken newest first, and the matches with a wanted word only
in the body are listed newest first. With the date in the index table those are read from the
index alone: the ranked matches need no join with the stories table (thousands of rows for a
common word, a tag or a writer's name), and the body-only matches of a common word are walked
newest first on the B-tree below, testing each row's `document` until a page is full.

Filling the column is an UPDATE of every row, and PostgreSQL recomputes the generated tsvector
columns of each row it updates: the table is rewritten and locked for about as long as 0001
took (docs/benchmarks.md has the time at 100,000 stories). SQLite needs nothing: FTS5 sorts
its few candidates with the stories' own index (search.backends._SQLite.page).
"""

from django.db import migrations

from search.migrations._postgresql import postgresql_only

TABLE = "stories_storysearch"

FORWARDS = [
    f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS published_at timestamp with time zone",
    f"""
    UPDATE {TABLE} s SET published_at = st.published_at
    FROM stories_story st WHERE st.id = s.story_id
    """,
    f"CREATE INDEX IF NOT EXISTS {TABLE}_published "
    f"ON {TABLE} (published_at DESC NULLS LAST, story_id DESC)",
    f"ANALYZE {TABLE}",
]
BACKWARDS = [
    f"DROP INDEX IF EXISTS {TABLE}_published",
    f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS published_at",
]


class Migration(migrations.Migration):
    dependencies = [("search", "0003_spelling")]

    operations = [postgresql_only(FORWARDS, BACKWARDS)]
