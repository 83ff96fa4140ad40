"""The PostgreSQL (tsvector) and SQLite (FTS5) backends: the index's tables and search SQL.

The tables themselves were created by stories/migrations/0006_search.py (raw SQL, already
applied on existing databases, so it stays in `stories`); their names keep the `stories_`
prefix for that reason. A change to their schema is a new migration, in search/migrations/
(0001 made PostgreSQL's columns use `byline_english`, which folds accents as FTS5 does).
"""

from __future__ import annotations

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


class _Backend:
    """What differs between the databases: the table, its writes, and the search SQL.

    The tables' DDL is in stories/migrations/0006_search.py, with the reasons for its shape.
    """

    table: str
    key: str  # the index's column holding the story id

    def upsert(self, cursor, rows: Sequence[tuple], *, fresh: bool = False) -> None:
        """Write index rows; `fresh` says the table was just emptied, so none can exist."""
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

    def create_index(self, cursor) -> None:
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {self.table}_document ON {self.table} USING gin (document)"
        )

    def upsert(self, cursor, rows: Sequence[tuple], *, fresh: bool = False) -> None:
        if fresh:
            # COPY streams a batch in one statement; a full build spends its time in to_tsvector.
            columns = "story_id, title, subtitle, body_text, tags, creator"
            with cursor.cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        cursor.executemany(
            f"""
            INSERT INTO {self.table} (story_id, title, subtitle, body_text, tags, creator)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (story_id) DO UPDATE SET
                title = EXCLUDED.title, subtitle = EXCLUDED.subtitle,
                body_text = EXCLUDED.body_text, tags = EXCLUDED.tags, creator = EXCLUDED.creator
            """,
            rows,
        )

    def clear(self, cursor) -> None:
        # A full build loads faster without the index, and a GIN index built in one go is
        # smaller than one grown row by row.
        cursor.execute(f"DROP INDEX IF EXISTS {self.table}_document")
        cursor.execute(f"TRUNCATE {self.table}")

    def optimize(self, cursor) -> None:
        self.create_index(cursor)
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
        # Rank and count every match, but highlight only the page: ts_headline re-reads the text.
        # OFFSET 0 keeps the ranking in the scan, so the count's window holds three numbers per
        # match, not each match's `head`.
        cursor.execute(
            f"""
            SELECT h.story_id, h.total,
                ts_headline('byline_english', s.title, q.query, %s),
                ts_headline('byline_english', s.subtitle, q.query, %s),
                ts_headline('byline_english', s.body_text, q.query, %s)
            FROM (
                SELECT m.*, count(*) OVER () AS total
                FROM (
                    SELECT s.story_id, p.published_at,
                        ts_rank('{self.weights}', s.head, q.ranking) AS score
                    FROM {self.table} s
                    JOIN ({published_sql}) p ON p.id = s.story_id
                    CROSS JOIN (SELECT {tsquery} AS query, {ranking} AS ranking) q
                    WHERE s.document @@ q.query
                    OFFSET 0
                ) m
                ORDER BY m.score DESC, m.published_at DESC, m.story_id DESC
                LIMIT %s OFFSET %s
            ) h
            JOIN {self.table} s ON s.story_id = h.story_id
            CROSS JOIN (SELECT {tsquery} AS query) q
            ORDER BY h.score DESC, h.published_at DESC, h.story_id DESC
            """,
            [
                self.title_options.format(**marks),
                self.title_options.format(**marks),
                self.excerpt_options.format(**marks),
                *published_params,
                *query_params,
                *ranking_params,
                limit,
                offset,
                *query_params,
            ],
        )
        return cursor.fetchall()


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
        cursor.executemany(
            f"INSERT INTO {self.table} (rowid, title, subtitle, body_text, tags, creator) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
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

    def page(
        self, cursor, parsed: ParsedQuery, published: tuple[str, tuple], *, limit: int, offset: int
    ) -> list[Row]:
        published_sql, published_params = published
        match = self.match(parsed)
        # CROSS JOIN keeps the full-text index as the outer loop (otherwise SQLite may walk
        # every published story and probe the index for each). bm25() may not share a SELECT
        # with a window function, so the count reads the matches' CTE, which SQLite then
        # materialises: every match is ranked once. Only the page is highlighted, as
        # highlight() and snippet() re-read the text.
        cursor.execute(
            f"""
            WITH matches AS (
                SELECT {self.table}.rowid AS id, {self.rank} AS score, p.published_at
                FROM {self.table}
                CROSS JOIN ({published_sql}) p ON p.id = {self.table}.rowid
                WHERE {self.table} MATCH %s
            ), hits AS (
                SELECT id, score, published_at, (SELECT count(*) FROM matches) AS total
                FROM matches
                ORDER BY score, published_at DESC, id DESC
                LIMIT %s OFFSET %s
            )
            SELECT hits.id, hits.total,
                highlight({self.table}, 0, %s, %s),
                highlight({self.table}, 1, %s, %s),
                snippet({self.table}, 2, %s, %s, %s, {self.excerpt_tokens})
            FROM hits CROSS JOIN {self.table} ON {self.table}.rowid = hits.id
            WHERE {self.table} MATCH %s
            ORDER BY hits.score, hits.published_at DESC, hits.id DESC
            """,
            [
                *published_params,
                match,
                limit,
                offset,
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


_BACKENDS: dict[str, _Backend] = {"postgresql": _PostgreSQL(), "sqlite": _SQLite()}


def backend_for(db: BaseDatabaseWrapper) -> _Backend | None:
    """The search backend of a connection; None on a database Byline does not support."""
    return _BACKENDS.get(db.vendor)
