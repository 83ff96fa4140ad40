"""A read: one reader finishing (most of) one story on one day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stories.models import Story


class Read(models.Model):
    """Counted once per reader per story per day; a bare page view is not a read."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="reads")
    # "u<user id>" for a signed-in reader; "b" and a hash of the browser's random id (or of its
    # address and user agent when it keeps no storage) for anyone else. Never the raw address.
    reader_key = models.CharField(max_length=64)
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    day = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The deduplication itself: a second report the same day is refused by the database.
            models.UniqueConstraint(
                fields=["story", "reader_key", "day"], name="read_once_per_reader_per_day"
            ),
        ]
        indexes = [
            # Trending per community: reads of the last 7 days, grouped by story.
            models.Index(fields=["day", "story"], name="read_day_story_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.story} read on {self.day}"

    def get_absolute_url(self) -> str:
        return self.story.get_absolute_url()
