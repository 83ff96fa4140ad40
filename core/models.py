"""What core keeps in the database: the record of emails already sent by jobs (core.jobs)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class SentMark(models.Model):
    """One email (or other message) a job has sent, by a key the job makes up.

    Claimed as the email is handed over (core.mail.send_once), so a job that runs again, a
    retry or a second worker, finds it and does not send again. The unique key is the point.
    """

    key = models.CharField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key


class WorkerBeat(models.Model):
    """A job worker's sign of life, written every few seconds while it runs (core.workers).

    A job left "running" by a worker whose beat has stopped (killed, out of memory, its
    machine gone) is handed back to the queue by the workers still alive, so it runs again
    within a minute rather than never.
    """

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
