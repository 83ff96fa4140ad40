"""Full-text search over published stories: PostgreSQL text search or SQLite FTS5, one result page.

The index is a table beside `stories_story` that holds, per published story, the text a reader
can search: title, subtitle, the body as plain text, tag names and the creator's names. It is
kept up to date by `stories.search_signals` and refilled by `rebuild_search_index`.

Results only ever come through `Story.objects.published()`: every search joins the index with
that queryset's SQL, so a row the index still holds for a story that is no longer public (a
flushed test database, a story unpublished by a raw UPDATE) is simply never shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from taggit.models import TaggedItem

from core.sanitizer import html_to_text
from stories.models import Story

# Longer input is cut, not refused: nobody types 200 characters into a search box on purpose.
MAX_QUERY_LENGTH = 200
# Each word is a term the database looks up; beyond this many a query only gets slower.
MAX_WORDS = 16

# The database wraps each match in these; they cannot come from a story (`_plain` strips them),
# so after escaping everything else they are the only places a <mark> may go.
MARK_START, MARK_END = "\x02", "\x03"
_MARKED = re.compile(f"{MARK_START}([^{MARK_START}{MARK_END}]*){MARK_END}")
_SENTINELS = re.compile(f"[\x00{MARK_START}{MARK_END}]")

# Words as both tokenizers see them: letters and digits; everything else separates.
_WORD = re.compile(r"[^\W_]+")
# A query's pieces, as on web search engines: `"a phrase"`, `-excluded`, `or`, plain words.
_PIECE = re.compile(r'(-?)(?:"([^"]*)"?|([^\s"]+))')

# No search has this many pages; a larger ?page= is past the end like any other.
MAX_PAGE = 100_000

# PostgreSQL's English stop words (tsearch_data/english.stop). Its index leaves them out, and
# FTS5's keeps them; dropping a piece of a query made only of them gives both databases the
# same answer, and spares SQLite ranking nearly every story for "the".
_STOP_WORDS = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())

# Rows fetched and written at a time when the whole index is built.
BUILD_BATCH = 2000


# --- what a query means ---------------------------------------------------------------------


Phrase = tuple[str, ...]


@dataclass(frozen=True)
class ParsedQuery:
    """Any of `groups` (each: all of its phrases), and none of `excluded`."""

    groups: tuple[tuple[Phrase, ...], ...]
    excluded: tuple[Phrase, ...]


def parse_query(text: str) -> ParsedQuery | None:
    """What the reader asked for, or None if it has nothing to look for.

    Both databases get the same structure, built from words of letters and digits only, so no
    input can be a syntax error in FTS5 or tsquery, and `"`, `NEAR(`, `a:b` or `*` are plain
    punctuation rather than operators. A word or phrase of stop words only is left out; inside
    a phrase they stay, so "state of the art" still means those words in that order.
    """
    groups: list[list[Phrase]] = [[]]
    excluded: list[Phrase] = []
    budget = MAX_WORDS
    for match in _PIECE.finditer(text[:MAX_QUERY_LENGTH]):
        negated, quoted, bare = match.groups()
        raw = quoted if quoted is not None else bare
        if quoted is None and not negated and raw.lower() == "or":
            groups.append([])
            continue
        words = tuple(word.lower() for word in _WORD.findall(raw))[:budget]
        if STOP_WORDS.issuperset(words):
            continue
        (excluded if negated else groups[-1]).append(words)
        budget -= len(words)
        if budget <= 0:
            break
    wanted = tuple(tuple(group) for group in groups if group)
    if not wanted:
        return None
    return ParsedQuery(groups=wanted, excluded=tuple(excluded))


# --- what a result is -----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchResult:
    story: Story
    title_html: SafeString
    subtitle_html: SafeString
    excerpt_html: SafeString


def marked(text: str | None) -> SafeString:
    """Escape text from the database, then turn its match sentinels into <mark> elements."""
    escaped = escape(text or "")
    return mark_safe(_SENTINELS.sub("", _MARKED.sub(r"<mark>\1</mark>", escaped)))


# --- the two databases ----------------------------------------------------------------------

# One rule on both databases: a story ranks by where the words are, title first, then subtitle
# and tags, then the writer's name; a story that has them only in its body follows those, and
# ties go to the newest. Ranking on the body too would mean reading every matching story's
# whole text, which on PostgreSQL costs seconds for a common word over 100,000 stories.

Row = tuple[int, int, str, str, str]  # story id, total matches, title, subtitle, excerpt


class _Backend:
    """What differs between the databases: the table, its DDL, and the search SQL."""

    table: str
    key: str  # the index's column holding the story id

    def create(self, cursor) -> None:
        raise NotImplementedError

    def drop(self, cursor) -> None:
        cursor.execute(f"DROP TABLE IF EXISTS {self.table}")

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
    head = """
        setweight(to_tsvector('english'::regconfig, title), 'A')
        || setweight(to_tsvector('english'::regconfig, subtitle), 'B')
        || setweight(to_tsvector('english'::regconfig, tags), 'B')
        || setweight(to_tsvector('english'::regconfig, creator), 'C')
    """
    title_options = "HighlightAll=true, StartSel={start}, StopSel={stop}"
    excerpt_options = (
        "MaxFragments=1, MaxWords=32, MinWords=16, ShortWord=3, StartSel={start}, StopSel={stop}"
    )

    def create(self, cursor) -> None:
        # No foreign key to stories_story: `manage.py flush` (every transactional test) truncates
        # the tables Django knows, and PostgreSQL refuses to truncate a table that another one
        # references. The post_delete receiver removes rows instead, and searches join published
        # stories, so a leftover row is never shown.
        #
        # `document` (everything, weighted) is what the GIN index matches; `head` (all but the
        # body, a few hundred bytes) is what ranks. A small toast_tuple_target moves the texts
        # and `document` out of line while `head` (storage MAIN) stays in the row, so ranking
        # every match reads a narrow table and never a story's whole text.
        cursor.execute(
            f"""
            CREATE TABLE {self.table} (
                story_id bigint PRIMARY KEY,
                title text NOT NULL DEFAULT '',
                subtitle text NOT NULL DEFAULT '',
                body_text text NOT NULL DEFAULT '',
                tags text NOT NULL DEFAULT '',
                creator text NOT NULL DEFAULT '',
                head tsvector GENERATED ALWAYS AS ({self.head}) STORED,
                document tsvector GENERATED ALWAYS AS (
                    {self.head}
                    || setweight(to_tsvector('english'::regconfig, body_text), 'D')
                ) STORED
            ) WITH (toast_tuple_target = 128)
            """
        )
        cursor.execute(f"ALTER TABLE {self.table} ALTER COLUMN head SET STORAGE MAIN")
        # Without statistics the planner takes every query for a selective one and uses the GIN
        # index. With them it picks a sequential scan for a common word, which must unpack every
        # story's document: seconds instead of milliseconds.
        cursor.execute(f"ALTER TABLE {self.table} ALTER COLUMN document SET STATISTICS 0")
        self.create_index(cursor)

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
            return "phraseto_tsquery('english', %s)"

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
        sql = " || ".join(["plainto_tsquery('english', %s)"] * len(words))
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
                ts_headline('english', s.title, q.query, %s),
                ts_headline('english', s.subtitle, q.query, %s),
                ts_headline('english', s.body_text, q.query, %s)
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

    def create(self, cursor) -> None:
        # The rowid is the story's id. remove_diacritics 2 folds accents on any letter.
        cursor.execute(
            f"""
            CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5(
                title, subtitle, body_text, tags, creator,
                tokenize = 'porter unicode61 remove_diacritics 2'
            )
            """
        )

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


# --- searching ------------------------------------------------------------------------------


def _published_sql() -> tuple[str, tuple]:
    """The SQL of Story.objects.published(): the only stories a search may return."""
    queryset = Story.objects.published().order_by().values("id", "published_at")
    return queryset.query.sql_with_params()


class _Fetched:
    """A page already fetched, with the total, in the shape Paginator asks of an object list."""

    def __init__(self, total: int, results: list[SearchResult]) -> None:
        self.total = total
        self.results = results

    def count(self) -> int:
        return self.total

    def __getitem__(self, window: slice) -> list[SearchResult]:
        return self.results


def _requested(page_number: int | str | None) -> int:
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        return 1
    # Any number past the end means the last page; this one keeps OFFSET a sane integer.
    return min(max(1, number), MAX_PAGE)


def search_stories(query: str, *, page_number: int | str | None = 1) -> Page:
    """One page of published stories matching `query`, most relevant first, matches marked.

    The page's `paginator.count` is the number of matches. A query with nothing to look for
    (empty, only punctuation) has no results and runs no query. A malformed page number means
    the first page, one past the end the last. Three queries per page, however many results:
    the ranked, counted and highlighted page; its stories with creator and community; tags.
    """
    per_page = settings.STORIES_PER_PAGE
    parsed = parse_query(query or "")
    backend = backend_for(connection)
    number = _requested(page_number)
    rows: list[Row] = []
    if parsed is not None and backend is not None:
        published = _published_sql()
        with connection.cursor() as cursor:
            rows = backend.page(
                cursor, parsed, published, limit=per_page, offset=(number - 1) * per_page
            )
            if not rows and number > 1:
                # Past the end: the first match says how many there are, then fetch the last.
                first = backend.page(cursor, parsed, published, limit=1, offset=0)
                if first:
                    number = math.ceil(first[0][1] / per_page)
                    rows = backend.page(
                        cursor, parsed, published, limit=per_page, offset=(number - 1) * per_page
                    )
    if not rows:
        number = 1
    total = rows[0][1] if rows else 0
    stories = Story.objects.published().for_cards().in_bulk([row[0] for row in rows])
    # A story unpublished between the two queries is left out rather than shown.
    results = [
        SearchResult(
            story=stories[story_id],
            title_html=marked(title),
            subtitle_html=marked(subtitle),
            excerpt_html=marked(excerpt),
        )
        for story_id, _, title, subtitle, excerpt in rows
        if story_id in stories
    ]
    return Paginator(_Fetched(total, results), per_page).page(number)


# --- keeping the index up to date -----------------------------------------------------------


def _plain(text: str) -> str:
    return _SENTINELS.sub("", text or "")


def creator_text(*names: str) -> str:
    """A creator's searchable names: display name, username and full name, each once."""
    seen: list[str] = []
    for name in names:
        name = " ".join((name or "").split())
        if name and name not in seen:
            seen.append(name)
    return _plain(" ".join(seen))


