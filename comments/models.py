"""What readers leave on a story: comments (with one level of replies) and reports on them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.sanitizer import clean_text
from stories.models import Story

MAX_COMMENT_CHARS = 5000


class CommentQuerySet(models.QuerySet):
    def shown(self) -> CommentQuerySet:
        """Comments readers see as written: not hidden or removed, by an active account."""
        return self.filter(status=Comment.Status.VISIBLE, author__is_active=True)


class Comment(models.Model):
    class Status(models.TextChoices):
        VISIBLE = "visible", "Visible"
        HIDDEN = "hidden", "Hidden by staff"
        REMOVED = "removed", "Removed"
        DELETED = "deleted", "Deleted by its author"

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # Replies are one level deep: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(max_length=MAX_COMMENT_CHARS, help_text="Plain text, as typed.")
    # What readers see, made once on save by the one sanitiser (links made clickable).
    body_html = models.TextField(editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.VISIBLE)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Who hid or removed it and when, for the moderation record.
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            # The story page's comments block: a story's comments in time order.
            models.Index(fields=["story", "parent", "created_at"], name="comment_story_idx"),
            # Per-user rate limit: an author's latest comments.
            models.Index(fields=["author", "-created_at"], name="comment_author_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")), name="comment_not_its_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.author} on {self.story}: {self.body[:40]}"

    def save(self, *args, **kwargs) -> None:
        self.body_html = clean_text(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.story.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_shown(self) -> bool:
        return self.status == self.Status.VISIBLE


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports"
    )
    reason = models.TextField(max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "reporter"], name="commentreport_once_per_reader"
            ),
        ]

    def __str__(self) -> str:
        return f"Report on comment {self.comment_id} by {self.reporter}"
