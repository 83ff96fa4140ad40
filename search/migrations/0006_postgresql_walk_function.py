"""PostgreSQL walks a common word's body-only matches newest first on the date's B-tree, always.

A search lists the matches that have a wanted word only in the body newest first, and when
there are many of them (a common word) it walks the index table's `published_at` B-tree
(search/migrations/0004) until a page is full: a few hundred rows. The planner cannot know
there are many: it estimates how many rows match from the words' statistics, and for two
words together (or a word just out of its most-common list) it guesses a few hundred where
there are tens of thousands. At 1,000,000 stories it then sorts every match, or scans the
whole table in parallel, instead of walking: 9.4 s for "time quawenbel" (docs/benchmarks.md).

The search (search.backends._PostgreSQL.page) has already counted enough matches to know
the walk is the cheap way, so the walk is this function, planned with sequential and bitmap
scans off: the B-tree is the only way left to read the table in order. A function with SET
clauses is never inlined, so the settings hold for its statement only.
"""

from django.db import migrations

from search.migrations._postgresql import postgresql_only

TABLE = "stories_storysearch"
FUNCTION = "search_walk_newest"

FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION {FUNCTION}(wanted tsquery, ranked tsquery, n integer)
    RETURNS TABLE (story_id bigint, published_at timestamp with time zone)
    LANGUAGE sql STABLE
    SET enable_seqscan = off
    SET enable_bitmapscan = off
    SET max_parallel_workers_per_gather = 0
    AS $$
        SELECT s.story_id, s.published_at FROM {TABLE} s
        WHERE (s.document @@ wanted) IS TRUE AND NOT s.head @@ ranked
        ORDER BY s.published_at DESC NULLS LAST, s.story_id DESC
        LIMIT n
    $$
    """,
]
BACKWARDS = [f"DROP FUNCTION IF EXISTS {FUNCTION}(tsquery, tsquery, integer)"]


class Migration(migrations.Migration):
    dependencies = [("search", "0005_suggestion")]

    operations = [postgresql_only(FORWARDS, BACKWARDS)]
