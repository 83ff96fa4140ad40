"""Keeping the index up to date: one story, a creator's stories, or all of them at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from taggit.models import TaggedItem

from core.sanitizer import html_to_text
from search import spelling
from search.backends import backend_for
from search.marks import plain
from stories.access import split_body
from stories.models import Story

# Rows fetched and written at a time when the whole index is built.
BUILD_BATCH = 2000


def creator_text(*names: str) -> str:
    """A creator's searchable names: display name, username and full name, each once."""
    seen: list[str] = []
    for name in names:
        name = " ".join((name or "").split())
        if name and name not in seen:
            seen.append(name)
    return plain(" ".join(seen))


_ROW_FIELDS = (
    "id",
    "title",
    "subtitle",
    "body",
    "for_supporters",
    "creator__display_name",
    "creator__username",
    "creator__first_name",
    "creator__last_name",
    "published_at",
)


def index_rows(published: QuerySet, tagged_items: QuerySet, story_type_id: int) -> Iterator[tuple]:
    """Index rows for every story of `published`, fetched in batches by id.

    `published` must already be filtered to published stories. (stories/migrations/0006_search.py
    holds a frozen copy of this, for the index's first fill.)
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
        for story_id, title, subtitle, body, paid, display, username, first, last_name, at in batch:
            full_name = f"{first} {last_name}".strip()
            yield (
                story_id,
                plain(title),
                plain(subtitle),
                # A story for supporters is found by its free part only: results show
                # snippets of what they match (issue 18).
                plain(html_to_text(split_body(body)[0] if paid else body)),
                plain(" ".join(sorted(tags.get(story_id, [])))),
                creator_text(display, username, full_name),
                # Ties and body-only matches go newest first (search/migrations/0004).
                at,
            )
        if len(batch) < BUILD_BATCH:
            return  # the last batch: no need to ask for an empty one (one story: 2 queries, not 3)
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
    spelling.remember(_known_words(rows))


def _known_words(rows: Iterable[tuple]) -> set[str]:
    """The words of index rows that typos are corrected to: all but the body's."""
    return spelling.words(*(text for row in rows for text in (row[1], row[2], row[4], row[5])))


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
        spelling.remember(spelling.words(name))
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
            spelling.remember(_known_words(batch))
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