_ROW_FIELDS = (
    "id",
    "title",
    "subtitle",
    "body",
    "creator__display_name",
    "creator__username",
    "creator__first_name",
    "creator__last_name",
)


def index_rows(published: QuerySet, tagged_items: QuerySet, story_type_id: int) -> Iterator[tuple]:
    """Index rows for every story of `published`, fetched in batches by id.

    Takes the querysets rather than the models so that the migration can pass its historical
    models; `published` must already be filtered to published stories.
    """
    last = 0
    while True:
        batch = list(
            published.filter(id__gt=last).order_by("id").values_list(*_ROW_FIELDS)[:BUILD_BATCH]
        )
        if not batch:
            return
        tags: dict[int, list[str]] = {}
        for story_id, name in tagged_items.filter(
            content_type_id=story_type_id, object_id__in=[row[0] for row in batch]
        ).values_list("object_id", "tag__name"):
            tags.setdefault(story_id, []).append(name)
        for story_id, title, subtitle, body, display, username, first, last_name in batch:
            full_name = f"{first} {last_name}".strip()
            yield (
                story_id,
                _plain(title),
                _plain(subtitle),
                _plain(html_to_text(body)),
                _plain(" ".join(sorted(tags.get(story_id, [])))),
                creator_text(display, username, full_name),
            )
        last = batch[-1][0]


