"""Searching: one page of ranked published stories with the reader's words marked."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.utils.safestring import SafeString

from search import spelling
from search.backends import COUNT_EXACT, Row, backend_for
from search.marks import marked
from search.query import parse_query
from stories.models import Story

# A word as the parser sees it, to put a correction in place of a typo in the reader's query.
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class SearchResult:
    story: Story
    title_html: SafeString
    subtitle_html: SafeString
    excerpt_html: SafeString


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


def requested_page(page_number: int | str | None) -> int:
    """A page number from the query string: 1 for anything malformed, and no further than
    the last page COUNT_EXACT results can fill (a search past the end shows its last page)."""
    try:
        number = int(page_number or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(1, number), math.ceil(COUNT_EXACT / settings.STORIES_PER_PAGE))


def _window(number: int, per_page: int) -> dict[str, int]:
    """The LIMIT and OFFSET of a page: the last page shown stops at the COUNT_EXACT-th match."""
    offset = (number - 1) * per_page
    return {"limit": min(per_page, COUNT_EXACT - offset), "offset": offset}


def search_stories(query: str, *, page_number: int | str | None = 1) -> Page:
    """One page of published stories matching `query`, or, if nothing does, matching it with
    its one-letter typos corrected; the page's `corrected` says the query it shows (or None).

    A search that finds something costs what _search costs; one that finds nothing costs one
    more query, the vocabulary's, and the corrected search's if there is a correction.
    """
    page = _search(query, page_number=page_number)
    page.corrected = None
    parsed = parse_query(query or "")
    if page.paginator.count or parsed is None:
        return page
    asked = [w for group in parsed.groups for phrase in group for w in phrase]
    fixes = spelling.corrections(asked)
    if not fixes:
        return page
    corrected = _WORD.sub(lambda m: fixes.get(spelling.fold(m.group()), m.group()), query)
    retry = _search(corrected, page_number=page_number)
    if not retry.paginator.count:
        return page
    retry.corrected = corrected
    return retry


def _search(query: str, *, page_number: int | str | None = 1) -> Page:
    """One page of published stories matching `query`, most relevant first, matches marked.

    The page's `paginator.count` is the number of matches, at most COUNT_EXACT; `more` says
    there are more than that, and only the first COUNT_EXACT are shown. A query with nothing
    to look for (empty, only punctuation) has no results and runs no query. A malformed page
    number means the first page, one past the end the last. Three queries per page, however
    many results: the ranked, counted and highlighted page; its stories with creator and
    community; tags.
    """
    per_page = settings.STORIES_PER_PAGE
    parsed = parse_query(query or "")
    backend = backend_for(connection)
    number = requested_page(page_number)
    rows: list[Row] = []
    if parsed is not None and backend is not None:
        published = _published_sql()
        with backend.cursor(connection) as cursor:
            rows = backend.page(cursor, parsed, published, **_window(number, per_page))
            if not rows and number > 1:
                # Past the end: the first match says how many there are, then fetch the last.
                first = backend.page(cursor, parsed, published, limit=1, offset=0)
                if first:
                    number = math.ceil(min(first[0][1], COUNT_EXACT) / per_page)
                    rows = backend.page(cursor, parsed, published, **_window(number, per_page))
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
    page = Paginator(_Fetched(min(total, COUNT_EXACT), results), per_page).page(number)
    page.more = total > COUNT_EXACT
    return page
