"""`manage.py load_demo_support`: the demo creators take tips and pledges (run after load_demo).

Support is on by default for every creator (issue 15); this also turns it back on for a demo
creator who switched it off, and records their settings row with the default pledge amounts.

A command of its own, as before the demo app gathered the three; `make run` runs them in turn.
It also makes one demo story one for supporters (issue 18), so the card and the pledge that
unlocks it can be tried: Amelia Wilson's sleep diary, not the seed story.

Idempotent, and like load_demo it only touches the demo accounts.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from core.links import absolute
from creators.models import User
from demo import loader
from stories.models import Story
from stories.services import story_set_for_supporters
from support.services import support_settings_update

# The demo story for supporters: a story of a demo creator with support on, not the seed one.
FOR_SUPPORTERS = ("ameliawilson", "what-i-learned-from-tracking-my-sleep-for-ninety-days")


class Command(BaseCommand):
    help = "Turn tips and pledges on for the demo creators made by load_demo."

    def handle(self, *args: Any, **options: Any) -> None:
        usernames = [creator.username for creator in loader.CREATORS]
        creators = list(User.objects.filter(username__in=usernames, is_active=True))
        for creator in creators:
            support_settings_update(creator=creator, accepts_support=True)
        username, slug = FOR_SUPPORTERS
        story = Story.objects.filter(creator__in=creators, creator__username=username, slug=slug)
        story = story.select_related("creator", "community").first()
        if story is not None:
            story_set_for_supporters(story=story, actor=story.creator, for_supporters=True)
        if options["verbosity"]:
            self.stdout.write(
                f"Tips and pledges are on for {len(creators)} demo creators "
                "(offline gateway: test mode, no real money moves)."
            )
            if story is not None:
                self.stdout.write(
                    f"For supporters only: {story.title} ({story.creator.name}), "
                    f"{absolute(story.get_absolute_url())}"
                )
