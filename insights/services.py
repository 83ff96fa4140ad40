"""Leaving reader insights: save (add or change) one reader's insight on a story, or withdraw it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from creators.models import User
from insights.models import Insight, Quality, Rating
from insights.signals import insight_added
from stories.models import Story


def _check_may_leave_insight(*, story: Story, reader: User) -> None:
    if not reader.is_authenticated or not reader.is_active:
        raise ValidationError("Sign in with an active account to add insights.", code="reader")
    if story.status != Story.Status.PUBLISHED or not story.creator.is_active:
        raise ValidationError("Insights can only be added to published stories.", code="story")
    if story.creator_id == reader.pk:
        raise ValidationError("You can’t add insights to your own story.", code="creator")


@transaction.atomic
def insight_save(
    *, story: Story, reader: User, rating_id: int | None, quality_ids: Iterable[int]
) -> tuple[Insight, bool]:
    """Add the reader's insight on the story, or change the one they left; True when added.

    A retired rating or quality cannot be newly chosen, but a reader changing their insight
    may keep the retired ones it already has.
    """
    _check_may_leave_insight(story=story, reader=reader)
    existing = (
        Insight.objects.select_for_update()
        .filter(story=story, reader=reader)
        .prefetch_related("qualities")
        .first()
    )
    kept_rating_id = existing.rating_id if existing else None
    kept_quality_ids = {q.pk for q in existing.qualities.all()} if existing else set()

    rating = Rating.objects.filter(pk=rating_id).first() if rating_id else None
    if rating is None:
        raise ValidationError("Choose one overall rating.", code="rating")
    if not rating.is_active and rating.pk != kept_rating_id:
        raise ValidationError(
            f"“{rating.name}” is no longer offered; choose another rating.", code="retired"
        )

    wanted = set(quality_ids)
    qualities = list(Quality.objects.filter(pk__in=wanted))
    if len(qualities) != len(wanted):
        raise ValidationError("Choose qualities from the list.", code="quality")
    retired = [q.name for q in qualities if not q.is_active and q.pk not in kept_quality_ids]
    if retired:
        raise ValidationError(
            f"“{retired[0]}” is no longer offered; choose from the list.", code="retired"
        )

    if existing:
        existing.rating = rating
        existing.save(update_fields=["rating", "updated_at"])
        insight, created = existing, False
    else:
        # The unique (story, reader) constraint settles a double submit: the second one updates.
        insight, created = Insight.objects.update_or_create(
            story=story, reader=reader, defaults={"rating": rating}
        )
    insight.qualities.set(qualities)
    if created:
        transaction.on_commit(lambda: insight_added.send(sender=Insight, insight=insight))
    return insight, created


@transaction.atomic
def insight_withdraw(*, story: Story, reader: User) -> bool:
    """Remove the reader's own insight on the story; False when they had none."""
    deleted, _ = Insight.objects.filter(story=story, reader=reader).delete()
    return bool(deleted)
