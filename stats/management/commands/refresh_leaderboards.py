"""Work out the /leaderboard/ boards and store them. Run it from cron, say hourly; running it
twice stores the same boards (see stats.leaderboards)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from stats.leaderboards import leaderboards_refresh


class Command(BaseCommand):
    help = "Work out the leaderboards (reads, insights, support; this month and all time)."

    def handle(self, *args, **options) -> None:
        stored = leaderboards_refresh()
        self.stdout.write(f"Leaderboards refreshed: {stored} places stored.")
