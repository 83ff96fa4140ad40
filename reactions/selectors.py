"""Reading likes and saves: one reader's state on the story page, and their library."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection

from core.keyset import KeysetPage, keyset_page
from creators.models import User
from reactions.models import Like, SavedStory


@dataclass(frozen=True)
class ReaderState:
    liked: bool = False
    saved: bool = False


NOBODY = ReaderState()


def reader_state(*, story_id: int, reader: User | None) -> ReaderState:
    """Whether the reader likes and has saved the story: ONE query for both (the story page's
    one per-reader question of its own); none for an anonymous reader.

    Written as SQL: the same query through the ORM (two Exists annotations on the story) cost
    more to build than to run, about a fifth of a signed-in story page's CPU
    (bench/render_profile.py --profile "signed in"). Two EXISTS on the tables' unique
    (story, reader) indexes, in SQL that SQLite and PostgreSQL both read."""
    if reader is None or not reader.is_authenticated:
        return NOBODY
    with connection.cursor() as cursor:
        cursor.execute(_READER_STATE_SQL, [story_id, reader.pk, story_id, reader.pk])
        liked, saved = cursor.fetchone()
    return ReaderState(liked=bool(liked), saved=bool(saved))


def _exists_sql(model) -> str:
    story = model._meta.get_field("story").column
    reader = model._meta.get_field("reader").column
    return f"EXISTS(SELECT 1 FROM {model._meta.db_table} WHERE {story} = %s AND {reader} = %s)"


_READER_STATE_SQL = f"SELECT {_exists_sql(Like)}, {_exists_sql(SavedStory)}"


def library_page(
    *, reader: User, after: str | None = None, before: str | None = None, per_page: int = 0
) -> KeysetPage:
    """A page of the reader's saved stories, newest saved first, in one query.

    Stories unpublished since they were saved stay in the list (`story.is_public` says which):
    the page shows them as no longer available rather than losing them silently.
    """
    saves = (
        SavedStory.objects.filter(reader=reader)
        .select_related("story__creator", "story__community")
        # The list shows titles, not stories.
        .defer(
            "story__body",
            "story__creator__password",
            "story__creator__bio",
            "story__creator__bio_html",
        )
    )
    return keyset_page(
        saves,
        per_page=per_page or settings.STORIES_PER_PAGE,
        after=after,
        before=before,
        field="created_at",
    )
