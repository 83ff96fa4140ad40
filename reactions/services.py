"""Liking and saving stories: each a row per reader and story, made or removed once.

The services settle double clicks with the unique constraints (a second like is no second row)
and say whether anything changed; the story's like count follows the rows (receivers.py).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from creators.models import User
from reactions.models import Like, SavedStory
from reactions.signals import story_liked
from stories.models import Story


def _check_public(story: Story) -> None:
    if not story.is_public:
        raise ValidationError("This story is not published.", code="not_public")


def like_add(*, story: Story, reader: User) -> bool:
    """The reader likes the story; False when they already did. Their own story they cannot.

    `story_liked` is sent once the like is committed, never for a like that was not made.
    """
    _check_public(story)
    if reader.pk == story.creator_id:
        raise ValidationError("You can’t like your own story.", code="own_story")
    try:
        with transaction.atomic():
            like = Like.objects.create(story=story, reader=reader)
    except IntegrityError:
        return False
    transaction.on_commit(
        lambda: story_liked.send(sender=Like, like=like, story=story, reader=reader)
    )
    return True


@transaction.atomic
def like_remove(*, story: Story, reader: User) -> bool:
    """The reader no longer likes the story; False when they did not."""
    deleted, _ = Like.objects.filter(story=story, reader=reader).delete()
    return bool(deleted)


def save_add(*, story: Story, reader: User) -> bool:
    """The story goes into the reader's library; False when it was already there."""
    _check_public(story)
    try:
        with transaction.atomic():
            SavedStory.objects.create(story=story, reader=reader)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def save_remove(*, story_id: int, reader: User) -> bool:
    """The story leaves the reader's library, published or not any more; False when it was not
    there. By id: a story that was unpublished since is still removed from the library."""
    deleted, _ = SavedStory.objects.filter(story_id=story_id, reader=reader).delete()
    return bool(deleted)