def _story_type_id() -> int:
    return ContentType.objects.get_for_model(Story).id


def index_stories(ids: Iterable[int]) -> None:
    """Bring the index in line with these stories: indexed if published, removed if not."""
    backend = backend_for(connection)
    ids = sorted(set(ids))
    if backend is None or not ids:
        return
    published = Story.objects.published().filter(id__in=ids)
    rows = list(index_rows(published, TaggedItem.objects.all(), _story_type_id()))
    indexed = {row[0] for row in rows}
    with connection.cursor() as cursor:
        backend.delete(cursor, [story_id for story_id in ids if story_id not in indexed])
        if rows:
            backend.upsert(cursor, rows)


def index_story(story: Story) -> None:
    index_stories([story.pk])


def remove_story(story_id: int) -> None:
    backend = backend_for(connection)
    if backend is not None:
        with connection.cursor() as cursor:
            backend.delete(cursor, [story_id])


def reindex_creator(user) -> None:
    """After a creator's account changed: their names, or whether their stories are public.

    A rename rewrites one column of their rows in one statement; only stories missing from the
    index (the account was just reactivated) are indexed from their text.
    """
    backend = backend_for(connection)
    if backend is None:
        return
    stories = Story.objects.filter(creator=user).order_by().values("id")
    stories_sql, stories_params = stories.query.sql_with_params()
    with connection.cursor() as cursor:
        if not user.is_active:
            cursor.execute(
                f"DELETE FROM {backend.table} WHERE {backend.key} IN ({stories_sql})",
                stories_params,
            )
            return
        name = creator_text(user.display_name, user.username, user.get_full_name())
        cursor.execute(
            f"UPDATE {backend.table} SET creator = %s "
            f"WHERE {backend.key} IN ({stories_sql}) AND creator <> %s",
            [name, *stories_params, name],
        )
        published_sql, published_params = (
            Story.objects.published().filter(creator=user).order_by().values("id")
        ).query.sql_with_params()
        cursor.execute(
            f"SELECT p.id FROM ({published_sql}) p WHERE NOT EXISTS "
            f"(SELECT 1 FROM {backend.table} s WHERE s.{backend.key} = p.id)",
            published_params,
        )
        missing = [row[0] for row in cursor.fetchall()]
    index_stories(missing)


