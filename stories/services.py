"""The story lifecycle: draft → submitted → published, or → changes requested → draft."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from creators.models import User
from stories.models import Story, StoryTransition
from stories.signals import story_published

Status = Story.Status

# Which status may move to which; anything else is refused.
ALLOWED = {
    Status.DRAFT: {Status.SUBMITTED},
    Status.SUBMITTED: {Status.PUBLISHED, Status.CHANGES_REQUESTED, Status.DRAFT},
    Status.CHANGES_REQUESTED: {Status.DRAFT, Status.SUBMITTED},
    Status.PUBLISHED: {Status.DRAFT},
}


def _transition(*, story: Story, to: str, actor: User | None, reason: str = "") -> Story:
    # Lock the row so two reviewers acting at once cannot both move the story.
    locked = Story.objects.select_for_update().get(pk=story.pk)
    if to not in ALLOWED[Status(locked.status)]:
        raise ValidationError(
            f"A story that is “{locked.get_status_display()}” cannot become “{Status(to).label}”.",
            code="invalid_transition",
        )
    StoryTransition.objects.create(
        story=locked, from_status=locked.status, to_status=to, actor=actor, reason=reason
    )
    story.status = to
    return story


@transaction.atomic
def story_submit(*, story: Story, actor: User) -> Story:
    _transition(story=story, to=Status.SUBMITTED, actor=actor)
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def story_publish(*, story: Story, actor: User | None) -> Story:
    _transition(story=story, to=Status.PUBLISHED, actor=actor)
    if story.published_at is None:
        story.published_at = timezone.now()
    story.save(update_fields=["status", "published_at", "updated_at"])
    transaction.on_commit(lambda: story_published.send(sender=Story, story=story))
    return story


@transaction.atomic
def story_request_changes(*, story: Story, actor: User, reason: str) -> Story:
    if not reason.strip():
        raise ValidationError("Tell the creator what to change.", code="reason_required")
    _transition(story=story, to=Status.CHANGES_REQUESTED, actor=actor, reason=reason.strip())
    story.save(update_fields=["status", "updated_at"])
    return story


@transaction.atomic
def story_unpublish(*, story: Story, actor: User, reason: str = "") -> Story:
    _transition(story=story, to=Status.DRAFT, actor=actor, reason=reason)
    story.save(update_fields=["status", "updated_at"])
    return story
