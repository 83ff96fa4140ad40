"""Whether a published story is news: what the new-story email and notification both ask."""

from __future__ import annotations

from stories.models import Story, StoryTransition


def creator_to_announce(story_id: int) -> int | None:
    """The creator of the story if it is published now for the first time; None if it is not
    public (unpublished, or its creator suspended, before the job ran) or was published before
    (unpublished and published again: already announced)."""
    story = Story.objects.published().filter(pk=story_id).values("creator_id").first()
    if story is None:
        return None
    announced = StoryTransition.objects.filter(
        story_id=story_id, to_status=Story.Status.PUBLISHED, is_edit=False
    ).count()
    return story["creator_id"] if announced <= 1 else None
