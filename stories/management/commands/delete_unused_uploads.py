"""Delete images uploaded for story bodies that no story uses a day later.

Run it daily, from cron or the platform's scheduler; running it twice, or twice at once, is safe.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stories.uploads import unused_uploads_delete


class Command(BaseCommand):
    help = "Delete images uploaded for story bodies that no story uses a day after upload."

    def handle(self, *args, **options) -> None:
        deleted = unused_uploads_delete()
        self.stdout.write(f"Deleted {deleted} unused images.")
