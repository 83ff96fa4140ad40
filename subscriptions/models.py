"""Free subscriptions: a reader follows a creator for their new stories in a feed and by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


class Subscription(models.Model):
    # No single-column indexes on the two keys: the unique pair (subscriber first) and the
    # creator index below lead with them, so Django's automatic FK indexes would be duplicates.
    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        db_index=False,
    )
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="subscribers",
        db_index=False,
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Also the index for the feed (the reader's creators), the story page's support
            # box ("does this reader subscribe?") and the profile's Subscribe button.
            models.UniqueConstraint(
                fields=["subscriber", "creator"], name="subscription_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(subscriber=F("creator")), name="subscription_not_self"
            ),
        ]
        indexes = [
            # Subscriber counts on the profile and the dashboard, and the new-story fan-out,
            # which walks a creator's subscriptions in primary-key order (keyset batches).
            models.Index(fields=["creator", "id"], name="subscription_creator_idx"),
            # The Subscriptions page: whom a reader follows, newest first.
            models.Index(fields=["subscriber", "-created_at"], name="subscription_reader_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.subscriber} → {self.creator}"

    def get_absolute_url(self) -> str:
        return reverse("stories:profile", kwargs={"username": self.creator.username})


class NewStoryEmail(models.Model):
    """A new-story email sent to one subscriber: the record that makes the fan-out repeatable.

    Written in the same step as the send (subscriptions.emails.send_new_story_batch) and before
    it, so a batch that is retried, or run by two workers, mails nobody twice.
    """

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # Also the index a batch reads to skip the readers it already mailed.
            models.UniqueConstraint(fields=["subscriber", "story"], name="new_story_email_once"),
        ]

    def __str__(self) -> str:
        return f"{self.story_id} → {self.subscriber_id}"
