"""What the search tests share: titles found, the one result, the index's size."""

from __future__ import annotations

from django.db import connection

from search.backends import backend_for
from search.results import SearchResult, search_stories


def titles(query: str, page: int | str | None = 1) -> list[str]:
    return [result.story.title for result in search_stories(query, page_number=page).object_list]


def only(query: str) -> SearchResult:
    results = search_stories(query).object_list
    assert len(results) == 1, [result.story.title for result in results]
    return results[0]


def index_size() -> int:
    backend = backend_for(connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {backend.table}")
        return cursor.fetchone()[0]
