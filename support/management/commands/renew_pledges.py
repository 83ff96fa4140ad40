"""Charge the month's renewal of every due pledge that Byline renews itself (offline gateway).

Run it from cron, say hourly; running it twice, or twice at once, charges nobody twice.
Stripe pledges are renewed by Stripe and reported by webhook, so they are left alone.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from support.services import pledges_renew_due


class Command(BaseCommand):
    help = "Renew due pledges (offline gateway): charge, or mark past due and tell the reader."

    def handle(self, *args, **options) -> None:
        counts = pledges_renew_due()
        self.stdout.write("Renewed {renewed}, failed {failed}, ended {ended}.".format(**counts))
