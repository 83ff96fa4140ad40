"""Delete notifications whose last event is more than 90 days old.

Run it daily, from cron or the platform's scheduler; running it twice, or twice at once, is
safe. (The job `notifications.jobs.prune_notifications` does the same.)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from notifications.models import KEEP_DAYS
from notifications.services import notifications_prune


class Command(BaseCommand):
    help = f"Delete notifications older than {KEEP_DAYS} days."

    def handle(self, *args, **options) -> None:
        deleted = notifications_prune()
        self.stdout.write(f"Deleted {deleted} notifications older than {KEEP_DAYS} days.")
