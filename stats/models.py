"""A read: one reader finishing (most of) one story on one day."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
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


class LeaderboardEntry(models.Model):
    """One place on one of the /leaderboard/ boards, as `refresh_leaderboards` last worked it
    out. The page only reads these rows; the job replaces them all at once."""

    class Metric(models.TextChoices):
        READS = "reads", "Reads"
        INSIGHTS = "insights", "Insights"
        SUPPORT = "support", "Support received"

    class Period(models.TextChoices):
        MONTH = "month", "This month"
        ALL = "all", "All time"

    metric = models.CharField(max_length=10, choices=Metric.choices)
    period = models.CharField(max_length=10, choices=Period.choices)
    rank = models.PositiveSmallIntegerField()
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # A count of reads or insights, or minor units (cents) of settings.SUPPORT_CURRENCY.
    score = models.PositiveBigIntegerField()
    # When the creator reached `score`: the time of the latest event it counts (see
    # stats.leaderboards). Earlier wins a tie.
    reached_at = models.DateTimeField()
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["metric", "period", "rank"]
        verbose_name_plural = "leaderboard entries"
        constraints = [
            # Also the index /leaderboard/ reads one board by.
            models.UniqueConstraint(
                fields=["metric", "period", "rank"], name="leaderboard_one_creator_per_place"
            ),
            models.UniqueConstraint(
                fields=["metric", "period", "creator"], name="leaderboard_creator_once_per_board"
            ),
            models.CheckConstraint(condition=models.Q(rank__gte=1), name="leaderboard_rank_min"),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.creator} by {self.metric} ({self.period})"

    def get_absolute_url(self) -> str:
        return reverse("stats:leaderboard") + f"?period={self.period}&by={self.metric}"


class LeaderboardRefresh(models.Model):
    """When the boards were last worked out: one row (pk 1), so the page can tell "nobody has
    scored yet" from "not worked out yet"."""

    finished_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Leaderboards worked out at {self.finished_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("stats:leaderboard")
