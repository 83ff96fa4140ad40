"""A reader's private note to a story's creator, about a passage of it, with one reply."""

from __future__ import annotations

from urllib.parse import quote as percent_encode

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.sanitizer import clean_text
from stories.models import Story

MAX_QUOTE_CHARS = 600
MAX_NOTE_CHARS = 2000
MAX_REPLY_CHARS = 2000
MAX_REPORT_CHARS = 1000


class NoteQuerySet(models.QuerySet):
    def open(self) -> NoteQuerySet:
        return self.filter(done_at__isnull=True)

    def inbox_order(self) -> NoteQuerySet:
        """Open notes first, newest first; then done ones, the last dealt with first."""
        return self.order_by(F("done_at").desc(nulls_first=True), "-created_at", "-pk")


class Note(models.Model):
    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="notes")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes_sent"
    )
    # The story's creator when the note was sent: whose inbox it is in.
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes_received"
    )
    # Plain text, whitespace as one space; it occurred in the story's text when sent.
    quote = models.TextField(max_length=MAX_QUOTE_CHARS, blank=True)
    body = models.TextField(max_length=MAX_NOTE_CHARS, help_text="Plain text, as typed.")
    # What the creator sees, made once on save by the one sanitiser (links made clickable).
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    # One private reply from the creator, emailed to the reader and shown on their notes page.
    reply = models.TextField(max_length=MAX_REPLY_CHARS, blank=True)
    reply_html = models.TextField(editable=False, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    # The creator may report a note to staff; moderators resolve the report or delete the note.
    reported_at = models.DateTimeField(null=True, blank=True)
    report_reason = models.TextField(max_length=MAX_REPORT_CHARS, blank=True)
    report_resolved_at = models.DateTimeField(null=True, blank=True)
    report_resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The creator's "Notes from readers" page and the dashboard: open ones first.
            models.Index(fields=["creator", "done_at", "-created_at"], name="note_inbox_idx"),
            # The reader's "Notes you have sent" page.
            models.Index(fields=["reader", "-created_at"], name="note_sent_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(reader=F("creator")), name="note_not_to_oneself"),
            models.CheckConstraint(
                condition=Q(reply="", replied_at__isnull=True)
                | (~Q(reply="") & Q(replied_at__isnull=False)),
                name="note_reply_has_its_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Note from {self.reader} on {self.story}: {self.body[:40]}"

    def save(self, *args, **kwargs) -> None:
        self.body_html = clean_text(self.body)
        self.reply_html = clean_text(self.reply)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """The creator's page for the note (the reader sees it on notes:sent)."""
        return reverse("notes:note", kwargs={"pk": self.pk})

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def has_reply(self) -> bool:
        return self.replied_at is not None

    @property
    def is_reported(self) -> bool:
        return self.reported_at is not None

    @property
    def passage_url(self) -> str:
        """The story scrolled to the quoted passage, where browsers know text fragments."""
        url = self.story.get_absolute_url()
        if not self.quote:
            return url
        # "-" and "," are the syntax of #:~:text=, so they are encoded too.
        text = percent_encode(self.quote, safe="").replace("-", "%2D")
        return f"{url}#:~:text={text}"
