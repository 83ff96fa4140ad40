"""PostgreSQL ranks only the newest 1,001 stories with a wanted word in their `head`, read the
cheaper of two ways, chosen from the planner's own estimate of how many there are.

A search ranks the stories with a wanted word in the title, subtitle, tags or writer's name.
At 1,000,000 stories a tag is on 47,000 of them and "time" is in 12,500 titles: scoring them
all took 150 ms. A page never shows more than 1,000 results, so search.backends ranks the
newest 1,001 (the one more tells "more than 1,000" apart without counting). Those are read:

- by walking the `published_at` B-tree newest first and testing each row's `head` (inline,
  small) until 1,001 match: about 1,001 * stories / matches rows (21,000 for the tag, 35 ms);
- or from `head`'s GIN index, every match, keeping the newest 1,001 (12,500 rows for "time",
  20 ms, where the walk would read 80,000 rows, 220 ms).

They cost about the same per row, so the walk wins past sqrt(1,001 * stories) matches. The
planner knows how many rows match one word well (its statistics keep the frequent words'
frequencies: 12,499 estimated for 12,471 "time"), but it prices the walk's random reads far
too low and walked for "time". For a query of several words the estimate is of the stories
whose `head` has one and whose `document` has them all; the planner takes the words to be
independent, so it guesses low, which errs towards the GIN index: the walk would go on to
the end of the table if fewer than 1,001 match. So search_head_estimate asks it for the estimate alone
(EXPLAIN; PostgreSQL allows that only in a VOLATILE function, and the search calls it once),
and the two ways are two functions planned with the other way turned off.
"""

from django.db import migrations

from search.migrations._postgresql import postgresql_only

TABLE = "stories_storysearch"

RETURNS = "TABLE (story_id bigint, published_at timestamp with time zone, head tsvector)"
ORDER = "ORDER BY s.published_at DESC NULLS LAST, s.story_id DESC LIMIT n"
# Two ways (walked, sorted), each for one-word queries (`head` ⊂ `document`, so `head` alone
# decides) and for the rest (`document` must match the whole query too).
WAYS = {
    "walked": "SET enable_seqscan = off SET enable_bitmapscan = off",
    "sorted": "SET enable_seqscan = off SET enable_indexscan = off",
}
KINDS = {
    "": ("ranked tsquery, n integer", "s.head @@ ranked"),
    "_all": (
        "ranked tsquery, wanted tsquery, n integer",
        "s.head @@ ranked AND s.document @@ wanted",
    ),
}

FORWARDS = [
    f"""
    CREATE OR REPLACE FUNCTION search_head_estimate(ranked tsquery, wanted tsquery)
    RETURNS double precision
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE plan json;
    BEGIN
        IF wanted IS NULL THEN
            EXECUTE format(
                'EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} WHERE head @@ %L::tsquery', ranked
            ) INTO plan;
        ELSE
            EXECUTE format(
                'EXPLAIN (FORMAT JSON) SELECT 1 FROM {TABLE} '
                'WHERE head @@ %L::tsquery AND document @@ %L::tsquery', ranked, wanted
            ) INTO plan;
        END IF;
        RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::double precision;
    END
    $$
    """,
    *(
        f"""
        CREATE OR REPLACE FUNCTION search_head_{way}{kind}({args}) RETURNS {RETURNS}
        LANGUAGE sql STABLE {settings} SET max_parallel_workers_per_gather = 0
        AS $$ SELECT s.story_id, s.published_at, s.head FROM {TABLE} s WHERE {where} {ORDER} $$
        """
        for way, settings in WAYS.items()
        for kind, (args, where) in KINDS.items()
    ),
]
BACKWARDS = [
    "DROP FUNCTION IF EXISTS search_head_estimate(tsquery, tsquery)",
    *(
        f"DROP FUNCTION IF EXISTS search_head_{way}{kind}({args})"
        for way in WAYS
        for kind, (args, _) in KINDS.items()
    ),
]


class Migration(migrations.Migration):
    dependencies = [("search", "0006_postgresql_walk_function")]

    operations = [postgresql_only(FORWARDS, BACKWARDS)]
