"""The PostgreSQL (tsvector) and SQLite (FTS5) backends: the index's tables and search SQL.

The tables themselves were created by stories/migrations/0006_search.py (raw SQL, already
applied on existing databases, so it stays in `stories`); their names keep the `stories_`
prefix for that reason. A change to their schema is a new migration, in search/migrations/
(0001 made PostgreSQL's columns use `byline_english`, which folds accents as FTS5 does).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper

from search.marks import MARK_END, MARK_START
from search.query import ParsedQuery, Phrase

# --- the two databases ----------------------------------------------------------------------

# One rule on both databases: a story ranks by where the words are, title first, then subtitle
# and tags, then the writer's name; a story that has them only in its body follows those, and
# ties go to the newest. Ranking on the body too would mean reading every matching story's
# whole text, which on PostgreSQL costs seconds for a common word over 100,000 stories.

Row = tuple[int, int, str, str, str]  # story id, total matches, title, subtitle, excerpt

# Matches are counted up to this many; past it a search says "more than 1,000" and shows that
# many (100 pages), as web search engines do: counting every match of a common word would read
# every one of them (50,000 rows at 100,000 stories), and nobody reads page 101.
COUNT_EXACT = 1000
# PostgreSQL ranks at most this many stories with a wanted word in the title, subtitle, tags or
# name: the newest. A page never shows more than COUNT_EXACT results, so no shown result is left
# out for it; but a tag on 47,000 of 1,000,000 stories would otherwise mean scoring all 47,000
# (155 ms), and the one more tells "more than 1,000" apart without counting.
RANK_WINDOW = COUNT_EXACT + 1


class _Backend:
    """What differs between the databases: the table, its writes, and the search SQL.

    The tables' DDL is in stories/migrations/0006_search.py, with the reasons for its shape.
    """

    table: str
    key: str  # the index's column holding the story id

    def cursor(self, db: BaseDatabaseWrapper):
        """The cursor page() runs on."""
        return db.cursor()

    def upsert(self, cursor, rows: Sequence[tuple], *, fresh: bool = False) -> None:
        """Write index rows (search.index.index_rows: id, title, subtitle, body, tags, writer,
        publication date); `fresh` says the table was just emptied, so none can exist."""
        raise NotImplementedError

    def clear(self, cursor) -> None:
        """Empty the index before a full build."""
        cursor.execute(f"DELETE FROM {self.table}")

    def optimize(self, cursor) -> None:
        """After a full build: whatever makes the fresh index fastest to query."""

    def delete(self, cursor, ids: Sequence[int]) -> None:
        if ids:
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(f"DELETE FROM {self.table} WHERE {self.key} IN ({marks})", list(ids))

    def page(
        self, cursor, parsed: ParsedQuery, published: tuple[str, tuple], *, limit: int, offset: int
    ) -> list[Row]:
        """One page of matches, best first, each with the total and its highlighted text."""
        raise NotImplementedError


class _PostgreSQL(_Backend):
    table = "stories_storysearch"
    key = "story_id"
    # ts_rank's weights for D, C, B, A: (body), writer, subtitle and tags, title.
    weights = "{0.1, 0.2, 0.4, 1.0}"
    title_options = "HighlightAll=true, StartSel={start}, StopSel={stop}"
    excerpt_options = (
        "MaxFragments=1, MaxWords=32, MinWords=16, ShortWord=3, StartSel={start}, StopSel={stop}"
    )

    def cursor(self, db: BaseDatabaseWrapper):
        """A cursor whose statements are prepared: planning page()'s statement costs 1 to 10 ms
        of the server's CPU, as much as running it. Django turns psycopg's prepared statements
        off for every query (for connection poolers; PgBouncer 1.21 and later handle them), so
        this one cursor binds on the server and prepares what it runs, once per connection.
        Django's wrapper is kept, so the query is logged and counted like any other.
        """
        db.ensure_connection()
        return db._prepare_cursor(_prepared_cursor_class()(db.connection))

    def create_index(self, cursor) -> None:
        # `document` finds the matches; `head` the few of them that rank (search/migrations/0002).
        for column in ("document", "head"):
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {self.table}_{column} "
                f"ON {self.table} USING gin ({column})"
            )

    def upsert(self, cursor, rows: Sequence[tuple], *, fresh: bool = False) -> None:
        if fresh:
            # COPY streams a batch in one statement; a full build spends its time in to_tsvector.
            columns = "story_id, title, subtitle, body_text, tags, creator, published_at"
            with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"""
            INSERT INTO {self.table}
                (story_id, title, subtitle, body_text, tags, creator, published_at)
            VALUES (%s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (story_id) DO UPDATE SET
                title = EXCLUDED.title, subtitle = EXCLUDED.subtitle,
                body_text = EXCLUDED.body_text, tags = EXCLUDED.tags, creator = EXCLUDED.creator,
                published_at = EXCLUDED.published_at
            """,
            rows,
        )

    def clear(self, cursor) -> None:
        # A full build loads faster without the index, and a GIN index built in one go is
        # smaller than one grown row by row.
        cursor.execute(f"DROP INDEX IF EXISTS {self.table}_document")
        cursor.execute(f"DROP INDEX IF EXISTS {self.table}_head")
        cursor.execute(f"TRUNCATE {self.table}")

    def optimize(self, cursor) -> None:
        self.create_index(cursor)
        # The table in publication order (the B-tree's: newest first; later publishes append
        # at the end, next to each other): walking the date's B-tree then reads neighbouring
        # rows, not one page per row. At 1,000,000 stories a tag's ranked window (21,000 rows
        # walked) went from 60 to 18 ms; CLUSTER took 3.5 minutes there, inside the build's
        # transaction.
        cursor.execute(f"CLUSTER {self.table} USING {self.table}_published")
        cursor.execute(f"ANALYZE {self.table}")

    @staticmethod
    def tsquery(parsed: ParsedQuery) -> tuple[str, list[str]]:
        """The query as a tsquery expression over parameters: (a && b) || c, && !!d for -d."""
        params: list[str] = []

        def phrase(words: Phrase) -> str:
            params.append(" ".join(words))
            return "phraseto_tsquery('byline_english', %s)"

        groups = ["(" + " && ".join(phrase(p) for p in group) + ")" for group in parsed.groups]
        sql = "(" + " || ".join(groups) + ")"
        for words in parsed.excluded:
            sql = f"({sql} && !!{phrase(words)})"
        return sql, params

    @staticmethod
    def ranking(parsed: ParsedQuery) -> tuple[str, list[str]]:
        """Every wanted word, or-ed: ts_rank scores an AND query 0 unless all its words are in
        the ranked fields, and a title with one of two words should still beat a body with both.
        """
        words = list(dict.fromkeys(w for group in parsed.groups for p in group for w in p))
        sql = " || ".join(["plainto_tsquery('byline_english', %s)"] * len(words))
        return f"({sql})", words

    def page(
        self, cursor, parsed: ParsedQuery, published: tuple[str, tuple], *, limit: int, offset: int
    ) -> list[Row]:
        tsquery, query_params = self.tsquery(parsed)
        ranking, ranking_params = self.ranking(parsed)
        published_sql, published_params = published
        marks = {"start": MARK_START, "stop": MARK_END}
        title = self.title_options.format(**marks)
        excerpt = self.excerpt_options.format(**marks)
        wanted = offset + limit
        params: list = []

        def query() -> str:
            params.extend(query_params)
            return tsquery

        def ranked() -> str:
            params.extend(ranking_params)
            return ranking

        def pub() -> str:
            params.extend(published_params)
            return published_sql

        def value(v) -> str:
            params.append(v)
            return "%s"

        # Every parameter is added by the helper that writes its placeholder, and an f-string
        # is evaluated left to right, so `params` ends in the placeholders' order.

        # The body counts for matching but not for rank (ts_rank reads `head`), so a page is
        # the matches with a wanted word in `head`, ranked (the newest RANK_WINDOW of them),
        # then, if those do not fill it, the body-only matches newest first, never ranked.
        # Those are read one of two ways, chosen in the query by how many match: many (a common
        # word) by walking the index newest first (its `published_at` B-tree) until enough
        # match, few by the GIN index and a sort. Walking costs about
        # `wanted` * stories / matches probes, the GIN index about one row per match; they cross
        # near 2 * sqrt(wanted * stories). The index table has each story's date
        # (search/migrations/0004), so none of this joins the stories table.
        #
        # The index holds published stories only, but a bulk update() sends no signal and can
        # leave a row behind: the page's rows are checked against published stories, and so is
        # the count. It is counted up to COUNT_EXACT + 1 (past that a reader is told "more than
        # 1,000"), and the matches only as far as the choice of strategy needs: counting all
        # 50,000 matches of a common word would read 50,000 rows. Only the page is highlighted.
        #
        # A one-word query found in `head` matches: `document` holds `head`. Asking the
        # document's GIN index too would read its posting list for nothing (3 ms for a common
        # word at 100,000 stories).
        one_word = not parsed.excluded and [len(p) for g in parsed.groups for p in g] == [1]

        def head_rows(way: str) -> str:
            # search/migrations/0007: the newest RANK_WINDOW with a wanted word in `head`,
            # walked on the date's B-tree or sorted from the GIN index, whichever is cheaper.
            args = (
                f"{ranked()}, {RANK_WINDOW}"
                if one_word
                else f"{ranked()}, {query()}, {RANK_WINDOW}"
            )
            return (
                f"SELECT h.* FROM head_plan, LATERAL search_head_{way}{'' if one_word else '_all'}"
                f"({args}) h WHERE {'' if way == 'walked' else 'NOT '}head_plan.walk"
            )

        def estimate() -> str:
            return f"search_head_estimate({ranked()}, {'NULL' if one_word else query()})"

        order = "score DESC, published_at DESC NULLS LAST, story_id DESC"
        sql = f"""
            WITH size AS (
                SELECT greatest(reltuples, 1) AS n
                FROM pg_class WHERE oid = '{self.table}'::regclass
            ), head_plan AS (
                SELECT {estimate()} > sqrt({RANK_WINDOW} * n) AS walk FROM size
            ), ranked AS MATERIALIZED (
                SELECT story_id, published_at, ts_rank('{self.weights}', head, {ranked()}) AS score
                FROM ({head_rows("walked")} UNION ALL {head_rows("sorted")}) c
            ), ranked_count AS (
                SELECT count(*) AS n FROM ranked
            ), crossing AS (
                SELECT 2 * sqrt({value(wanted)} * n) AS n FROM size
            ), found AS MATERIALIZED (
                -- The matches, as far as the strategy needs: all of them when few, which is
                -- when the count and the body-only matches are read from here, not again (a
                -- phrase of two common words rechecks each story with both: once is enough).
                SELECT story_id, published_at, head @@ {ranked()} AS in_head FROM {self.table}
                WHERE (SELECT n FROM ranked_count) <= {COUNT_EXACT} AND document @@ {query()}
                LIMIT greatest(
                    {COUNT_EXACT + 1},
                    (SELECT ceil(n)::bigint + 1 FROM crossing) + (SELECT n FROM ranked_count)
                )
            ), matches AS (
                SELECT count(*) AS n FROM found
            ), total AS (
                SELECT CASE
                    WHEN greatest(n, (SELECT n FROM ranked_count)) > {COUNT_EXACT}
                    THEN {COUNT_EXACT + 1}
                    ELSE (
                        SELECT count(*) FROM found f JOIN ({pub()}) p ON p.id = f.story_id
                    ) END AS n
                FROM matches
            ), strategy AS (
                -- Not walking means `found` holds every match: it stopped short of its limit.
                SELECT (SELECT n FROM ranked_count) < {value(wanted)} AS needed,
                    (SELECT n FROM matches) - (SELECT n FROM ranked_count)
                    > (SELECT n FROM crossing) AS walk
            ), head AS (
                SELECT story_id, published_at, score FROM ranked
                ORDER BY {order} LIMIT {value(wanted)}
            ), walked AS (
                -- search_walk_newest (search/migrations/0006): the B-tree, whatever the
                -- planner guesses; never called unless the strategy is to walk.
                SELECT w.story_id, w.published_at, 0::real AS score
                FROM strategy, LATERAL search_walk_newest({query()}, {ranked()}, {value(wanted)}) w
                WHERE strategy.needed AND strategy.walk
            ), sorted AS (
                SELECT story_id, published_at, 0::real AS score FROM found
                WHERE (SELECT needed AND NOT walk FROM strategy) AND NOT in_head
                ORDER BY published_at DESC NULLS LAST, story_id DESC
                LIMIT {value(wanted)}
            ), hits AS (
                SELECT * FROM (
                    SELECT * FROM head UNION ALL SELECT * FROM walked
                    UNION ALL SELECT * FROM sorted
                ) t
                WHERE t.story_id IN (SELECT p.id FROM ({pub()}) p)
                ORDER BY {order}
                LIMIT {value(limit)} OFFSET {value(offset)}
            )
            SELECT h.story_id, (SELECT n FROM total),
                ts_headline('byline_english', s.title, q.query, {value(title)}),
                ts_headline('byline_english', s.subtitle, q.query, {value(title)}),
                ts_headline('byline_english', s.body_text, q.query, {value(excerpt)})
            FROM hits h
            JOIN {self.table} s ON s.story_id = h.story_id
            CROSS JOIN (SELECT {query()} AS query) q
            ORDER BY h.{order.replace(", ", ", h.")}
        """
        cursor.execute(sql, params)
        return cursor.fetchall()


# Candidates ranked past a page's last row, in case some of those before it are rows a bulk
# update() left in the index: only the ones down to that score are joined with the stories.
STALE_MARGIN = 10


class _SQLite(_Backend):
    table = "stories_storysearch_fts"
    key = "rowid"
    # bm25's weight per column, in the table's order, in PostgreSQL's proportions; the body's
    # 0 makes it count for matching but not for rank, as there.
    rank = f"bm25({table}, 10.0, 4.0, 0.0, 4.0, 2.0)"
    excerpt_tokens = 32

    def upsert(self, cursor, rows: Sequence[tuple], *, fresh: bool = False) -> None:
        if not fresh:
            # FTS5 has no ON CONFLICT, and the row may be a deleted story's, left by a flush.
            self.delete(cursor, [row[0] for row in rows])
        # FTS5 keeps no date (a column of it would be read from the row, body and all, for
        # every candidate): page() takes dates from the stories table for the few it needs.
        cursor.executemany(
            f"INSERT INTO {self.table} (rowid, title, subtitle, body_text, tags, creator) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [row[:6] for row in rows],
        )

    def optimize(self, cursor) -> None:
        cursor.execute(f"INSERT INTO {self.table}({self.table}) VALUES ('optimize')")

    @staticmethod
    def match(parsed: ParsedQuery) -> str:
        """The query in FTS5 syntax: every phrase quoted, so words are never operators."""

        def phrase(words: Phrase) -> str:
            return '"' + " ".join(words) + '"'

        groups = ["(" + " AND ".join(phrase(p) for p in group) + ")" for group in parsed.groups]
        expression = "(" + " OR ".join(groups) + ")"
        for words in parsed.excluded:
            expression += f" NOT {phrase(words)}"
        return expression

    @staticmethod
    def ranked_words(parsed: ParsedQuery) -> str:
        """Any wanted word in the fields that rank (all but the body), in FTS5 syntax."""
        words = dict.fromkeys(w for group in parsed.groups for p in group for w in p)
        return "{title subtitle tags creator} : (" + " OR ".join(f'"{w}"' for w in words) + ")"

    def page(
        self, cursor, parsed: ParsedQuery, published: tuple[str, tuple], *, limit: int, offset: int
    ) -> list[Row]:
        published_sql, published_params = published
        match = self.match(parsed)
        ranked = self.ranked_words(parsed)
        wanted = offset + limit
        # The body counts for matching but not for rank, so a page is the matches with a wanted
        # word in the ranked fields (few, even for a common word: bm25 runs on them alone), then
        # the body-only matches newest first, never ranked. Those are read one of two ways, chosen
        # in the query by how many there are (FTS5 counts them without reading a row, and only
        # as far as the choice needs): many (a common word) by walking published stories newest
        # first and asking FTS5 about each (a seek in its doclists, about 10 us; a list of all
        # 50,000 matches of a common word to test them against took 9 ms), few by the
        # full-text index and a sort; see _PostgreSQL.page for the cross-over. The way not
        # taken gets LIMIT 0, which SQLite checks before it reads a row (a WHERE on the choice
        # would be tested once per row, or cost the walk its order). The
        # first tier's MATCH adds the ranked fields' words once more, so bm25 counts them twice:
        # the same order for words, a little more weight to words of a phrase found apart.
        # (Restricting the query's own MATCH with `rowid IN (...)` instead would keep bm25 as it
        # was, but makes FTS5 run the query once per row: 100 times slower.) Only
        # the first offset + limit of each tier is kept, and only the page is highlighted, as
        # highlight() and snippet() re-read the text.
        #
        # The count joins published stories, up to COUNT_EXACT + 1 matches ("more than 1,000"),
        # so a row left behind by a bulk update() is neither shown nor counted.
        cursor.execute(
            f"""
            WITH crossing AS (
                SELECT CAST(2 * sqrt(%s * (SELECT coalesce(max(id), 1) FROM stories_story))
                    AS INTEGER) AS n
            ), strategy AS (
                SELECT (
                    SELECT count(*) FROM (
                        SELECT 1 FROM {self.table} WHERE {self.table} MATCH %s
                        LIMIT (SELECT n + 1 FROM crossing)
                    )
                ) > (SELECT n FROM crossing) AS walk
            ), scored AS MATERIALIZED (
                SELECT rowid AS id, {self.rank} AS score FROM {self.table}
                WHERE {self.table} MATCH %s
            ), cutoff AS (
                SELECT score FROM scored ORDER BY score LIMIT 1 OFFSET %s
            ), head AS (
                SELECT s.id, s.score, p.published_at
                FROM scored s CROSS JOIN ({published_sql}) p ON p.id = s.id
                WHERE s.score <= coalesce((SELECT score FROM cutoff), 1e308)
                ORDER BY s.score, p.published_at DESC, s.id DESC
                LIMIT %s
            ), walked AS (
                SELECT p.id, 0.0 AS score, p.published_at
                FROM ({published_sql}) p
                WHERE EXISTS (
                    SELECT 1 FROM {self.table} f WHERE f.{self.table} MATCH %s AND f.rowid = p.id
                )
                ORDER BY p.published_at DESC, p.id DESC
                LIMIT (SELECT CASE WHEN walk THEN %s ELSE 0 END FROM strategy)
            ), sorted AS (
                SELECT p.id, 0.0 AS score, p.published_at
                FROM {self.table}
                CROSS JOIN ({published_sql}) p ON p.id = {self.table}.rowid
                WHERE {self.table} MATCH %s
                ORDER BY p.published_at DESC, p.id DESC
                LIMIT (SELECT CASE WHEN walk THEN 0 ELSE %s END FROM strategy)
            ), hits AS (
                SELECT id, score, published_at FROM (
                    SELECT * FROM head UNION ALL SELECT * FROM walked UNION ALL SELECT * FROM sorted
                )
                ORDER BY score, published_at DESC, id DESC
                LIMIT %s OFFSET %s
            ), exact AS (
                SELECT count(*) AS n FROM (
                    SELECT 1 FROM {self.table}
                    CROSS JOIN ({published_sql}) p ON p.id = {self.table}.rowid
                    WHERE {self.table} MATCH %s
                    LIMIT {COUNT_EXACT + 1}
                )
            ), total AS (
                SELECT min(n, {COUNT_EXACT + 1}) AS n FROM exact
            )
            SELECT hits.id, (SELECT n FROM total),
                highlight({self.table}, 0, %s, %s),
                highlight({self.table}, 1, %s, %s),
                snippet({self.table}, 2, %s, %s, %s, {self.excerpt_tokens})
            FROM hits CROSS JOIN {self.table} ON {self.table}.rowid = hits.id
            WHERE {self.table} MATCH %s
            ORDER BY hits.score, hits.published_at DESC, hits.id DESC
            """,
            [
                wanted,
                f"({match}) NOT {ranked}",
                f"({match}) AND {ranked}",
                wanted + STALE_MARGIN,
                *published_params,
                wanted,
                *published_params,
                f"({match}) NOT {ranked}",
                wanted,
                *published_params,
                f"({match}) NOT {ranked}",
                wanted,
                limit,
                offset,
                *published_params,
                match,
                MARK_START,
                MARK_END,
                MARK_START,
                MARK_END,
                MARK_START,
                MARK_END,
                "…",
                match,
            ],
        )
        return cursor.fetchall()


@functools.cache
def _prepared_cursor_class() -> type:
    """Django's server-binding psycopg cursor, preparing every statement it runs (imported
    when first needed: only a PostgreSQL site has psycopg's C parts loaded)."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparedCursor(ServerBindingCursor):
        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparedCursor


_BACKENDS: dict[str, _Backend] = {"postgresql": _PostgreSQL(), "sqlite": _SQLite()}


def backend_for(db: BaseDatabaseWrapper) -> _Backend | None:
    """The search backend of a connection; None on a database Byline does not support."""
    return _BACKENDS.get(db.vendor)
