"""Likes and saves: one reader's heart on a story, and a story a reader keeps for later."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from stories.models import Story


class Like(models.Model):
    """One reader likes one story; the story's `like_count` counts these (reactions.receivers)."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="likes")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="likes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A second like is refused by the database: a double click likes once.
            models.UniqueConstraint(fields=["story", "reader"], name="like_once_per_reader"),
        ]
        indexes = [
            # The creator's stats: likes of their stories per day.
            models.Index(fields=["story", "created_at"], name="like_story_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} likes {self.story}"

    def get_absolute_url(self) -> str:
        return self.story.get_absolute_url()


class SavedStory(models.Model):
    """A story a reader saved for later: their library, newest saved first."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="saves")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_stories"
    )
    created_at = models.DateTimeField("saved at", default=timezone.now)

    class Meta:
        ordering = ["-created_at", "pk"]
        verbose_name = "saved story"
        verbose_name_plural = "saved stories"
        constraints = [
            models.UniqueConstraint(fields=["reader", "story"], name="save_once_per_reader"),
        ]
        indexes = [
            # /library/: a reader's saves, newest first, in keyset pages (core.keyset).
            models.Index(fields=["reader", "-created_at"], name="save_reader_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} saved {self.story}"

    def get_absolute_url(self) -> str:
        return reverse("reactions:library")
