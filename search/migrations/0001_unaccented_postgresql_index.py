"""PostgreSQL's index folds accents, as SQLite's already does (FTS5's remove_diacritics 2).

Readers type "cafe" for "café", "Zurich" for "Zürich" and "Sao Paulo" for "São Paulo"; with the
stock 'english' configuration those were different words. `byline_english` is 'english' with
`unaccent` before the stemmer for words that have letters outside ASCII, so the index, the
queries and the highlights all see "zurich". The tsvector columns are generated, so they are
dropped and added again with the new configuration (a rewrite of the index table: seconds at
100,000 stories), and their GIN index with them.

The tables belong to stories/migrations/0006_search.py; this migration lives in `search`, the
app that reads them, and does nothing on SQLite.
"""

from django.db import migrations

from search.migrations._postgresql import postgresql_only

TABLE = "stories_storysearch"


def head(config: str) -> str:
    return f"""
    setweight(to_tsvector('{config}'::regconfig, title), 'A')
    || setweight(to_tsvector('{config}'::regconfig, subtitle), 'B')
    || setweight(to_tsvector('{config}'::regconfig, tags), 'B')
    || setweight(to_tsvector('{config}'::regconfig, creator), 'C')
    """


def columns(config: str) -> list[str]:
    return [
        f"DROP INDEX IF EXISTS {TABLE}_document",
        f"ALTER TABLE {TABLE} DROP COLUMN document, DROP COLUMN head",
        f"""
        ALTER TABLE {TABLE}
            ADD COLUMN head tsvector GENERATED ALWAYS AS ({head(config)}) STORED,
            ADD COLUMN document tsvector GENERATED ALWAYS AS (
                {head(config)}
                || setweight(to_tsvector('{config}'::regconfig, body_text), 'D')
            ) STORED
        """,
        # As 0006 had them: the ranked `head` stays in the row, and `document` has no
        # statistics, so the planner keeps using the GIN index for common words.
        f"ALTER TABLE {TABLE} ALTER COLUMN head SET STORAGE MAIN",
        f"ALTER TABLE {TABLE} ALTER COLUMN document SET STATISTICS 0",
        f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document)",
        f"ANALYZE {TABLE}",
    ]


FORWARDS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS byline_english",
    "CREATE TEXT SEARCH CONFIGURATION byline_english (COPY = english)",
    # Only words with non-ASCII letters can carry accents; ASCII words keep english_stem alone.
    "ALTER TEXT SEARCH CONFIGURATION byline_english "
    "ALTER MAPPING FOR word, hword, hword_part WITH unaccent, english_stem",
    *columns("byline_english"),
]
BACKWARDS = [*columns("english"), "DROP TEXT SEARCH CONFIGURATION IF EXISTS byline_english"]


class Migration(migrations.Migration):
    dependencies = [("stories", "0006_search")]

    operations = [postgresql_only(FORWARDS, BACKWARDS)]
