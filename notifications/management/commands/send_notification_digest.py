"""Queue the daily digest: one email to each reader who chose it, with the day's notifications.

Run it daily, from cron or the platform's scheduler, soon after midnight (the site's time
zone): by default it sends the day that just ended. Running it twice, or twice at once, mails
nobody twice (each digest is recorded per reader and day).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.emails import digests_queue


class Command(BaseCommand):
    help = "Send each reader who chose the daily digest one email with the day's notifications."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--day", help="The day to send, as YYYY-MM-DD (default: yesterday, the site's time)."
        )

    def handle(self, *args, day: str | None = None, **options) -> None:
        if day:
            try:
                the_day = date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--day takes a date as YYYY-MM-DD, not {day!r}") from None
        else:
            the_day = timezone.localdate() - timedelta(days=1)
        readers, batches = digests_queue(day=the_day)
        self.stdout.write(
            f"Queued the digests of {the_day.isoformat()} for {readers} readers in {batches} jobs."
        )
