"""Reading likes and saves: one reader's state on the story page, and their library."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef

from core.keyset import KeysetPage, keyset_page
from creators.models import User
from reactions.models import Like, SavedStory
from stories.models import Story


@dataclass(frozen=True)
class ReaderState:
    liked: bool = False
    saved: bool = False


NOBODY = ReaderState()


def reader_state(*, story_id: int, reader: User | None) -> ReaderState:
    """Whether the reader likes and has saved the story: ONE query for both (the story page's
    one per-reader question of its own); none for an anonymous reader."""
    if reader is None or not reader.is_authenticated:
        return NOBODY
    row = (
        Story.objects.filter(pk=story_id)
        .annotate(
            liked=Exists(Like.objects.filter(story=OuterRef("pk"), reader_id=reader.pk)),
            saved=Exists(SavedStory.objects.filter(story=OuterRef("pk"), reader_id=reader.pk)),
        )
        .values_list("liked", "saved")
        .first()
    )
    return ReaderState(*map(bool, row)) if row else NOBODY


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