def rebuild_index() -> int:
    """Empty the index and fill it from every published story; returns how many it holds.

    One transaction: readers keep the old index until it commits (SQLite), or wait for it
    (PostgreSQL locks the table), and a failure leaves the old index in place.
    """
    with transaction.atomic():
        return fill_index(
            connection, Story.objects.published(), TaggedItem.objects.all(), _story_type_id()
        )


def fill_index(
    db: BaseDatabaseWrapper, published: QuerySet, tagged_items: QuerySet, story_type_id: int
) -> int:
    """Replace the index's rows with rows for `published`, written in batches (set-based)."""
    backend = backend_for(db)
    if backend is None:
        return 0
    total = 0
    with db.cursor() as cursor:
        backend.clear(cursor)
        rows = index_rows(published, tagged_items, story_type_id)
        while batch := _take(rows, BUILD_BATCH):
            backend.upsert(cursor, batch, fresh=True)
            total += len(batch)
        backend.optimize(cursor)
    return total


def _take(rows: Iterator[tuple], n: int) -> list[tuple]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == n:
            break
    return batch


def create_index(db: BaseDatabaseWrapper) -> bool:
    """Create the index's table on this connection; False on an unsupported database."""
    backend = backend_for(db)
    if backend is None:
        return False
    with db.cursor() as cursor:
        backend.create(cursor)
    return True


def drop_index(db: BaseDatabaseWrapper) -> None:
    backend = backend_for(db)
    if backend is not None:
        with db.cursor() as cursor:
            backend.drop(cursor)
