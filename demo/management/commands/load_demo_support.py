"""`manage.py load_demo_support`: the demo creators take tips and pledges (run after load_demo).

Support is on by default for every creator (issue 15); this also turns it back on for a demo
creator who switched it off, and records their settings row with the default pledge amounts.

A command of its own, as before the demo app gathered the three; `make run` runs them in turn.
Idempotent, and like load_demo it only touches the demo accounts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from creators.models import User
from demo import loader
from support.services import support_settings_update


class Command(BaseCommand):
    help = "Turn tips and pledges on for the demo creators made by load_demo."

    def handle(self, *args: Any, **options: Any) -> None:
        usernames = [creator.username for creator in loader.CREATORS]
        creators = list(User.objects.filter(username__in=usernames, is_active=True))
        for creator in creators:
            support_settings_update(creator=creator, accepts_support=True)
        if options["verbosity"]:
            self.stdout.write(
                f"Tips and pledges are on for {len(creators)} demo creators "
                "(offline gateway: test mode, no real money moves)."
            )
