"""`manage.py load_demo_reads`: demo stories only, 60 days, counters matching, idempotent."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from demo import loader as demo
from stats.models import Read
from stories.models import Story
from tests.conftest import make_story, make_user
from tests.stats.conftest import add_reads


def load_demo_reads() -> str:
    out = io.StringIO()
    call_command("load_demo_reads", stdout=out)
    return out.getvalue()


def snapshot() -> tuple[list, list]:
    reads = list(
        Read.objects.order_by("story", "day", "reader_key").values_list(
            "story", "day", "reader_key", "created_at"
        )
    )
    counters = list(Story.objects.order_by("pk").values_list("pk", "read_count"))
    return reads, counters


@pytest.fixture
def stories(lifehack) -> dict[str, Story]:
    """Two demo creators' stories, old and new, a demo draft, and someone else's story.

    The old and new ones have titles of their own: the reads are seeded with the slug, which
    must not depend on how many stories earlier tests in this process made (pytest-xdist
    decides that). These two slugs give the old story a modest popularity (2.5 of 1.5-9) and
    the new one a high one (8.0), so "more reads in a new story's first days" holds every day.
    """
    first, second = (make_user(spec.username) for spec in demo.CREATORS[:2])
    return {
        "old": make_story(
            creator=first,
            community=lifehack,
            title="A story from last year",
            published_ago=timedelta(days=300),
        ),
        "new": make_story(
            creator=second,
            community=lifehack,
            title="Fresh from the press",
            published_ago=timedelta(days=10),
        ),
        "draft": make_story(creator=first, community=lifehack, status=Story.Status.DRAFT),
        "other": make_story(
            creator=make_user("someone"), community=lifehack, published_ago=timedelta(days=300)
        ),
    }


def test_running_twice_changes_nothing(stories):
    load_demo_reads()
    first = snapshot()
    assert first[0], "the first run made reads"
    output = load_demo_reads()
    assert snapshot() == first
    assert output.startswith("0 demo reads added to 2 demo stories")


def test_reads_cover_the_last_60_days_of_published_demo_stories(stories):
    load_demo_reads()
    today = timezone.localdate()
    per_story = {
        row["story"]: row
        for row in Read.objects.values("story").annotate(
            n=Count("pk"), first=Min("day"), last=Max("day")
        )
    }
    assert set(per_story) == {stories["old"].pk, stories["new"].pk}
    old, new = per_story[stories["old"].pk], per_story[stories["new"].pk]
    assert old["first"] == today - timedelta(days=59) and old["last"] <= today
    # Nothing before the story was published.
    assert new["first"] == timezone.localdate(stories["new"].published_at)
    assert all(key.startswith("demo-") for key in Read.objects.values_list("reader_key", flat=True))
    assert not Read.objects.filter(created_at__gt=timezone.now()).exists()
    # Believable: a few reads a day, more in a new story's first days than in an old one's.
    assert 60 <= old["n"] <= 60 * 40
    assert new["n"] / 11 > old["n"] / 60


def test_counters_match_the_reads_and_keep_real_ones(stories):
    real = add_reads(stories["old"], timezone.localdate() - timedelta(days=200), 3)
    load_demo_reads()
    load_demo_reads()
    for story in Story.objects.all():
        assert story.read_count == Read.objects.filter(story=story).count(), story
    assert Read.objects.filter(pk__in=[read.pk for read in real]).count() == 3
    assert Story.objects.get(pk=stories["other"].pk).read_count == 0
    assert Story.objects.get(pk=stories["draft"].pk).read_count == 0
