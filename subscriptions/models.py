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
    """One subscriber's email about one new story: the record that makes the fan-out safe to
    run again, and where staff see what never went out.

    A batch (subscriptions.emails.send_new_story_batch) claims the row as SENT in the step that
    hands the message to the mail server (core.mail.deliver), so a batch that is retried, run
    by two workers, or cut short by a killed worker mails nobody twice and misses nobody.
    """

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        # The mail server or the network failed; the batch is retried with backoff.
        FAILED = "failed", "Failed, will retry"
        # The mail server refused the address for good (5xx); not retried.
        REFUSED = "refused", "Refused by the mail server"

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    subscriber = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=1)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            # Also the index a batch reads to skip the readers it already mailed.
            models.UniqueConstraint(fields=["subscriber", "story"], name="new_story_email_once"),
        ]
        indexes = [
            # The admin's "what never went out" list.
            models.Index(
                fields=["status", "-sent_at"],
                name="new_story_email_unsent",
                condition=~models.Q(status="sent"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.story_id} → {self.subscriber_id} ({self.status})"
