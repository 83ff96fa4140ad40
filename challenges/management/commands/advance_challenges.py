"""Open, close and decide challenges whose dates have come (challenges.services).

Run it from cron, say every 10 minutes; running it twice, or twice at once, pays nobody twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from challenges.services import challenges_advance


class Command(BaseCommand):
    help = "Move challenges from draft to open to judging to decided by their dates."

    def handle(self, *args, **options) -> None:
        counts = challenges_advance()
        self.stdout.write("Opened {opened}, closed {closed}, decided {decided}.".format(**counts))
