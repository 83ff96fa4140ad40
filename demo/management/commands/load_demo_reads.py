"""`manage.py load_demo_reads`: reads of the demo stories over the last 60 days (after load_demo).

Each demo story gets a launch spike that settles into a steady tail, quieter at weekends. The
numbers for one story on one day come from a generator seeded with the story and the date, and
the reader keys ("demo-…") are what make a read unique, so running again inserts nothing twice;
on a later day it only fills in the days since. Like load_demo it only touches demo stories.
"""

from __future__ import annotations

import math
import random
import time
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from demo import loader
from stats.models import Read
from stories.models import Story

DAYS = 60
# Distinct demo readers: a day's reads of one story are a sample of them, so the same "people"
# turn up across stories as real readers would.
READER_POOL = 600
BATCH = 2000


def reads_on(story: Story, day: date, published: date) -> int:
    """How many reads `story` gets on `day`: the same answer every time it is asked."""
    popularity = random.Random(f"demo-reads:{story.slug}").uniform(1.5, 9.0)
    age = (day - published).days
    launch = 1 + 3 * math.exp(-age / 6)  # the first week after publication is the busiest
    weekend = 0.7 if day.weekday() >= 5 else 1.0
    rate = popularity * launch * weekend
    rng = random.Random(f"demo-reads:{story.slug}:{day.isoformat()}")
    return max(0, min(READER_POOL, round(rng.gauss(rate, math.sqrt(rate)))))


def demo_reads(story: Story, *, today: date, now: datetime) -> list[Read]:
    published = timezone.localdate(story.published_at)
    first = max(published, today - timedelta(days=DAYS - 1))
    zone = timezone.get_current_timezone()
    reads = []
    for offset in range((today - first).days + 1):
        day = first + timedelta(days=offset)
        rng = random.Random(f"demo-readers:{story.slug}:{day.isoformat()}")
        start = timezone.make_aware(datetime.combine(day, clock.min), zone)
        for reader in rng.sample(range(READER_POOL), reads_on(story, day, published)):
            moment = start + timedelta(seconds=rng.randrange(24 * 3600))
            reads.append(
                Read(
                    story=story,
                    reader_key=f"demo-{reader}",
                    day=day,
                    created_at=min(moment, now),
                )
            )
    return reads


class Command(BaseCommand):
    help = (
        "Give the published demo stories made by load_demo believable reads over the last "
        f"{DAYS} days. Safe to run again: it adds only the reads that are missing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        now = timezone.now()
        today = timezone.localdate(now)
        usernames = [creator.username for creator in loader.CREATORS]
        stories = list(
            Story.objects.published()
            .filter(creator__username__in=usernames)
            .only("pk", "slug", "published_at")
        )
        before = Read.objects.filter(story__in=stories).count()
        with transaction.atomic():
            for story in stories:
                # A read already there (from an earlier run) is skipped by the unique constraint.
                Read.objects.bulk_create(
                    demo_reads(story, today=today, now=now),
                    batch_size=BATCH,
                    ignore_conflicts=True,
                )
            # The stories' counters are what cards show: they count every read, demo or real.
            counted = (
                Read.objects.filter(story=OuterRef("pk"))
                .order_by()
                .values("story")
                .annotate(n=Count("pk"))
                .values("n")
            )
            Story.objects.filter(pk__in=[story.pk for story in stories]).update(
                read_count=Coalesce(Subquery(counted, output_field=IntegerField()), 0)
            )
        added = Read.objects.filter(story__in=stories).count() - before
        if options["verbosity"]:
            self.stdout.write(
                f"{added} demo reads added to {len(stories)} demo stories "
                f"in {time.monotonic() - started:.1f} s."
            )
