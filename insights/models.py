"""Reader insights: one reader's rating and qualities on a story, from choices staff manage.

These models were born in the comments app and moved here with their rows: the tables keep the
names they were created with (`comments_*`), so no data was copied (insights/migrations/0001).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from stories.models import Story


class Rating(models.Model):
    """An overall rating a reader can give ("Nice Work"); staff reword or retire them."""

    name = models.CharField(max_length=60, unique=True)
    phrase = models.CharField(max_length=200, help_text="Shown under the rating's name.")
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    is_active = models.BooleanField(
        default=True, help_text="Retired ratings stay on past insights but are not offered."
    )

    class Meta:
        db_table = "comments_rating"
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Quality(models.Model):
    """A quality a reader can praise ("Eye opening"); staff reword or retire them."""

    name = models.CharField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Lower comes first.")
    is_active = models.BooleanField(
        default=True, help_text="Retired qualities stay on past insights but are not offered."
    )

    class Meta:
        db_table = "comments_quality"
        ordering = ["position", "pk"]
        verbose_name_plural = "qualities"

    def __str__(self) -> str:
        return self.name


class Insight(models.Model):
    """One reader's structured praise of one story: a rating and any number of qualities."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="insights")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="insights"
    )
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="insights")
    qualities = models.ManyToManyField(
        Quality, blank=True, related_name="insights", db_table="comments_insight_qualities"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "comments_insight"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["story", "reader"], name="insight_once_per_reader"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} on {self.story}: {self.rating}"
